package nodes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
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
// longest-prefix match. It holds the routes in one slice and, per prefix
// length in use, a map from the prefix's 32-bit address to the route's
// position, probed from the longest length down: a lookup costs at most
// one map probe per distinct length (one or two in practice), and a
// router with a route per host of a large network pays a few words per
// route for the index. A table of more than cachedRoutes routes also
// remembers the answers of recent lookups by destination (a router that
// forwards for many hosts looks the same few thousand up again and
// again). The zero value is an empty table.
type RoutingTable struct {
	// only is the interface of the table's only route, a default route,
	// once a host looked it up (Host.route): a host then reads neither
	// the route nor its interface list per datagram. Every change of the
	// table clears it.
	only *Interface
	// lens holds the prefix lengths in use, longest first.
	lens   []int
	routes []Route
	// cache is a direct-mapped cache of lookups, made on the first
	// lookup of a large table; an entry is valid while its gen is the
	// table's (every change of the table moves gen on).
	cache []routeHit
	gen   uint32
	// byLen comes last: a host's table (one default route, which find
	// answers without it) never reads it.
	byLen [33]map[uint32]int32
}

// routeHit is a lookup the cache remembers: destination dst has the
// route at index idx, as of the table's generation gen; iface is the
// route's interface, or -1 when it has several next hops (ECMP), so that
// forwarding on a one-hop route reads no Route (nextHop).
type routeHit struct {
	dst, gen   uint32
	idx, iface int32
}

// cachedRoutes is the size from which a table caches its lookups, and
// routeCacheSize the number of entries of the cache (16 bytes each), in
// sets of routeCacheWays: a set is one 64-byte cache line, and a
// destination may sit in any entry of its set, so that two busy
// destinations whose hashes meet do not evict each other at every
// packet (with one entry per set, a router between 2,000 hosts lost
// about a third of its lookups that way).
const (
	cachedRoutes   = 64
	routeCacheBits = 12
	routeCacheSize = 1 << routeCacheBits
	routeCacheWays = 4
)

// key returns the masked 32-bit address of the IPv4 prefix p.
func key(p netip.Prefix) uint32 {
	a := p.Masked().Addr().As4()
	return binary.BigEndian.Uint32(a[:])
}

// Add installs r, replacing any route for the same prefix. The prefix is
// masked first, so 10.0.0.1/24 means 10.0.0.0/24.
func (t *RoutingTable) Add(r Route) error {
	if !r.Prefix.IsValid() || !r.Prefix.Addr().Is4() {
		return fmt.Errorf("route %v: %w", r.Prefix, ErrNotIPv4)
	}
	r.Prefix = r.Prefix.Masked()
	t.changed()
	bits := r.Prefix.Bits()
	m := t.byLen[bits]
	if m == nil {
		m = make(map[uint32]int32)
		t.byLen[bits] = m
		t.lens = append(t.lens, bits)
		slices.SortFunc(t.lens, func(a, b int) int { return b - a })
	}
	k := key(r.Prefix)
	if i, ok := m[k]; ok {
		t.routes[i] = r
		return nil
	}
	m[k] = int32(len(t.routes))
	t.routes = append(t.routes, r)
	return nil
}

// exact returns the route for prefix p exactly (p masked already).
func (t *RoutingTable) exact(p netip.Prefix) (Route, bool) {
	i, ok := t.byLen[p.Bits()][key(p)]
	if !ok {
		return Route{}, false
	}
	return t.routes[i], true
}

// removeAt deletes the route at position i, moving the last one there.
func (t *RoutingTable) removeAt(i int) {
	t.changed()
	r := t.routes[i]
	delete(t.byLen[r.Prefix.Bits()], key(r.Prefix))
	last := len(t.routes) - 1
	if i != last {
		moved := t.routes[last]
		t.routes[i] = moved
		t.byLen[moved.Prefix.Bits()][key(moved.Prefix)] = int32(i)
	}
	t.routes[last] = Route{}
	t.routes = t.routes[:last]
}

// removeStale deletes the routes an InstallRoutes pass other than gen
// installed and returns how many it deleted; routes added by hand stay.
func (t *RoutingTable) removeStale(gen uint32) int {
	n := 0
	for i := len(t.routes) - 1; i >= 0; i-- {
		if r := t.routes[i]; r.gen != 0 && r.gen != gen {
			t.removeAt(i)
			n++
		}
	}
	return n
}

// Remove deletes the route for prefix p and reports whether there was one.
func (t *RoutingTable) Remove(p netip.Prefix) bool {
	if !p.IsValid() || !p.Addr().Is4() {
		return false
	}
	p = p.Masked()
	i, ok := t.byLen[p.Bits()][key(p)]
	if !ok {
		return false
	}
	t.removeAt(int(i))
	return true
}

// Lookup returns the route with the longest prefix that contains dst, and
// false when none does.
func (t *RoutingTable) Lookup(dst netip.Addr) (Route, bool) {
	i, _ := t.find(dst)
	if i < 0 {
		return Route{}, false
	}
	return t.routes[i], true
}

// nextHop returns what forwarding toward dst needs of its route: the
// interface, and the next hops of an ECMP route (nil otherwise); false
// when no route contains dst. A cached one-hop route is answered without
// reading the Route.
func (t *RoutingTable) nextHop(dst netip.Addr) (iface int, ecmp []int, ok bool) {
	i, hit := t.find(dst)
	switch {
	case i < 0:
		return 0, nil, false
	case hit != nil && hit.iface >= 0:
		return int(hit.iface), nil, true
	}
	rt := &t.routes[i]
	if len(rt.ECMP) > 1 {
		return rt.Iface, rt.ECMP, true
	}
	return rt.Iface, nil, true
}

// find returns the index of the route with the longest prefix that
// contains dst (-1 for none) and, for a table that caches its lookups,
// the cache entry that now holds the answer.
func (t *RoutingTable) find(dst netip.Addr) (int, *routeHit) {
	if !dst.Is4() {
		return -1, nil
	}
	if len(t.routes) == 1 && t.routes[0].Prefix.Bits() == 0 {
		// Only a default route (a host with one interface): it holds
		// every destination, without a map probe.
		return 0, nil
	}
	a4 := dst.As4()
	a := binary.BigEndian.Uint32(a4[:])
	var hit *routeHit
	if len(t.routes) > cachedRoutes {
		if t.cache == nil {
			t.cache = make([]routeHit, routeCacheSize)
		}
		// Fibonacci hashing: consecutive addresses spread over the sets.
		k := int((a*0x9e3779b1)>>(32-routeCacheBits)) &^ (routeCacheWays - 1)
		set := t.cache[k : k+routeCacheWays : k+routeCacheWays]
		for w := range set {
			if set[w].dst == a && set[w].gen == t.gen {
				return int(set[w].idx), &set[w]
			}
		}
		// A miss: the answer takes the set's first entry, the others
		// move down one and the last is forgotten (oldest first out).
		copy(set[1:], set[:routeCacheWays-1])
		hit = &set[0]
		*hit = routeHit{}
	}
	for _, bits := range t.lens {
		m := t.byLen[bits]
		if len(m) == 0 {
			continue
		}
		if i, ok := m[a&^(math.MaxUint32>>bits)]; ok {
			if hit != nil {
				// -1 also for an interface index that int32 cannot hold,
				// which nextHop then reads from the route as it is.
				iface := int32(t.routes[i].Iface)
				if len(t.routes[i].ECMP) > 1 || int(iface) != t.routes[i].Iface {
					iface = -1
				}
				*hit = routeHit{dst: a, gen: t.gen, idx: i, iface: iface}
			}
			return int(i), hit
		}
	}
	return -1, nil
}

// changed invalidates the cached lookups. The generation starts at 1, so
// that the zeroed entries of a new cache are never valid.
func (t *RoutingTable) changed() {
	t.only = nil
	t.gen++
	if t.gen == 0 { // wrapped: no entry may claim generation 0 again
		clear(t.cache)
		t.gen = 1
	}
}

// Len returns the number of routes.
func (t *RoutingTable) Len() int { return len(t.routes) }

// Routes returns every route, longest prefix first, then by address: a
// deterministic order for printing and tests.
func (t *RoutingTable) Routes() []Route {
	out := slices.Clone(t.routes)
	slices.SortFunc(out, func(a, b Route) int {
		if a.Prefix.Bits() != b.Prefix.Bits() {
			return b.Prefix.Bits() - a.Prefix.Bits()
		}
		return a.Prefix.Addr().Compare(b.Prefix.Addr())
	})
	return out
}

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
	_, err := n.installRoutes(false, nil)
	return err
}

// InstallRoutesStoppable is InstallRoutes for a build that may be
// cancelled (Ctrl-C while a large scenario is built): every
// stopCheckRoutes routes it calls stop, and gives up with an error
// wrapping ErrStopped when stop returns true. The tables are then part
// built and the network must not be run. A nil stop never stops.
func (n *Network) InstallRoutesStoppable(stop func() bool) error {
	_, err := n.installRoutes(false, stop)
	return err
}

// stopCheckRoutes is how many routes InstallRoutesStoppable installs
// between two calls of its stop function: often enough to stop well
// within a second, rarely enough to cost nothing.
const stopCheckRoutes = 1024

// RecomputeRoutes computes the routes again over the links that are up
// now, as InstallRoutes does over all links, replaces the routes the
// previous pass installed, and traces a sim.RouteChange record for every
// node whose table changed, in the order nodes were added. It returns the
// number of routes that changed.
func (n *Network) RecomputeRoutes() (int, error) { return n.installRoutes(true, nil) }

func (n *Network) installRoutes(upOnly bool, stop func() bool) (int, error) {
	n.giveRouterAddrs()
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
	var groupKey []byte
	var err error
	var curName string
	var cur *node
	var curRouter bool
	count := 0
	n.graph.HostRoutes(upOnly, func(from, to string, hops []topology.Hop) bool {
		if count++; stop != nil && count%stopCheckRoutes == 0 && stop() {
			err = fmt.Errorf("routes: %w", ErrStopped)
			return false
		}
		if from != curName {
			// Destinations come grouped by node: look it up once.
			curName, cur = from, n.nodes[from]
			_, curRouter = n.routerByName[from]
		}
		nd := cur
		dst := n.byName[to]
		if nd == nil || dst == nil {
			return true
		}
		ifc := nd.ifaceOn(hops[0].Link, hops[0].Side)
		if ifc == nil {
			err = fmt.Errorf("route %s>%s via %s: node %q has no interface on the link: %w", from, to, hops[0].Link.Name(), from, ErrInvalid)
			return false
		}
		rt := Route{Prefix: netip.PrefixFrom(dst.addr, 32), Iface: ifc.index}
		if hops[0].Next != to {
			if next, ok := n.byName[hops[0].Next]; ok {
				rt.Via = next.addr
			}
		}
		if n.routing.ECMP && len(hops) > 1 && curRouter {
			if groupsOf != nd {
				clear(groups)
				groupsOf = nd
			}
			groupKey = groupKey[:0]
			ifaces := make([]int, 0, len(hops))
			for _, h := range hops {
				hi := nd.ifaceOn(h.Link, h.Side)
				if hi == nil {
					err = fmt.Errorf("route %s>%s via %s: node %q has no interface on the link: %w", from, to, h.Link.Name(), from, ErrInvalid)
					return true
				}
				ifaces = append(ifaces, hi.index)
				groupKey = binary.LittleEndian.AppendUint32(groupKey, uint32(hi.index))
			}
			if g, ok := groups[string(groupKey)]; ok {
				ifaces = g
			} else {
				groups[string(groupKey)] = ifaces
			}
			rt.ECMP = ifaces
		}
		if e := add(nd, rt); e != nil {
			err = fmt.Errorf("route %s>%s: %w", from, to, e)
		}
		return err == nil
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, nd := range n.allNodes() {
		c := changed[nd] + nd.routes.removeStale(gen)
		total += c
		if c > 0 && upOnly && n.trace != nil {
			n.emit(nd.subject, &sim.RouteChange{Changed: c, Routes: nd.routes.Len()})
		}
	}
	return total, nil
}
