package scenarios

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/units"
)

// nodeKind says what a name in hosts or routers is.
type nodeKind int

const (
	kindNone nodeKind = iota
	kindHost
	kindRouter
)

// validate checks what single values cannot: that names refer to things
// that exist, that addresses, names and ports are unique, and assigns the
// addresses the scenario leaves out.
func (d *decoder) validate(s *Scenario) {
	nodes := make(map[string]nodeKind, len(s.Hosts)+len(s.Routers))
	for _, h := range s.Hosts {
		nodes[h.Name] = kindHost
	}
	for _, r := range s.Routers {
		if _, ok := s.group(r.Name); ok {
			d.errAt(d.pos.at("routers."+r.Name), "a name used once across hosts, groups and routers",
				"routers: %q is already a host group (line %d)", r.Name, d.pos.at("hosts."+r.Name).Line)
			continue
		}
		if nodes[r.Name] == kindHost {
			what := "a host"
			if g, i, ok := s.memberIndex(r.Name); ok && i <= g.Count {
				what = fmt.Sprintf("a member of the group %q", g.Name)
			}
			d.errAt(d.pos.at("routers."+r.Name), "a name used once across hosts and routers",
				"routers: %q is already %s (line %d)", r.Name, what, d.pos.at("hosts."+r.Name).Line)
			continue
		}
		nodes[r.Name] = kindRouter
	}
	d.addresses(s)
	d.checkTCP(s)
	d.timeLimits(s)

	// node and host check a name at path (a key of d.pos); the message
	// names it as the file does (see label), e.g. apps[2] (client-7).to.
	// unknownEnd is set when a link names a node that does not exist, or
	// has no two ends to read (between missing, not two names: already
	// reported): the hosts it would have joined are then not reported as
	// having no path between them.
	unknownEnd := false
	// pastLastMember reports a name that would be a group's member past
	// its count (kind: node or host), and whether name was one.
	pastLastMember := func(path, label, kind, name string) bool {
		g, i, ok := s.memberIndex(name)
		if !ok || i <= g.Count {
			return false
		}
		d.errAt(d.pos.at(path), fmt.Sprintf("a member %s-1 ... %s-%d, or a larger count", g.Name, g.Name, g.Count), "%s: unknown %s %q: the group %q has %d members", label, kind, name, g.Name, g.Count)
		return true
	}
	node := func(at *itemName, suffix, name string) {
		if _, ok := nodes[name]; !ok && !d.fromFailedGenerator(name) {
			path, label := at.names(suffix)
			if strings.HasPrefix(path, "links[") {
				unknownEnd = true
			}
			if pastLastMember(path, label, "node", name) {
				return
			}
			d.errAt(d.pos.at(path), "a host or router defined in hosts or routers"+d.didYouMean(name, s, true), "%s: unknown node %q", label, name)
		}
	}
	host := func(at *itemName, suffix, name string) {
		switch nodes[name] {
		case kindHost:
		case kindRouter:
			path, label := at.names(suffix)
			allowed := "a host: routers run no apps"
			if suffix != ".host" {
				// a ping's or a client's to, an expectation's ends:
				// "run no apps" would not say why
				allowed = "a host: apps run on hosts and send to hosts, not routers"
			}
			d.errAt(d.pos.at(path), allowed, "%s: %q is a router", label, name)
		default:
			if d.fromFailedGenerator(name) {
				return
			}
			path, label := at.names(suffix)
			if pastLastMember(path, label, "host", name) {
				return
			}
			d.errAt(d.pos.at(path), "a host defined in hosts"+d.didYouMean(name, s, false), "%s: unknown host %q", label, name)
		}
	}

	links := make(map[string]int, len(s.Links)) // a link's name: its index
	for i, l := range s.Links {
		at := itemName{d: d, section: "links", i: i}
		if l.A == "" || l.B == "" {
			unknownEnd = true
		}
		if l.A != "" {
			node(&at, ".between[0]", l.A)
		}
		if l.B != "" {
			node(&at, ".between[1]", l.B)
		}
		if l.A != "" && l.A == l.B {
			path, label := at.names("")
			d.errAt(d.pos.at(path+".between[1]"), "two different nodes", "%s.between: a link cannot join %q to itself", label, l.A)
		}
		if l.Name == "" {
			continue
		}
		if first, dup := links[l.Name]; dup {
			path, label := at.names("")
			p := d.pos.atOr(path+".name", path)
			d.errAt(p, "a unique name per link; name: sets one", "%s: link name %q is already used by %s", label, l.Name, d.label("links", first))
			continue
		}
		links[l.Name] = i
	}

	reach := newReachability(s)
	type portKey struct {
		host string
		port uint16
		udp  bool // UDP's ports are apart from TCP's
	}
	type portUser struct{ path, label string }
	ports := make(map[portKey]portUser)
	for i, a := range s.Apps {
		if a.Type == "" {
			continue
		}
		at := itemName{d: d, section: "apps", i: i}
		if a.Host != "" {
			host(&at, ".host", a.Host)
		}
		if a.To.Host != "" {
			host(&at, ".to", a.To.Host)
		}
		if a.To.Host != "" && nodes[a.Host] == kindHost && nodes[a.To.Host] == kindHost {
			switch {
			case a.To.Host == a.Host:
				// Hosts do reach themselves over lo (nodes), but
				// summary.json and expect tell a connection's two ends
				// apart by their hosts.
				path, label := at.names("")
				d.errAt(d.pos.at(path+".to"), "another host: summary.json and expect tell a connection's ends apart by their hosts",
					"%s: %q connects to itself", label, a.Host)
			case len(d.failedPrefixes) == 0 && !unknownEnd && !reach.connected(a.Host, a.To.Host):
				// (A generator with an error made no links: the path it
				// would have given is not there to find.)
				path, label := at.names("")
				d.errAt(d.pos.at(path+".to"), "hosts joined by links through routers; hosts do not forward",
					"%s: no path of links from %q to %q", label, a.Host, a.To.Host)
			}
		}
		if a.Port != 0 && a.Host != "" {
			path, label := at.names("")
			k := portKey{a.Host, a.Port, a.Type.UDP()}
			if first, taken := ports[k]; taken {
				d.errAt(d.pos.at(path+".port"), "one listening app per host and port",
					"%s: port %d on %q is already taken by %s (line %d)", label, a.Port, a.Host, first.label, d.pos.at(first.path).Line)
				continue
			}
			ports[k] = portUser{path, label}
		}
	}

	for i, f := range s.Faults {
		path := fmt.Sprintf("faults[%d]", i)
		if f.Link != "" {
			_, known := links[f.Link]
			members, ofGroup := d.groupLinks[f.Link]
			switch {
			case known:
				// A link of that name wins over a group's link
				// whose members took other names.
			case ofGroup:
				d.errAt(d.pos.at(path+".link"), "one link of a group's members: "+members, "%s: %q is a group's links", path, f.Link)
			case d.fromFailedGenerator(f.Link) || d.ofFailedGroupsLink(f.Link, s):
			default:
				if g, i, ok := s.memberIndex(memberPart(f.Link)); ok && i > g.Count {
					d.errAt(d.pos.at(path+".link"), fmt.Sprintf("a link of a member %s-1 ... %s-%d", g.Name, g.Name, g.Count), "%s: unknown link %q: the group %q has %d members", path, f.Link, g.Name, g.Count)
					break
				}
				d.errAt(d.pos.at(path+".link"), "a link name from links"+d.didYouMeanLink(f.Link, s), "%s: unknown link %q", path, f.Link)
			}
		}
		seen := make(map[string]int)
		for g, group := range f.Partition {
			for j, name := range group {
				p := fmt.Sprintf("%s.partition[%d][%d]", path, g, j)
				node(&itemName{path: p, label: p}, "", name)
				if first, dup := seen[name]; dup {
					d.errAt(d.pos.at(p), "each node in one group at most", "%s: %q is already in group %d", p, name, first)
				}
				seen[name] = g
			}
		}
	}

	for i, name := range s.Outputs.PCAPNodes {
		if _, ok := s.group(name); ok {
			continue
		}
		p := fmt.Sprintf("outputs.pcap[%d]", i)
		node(&itemName{path: p, label: p}, "", name)
	}

	// netsim keeps every queued datagram in memory: a queue that can
	// hold gigabytes makes a run that fills it take them (100000 packets
	// of 65535 bytes: 6.6 GB), and a few such links exhaust a machine.
	const queueWarn = 1 << 30
	const allowQueue = "a queue of at most 1 GiB: fewer packets, a smaller MTU or a byte limit like 64MiB"
	// (A default limit holds at most 10240 packets of 65535 bytes, so
	// only a limit written can pass 1 GiB: the position is looked up for
	// those alone, not for every link of a 10,000-member group.)
	for i, l := range s.Links {
		q := l.Queue
		held := max(int64(q.LimitBytes), int64(q.LimitPackets)*int64(l.MTU))
		if held <= queueWarn {
			continue
		}
		// A generator's links have no queue.limit of their own: the
		// generator's item wrote it.
		p := d.pos.atOr(fmt.Sprintf("links[%d].queue.limit", i), fmt.Sprintf("links[%d]", i))
		label := d.label("links", i) + ".queue.limit"
		if q.LimitBytes > queueWarn {
			d.warnAt(p, allowQueue, "%s: a full queue holds %.1f GB in memory, in each direction", label, float64(q.LimitBytes)/1e9)
			continue
		}
		d.warnAt(p, allowQueue, "%s: a full queue holds %d packets of up to %d bytes, %.1f GB in memory, in each direction",
			label, q.LimitPackets, l.MTU, float64(held)/1e9)
	}
	// An expectation counts what TCP connections carry: one whose to is
	// only a udp-sink's port could never hold (a udp-sink's reads name no
	// connection; flows.csv counts UDP).
	tcpPorts, udpPorts := map[Endpoint]bool{}, map[Endpoint]bool{}
	for _, a := range s.Apps {
		if a.Type != "" && a.Port != 0 {
			if a.Type.UDP() {
				udpPorts[Endpoint{a.Host, a.Port}] = true
			} else {
				tcpPorts[Endpoint{a.Host, a.Port}] = true
			}
		}
	}
	for i, x := range s.Expect {
		path := fmt.Sprintf("expect[%d].%s", i, x.Kind)
		if udpPorts[x.To] && !tcpPorts[x.To] {
			d.errAt(d.pos.at(path+".to"), "the port of a sink, echo or request-response app; flows.csv and summary.json's flows count UDP datagrams",
				"%s.to: %s is the port of a udp-sink, and no TCP app listens there: expectations count what TCP connections carry", path, x.To)
		}
		if _, ok := s.group(x.From); ok {
			d.errAt(d.pos.at(path+".from"), "a host: one of the group's members", "%s.from: %q is a group", path, x.From)
		} else if x.From != "" {
			host(&itemName{path: path, label: path}, ".from", x.From)
		}
		if _, ok := s.group(x.To.Host); ok {
			d.errAt(d.pos.at(path+".to"), "a host: one of the group's members", "%s.to: %q is a group", path, x.To.Host)
			continue
		}
		if x.To.Host != "" {
			host(&itemName{path: path, label: path}, ".to", x.To.Host)
		}
	}
}

// itemName names an item of a list for messages: its path, a key of
// d.pos ("apps[3]"), and its label as the file names it (decoder.label:
// "apps[0] (client-7)"). Both are made on first use: the items of a
// 10,000-member group are valid, as a rule, and a name built for each
// of them was three allocations an item for nothing.
type itemName struct {
	d           *decoder
	section     string
	i           int
	path, label string
}

// names returns the item's path and label, each followed by suffix (a
// key under the item, ".to").
func (n *itemName) names(suffix string) (path, label string) {
	if n.path == "" {
		n.path, n.label = n.section+"["+strconv.Itoa(n.i)+"]", n.d.label(n.section, n.i)
	}
	return n.path + suffix, n.label + suffix
}

// didYouMean suggests a defined node (or host) name close to name.
func (d *decoder) didYouMean(name string, s *Scenario, routers bool) string {
	if d.full() {
		return ""
	}
	names := &d.hostNames
	if routers {
		names = &d.nodeNames
	}
	if *names == nil {
		*names = make([]string, 0, len(s.Hosts)+len(s.Groups)+len(s.Routers))
		for _, h := range s.Hosts {
			*names = append(*names, h.Name)
		}
		for _, g := range s.Groups {
			*names = append(*names, g.Name)
		}
		if routers {
			for _, r := range s.Routers {
				*names = append(*names, r.Name)
			}
		}
	}
	return d.suggestOnce("n"+strconv.FormatBool(routers)+"/"+name, name, *names)
}

// suggestOnce is suggest's answer as "; did you mean ...?", worked out
// once per key.
func (d *decoder) suggestOnce(key, name string, names []string) string {
	if v, ok := d.suggested[key]; ok {
		return v
	}
	v := ""
	if g := suggest(name, names); g != "" {
		v = fmt.Sprintf("; did you mean %q?", g)
	}
	if d.suggested == nil {
		d.suggested = make(map[string]string)
	}
	d.suggested[key] = v
	return v
}

func (d *decoder) didYouMeanLink(name string, s *Scenario) string {
	if d.full() {
		return ""
	}
	if d.linkNames == nil {
		d.linkNames = make([]string, 0, len(s.Links))
		for _, l := range s.Links {
			d.linkNames = append(d.linkNames, l.Name)
		}
	}
	return d.suggestOnce("l/"+name, name, d.linkNames)
}

// full reports whether the next problem will not be reported (past "too
// many errors"): what would only be said in it is not worth working out.
func (d *decoder) full() bool { return d.overflow || len(d.errs) >= maxErrors }

// autoBase is the first address given to a host that names none.
var autoBase = netip.AddrFrom4([4]byte{10, 0, 0, 1})

// addresses reports duplicate addresses and assigns one to every host that
// has none: in file order, the lowest address from 10.0.0.1 up that no host
// uses, skipping those ending in .0 and .255 (so that every address looks
// like an ordinary host address in a /24).
func (d *decoder) addresses(s *Scenario) {
	used := make(map[netip.Addr]string, len(s.Hosts))
	for _, h := range s.Hosts {
		if !h.Address.IsValid() {
			continue
		}
		if first, dup := used[h.Address]; dup {
			d.errAt(d.pos.at("hosts."+h.Name+".address"), "a unique address per host",
				"hosts.%s.address: %s is already the address of %q (line %d)", h.Name, h.Address, first, d.pos.at("hosts."+first).Line)
			continue
		}
		used[h.Address] = h.Name
	}
	next := autoBase
	for i := range s.Hosts {
		h := &s.Hosts[i]
		if h.Address.IsValid() {
			continue
		}
		for {
			b := next.As4()
			if b[0] != 10 {
				d.errAt(d.pos.at("hosts."+h.Name), "give the hosts addresses", "hosts.%s: no address left in 10.0.0.0/8 to assign", h.Name)
				return
			}
			if _, taken := used[next]; !taken && b[3] != 0 && b[3] != 255 {
				break
			}
			next = next.Next()
		}
		h.Address, h.AutoAddress = next, true
		used[next] = h.Name
		next = next.Next()
	}
}

// reachability answers whether two hosts are joined by links, where only
// routers forward (a path may not pass through a third host): either a
// link joins them, or each has a link to a router of the same connected
// group of routers.
type reachability struct {
	parent map[string]string   // union-find over routers
	direct map[[2]string]bool  // host pairs joined by a link
	access map[string][]string // host -> routers it links to
}

func newReachability(s *Scenario) *reachability {
	r := &reachability{parent: map[string]string{}, direct: map[[2]string]bool{}, access: map[string][]string{}}
	isRouter := make(map[string]bool, len(s.Routers))
	for _, rt := range s.Routers {
		isRouter[rt.Name] = true
	}
	for _, h := range s.Hosts {
		isRouter[h.Name] = false
	}
	for _, l := range s.Links {
		if l.A == "" || l.B == "" || l.A == l.B {
			continue
		}
		switch ra, rb := isRouter[l.A], isRouter[l.B]; {
		case ra && rb:
			r.union(l.A, l.B)
		case ra:
			r.access[l.B] = append(r.access[l.B], l.A)
		case rb:
			r.access[l.A] = append(r.access[l.A], l.B)
		default:
			r.direct[[2]string{l.A, l.B}], r.direct[[2]string{l.B, l.A}] = true, true
		}
	}
	return r
}

func (r *reachability) find(x string) string {
	for {
		p, ok := r.parent[x]
		if !ok || p == x {
			return x
		}
		gp := r.parent[p]
		if gp != "" {
			r.parent[x] = gp
		}
		x = p
	}
}

func (r *reachability) union(a, b string) {
	ra, rb := r.find(a), r.find(b)
	if ra != rb {
		r.parent[ra] = rb
	}
}

// connected reports whether the host to can be reached from the host from.
func (r *reachability) connected(from, to string) bool {
	if r.direct[[2]string{from, to}] {
		return true
	}
	for _, a := range r.access[from] {
		ca := r.find(a)
		for _, b := range r.access[to] {
			if r.find(b) == ca {
				return true
			}
		}
	}
	return false
}

// warnings notes what is valid but probably a mistake: things timed after
// the end of the run, and hosts that no link reaches.
func (d *decoder) warnings(s *Scenario, links nodeLinks) {
	// A group's members no link reaches are one warning, not one each.
	group := make(map[string]int, len(s.Hosts))
	for gi, g := range s.Groups {
		for _, m := range g.Members {
			group[m] = gi + 1
		}
	}
	unlinked := make([][]string, len(s.Groups))
	for _, h := range s.Hosts {
		if len(links[h.Name]) > 0 {
			continue
		}
		if gi := group[h.Name]; gi > 0 {
			unlinked[gi-1] = append(unlinked[gi-1], h.Name)
			continue
		}
		d.warnAt(d.pos.at("hosts."+h.Name), "a link with between: [..., "+h.Name+"]", "hosts.%s: no link reaches this host", h.Name)
	}
	for gi, names := range unlinked {
		g := s.Groups[gi]
		switch {
		case len(names) == 0:
		case len(names) == len(g.Members):
			d.warnAt(d.pos.at("hosts."+g.Name), "a link with between: [..., "+g.Name+"]", "hosts.%s: no link reaches the group's %d members", g.Name, len(names))
		default:
			list := strings.Join(names[:min(len(names), 3)], ", ")
			if len(names) > 3 {
				list += fmt.Sprintf(" and %d more", len(names)-3)
			}
			d.warnAt(d.pos.at("hosts."+g.Name), "a link with between: [..., <member>]", "hosts.%s: no link reaches %s, of the group's %d members", g.Name, list, len(g.Members))
		}
	}
	type listener struct {
		Endpoint
		udp bool
	}
	listening := make(map[listener]bool)
	for _, a := range s.Apps {
		if a.Type != "" && a.Port != 0 {
			listening[listener{Endpoint{a.Host, a.Port}, a.Type.UDP()}] = true
		}
	}
	for i, a := range s.Apps {
		if a.Type == "" || a.To.Host == "" || a.Type == AppPing || listening[listener{a.To, a.Type.UDP()}] {
			continue
		}
		path, label := fmt.Sprintf("apps[%d]", i), d.label("apps", i)
		if a.Type.UDP() {
			d.warnAt(d.pos.at(path+".to"), "a udp-sink app with that host and port",
				"%s: no udp-sink binds %s: its datagrams will be answered with ICMP port unreachable", label, a.To)
			continue
		}
		d.warnAt(d.pos.at(path+".to"), "a sink, echo or request-response app with that host and port",
			"%s: no app listens on %s: the connection will be refused", label, a.To)
	}
	const allowEnd = "a time before duration, or a longer duration"
	for i, f := range s.Faults {
		if f.At >= s.Duration {
			path := fmt.Sprintf("faults[%d]", i)
			d.warnAt(d.pos.at(path+".at"), allowEnd, "%s: at %v is not before the end of the run (duration %v): it never applies", path, f.At, s.Duration)
		}
	}
	for i, a := range s.Apps {
		if a.Type != "" && a.Start >= s.Duration {
			path := fmt.Sprintf("apps[%d]", i)
			p := d.pos.atOr(path+".start", path)
			d.warnAt(p, allowEnd, "%s: start %v is not before the end of the run (duration %v): it never starts", d.label("apps", i), a.Start, s.Duration)
		}
	}
	for i, x := range s.Expect {
		path := fmt.Sprintf("expect[%d].%s", i, x.Kind)
		if x.By > s.Duration {
			d.warnAt(d.pos.at(path+".by"), allowEnd, "%s: by %v is after the end of the run (duration %v): it is checked at the end", path, x.By, s.Duration)
		}
	}
}

// MaxTime is the longest time a scenario may name: its duration, a
// start, a fault's at, a link's delay or jitter, and the time one packet
// of the largest size (MTU plus overhead) takes to serialize, alone or
// added up along a link. About 11 years: far past any simulation, and so
// far below the 292 years a simulated clock (int64 nanoseconds) can hold
// that no sum of a clock at most MaxTime and a link's delay, jitter and
// serialization time (each, and their sum, at most MaxTime) can wrap.
// `netsim run --until` is held to the same limit.
const MaxTime = 100000 * time.Hour

const allowTime = "at most 100000h (about 11 years)"

// timeLimits refuses the times (and the rates and overheads that make
// serialization times) whose sums could overflow simulated time: every
// single time at most MaxTime, and along each link, the worst delay,
// jitter and serialization time it can have over the run (its own
// properties and every fault's set) added up at most MaxTime.
func (d *decoder) timeLimits(s *Scenario) {
	check := func(path string, v time.Duration) {
		if v > MaxTime {
			d.errAt(d.pos.at(path), allowTime, "%s: %v is too long", path, v)
		}
	}
	check("duration", s.Duration)
	check("routing.convergence", s.Routing.Convergence)
	for i, a := range s.Apps {
		for _, f := range []struct {
			key string
			v   time.Duration
		}{{"start", a.Start}, {"stop", a.Stop}, {"think", a.Think}, {"on", a.On}, {"off", a.Off}, {"interval", a.Interval}} {
			if f.v > MaxTime {
				path := "apps[" + strconv.Itoa(i) + "]"
				p := d.pos.atOr(path+"."+f.key, path)
				d.errAt(p, allowTime, "%s.%s: %v is too long", d.label("apps", i), f.key, f.v)
			}
		}
	}
	for i, x := range s.Expect {
		path := fmt.Sprintf("expect[%d].%s", i, x.Kind)
		for _, f := range []struct {
			key string
			v   time.Duration
		}{{"within", x.Within}, {"by", x.By}} {
			if f.v > MaxTime {
				p := d.pos.atOr(path+"."+f.key, path)
				d.errAt(p, allowTime, "%s.%s: %v is too long", path, f.key, f.v)
			}
		}
	}
	// worst[i] is the worst of link i over the run: the largest delay,
	// jitter and serialization time of its largest packet (MTU + overhead
	// at its bandwidth), each with where it was set ("" for the link).
	type worst struct {
		delay, jitter, tx       time.Duration
		bytes                   units.ByteSize
		rate                    units.BitRate
		mtu, overhead           units.ByteSize
		delayAt, jitterAt, txAt string
	}
	byName := make(map[string]int, len(s.Links))
	ws := make([]worst, len(s.Links))
	for i, l := range s.Links {
		byName[l.Name] = i
		b := units.ByteSize(l.MTU) + l.Overhead
		ws[i] = worst{delay: l.Delay, jitter: l.Jitter, tx: l.Bandwidth.TxTime(b), bytes: b, rate: l.Bandwidth,
			mtu: units.ByteSize(l.MTU), overhead: l.Overhead}
	}
	for i, f := range s.Faults {
		path := fmt.Sprintf("faults[%d]", i)
		if f.At > MaxTime {
			d.errAt(d.pos.at(path+".at"), allowTime, "%s.at: %v is too long", path, f.At)
		}
		j, ok := byName[f.Link]
		if f.Action != FaultSet || !ok {
			continue
		}
		// A set changes some properties; the others stay as the link has
		// them. Taking the link's own values for those is exact for a
		// single set and, for the worst case over several sets, the
		// largest of each term bounds every state the link can reach.
		w := &ws[j]
		set := f.Set
		if set.Delay != nil && *set.Delay > w.delay {
			w.delay, w.delayAt = *set.Delay, path
		}
		if set.Jitter != nil && *set.Jitter > w.jitter {
			w.jitter, w.jitterAt = *set.Jitter, path
		}
		// The slowest bandwidth, largest MTU and largest overhead it ever
		// has, whichever order the sets apply in.
		if set.Bandwidth != nil && *set.Bandwidth < w.rate {
			w.rate = *set.Bandwidth
		}
		if set.MTU != nil && units.ByteSize(*set.MTU) > w.mtu {
			w.mtu = units.ByteSize(*set.MTU)
		}
		if set.Overhead != nil && *set.Overhead > w.overhead {
			w.overhead = *set.Overhead
		}
		if b := w.mtu + w.overhead; w.rate.TxTime(b) > w.tx {
			w.tx, w.bytes, w.txAt = w.rate.TxTime(b), b, path
		}
	}
	for i, w := range ws {
		// Each term is clamped to MaxTime+1, so the sum cannot overflow.
		if min(w.delay, MaxTime+1)+min(w.jitter, MaxTime+1)+min(w.tx, MaxTime+1) <= MaxTime {
			continue
		}
		path := "links[" + strconv.Itoa(i) + "]"
		// Point at the place that set the largest term.
		at := w.delayAt
		if w.jitter > w.delay {
			at = w.jitterAt
		}
		if w.tx > max(w.delay, w.jitter) {
			at = w.txAt
		}
		p, where := d.pos.at(path), d.label("links", i)
		if at != "" {
			p, where = d.pos.at(at), at+" (on "+where+")"
		}
		d.errAt(p, "a delay, jitter and serialization time of the largest packet (mtu + overhead at the bandwidth) adding up to "+allowTime,
			"%s: delay %v + jitter %v + %v to send %d bytes at %v is too long", where, w.delay, w.jitter, w.tx, int64(w.bytes), w.rate)
	}
}

// ofFailedGroupsLink reports whether name is <link>-<i>, the name a
// member's link would have taken from a link written with a name and a
// group at one end, when that group's count was refused.
func (d *decoder) ofFailedGroupsLink(name string, s *Scenario) bool {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || !memberIndexThen(name[i+1:]) || len(d.failedGroups) == 0 {
		return false
	}
	for _, l := range s.Links {
		if l.Name == name[:i] && (contains(d.failedGroups, l.A) || contains(d.failedGroups, l.B)) {
			return true
		}
	}
	return false
}

// memberPart returns the start of a link's name up to the first number
// between dashes ("c-5" of "c-5-r1"), where a member's name would end.
func memberPart(link string) string {
	for i := 0; i < len(link); i++ {
		if link[i] != '-' {
			continue
		}
		if n := memberIndexLen(link[i+1:]); n > 0 {
			return link[:i+1+n]
		}
	}
	return link
}
