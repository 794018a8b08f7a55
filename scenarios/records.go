package scenarios

import "strings"

// hostOf returns the host name of a "host/<name>" or "app/<host>/<type>"
// subject.
func hostOf(subject string) string {
	for _, p := range []string{"host/", "app/"} {
		if rest, ok := strings.CutPrefix(subject, p); ok {
			name, _, _ := strings.Cut(rest, "/")
			return name
		}
	}
	return ""
}
