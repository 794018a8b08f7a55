package topology

import (
	"cmp"
	"fmt"
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

func (c pathCost) plus(l *Link) pathCost {
	return pathCost{c.delay + l.Config().Delay, c.hops + 1}
}

// adjacency is one link seen from one of its nodes.
type adjacency struct {
	link     *Link
	side     int // the node's side of link
	neighbor int // node index
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

func (g *Graph) routes(upOnly bool) *Routes {
	n := len(g.nodes)
	r := &Routes{nodes: slices.Clone(g.nodes), index: make(map[string]int, n), hops: make([][]Hop, n)}
	for i, name := range r.nodes {
		r.index[name] = i
		r.hops[i] = make([]Hop, n)
	}
	adj := make([][]adjacency, n)
	for _, l := range g.links {
		if upOnly && !l.Up() {
			continue
		}
		a, b := l.Ends()
		ia, ib := r.index[a], r.index[b]
		adj[ia] = append(adj[ia], adjacency{link: l, side: 0, neighbor: ib})
		adj[ib] = append(adj[ib], adjacency{link: l, side: 1, neighbor: ia})
	}
	for i := range adj {
		// g.nodes is sorted, so comparing indexes compares names.
		slices.SortFunc(adj[i], func(x, y adjacency) int {
			return cmp.Or(cmp.Compare(x.neighbor, y.neighbor), cmp.Compare(x.link.Name(), y.link.Name()))
		})
	}
	transit := make([]bool, n)
	for i, name := range r.nodes {
		transit[i] = g.kinds[name] == Router
	}
	dist := make([]pathCost, n)
	reached := make([]bool, n)
	for dst := range r.nodes {
		towards(dst, adj, transit, dist, reached)
		for from := range r.nodes {
			if from == dst || !reached[from] {
				continue
			}
			for _, e := range adj[from] {
				w := e.neighbor
				if !reached[w] || (w != dst && !transit[w]) {
					continue
				}
				if dist[w].plus(e.link) == dist[from] {
					r.hops[from][dst] = Hop{Link: e.link, Side: e.side, Next: r.nodes[w], Delay: dist[from].delay, Hops: dist[from].hops}
					break
				}
			}
		}
	}
	return r
}

// towards runs Dijkstra's algorithm from dst over the links in adj, where
// only dst itself and transit nodes pass paths on: afterwards dist[v] is
// the cost of v's best path to dst, for every v with reached[v]. Links are
// symmetric, so the cost from dst to v is the cost from v to dst.
func towards(dst int, adj [][]adjacency, transit []bool, dist []pathCost, reached []bool) {
	for i := range dist {
		dist[i], reached[i] = pathCost{}, false
	}
	done := make([]bool, len(dist))
	reached[dst] = true
	q := costHeap{{dst, pathCost{}}}
	for len(q) > 0 {
		it := q.pop()
		u := it.node
		if done[u] {
			continue
		}
		done[u] = true
		if u != dst && !transit[u] {
			continue // a host is not a way through
		}
		for _, e := range adj[u] {
			v := e.neighbor
			c := it.cost.plus(e.link)
			if !reached[v] || c.less(dist[v]) {
				dist[v], reached[v] = c, true
				q.push(costItem{v, c})
			}
		}
	}
}

type costItem struct {
	node int
	cost pathCost
}

func (a costItem) less(b costItem) bool {
	if a.cost != b.cost {
		return a.cost.less(b.cost)
	}
	return a.node < b.node
}

// costHeap is a binary min-heap of Dijkstra's frontier.
type costHeap []costItem

func (h *costHeap) push(x costItem) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *costHeap) pop() costItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].less(s[m]) {
			m = l
		}
		if r < len(s) && s[r].less(s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
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
