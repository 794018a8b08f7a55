package nodes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
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
	// ECMP lists the interfaces of every equal-cost next hop, Iface
	// first, when there are several and the network spreads flows over
	// them (Routing.ECMP); nil otherwise. Routers share these lists:
	// never modify one.
	ECMP []int
	// gen is the InstallRoutes pass that installed the route; 0 for a
	// route installed by hand.
	gen uint32
}

// String prints the route as `ip route` does, e.g.
// "10.0.0.0/24 dev eth0" or "10.0.2.1/32 via 10.0.1.2 dev eth1".
// With ECMP the other next hops follow: "10.0.2.1/32 dev eth2 ecmp eth3".
func (r Route) String() string {
	var s string
	if r.Via.IsValid() {
		s = fmt.Sprintf("%v via %v dev eth%d", r.Prefix, r.Via, r.Iface)
	} else {
		s = fmt.Sprintf("%v dev eth%d", r.Prefix, r.Iface)
	}
	if len(r.ECMP) > 1 {
		s += " ecmp"
		for _, i := range r.ECMP[1:] {
			s += fmt.Sprintf(" eth%d", i)
		}
	}
	return s
}

// sameHops reports whether r and o send the same way.
func (r Route) sameHops(o Route) bool {
	return r.Iface == o.Iface && r.Via == o.Via && slices.Equal(r.ECMP, o.ECMP)
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

// exact returns the route for prefix p exactly (p masked already).
func (t *RoutingTable) exact(p netip.Prefix) (Route, bool) {
	r, ok := t.byLen[p.Bits()][p]
	return r, ok
}

// removeStale deletes the routes an InstallRoutes pass other than gen
// installed and returns how many it deleted; routes added by hand stay.
func (t *RoutingTable) removeStale(gen uint32) int {
	n := 0
	for _, bits := range t.lens {
		m := t.byLen[bits]
		for p, r := range m {
			if r.gen != 0 && r.gen != gen {
				delete(m, p)
				n++
			}
		}
	}
	t.n -= n
	return n
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

// KindRouteChange is the trace kind of a node's forwarding table changing
// after a recomputation (Network.RecomputeRoutes). Subject the node
// ("router/<name>"); fields: changed (routes added, replaced or removed),
// routes (the table's size now).
const KindRouteChange = "route.change"

// Routing says how InstallRoutes builds forwarding tables.
type Routing struct {
	// ECMP keeps every equal-cost next hop in routers' tables and picks
	// one per flow by a seeded hash of the 5-tuple (see Router), so that
	// flows spread over parallel paths and each keeps its own.
	ECMP bool
}

// SetRouting sets how the next InstallRoutes or RecomputeRoutes builds
// tables.
func (n *Network) SetRouting(r Routing) { n.routing = r }

// InstallRoutes computes shortest paths by propagation delay over the
// graph (ties broken by hop count, then by name: see topology.Graph.Routes)
// and installs the routes every node needs. A host with one interface gets
// a default route (0.0.0.0/0) out of it: everything it sends leaves that
// way. Routers, and hosts with several interfaces, get a host route (/32)
// to the address of every host they can reach, out of the interface of
// its first hop; with Routing.ECMP a router's route lists every
// equal-cost first hop. Hosts never carry transit traffic. Routes already
// installed for those prefixes are replaced; routes added by hand for
// other prefixes stay. Routes are static: a partition or a link going
// down does not recompute them (RecomputeRoutes does).
//
// The work is one shortest-path pass per router (topology.Graph.
// HostRoutes): building a 10,000-host star or a k=16 fat-tree takes well
// under a second, with tables whose size is the routes they hold.
func (n *Network) InstallRoutes() error {
	_, err := n.installRoutes(false)
	return err
}

// RecomputeRoutes computes the routes again over the links that are up
// now, as InstallRoutes does over all links, replaces the routes the
// previous pass installed, and traces a KindRouteChange record for every
// node whose table changed, in the order nodes were added. It returns the
// number of routes that changed.
func (n *Network) RecomputeRoutes() (int, error) { return n.installRoutes(true) }

func (n *Network) installRoutes(upOnly bool) (int, error) {
	n.routeGen++
	gen := n.routeGen
	changed := make(map[*node]int)
	add := func(nd *node, rt Route) error {
		rt.gen = gen
		if old, ok := nd.routes.exact(rt.Prefix.Masked()); !ok || !old.sameHops(rt) {
			changed[nd]++
		}
		return nd.routes.Add(rt)
	}
	for _, h := range n.hosts {
		if len(h.ifaces) == 1 {
			// A host with one interface: every destination is out of it.
			if err := add(&h.node, Route{Prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Iface: 0}); err != nil {
				return 0, err
			}
		}
	}
	if n.routing.ECMP {
		for _, r := range n.routers {
			if !r.seeded {
				r.ecmpSeed, r.seeded = n.streams.Rand(r.subject+"/ecmp").Uint64(), true
			}
		}
	}
	// groups interns the ECMP interface lists of one node: in a fat-tree
	// a switch has a handful of distinct lists for a thousand hosts.
	groups := map[string][]int{}
	var groupsOf *node
	var key []byte
	var err error
	n.graph.HostRoutes(upOnly, func(from, to string, hops []topology.Hop) {
		if err != nil {
			return
		}
		nd := n.nodes[from]
		dst := n.byName[to]
		if nd == nil || dst == nil {
			return
		}
		ifc := nd.ifaceOn(hops[0].Link, hops[0].Side)
		if ifc == nil {
			err = fmt.Errorf("route %s>%s via %s: node %q has no interface on the link: %w", from, to, hops[0].Link.Name(), from, ErrInvalid)
			return
		}
		rt := Route{Prefix: netip.PrefixFrom(dst.addr, 32), Iface: ifc.index}
		if next, ok := n.byName[hops[0].Next]; ok && next != dst {
			rt.Via = next.addr
		}
		if n.routing.ECMP && len(hops) > 1 && n.routerByName[from] != nil {
			if groupsOf != nd {
				clear(groups)
				groupsOf = nd
			}
			key = key[:0]
			ifaces := make([]int, 0, len(hops))
			for _, h := range hops {
				hi := nd.ifaceOn(h.Link, h.Side)
				if hi == nil {
					err = fmt.Errorf("route %s>%s via %s: node %q has no interface on the link: %w", from, to, h.Link.Name(), from, ErrInvalid)
					return
				}
				ifaces = append(ifaces, hi.index)
				key = binary.LittleEndian.AppendUint32(key, uint32(hi.index))
			}
			if g, ok := groups[string(key)]; ok {
				ifaces = g
			} else {
				groups[string(key)] = ifaces
			}
			rt.ECMP = ifaces
		}
		if e := add(nd, rt); e != nil {
			err = fmt.Errorf("route %s>%s: %w", from, to, e)
		}
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, nd := range n.allNodes() {
		c := changed[nd] + nd.routes.removeStale(gen)
		total += c
		if c > 0 && upOnly && n.trace != nil {
			n.emit(KindRouteChange, nd.subject, sim.Int("changed", int64(c)), sim.Int("routes", int64(nd.routes.Len())))
		}
	}
	return total, nil
}
