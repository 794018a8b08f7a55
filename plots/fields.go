package plots

import (
	"net/netip"
	"strings"
)

// addrText returns the text of an address, "" for the zero address (a
// record that did not say).
func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// nodeName returns the node a "host/<name>" or "router/<name>" subject
// names, and whether it is a router.
func nodeName(subject string) (name string, router, ok bool) {
	if n, found := strings.CutPrefix(subject, "host/"); found {
		return n, false, true
	}
	if n, found := strings.CutPrefix(subject, "router/"); found {
		return n, true, true
	}
	return "", false, false
}

// linkDir splits a "link/<name>/<from>><to>" subject.
func linkDir(subject string) (name, from, to string, ok bool) {
	rest, found := strings.CutPrefix(subject, "link/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return "", "", "", false
	}
	from, to, found = strings.Cut(rest[i+1:], ">")
	if !found {
		return "", "", "", false
	}
	return rest[:i], from, to, true
}
