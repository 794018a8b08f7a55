package nodes

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// ErrNotIPv4 is returned when an IPv6 prefix or address is given where only
// IPv4 is modeled.
var ErrNotIPv4 = errors.New("nodes: not an IPv4 prefix")

// Route says where datagrams for a prefix go: out of interface Iface (an
// index into the node's interfaces, as named eth0, eth1, ...), to next hop
// Via, or directly to the destination when Via is the zero Addr (a
// connected route).
type Route struct {
	Prefix netip.Prefix
	Iface  int
	Via    netip.Addr
}

// String prints the route as `ip route` does, e.g.
// "10.0.0.0/24 dev eth0" or "10.0.2.1/32 via 10.0.1.2 dev eth1".
func (r Route) String() string {
	if r.Via.IsValid() {
		return fmt.Sprintf("%v via %v dev eth%d", r.Prefix, r.Via, r.Iface)
	}
	return fmt.Sprintf("%v dev eth%d", r.Prefix, r.Iface)
}

// RoutingTable maps IPv4 prefixes to routes and looks destinations up by
// longest-prefix match. It holds one exact-match map per prefix length in
// use, probed from the longest length down, so a lookup costs at most one
// map probe per distinct length (two or three in practice). The zero value
// is an empty table.
type RoutingTable struct {
	byLen [33]map[netip.Prefix]Route
	// lens holds the prefix lengths in use, longest first.
	lens []int
	n    int
}

// Add installs r, replacing any route for the same prefix. The prefix is
// masked first, so 10.0.0.1/24 means 10.0.0.0/24.
func (t *RoutingTable) Add(r Route) error {
	if !r.Prefix.IsValid() || !r.Prefix.Addr().Is4() {
		return fmt.Errorf("route %v: %w", r.Prefix, ErrNotIPv4)
	}
	r.Prefix = r.Prefix.Masked()
	bits := r.Prefix.Bits()
	m := t.byLen[bits]
	if m == nil {
		m = make(map[netip.Prefix]Route)
		t.byLen[bits] = m
		t.lens = append(t.lens, bits)
		slices.SortFunc(t.lens, func(a, b int) int { return b - a })
	}
	if _, ok := m[r.Prefix]; !ok {
		t.n++
	}
	m[r.Prefix] = r
	return nil
}

// Remove deletes the route for prefix p and reports whether there was one.
func (t *RoutingTable) Remove(p netip.Prefix) bool {
	if !p.IsValid() || !p.Addr().Is4() {
		return false
	}
	p = p.Masked()
	m := t.byLen[p.Bits()]
	if _, ok := m[p]; !ok {
		return false
	}
	delete(m, p)
	t.n--
	return true
}

// Lookup returns the route with the longest prefix that contains dst, and
// false when none does.
func (t *RoutingTable) Lookup(dst netip.Addr) (Route, bool) {
	if !dst.Is4() {
		return Route{}, false
	}
	for _, bits := range t.lens {
		m := t.byLen[bits]
		if len(m) == 0 {
			continue
		}
		p, _ := dst.Prefix(bits) // cannot fail: dst is IPv4, bits in [0, 32]
		if r, ok := m[p]; ok {
			return r, true
		}
	}
	return Route{}, false
}

// Len returns the number of routes.
func (t *RoutingTable) Len() int { return t.n }

// Routes returns every route, longest prefix first, then by address: a
// deterministic order for printing and tests.
func (t *RoutingTable) Routes() []Route {
	out := make([]Route, 0, t.n)
	for _, bits := range t.lens {
		start := len(out)
		for _, r := range t.byLen[bits] {
			out = append(out, r)
		}
		slices.SortFunc(out[start:], func(a, b Route) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })
	}
	return out
}
