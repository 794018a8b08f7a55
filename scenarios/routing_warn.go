package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// Header bytes under a TCP segment's payload without options: IPv4 (20)
// and TCP (20).
const tcpIPHeaders = 40

// tcpTimestampBytes is the timestamps option with its two NOPs (RFC
// 7323 §3), which every segment of a connection that agreed on it
// carries.
const tcpTimestampBytes = 12

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
func (d *decoder) tableWarning(s *Scenario, links nodeLinks) {
	tables := len(s.Routers)
	for _, h := range s.Hosts {
		if len(links[h.Name]) > 1 {
			tables++
		}
	}
	if int64(tables)*int64(len(s.Hosts)) <= routesWarn {
		return // the most there can be: every table a route to every host
	}
	routes := tableRoutes(s, links)
	if routes <= routesWarn {
		return
	}
	p := d.pos.atOr("topology", "routers")
	d.warnAt(p, "at most about 20 million routes: a k=32 fat-tree (8,192 hosts, 1,280 switches) makes 10.5 million",
		"%d nodes with forwarding tables and %d hosts make %.1f million routes: about %.0f GB of memory and %v to build them",
		tables, len(s.Hosts), float64(routes)/1e6, float64(routes*routeBytes)/1e9, (time.Duration(routes) * routeBuild).Round(time.Second))
}

// tableRoutes counts the routes the forwarding tables will hold: a
// router holds one per host its network of routers reaches (routers
// joined by links, and the hosts linked to them: hosts never forward), a
// host with several links one per host each of its links leads to. Two
// networks side by side in one file (a dumbbell of 50,000 pairs beside a
// k=24 fat-tree) were counted as every table holding every host: 74.7
// million routes and 16 GB, for some 2.7 million.
func tableRoutes(s *Scenario, links nodeLinks) int64 {
	index := make(map[string]int, len(s.Routers))
	for i, r := range s.Routers {
		index[r.Name] = i
	}
	parent := make([]int, len(s.Routers))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, l := range s.Links {
		a, okA := index[l.A]
		b, okB := index[l.B]
		if okA && okB {
			parent[find(a)] = find(b)
		}
	}
	// reached counts, per network of routers (by its root), the hosts
	// linked to it; a host's own networks are kept to count each once.
	reached := make([]int64, len(s.Routers))
	var mine []int
	for _, h := range s.Hosts {
		mine = mine[:0]
		for _, li := range links[h.Name] {
			other := s.Links[li].otherEnd(h.Name)
			if r, ok := index[other]; ok && !slices.Contains(mine, find(r)) {
				mine = append(mine, find(r))
				reached[find(r)]++
			}
		}
	}
	var routes int64
	for i := range s.Routers {
		routes += reached[find(i)]
	}
	for _, h := range s.Hosts {
		if len(links[h.Name]) < 2 {
			continue
		}
		mine = mine[:0]
		for _, li := range links[h.Name] {
			other := s.Links[li].otherEnd(h.Name)
			r, ok := index[other]
			switch {
			case !ok:
				routes++ // a host at the other end
			case !slices.Contains(mine, find(r)):
				mine = append(mine, find(r))
				routes += reached[find(r)]
			}
		}
	}
	return routes
}

// nodeLinks are the links of each node, as indexes in a scenario's
// Links: what the warnings ask about a host's links (whether it has any,
// how many, their MTUs, the router of a single one), found once for all.
type nodeLinks map[string][]int

func linksByNode(s *Scenario) nodeLinks {
	links := make(nodeLinks, len(s.Hosts)+len(s.Routers))
	for i, l := range s.Links {
		links[l.A] = append(links[l.A], i)
		links[l.B] = append(links[l.B], i)
	}
	return links
}

// pathWarnings warns about what silently breaks an app's connection
// along the path routing will take (shortest by delay, then fewest
// links, then the neighbor and link of smallest name at each node, as
// nodes.InstallRoutes; with ECMP, any of the equal-cost paths a router
// may hash a flow onto): more routers than the TTL lets a datagram
// cross, and a link whose MTU is below a UDP sender's or a ping's
// datagrams plus headers, or too narrow for TCP's smallest segment after
// path-MTU discovery (which copes with any wider link). The paths
// are topology's, from the same search as the routes a run installs; one
// pass per destination host serves every app that connects to it.
func (d *decoder) pathWarnings(s *Scenario, links nodeLinks) {
	type pair struct {
		app      int
		from, to string
		src, via int  // the nodes the path starts at and is searched toward
		edge     int  // the link from via to the destination host, -1 when via is that host
		tcpData  bool // from sends TCP data to to
		reverse  bool // the server's answers: only the TCP check applies
	}
	answers := tcpAnswers(s)
	var pairs []pair
	for i, a := range s.Apps {
		if a.To.Host != "" && a.Host != a.To.Host {
			data := tcpSendsData(a)
			pairs = append(pairs, pair{app: i, from: a.Host, to: a.To.Host, tcpData: data})
			if data && answers[a.To] {
				pairs = append(pairs, pair{app: i, from: a.To.Host, to: a.Host, tcpData: true, reverse: true})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	shape, router, rank, err := newShape(s)
	if err != nil {
		return // not a valid network: validation has said why
	}
	// A host with one link to a router is reached through that router:
	// one pass toward the router serves every such host on it.
	kept := pairs[:0]
	for _, p := range pairs {
		dst, ok1 := shape.Node(p.to)
		src, ok2 := shape.Node(p.from)
		if !ok1 || !ok2 {
			continue
		}
		p.src, p.via, p.edge = src, dst, -1
		if ls := links[p.to]; len(ls) == 1 {
			if r, ok := shape.Node(s.Links[ls[0]].otherEnd(p.to)); ok && router[r] {
				p.via, p.edge = r, ls[0]
			}
		}
		kept = append(kept, p)
	}
	pairs = kept
	// In the order of the file's hosts, then routers: warnings at one
	// place (a group's members) come out in the order they always did.
	slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(rank[x.via], rank[y.via]) })
	var paths *topology.Paths
	var mtu []int // pathMTU toward last, worked out for the first datagram sender
	last := -1
	for _, p := range pairs {
		if p.via != last {
			paths, mtu, last = shape.Toward(p.via), nil, p.via
		}
		_, hops, reached := paths.Cost(p.src)
		if !reached {
			continue
		}
		if p.edge >= 0 {
			hops++
		}
		if p.tcpData {
			if mtu == nil {
				mtu = pathMTU(s, paths, p.via, router, s.Routing.ECMP)
			}
			d.tcpPathWarning(s, p.app, p.from, p.to, p.edge, mtu[p.src])
		}
		if p.reverse {
			continue
		}
		if routers := hops - 1; routers >= IPv4TTL {
			d.warnAt(d.pos.at("apps["+strconv.Itoa(p.app)+"]"), "at most 63 routers between two hosts (TTL 64)",
				"%s: the path from %s to %s crosses %d routers: every datagram's TTL (64) runs out on the way", d.label("apps", p.app), p.from, p.to, routers)
		}
		// TCP finds a narrow link by path-MTU discovery; a UDP source
		// or a ping whose datagrams do not fit gets ICMP fragmentation
		// needed for the first and EMSGSIZE for the rest (Don't Fragment
		// is always set, and netsim never fragments). An ICMP echo
		// header is 8 bytes, as a UDP header.
		a := s.Apps[p.app]
		if a.Type != AppUDPSend && a.Type != AppPing {
			continue
		}
		if mtu == nil {
			mtu = pathMTU(s, paths, p.via, router, s.Routing.ECMP)
		}
		m := mtu[p.src]
		if p.edge >= 0 {
			m = min(m, s.Links[p.edge].MTU)
		}
		if own, narrow := ownLinkMTU(s, links, p.from, a.Size+udpIPHeaders); narrow {
			// The host knows its own link's MTU: every send fails at
			// once, and nothing is dropped on the way.
			what := "datagrams"
			if a.Type == AppPing {
				what = "echo requests"
			}
			d.warnAt(d.pos.at("apps["+strconv.Itoa(p.app)+"].size"), "datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers",
				"%s: %s's own link has an MTU of %d, below the %d-byte %s plus %d bytes of headers: every send fails with EMSGSIZE, none leaves %s",
				d.label("apps", p.app), p.from, own, a.Size, what, udpIPHeaders, p.from)
			continue
		}
		if a.Size+udpIPHeaders > m {
			which, what := "the path", "datagrams"
			if s.Routing.ECMP {
				which = "a path routers may hash it onto (ECMP)"
			}
			if a.Type == AppPing {
				what = "echo requests"
			}
			d.warnAt(d.pos.at("apps["+strconv.Itoa(p.app)+"].size"), "datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers",
				"%s: %s from %s to %s has a link of MTU %d, below the %d-byte %s plus %d bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE",
				d.label("apps", p.app), which, p.from, p.to, m, a.Size, what, udpIPHeaders)
		}
	}
}

// tcpPathWarning warns about TCP data from one host to another whose
// path has a link narrower than the smallest segment path-MTU discovery
// sends: it lowers the MSS to tcp.MinSndMSS at the least (Linux's
// tcp_min_snd_mss), so a link under that plus 40 bytes of headers (and
// 12 of timestamps when both ends use them) drops every data segment
// (mtu) and the transfer never completes. m is the path's MTU without
// its last link, edge (-1: none). The sender's own link is on the path:
// a segment too big for it is answered by the host itself, as Linux's
// ip_fragment does (nodes' Host.output), so it is no narrower for TCP
// than a link further on.
func (d *decoder) tcpPathWarning(s *Scenario, app int, from, to string, edge, m int) {
	if edge >= 0 {
		m = min(m, s.Links[edge].MTU)
	}
	smallest := tcp.MinSndMSS + tcpIPHeaders
	if m >= smallest+tcpTimestampBytes {
		return
	}
	opts, ts := "", true
	for _, h := range []string{from, to} {
		if i := slices.IndexFunc(s.Hosts, func(x Host) bool { return x.Name == h }); i >= 0 {
			ts = ts && s.Hosts[i].Effective.Config().Timestamps
		}
	}
	if ts {
		smallest += tcpTimestampBytes
		opts = fmt.Sprintf(" and %d of timestamps", tcpTimestampBytes)
	}
	if m >= smallest {
		return
	}
	which, fate := "the path", "the transfer never completes"
	if s.Routing.ECMP {
		which, fate = "a path routers may hash it onto (ECMP)", "a transfer hashed onto it never completes"
	}
	d.warnAt(d.pos.at("apps["+strconv.Itoa(app)+"]"),
		fmt.Sprintf("links of MTU %d or more: path-MTU discovery lowers a segment to %d bytes of data at the least (Linux's tcp_min_snd_mss), under %d bytes of headers%s", smallest, tcp.MinSndMSS, tcpIPHeaders, opts),
		"%s: %s from %s to %s has a link of MTU %d, below TCP's smallest segment: %s's data is dropped there (mtu) and %s",
		d.label("apps", app), which, from, to, m, from, fate)
}

// tcpSendsData reports whether a is a TCP client that sends data.
func tcpSendsData(a App) bool {
	if a.Type.UDP() || a.Type == AppPing || a.Server() {
		return false
	}
	return a.Type != AppBulkSend || a.Bytes != 0
}

// tcpAnswers returns the TCP servers that send data back to their
// clients (echo, request-response with a response).
func tcpAnswers(s *Scenario) map[Endpoint]bool {
	answers := make(map[Endpoint]bool)
	for _, a := range s.Apps {
		if a.Server() && (a.Type == AppEcho || a.Type == AppRequestResponse && a.Response > 0) {
			answers[Endpoint{a.Host, a.Port}] = true
		}
	}
	return answers
}

// newShape returns the scenario's network as topology's routes see it;
// for each of its nodes, by index, whether it is a router and its rank in
// the file (hosts first, then routers, each in the order written).
func newShape(s *Scenario) (shape *topology.Shape, router []bool, rank []int, err error) {
	hosts := make([]string, len(s.Hosts))
	for i, h := range s.Hosts {
		hosts[i] = h.Name
	}
	routers := make([]string, len(s.Routers))
	for i, r := range s.Routers {
		routers[i] = r.Name
	}
	links := make([]topology.ShapeLink, len(s.Links))
	for i, l := range s.Links {
		links[i] = topology.ShapeLink{Name: l.Name, A: l.A, B: l.B, Delay: l.Delay}
	}
	shape, err = topology.NewShape(hosts, routers, links)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("scenario %s: %w", s.File, err)
	}
	n := len(hosts) + len(routers)
	router, rank = make([]bool, n), make([]int, n)
	for i, name := range append(hosts, routers...) {
		j, _ := shape.Node(name)
		rank[j], router[j] = i, i >= len(hosts)
	}
	return shape, router, rank, nil
}

// pathMTU returns, for every node that reaches dst, the smallest MTU on
// the path its datagrams take there: each node forwards by the first of
// its next hops (as nodes.InstallRoutes: of the neighbors on a shortest
// path, the one of smallest name, then the link of smallest name). With
// ecmp a router may use any of them, so the smallest MTU over all of
// them counts.
func pathMTU(s *Scenario, paths *topology.Paths, dst int, router []bool, ecmp bool) []int {
	mtu := make([]int, len(router))
	const wide = 1 << 30
	mtu[dst] = wide
	// Order puts every node after its next hops: their MTUs are known.
	for _, u := range paths.Order() {
		if u == dst {
			continue
		}
		first, worst := -1, wide
		paths.NextHops(u, func(link, next int) {
			m := min(s.Links[link].MTU, mtu[next])
			if first < 0 {
				first = m
			}
			worst = min(worst, m)
		})
		if first < 0 {
			continue
		}
		mtu[u] = first
		if ecmp && router[u] {
			mtu[u] = worst
		}
	}
	return mtu
}

// ownLinkMTU returns the widest MTU of host's links, and whether a
// datagram of size bytes fits none of them: then the host refuses every
// send (EMSGSIZE) before anything reaches a link.
func ownLinkMTU(s *Scenario, links nodeLinks, host string, size int) (int, bool) {
	widest := 0
	for _, i := range links[host] {
		widest = max(widest, s.Links[i].MTU)
	}
	return widest, len(links[host]) > 0 && size > widest
}
