package topology

import (
	"cmp"
	"fmt"
	"github.com/netsimlab/netsim/internal/minheap"
	"slices"
	"time"
)

// Hop is where a node sends a packet for a destination: on Link, from
// Side (Link.Send(Side, p)), to the neighbor Next; Delay and Hops are the
// total propagation delay and the number of links of the whole path.
type Hop struct {
	Link  *Link
	Side  int
	Next  string
	Delay time.Duration
	Hops  int
}

// Route is the hop a node uses toward one destination.
type Route struct {
	From, To string
	Hop
}

// String returns e.g. "a>d via ab next b (20ms, 2 hops)".
func (r Route) String() string {
	return fmt.Sprintf("%s>%s via %s next %s (%v, %d hops)", r.From, r.To, r.Link.Name(), r.Next, r.Delay, r.Hops)
}

// Routes holds the next hop of every node toward every node it can reach.
type Routes struct {
	nodes []string       // sorted
	index map[string]int // position in nodes, for lookups only
	hops  [][]Hop        // [from][to]; Link nil where unreachable
}

// pathCost orders paths by total propagation delay, then by number of
// links. The hop count matters only between paths of equal delay: it makes
// every next hop strictly closer to the destination, so hop-by-hop
// forwarding cannot loop even over zero-delay links.
type pathCost struct {
	delay time.Duration
	hops  int
}

func (c pathCost) less(d pathCost) bool {
	return c.delay < d.delay || c.delay == d.delay && c.hops < d.hops
}

// plus returns the cost of a path of cost c followed by a link of delay d.
func (c pathCost) plus(d time.Duration) pathCost {
	return pathCost{c.delay + d, c.hops + 1}
}

// adjacency is one link seen from one of its nodes. It holds the link's
// delay rather than reading it through the link, so that Dijkstra's
// passes read their adjacency lists alone, and so that a Shape, which has
// no links, is searched by the same code.
type adjacency struct {
	delay    time.Duration
	neighbor int   // node index
	link     int32 // the link's position in name order (netIndex.links)
	side     int32 // the node's side of the link
}

// Routes computes, for every node and every other node it can reach, the
// next hop on a shortest path by total propagation delay (then fewest
// links), whatever the links' up/down state: the static routes a scenario
// installs at its start. Only routers carry transit traffic: a host is the
// first or last node of a path, never in between. Among equal paths a node
// picks the neighbor with the smallest name, then the link with the
// smallest name, so the result never depends on the order things were
// added.
func (g *Graph) Routes() *Routes { return g.routes(false) }

// RoutesUp computes routes as Routes does over only the links that are up
// now, e.g. to reroute around a partition.
func (g *Graph) RoutesUp() *Routes { return g.routes(true) }

// netIndex is the graph seen by the route computations: nodes by index
// (in name order), each node's links sorted by neighbor then link name,
// which nodes may carry transit traffic, and how many links each node
// has, up or not.
type netIndex struct {
	nodes   []string
	index   map[string]int
	links   []*Link // in name order, what adjacency.link indexes; nil for a Shape
	adj     [][]adjacency
	transit []bool
	degree  []int
}

// newNetIndex returns the index of nodes, which must be sorted and
// unique, with no links yet.
func newNetIndex(nodes []string) *netIndex {
	n := len(nodes)
	x := &netIndex{nodes: slices.Clone(nodes), index: make(map[string]int, n), adj: make([][]adjacency, n), transit: make([]bool, n),
		degree: make([]int, n)}
	for i, name := range x.nodes {
		x.index[name] = i
	}
	return x
}

// addLink adds the link at position link in name order, of delay delay,
// between nodes a (its side 0) and b; only to the degrees when it is not
// usable (down, and routes are over the links that are up).
func (x *netIndex) addLink(link int, a, b int, delay time.Duration, usable bool) {
	x.degree[a]++
	x.degree[b]++
	if !usable {
		return
	}
	x.adj[a] = append(x.adj[a], adjacency{delay: delay, neighbor: b, link: int32(link), side: 0})
	x.adj[b] = append(x.adj[b], adjacency{delay: delay, neighbor: a, link: int32(link), side: 1})
}

// sortAdj sorts each node's links by neighbor, then link name: nodes and
// links are numbered in name order, so comparing indexes compares names.
func (x *netIndex) sortAdj() {
	for i := range x.adj {
		slices.SortFunc(x.adj[i], func(x, y adjacency) int {
			return cmp.Or(cmp.Compare(x.neighbor, y.neighbor), cmp.Compare(x.link, y.link))
		})
	}
}

func (g *Graph) netIndex(upOnly bool) *netIndex {
	x := newNetIndex(g.sortedNodes())
	for i, name := range x.nodes {
		x.transit[i] = g.kinds[name] == Router
	}
	x.links = slices.Clone(g.sortedLinks())
	for i, l := range x.links {
		a, b := l.Ends()
		x.addLink(i, x.index[a], x.index[b], l.cfg.Delay, !upOnly || l.Up())
	}
	x.sortAdj()
	return x
}

// nextHop returns the position in x.adj[from], at k or after, of the
// next link that starts a shortest path from from toward dst, given the
// costs toward dst of one pass of dijkstra; -1 when there is none left.
// The first one is the hop Routes picks, the others the equal-cost
// alternatives.
func (x *netIndex) nextHop(from, dst, k int, dist []pathCost, reached []bool) int {
	if from == dst || !reached[from] {
		return -1
	}
	for ; k < len(x.adj[from]); k++ {
		e := &x.adj[from][k]
		w := e.neighbor
		if !reached[w] || (w != dst && !x.transit[w]) {
			continue
		}
		if dist[w].plus(e.delay) == dist[from] {
			return k
		}
	}
	return -1
}

func (g *Graph) routes(upOnly bool) *Routes {
	x := g.netIndex(upOnly)
	n := len(x.nodes)
	r := &Routes{nodes: x.nodes, index: x.index, hops: make([][]Hop, n)}
	for i := range r.hops {
		r.hops[i] = make([]Hop, n)
	}
	dist := make([]pathCost, n)
	reached := make([]bool, n)
	var s dijkstra
	for dst := range r.nodes {
		s.run(dst, x.adj, x.transit, dist, reached)
		for from := range r.nodes {
			if k := x.nextHop(from, dst, 0, dist, reached); k >= 0 {
				e := x.adj[from][k]
				r.hops[from][dst] = Hop{Link: x.links[e.link], Side: int(e.side), Next: r.nodes[e.neighbor], Delay: dist[from].delay, Hops: dist[from].hops}
			}
		}
	}
	return r
}

// dijkstra is the scratch space of Dijkstra's algorithm, kept between
// runs.
type dijkstra struct {
	done []bool
	q    []costItem // a minheap
	// order are the nodes the last run reached, in the order it settled
	// them: by cost, closest first.
	order []int
}

// run runs Dijkstra's algorithm from dst over the links in adj, where
// only dst itself and transit nodes pass paths on: afterwards dist[v] is
// the cost of v's best path to dst, for every v with reached[v]. Links are
// symmetric, so the cost from dst to v is the cost from v to dst.
func (s *dijkstra) run(dst int, adj [][]adjacency, transit []bool, dist []pathCost, reached []bool) {
	for i := range dist {
		dist[i], reached[i] = pathCost{}, false
	}
	if len(s.done) != len(dist) {
		s.done = make([]bool, len(dist))
	}
	done := s.done
	clear(done)
	s.order = s.order[:0]
	reached[dst] = true
	q := append(s.q[:0], costItem{dst, pathCost{}})
	defer func() { s.q = q }()
	for len(q) > 0 {
		it := minheap.Pop(&q)
		u := it.node
		if done[u] {
			continue
		}
		done[u] = true
		s.order = append(s.order, u)
		if u != dst && !transit[u] {
			continue // a host is not a way through
		}
		for _, e := range adj[u] {
			v := e.neighbor
			c := it.cost.plus(e.delay)
			if !reached[v] || c.less(dist[v]) {
				dist[v], reached[v] = c, true
				minheap.Push(&q, costItem{v, c})
			}
		}
	}
}

type costItem struct {
	node int
	cost pathCost
}

// Less orders Dijkstra's frontier for minheap: lower cost, then node.
func (a costItem) Less(b costItem) bool {
	if a.cost != b.cost {
		return a.cost.less(b.cost)
	}
	return a.node < b.node
}

// Lookup returns the hop from uses toward to, and false when to is
// unreachable from from (or is from itself, or either is unknown).
func (r *Routes) Lookup(from, to string) (Hop, bool) {
	i, ok1 := r.index[from]
	j, ok2 := r.index[to]
	if !ok1 || !ok2 || r.hops[i][j].Link == nil {
		return Hop{}, false
	}
	return r.hops[i][j], true
}

// From returns the routes of node from, sorted by destination.
func (r *Routes) From(from string) []Route {
	i, ok := r.index[from]
	if !ok {
		return nil
	}
	var out []Route
	for j, h := range r.hops[i] {
		if h.Link != nil {
			out = append(out, Route{From: from, To: r.nodes[j], Hop: h})
		}
	}
	return out
}

// All returns every route, sorted by source then destination.
func (r *Routes) All() []Route {
	var out []Route
	for _, n := range r.nodes {
		out = append(out, r.From(n)...)
	}
	return out
}

// Path returns the nodes a packet from from to to visits, both included,
// following each node's next hop; false when to is unreachable.
func (r *Routes) Path(from, to string) ([]string, bool) {
	path := []string{from}
	for cur := from; cur != to; {
		h, ok := r.Lookup(cur, to)
		if !ok || len(path) > len(r.nodes) {
			return nil, false
		}
		cur = h.Next
		path = append(path, cur)
	}
	return path, true
}

// HostRoutes calls fn, for every node that needs a forwarding table (every
// router, and every host with more than one link) and every host it can
// reach, with the next hops toward that host: every hop that starts a
// shortest path (by propagation delay, then fewest links), in the order
// of Routes' tie-break, so hops[0] is the hop Routes picks and the rest
// are the equal-cost alternatives ECMP may use. A host with one link needs
// no table: everything it sends leaves by that link. A host with several
// gets one even when upOnly leaves it one link or none. upOnly computes over
// the links that are up now (as RoutesUp), otherwise over all links (as
// Routes). Nodes come in name order, destinations too; fn must not keep
// hops, which is reused.
//
// The cost is one Dijkstra pass per router plus, per node and
// destination, a look at the node's router neighbors: O(R·(E log V) +
// (R+M)·H·d) time and O(R·H) memory for R routers, M multi-homed hosts,
// H hosts and router degree d, instead of the V² of Routes.
func (g *Graph) HostRoutes(upOnly bool, fn func(from, to string, hops []Hop) bool) bool {
	x := g.netIndex(upOnly)
	n := len(x.nodes)
	// hostPos numbers the hosts; routerPos the routers (-1 elsewhere).
	hostPos := make([]int, n)
	routerPos := make([]int, n)
	var hosts, routers []int
	for i := range x.nodes {
		hostPos[i], routerPos[i] = -1, -1
		if x.transit[i] {
			routerPos[i] = len(routers)
			routers = append(routers, i)
		} else {
			hostPos[i] = len(hosts)
			hosts = append(hosts, i)
		}
	}
	// toHost[r][h] is the cost of router r's best path to host h;
	// reach[r][h] whether it has one.
	toHost := make([][]pathCost, len(routers))
	reach := make([][]bool, len(routers))
	dist := make([]pathCost, n)
	reached := make([]bool, n)
	var scratch dijkstra
	for ri, r := range routers {
		scratch.run(r, x.adj, x.transit, dist, reached)
		toHost[ri] = make([]pathCost, len(hosts))
		reach[ri] = make([]bool, len(hosts))
		for hi, h := range hosts {
			toHost[ri][hi], reach[ri][hi] = dist[h], reached[h]
		}
	}
	type cand struct {
		adjacency
		cost pathCost
	}
	var viaRouters, direct []cand
	var hops []Hop
	direct2 := map[int][]adjacency{}
	for from := range x.nodes {
		// A host with one link has a default route instead of a table
		// (nodes.InstallRoutes). One with several keeps its table when
		// all but one are down: a default route is not there to take
		// over, so it gets the routes out of the link that is left.
		if !x.transit[from] && x.degree[from] < 2 {
			continue
		}
		// A node's neighbors: routers (a way to any host) and hosts
		// (only a way to themselves).
		viaRouters = viaRouters[:0]
		clear(direct2)
		for _, e := range x.adj[from] {
			if x.transit[e.neighbor] {
				viaRouters = append(viaRouters, cand{adjacency: e})
			} else {
				direct2[e.neighbor] = append(direct2[e.neighbor], e)
			}
		}
		for hi, dst := range hosts {
			if dst == from {
				continue
			}
			direct = direct[:0]
			for _, e := range direct2[dst] {
				direct = append(direct, cand{e, pathCost{}.plus(e.delay)})
			}
			var best pathCost
			found := false
			consider := func(c pathCost) {
				if !found || c.less(best) {
					best, found = c, true
				}
			}
			for i := range viaRouters {
				c := &viaRouters[i]
				rp := routerPos[c.neighbor]
				if !reach[rp][hi] {
					c.cost = pathCost{delay: -1}
					continue
				}
				c.cost = toHost[rp][hi].plus(c.delay)
				consider(c.cost)
			}
			for _, c := range direct {
				consider(c.cost)
			}
			if !found {
				continue
			}
			// Merge the two candidate lists in adjacency order (neighbor
			// index, then link name): the direct links all lead to dst.
			hops = hops[:0]
			add := func(c cand) {
				if c.cost == best {
					hops = append(hops, Hop{Link: x.links[c.link], Side: int(c.side), Next: x.nodes[c.neighbor], Delay: best.delay, Hops: best.hops})
				}
			}
			i := 0
			for ; i < len(viaRouters) && viaRouters[i].neighbor < dst; i++ {
				add(viaRouters[i])
			}
			for _, c := range direct {
				add(c)
			}
			for ; i < len(viaRouters); i++ {
				add(viaRouters[i])
			}
			if !fn(x.nodes[from], x.nodes[dst], hops) {
				return false
			}
		}
	}
	return true
}
