package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/internal/minheap"
	"github.com/netsimlab/netsim/tcp"
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
// links, then the neighbor and link of smallest name at each node, as
// nodes.InstallRoutes; with ECMP, any of the equal-cost paths a router
// may hash a flow onto): more routers than the TTL lets a datagram
// cross, and a link whose MTU is below a UDP sender's datagrams plus
// headers (TCP's path-MTU discovery copes with a narrow link). One
// shortest-path pass per destination host serves every app that
// connects to it.
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
	var mtu []int
	last := -1
	for _, p := range pairs {
		_, ok1 := g.index[p.to]
		src, ok2 := g.index[p.from]
		if !ok1 || !ok2 {
			continue
		}
		from, edge := source(p)
		if from != last {
			var order []int
			best, order = g.from(from)
			mtu = g.pathMTU(from, best, order, s.Routing.ECMP)
			last = from
		}
		l, m := best[src], mtu[src]
		if edge != nil && l.reached {
			l = pathLabel{delay: l.delay + edge.delay, hops: l.hops + 1, reached: true}
			m = min(m, edge.mtu)
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
		if a := s.Apps[p.app]; a.Type == AppUDPSend && a.Size+udpIPHeaders > m {
			which := "the path"
			if s.Routing.ECMP {
				which = "a path routers may hash it onto (ECMP)"
			}
			d.warnAt(d.pos[path+".size"], "datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers",
				"%s: %s from %s to %s has a link of MTU %d, below the %d-byte datagrams plus %d bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE",
				label, which, p.from, p.to, m, a.Size, udpIPHeaders)
		}
	}
}

// tcpLinkWarnings warns about a TCP app whose data leaves a host by a
// link too narrow for netsim's smallest segment: a connection's MSS
// follows the MTU of its host's link but never goes below tcp.MinMSS
// (nodes' connMSS), so with an MTU under tcp.MinMSS plus 40 bytes of
// headers every data segment is dropped at the sender (mtu) and the
// transfer never completes (path-MTU discovery only helps on links
// further on). The end that sends data is the client, and the server
// too when it answers (echo, request-response).
func (d *decoder) tcpLinkWarnings(s *Scenario) {
	own := make(map[string][]int, len(s.Hosts)) // a host's links' MTUs
	for _, l := range s.Links {
		own[l.A] = append(own[l.A], l.MTU)
		own[l.B] = append(own[l.B], l.MTU)
	}
	const smallest = tcp.MinMSS + tcpIPHeaders
	narrow := func(host string) (int, bool) {
		m := own[host]
		return slices.Max(append([]int{0}, m...)), len(m) > 0 && slices.Max(m) < smallest
	}
	answers := make(map[Endpoint]bool)
	for _, a := range s.Apps {
		if a.Server() && (a.Type == AppEcho || a.Type == AppRequestResponse && a.Response > 0) {
			answers[Endpoint{a.Host, a.Port}] = true
		}
	}
	for i, a := range s.Apps {
		if a.Type.UDP() || a.Type == AppPing || a.Server() || a.To.Host == a.Host {
			continue
		}
		if a.Type == AppBulkSend && a.Bytes == 0 {
			continue // opens and closes: no data either way
		}
		ends := []string{a.Host}
		if answers[a.To] {
			ends = append(ends, a.To.Host)
		}
		for _, h := range ends {
			if mtu, bad := narrow(h); bad {
				d.warnAt(d.pos[fmt.Sprintf("apps[%d]", i)], fmt.Sprintf("links of MTU %d or more: TCP's smallest segment is %d bytes of MSS and %d of headers", smallest, tcp.MinMSS, tcpIPHeaders),
					"%s: %s sends TCP data over a link of MTU %d, below netsim's smallest segment: its data is dropped (mtu) and the transfer never completes",
					d.label("apps", i), h, mtu)
			}
		}
	}
}

// pathGraph is the scenario's links for pathWarnings.
type pathGraph struct {
	index  map[string]int
	names  []string
	router []bool
	adj    [][]pathEdge
}

type pathEdge struct {
	to    int
	delay time.Duration
	mtu   int
	link  string
}

func newPathGraph(s *Scenario) *pathGraph {
	n := len(s.Hosts) + len(s.Routers)
	g := &pathGraph{index: make(map[string]int, n), names: make([]string, n), router: make([]bool, n), adj: make([][]pathEdge, n)}
	for i, h := range s.Hosts {
		g.index[h.Name], g.names[i] = i, h.Name
	}
	for i, r := range s.Routers {
		g.index[r.Name], g.names[len(s.Hosts)+i] = len(s.Hosts)+i, r.Name
		g.router[len(s.Hosts)+i] = true
	}
	for _, l := range s.Links {
		a, okA := g.index[l.A]
		b, okB := g.index[l.B]
		if !okA || !okB || a == b {
			continue
		}
		g.adj[a] = append(g.adj[a], pathEdge{b, l.Delay, l.MTU, l.Name})
		g.adj[b] = append(g.adj[b], pathEdge{a, l.Delay, l.MTU, l.Name})
	}
	return g
}

// pathLabel is the best path found to a node: its delay and links.
type pathLabel struct {
	delay   time.Duration
	hops    int
	reached bool
}

func (a pathLabel) better(b pathLabel) bool {
	if !b.reached {
		return true
	}
	if a.delay != b.delay {
		return a.delay < b.delay
	}
	return a.hops < b.hops
}

// from returns the best path from every node to dst (links are
// symmetric), through routers only, and the nodes in the order they
// were settled, closest first.
func (g *pathGraph) from(dst int) ([]pathLabel, []int) {
	best := make([]pathLabel, len(g.adj))
	done := make([]bool, len(g.adj))
	var order []int
	best[dst] = pathLabel{reached: true}
	q := []labelItem{{dst, best[dst]}}
	for len(q) > 0 {
		it := minheap.Pop(&q)
		u := it.node
		if done[u] {
			continue
		}
		done[u] = true
		order = append(order, u)
		if u != dst && !g.router[u] {
			continue
		}
		for _, e := range g.adj[u] {
			c := pathLabel{delay: it.l.delay + e.delay, hops: it.l.hops + 1, reached: true}
			if !done[e.to] && c.better(best[e.to]) {
				best[e.to] = c
				minheap.Push(&q, labelItem{e.to, c})
			}
		}
	}
	return best, order
}

// pathMTU returns, for every node that reaches dst, the smallest MTU on
// the path its datagrams take there: each node forwards to the next hop
// nodes.InstallRoutes gives it (of the neighbors on a shortest path, the
// one of smallest name, then the link of smallest name). With ecmp a
// router may use any of them, so the smallest MTU over all of them
// counts.
func (g *pathGraph) pathMTU(dst int, best []pathLabel, order []int, ecmp bool) []int {
	mtu := make([]int, len(g.adj))
	const wide = 1 << 30
	mtu[dst] = wide
	for _, u := range order {
		if u == dst {
			continue
		}
		var first *pathEdge
		worst := wide
		for i := range g.adj[u] {
			e := &g.adj[u][i]
			w := best[e.to]
			if !w.reached || e.to != dst && !g.router[e.to] || w.delay+e.delay != best[u].delay || w.hops+1 != best[u].hops {
				continue
			}
			worst = min(worst, e.mtu, mtu[e.to])
			if first == nil || g.names[e.to] < g.names[first.to] || e.to == first.to && e.link < first.link {
				first = e
			}
		}
		if first == nil {
			continue
		}
		mtu[u] = min(first.mtu, mtu[first.to])
		if ecmp && g.router[u] {
			mtu[u] = worst
		}
	}
	return mtu
}

type labelItem struct {
	node int
	l    pathLabel
}

// Less orders the frontier for minheap: the better label first.
func (a labelItem) Less(b labelItem) bool { return a.l.better(b.l) }
