package topology

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Shape is a network as its routes see it: the nodes, which of them are
// routers, and each link's name, ends and propagation delay, without the
// links themselves (their queues, streams and state). It answers route
// questions before a network is built, e.g. to check a scenario, with the
// paths Routes and HostRoutes give once it is: it is searched by the same
// code.
type Shape struct {
	x *netIndex
	// ids[pos] is the index, in the links given to NewShape, of the
	// link at position pos in name order.
	ids     []int
	scratch dijkstra
}

// ShapeLink is a link of a Shape: its name, its two nodes and its one-way
// propagation delay.
type ShapeLink struct {
	Name  string
	A, B  string
	Delay time.Duration
}

// NewShape returns the shape of the network of hosts, routers and links.
// It fails when a node or link name is used twice, or a link names a node
// that is not there or joins one to itself.
func NewShape(hosts, routers []string, links []ShapeLink) (*Shape, error) {
	names := make([]string, 0, len(hosts)+len(routers))
	names = append(append(names, hosts...), routers...)
	slices.Sort(names)
	if i := dupAt(names); i >= 0 {
		return nil, fmt.Errorf("node %q: %w", names[i], ErrDuplicate)
	}
	x := newNetIndex(names)
	for _, r := range routers {
		x.transit[x.index[r]] = true
	}
	ids := make([]int, len(links))
	for i := range ids {
		ids[i] = i
	}
	slices.SortFunc(ids, func(i, j int) int { return strings.Compare(links[i].Name, links[j].Name) })
	for pos, id := range ids {
		l := links[id]
		if pos > 0 && links[ids[pos-1]].Name == l.Name {
			return nil, fmt.Errorf("link %q: %w", l.Name, ErrDuplicate)
		}
		a, okA := x.index[l.A]
		b, okB := x.index[l.B]
		switch {
		case !okA || !okB:
			return nil, fmt.Errorf("link %q between %q and %q: %w", l.Name, l.A, l.B, ErrUnknownNode)
		case a == b:
			return nil, fmt.Errorf("link %q: both ends are %q: %w (two different nodes)", l.Name, l.A, ErrInvalidConfig)
		}
		x.addLink(pos, a, b, l.Delay, true)
	}
	x.sortAdj()
	return &Shape{x: x, ids: ids}, nil
}

// dupAt returns the index of the first of sorted that equals the one
// before it, -1 when all differ.
func dupAt(sorted []string) int {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return i
		}
	}
	return -1
}

// Node returns the index of the node called name, from 0 to the number of
// nodes less one, and false if there is none.
func (s *Shape) Node(name string) (int, bool) {
	i, ok := s.x.index[name]
	return i, ok
}

// Paths are every node's shortest paths toward one node, by propagation
// delay then fewest links, through routers only (a host is the first or
// last node of a path): one pass of Dijkstra's algorithm, as Routes makes
// for each destination. Nodes are the indexes Shape.Node gives.
type Paths struct {
	s       *Shape
	dst     int
	dist    []pathCost
	reached []bool
	order   []int
}

// Toward returns the shortest paths of every node toward the node of
// index dst (none when there is no such node).
func (s *Shape) Toward(dst int) *Paths {
	n := len(s.x.nodes)
	p := &Paths{s: s, dst: dst, dist: make([]pathCost, n), reached: make([]bool, n)}
	if dst >= 0 && dst < n {
		s.scratch.run(dst, s.x.adj, s.x.transit, p.dist, p.reached)
		p.order = slices.Clone(s.scratch.order)
	}
	return p
}

// Cost returns the propagation delay and the number of links of node's
// shortest path, and false when it has none.
func (p *Paths) Cost(node int) (delay time.Duration, hops int, ok bool) {
	if node < 0 || node >= len(p.dist) || !p.reached[node] {
		return 0, 0, false
	}
	return p.dist[node].delay, p.dist[node].hops, true
}

// Order returns the nodes that have a path, closest first: a node comes
// after every node its paths go through. The caller must not change it.
func (p *Paths) Order() []int { return p.order }

// NextHops calls fn, for every link that starts one of node's shortest
// paths, with the link's index in the links given to NewShape and the
// node at its other end. The first is the hop Routes picks (the neighbor
// of smallest name, then the link of smallest name), the others the
// equal-cost alternatives ECMP may use, in that order.
func (p *Paths) NextHops(node int, fn func(link, next int)) {
	if node < 0 || node >= len(p.dist) {
		return
	}
	x := p.s.x
	for k := x.nextHop(node, p.dst, 0, p.dist, p.reached); k >= 0; k = x.nextHop(node, p.dst, k+1, p.dist, p.reached) {
		e := x.adj[node][k]
		fn(p.s.ids[e.link], e.neighbor)
	}
}
