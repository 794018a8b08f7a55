package scenarios

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/internal/minheap"
)

// Header bytes under a TCP segment's payload without options: IPv4 (20)
// and TCP (20).
const tcpIPHeaders = 40

// Header bytes under a UDP datagram's payload: IPv4 (20) and UDP (8).
const udpIPHeaders = 28

// IPv4TTL is the TTL hosts send with (Linux ip_default_ttl): a datagram
// crosses at most IPv4TTL-1 routers.
const IPv4TTL = 64

// Forwarding tables: every router, and every host with several links,
// holds a /32 route to each host (nodes.InstallRoutes). A route costs
// about routeBytes of memory and routeBuild of CPU to make, as measured
// on k=24 and k=32 fat-trees (2.5 and 10.5 million routes: 571 MB and
// 2.3 GB of RSS, 3.8 s and 22 s); past routesWarn routes a run needs
// gigabytes before its first event.
const (
	routeBytes = 220
	routeBuild = 2 * time.Microsecond
	routesWarn = 20_000_000
)

// tableWarning warns when the forwarding tables will hold more than
// routesWarn routes: a k=72 fat-tree validates, and then needs some
// 130 GB to build.
func (d *decoder) tableWarning(s *Scenario) {
	links := make(map[string]int, len(s.Hosts))
	for _, l := range s.Links {
		links[l.A]++
		links[l.B]++
	}
	tables := len(s.Routers)
	for _, h := range s.Hosts {
		if links[h.Name] > 1 {
			tables++
		}
	}
	routes := int64(tables) * int64(len(s.Hosts))
	if routes <= routesWarn {
		return
	}
	p, ok := d.pos["topology"]
	if !ok {
		p = d.pos["routers"]
	}
	d.warnAt(p, "at most about 20 million routes: a k=32 fat-tree (8,192 hosts, 1,280 switches) makes 10.5 million",
		"%d nodes with forwarding tables and %d hosts make %.1f million routes: about %.0f GB of memory and %v to build them",
		tables, len(s.Hosts), float64(routes)/1e6, float64(routes*routeBytes)/1e9, (time.Duration(routes) * routeBuild).Round(time.Second))
}

// pathWarnings warns about what silently breaks an app's connection
// along the path routing will take (shortest by delay, then fewest
// links; of equal paths the one with the widest MTU): more routers than
// the TTL lets a datagram cross, and a link whose MTU is below a UDP
// sender's datagrams plus headers (TCP's path-MTU discovery copes with
// a narrow link). One shortest-path pass per destination host serves
// every app that connects to it.
func (d *decoder) pathWarnings(s *Scenario) {
	type pair struct {
		app      int
		from, to string
	}
	var pairs []pair
	for i, a := range s.Apps {
		if a.To.Host != "" && a.Host != a.To.Host {
			pairs = append(pairs, pair{i, a.Host, a.To.Host})
		}
	}
	if len(pairs) == 0 {
		return
	}
	g := newPathGraph(s)
	// A host with one link to a router is reached through that router:
	// one pass from the router serves every such host on it.
	source := func(p pair) (int, *pathEdge) {
		dst := g.index[p.to]
		if len(g.adj[dst]) == 1 && g.router[g.adj[dst][0].to] {
			return g.adj[dst][0].to, &g.adj[dst][0]
		}
		return dst, nil
	}
	slices.SortStableFunc(pairs, func(x, y pair) int {
		a, _ := source(x)
		b, _ := source(y)
		return cmp.Compare(a, b)
	})
	var best []pathLabel
	last := -1
	for _, p := range pairs {
		_, ok1 := g.index[p.to]
		src, ok2 := g.index[p.from]
		if !ok1 || !ok2 {
			continue
		}
		from, edge := source(p)
		if from != last {
			best = g.from(from)
			last = from
		}
		l := best[src]
		if edge != nil && l.reached {
			l = pathLabel{delay: l.delay + edge.delay, hops: l.hops + 1, mtu: min(l.mtu, edge.mtu), reached: true}
		}
		if !l.reached {
			continue
		}
		path, label := "apps["+strconv.Itoa(p.app)+"]", d.label("apps", p.app)
		if routers := l.hops - 1; routers >= IPv4TTL {
			d.warnAt(d.pos[path], "at most 63 routers between two hosts (TTL 64)",
				"%s: the path from %s to %s crosses %d routers: every datagram's TTL (64) runs out on the way", label, p.from, p.to, routers)
		}
		// TCP finds a narrow link by path-MTU discovery; a UDP source
		// whose datagrams do not fit gets ICMP fragmentation needed for
		// the first and EMSGSIZE for the rest.
		if a := s.Apps[p.app]; a.Type == AppUDPSend && a.Size+udpIPHeaders > l.mtu {
			d.warnAt(d.pos[path+".size"], "datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers",
				"%s: the path from %s to %s has a link of MTU %d, below the %d-byte datagrams plus %d bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE",
				label, p.from, p.to, l.mtu, a.Size, udpIPHeaders)
		}
	}
}

// pathGraph is the scenario's links for pathWarnings.
type pathGraph struct {
	index  map[string]int
	router []bool
	adj    [][]pathEdge
	mss    []int // a host's MSS setting
	ownMTU []int // the largest MTU of a host's links
}

type pathEdge struct {
	to    int
	delay time.Duration
	mtu   int
}

func newPathGraph(s *Scenario) *pathGraph {
	n := len(s.Hosts) + len(s.Routers)
	g := &pathGraph{index: make(map[string]int, n), router: make([]bool, n), adj: make([][]pathEdge, n), mss: make([]int, n), ownMTU: make([]int, n)}
	for i, h := range s.Hosts {
		g.index[h.Name] = i
		g.mss[i] = h.Effective.Config().MSS
	}
	for i, r := range s.Routers {
		g.index[r.Name] = len(s.Hosts) + i
		g.router[len(s.Hosts)+i] = true
	}
	for _, l := range s.Links {
		a, okA := g.index[l.A]
		b, okB := g.index[l.B]
		if !okA || !okB || a == b {
			continue
		}
		g.adj[a] = append(g.adj[a], pathEdge{b, l.Delay, l.MTU})
		g.adj[b] = append(g.adj[b], pathEdge{a, l.Delay, l.MTU})
		g.ownMTU[a], g.ownMTU[b] = max(g.ownMTU[a], l.MTU), max(g.ownMTU[b], l.MTU)
	}
	return g
}

// pathLabel is the best path found to a node: delay, links, and the
// smallest MTU on it.
type pathLabel struct {
	delay   time.Duration
	hops    int
	mtu     int
	reached bool
}

func (a pathLabel) better(b pathLabel) bool {
	if !b.reached {
		return true
	}
	if a.delay != b.delay {
		return a.delay < b.delay
	}
	if a.hops != b.hops {
		return a.hops < b.hops
	}
	return a.mtu > b.mtu
}

// from returns the best path from every node to dst (links are
// symmetric), through routers only.
func (g *pathGraph) from(dst int) []pathLabel {
	best := make([]pathLabel, len(g.adj))
	done := make([]bool, len(g.adj))
	best[dst] = pathLabel{mtu: 1 << 30, reached: true}
	q := []labelItem{{dst, best[dst]}}
	for len(q) > 0 {
		it := minheap.Pop(&q)
		u := it.node
		if done[u] {
			continue
		}
		done[u] = true
		if u != dst && !g.router[u] {
			continue
		}
		for _, e := range g.adj[u] {
			c := pathLabel{delay: it.l.delay + e.delay, hops: it.l.hops + 1, mtu: min(it.l.mtu, e.mtu), reached: true}
			if !done[e.to] && c.better(best[e.to]) {
				best[e.to] = c
				minheap.Push(&q, labelItem{e.to, c})
			}
		}
	}
	return best
}

type labelItem struct {
	node int
	l    pathLabel
}

// Less orders the frontier for minheap: the better label first.
func (a labelItem) Less(b labelItem) bool { return a.l.better(b.l) }
