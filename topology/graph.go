package topology

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors of graph building, for callers that branch on them.
var (
	// ErrUnknownNode: a link, partition or route names a node the graph
	// does not have.
	ErrUnknownNode = errors.New("unknown node")
	// ErrDuplicate: a node or link name is already taken.
	ErrDuplicate = errors.New("name already used")
)

// NodeKind says whether a node is a host (an end of traffic, never a
// transit) or a router (forwards).
type NodeKind uint8

// The kinds of node.
const (
	Host NodeKind = iota + 1
	Router
)

// String returns "host" or "router".
func (k NodeKind) String() string {
	switch k {
	case Host:
		return "host"
	case Router:
		return "router"
	}
	return fmt.Sprintf("NodeKind(%d)", uint8(k))
}

// Graph is the network: named nodes and the live links between them. Every
// listing it returns is sorted by name, so nothing built from it depends on
// the order of a map.
type Graph struct {
	kinds map[string]NodeKind
	// nodes and links are kept in the order added and sorted (by name) on
	// first use after a change, so that adding N nodes costs O(N log N),
	// not O(N²).
	nodes       []string
	nodesSorted bool
	links       []*Link
	linksSorted bool
	linkNames   map[string]*Link
	// down are the links the current partition brought down, in name order.
	down []*Link
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{kinds: map[string]NodeKind{}, linkNames: map[string]*Link{}, nodesSorted: true, linksSorted: true}
}

// sortedNodes returns the node names, sorted.
func (g *Graph) sortedNodes() []string {
	if !g.nodesSorted {
		slices.Sort(g.nodes)
		g.nodesSorted = true
	}
	return g.nodes
}

// sortedLinks returns the links, sorted by name.
func (g *Graph) sortedLinks() []*Link {
	if !g.linksSorted {
		slices.SortFunc(g.links, func(x, y *Link) int { return strings.Compare(x.Name(), y.Name()) })
		g.linksSorted = true
	}
	return g.links
}

// AddNode adds a host or a router.
func (g *Graph) AddNode(name string, kind NodeKind) error {
	if name == "" || strings.ContainsAny(name, "/> \t\n") {
		return fmt.Errorf("node %q: invalid name (no spaces, '/' or '>')", name)
	}
	if kind != Host && kind != Router {
		return fmt.Errorf("node %q: kind %v (host or router)", name, kind)
	}
	if k, ok := g.kinds[name]; ok {
		return fmt.Errorf("node %q (already a %v): %w", name, k, ErrDuplicate)
	}
	g.kinds[name] = kind
	g.nodesSorted = g.nodesSorted && (len(g.nodes) == 0 || g.nodes[len(g.nodes)-1] < name)
	g.nodes = append(g.nodes, name)
	return nil
}

// AddLink adds a link between two nodes of the graph. Several links may
// join the same two nodes; link names are unique.
func (g *Graph) AddLink(l *Link) error {
	a, b := l.Ends()
	for _, n := range []string{a, b} {
		if _, ok := g.kinds[n]; !ok {
			return fmt.Errorf("%v: node %q: %w", l, n, ErrUnknownNode)
		}
	}
	if _, found := g.linkNames[l.Name()]; found {
		return fmt.Errorf("%v: link name %q: %w", l, l.Name(), ErrDuplicate)
	}
	g.linkNames[l.Name()] = l
	g.linksSorted = g.linksSorted && (len(g.links) == 0 || g.links[len(g.links)-1].Name() < l.Name())
	g.links = append(g.links, l)
	return nil
}

// Kind returns the kind of the node called name, and false if there is none.
func (g *Graph) Kind(name string) (NodeKind, bool) {
	k, ok := g.kinds[name]
	return k, ok
}

// Nodes returns the names of every node, sorted.
func (g *Graph) Nodes() []string { return slices.Clone(g.sortedNodes()) }

// Hosts returns the names of the hosts, sorted.
func (g *Graph) Hosts() []string { return g.ofKind(Host) }

// Routers returns the names of the routers, sorted.
func (g *Graph) Routers() []string { return g.ofKind(Router) }

func (g *Graph) ofKind(k NodeKind) []string {
	var out []string
	for _, n := range g.sortedNodes() {
		if g.kinds[n] == k {
			out = append(out, n)
		}
	}
	return out
}

// Links returns every link, sorted by name.
func (g *Graph) Links() []*Link { return slices.Clone(g.sortedLinks()) }

// Link returns the link called name, and false if there is none.
func (g *Graph) Link(name string) (*Link, bool) {
	l, ok := g.linkNames[name]
	return l, ok
}

// LinksOf returns the links that touch node, sorted by name.
func (g *Graph) LinksOf(node string) []*Link {
	var out []*Link
	for _, l := range g.sortedLinks() {
		if _, ok := l.Side(node); ok {
			out = append(out, l)
		}
	}
	return out
}
