package scenarios

import "strings"

// hostOf returns the host name of a "host/<name>" or "app/<host>/<type>"
// subject.
func hostOf(subject string) string {
	rest, ok := strings.CutPrefix(subject, "host/")
	if !ok {
		if rest, ok = strings.CutPrefix(subject, "app/"); !ok {
			return ""
		}
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i]
	}
	return rest
}
