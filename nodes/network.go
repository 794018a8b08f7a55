package nodes

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// ErrInvalid is wrapped by every error about building a network: a bad or
// duplicate name or address, a link to a node that does not exist.
var ErrInvalid = errors.New("invalid network")

// ErrStopped is wrapped by the error of a build step that gave up because
// its caller asked it to stop (InstallRoutesStoppable).
var ErrStopped = errors.New("stopped")

// Network is one simulated world: the scheduler, the run's random streams,
// the trace sink, the run-wide packet-ID counter and connection-ID
// registry, and the hosts, routers and links. Build it with AddHost,
// AddRouter and AddLink, then InstallRoutes, then run the scheduler.
type Network struct {
	sched   *sim.Scheduler
	streams sim.Streams
	trace   sim.Sink
	kinds   *sim.KindSet // what trace reads (sim.Wanted)
	ids     topology.IDs
	rec     sim.Record
	ev      netEvents

	hosts        []*Host
	routers      []*Router
	links        []*topology.Link
	graph        *topology.Graph
	nodes        map[string]*node
	byAddr       map[netip.Addr]*Host
	byName       map[string]*Host
	routerByName map[string]*Router
	linkByName   map[string]*topology.Link

	// routing says how InstallRoutes builds forwarding tables.
	routing Routing
	// routeGen numbers the InstallRoutes passes.
	routeGen uint32

	// conns gives connections their IDs (connids.go).
	conns connRegistry

	captureErr error
	// readBuf is the buffer ReadBuffer hands out.
	readBuf []byte
	// lastValid is the config of the host added last and
	// lastValidConfig its validated form (validConfig).
	lastValid       *tcp.Config
	lastValidConfig tcp.ValidConfig
	// free holds packets whose datagram a host finished with, for reuse:
	// a bulk transfer then allocates no packet in its steady state.
	free []*topology.Packet
	// epolls holds the epoll instances of every host (epoll.go), in the
	// order they were created; empty unless an application uses epoll.
	// They live here because Host and Socket have no room left in their
	// size classes.
	epolls []*epollInst
	// errq holds the error queues of the sockets that use one
	// (MSG_ZEROCOPY, SO_TIMESTAMPING: errqueue.go), for the same reason.
	errq []*errQueue
	// tfoCache is what each host's Fast Open clients learned of each
	// server (fastopen.go; Linux's tcp_metrics), nil until the first:
	// looked up, never walked. It lives here for the reason above.
	tfoCache map[*Host]map[netip.Addr]fastOpenEntry
	// mssConfigs holds a host's settings with the MSS of a route's MTU,
	// shared by its connections there (hostMSS): looked up, never walked.
	mssConfigs map[mssKey]tcp.ValidConfig
}

// maxFree bounds the packets kept for reuse.
const maxFree = 4096

// newPacket returns a packet with a new ID and Data of length size,
// reusing a finished one when it can.
func (n *Network) newPacket(size int) *topology.Packet {
	var p *topology.Packet
	if k := len(n.free); k > 0 {
		p = n.free[k-1]
		n.free = n.free[:k-1]
		*p = topology.Packet{Data: p.Data} // no checksum pending, not trusted
	} else {
		p = &topology.Packet{}
	}
	if cap(p.Data) < size {
		p.Data = make([]byte, size, max(size, 1500))
	}
	p.Data = p.Data[:size]
	p.ID = n.ids.Next()
	return p
}

// recycle takes back a packet nobody references any more: a host calls
// it when it has finished with a datagram delivered to it, and a link
// when it dropped one (links hand over a packet and keep no reference
// once they delivered or dropped it; the copies they make have Data of
// their own).
func (n *Network) recycle(p *topology.Packet) {
	if len(n.free) < maxFree {
		n.free = append(n.free, p)
	}
}

// NewNetwork returns an empty world with a fresh scheduler, the streams of
// seed, and trace (nil: no records are built).
func NewNetwork(seed uint64, trace sim.Sink) *Network {
	return &Network{
		sched:        sim.NewScheduler(),
		streams:      sim.NewStreams(seed),
		trace:        trace,
		kinds:        sim.Wanted(trace),
		graph:        topology.NewGraph(),
		nodes:        make(map[string]*node),
		byAddr:       make(map[netip.Addr]*Host),
		byName:       make(map[string]*Host),
		routerByName: make(map[string]*Router),
		linkByName:   make(map[string]*topology.Link),
		conns:        newConnRegistry(),
	}
}

// Scheduler returns the world's scheduler.
func (n *Network) Scheduler() *sim.Scheduler { return n.sched }

// Streams returns the world's random streams.
func (n *Network) Streams() sim.Streams { return n.streams }

// Trace returns the trace sink, or nil.
func (n *Network) Trace() sim.Sink { return n.trace }

// wants reports whether the trace reads records of kind k (sim.Selective).
func (n *Network) wants(k sim.Kind) bool { return n.kinds.Has(k) }

// mutedEvents returns the connection events no one reads (tcp.Conn.Mute):
// every observable without a trace, and with one those whose records
// Socket.traceEvent would not build (the sink's set only shrinks, so a
// connection keeps what it was told at its start).
func (n *Network) mutedEvents() tcp.EventMask {
	if n.trace == nil {
		return tcp.Observables
	}
	var m tcp.EventMask
	for _, k := range [...]struct {
		ev   tcp.EventKind
		kind sim.Kind
	}{{tcp.EvCwnd, sim.KindTCPCwnd}, {tcp.EvRate, sim.KindTCPRate}, {tcp.EvBBR, sim.KindTCPBBR}} {
		if !n.wants(k.kind) {
			m |= 1 << k.ev
		}
	}
	return m
}

// Now returns the current simulated time.
func (n *Network) Now() sim.Time { return n.sched.Now() }

// NextPacketID returns a new run-wide packet ID.
func (n *Network) NextPacketID() uint64 { return n.ids.Next() }

// Hosts returns the hosts in the order they were added.
func (n *Network) Hosts() []*Host { return n.hosts }

// Routers returns the routers in the order they were added.
func (n *Network) Routers() []*Router { return n.routers }

// Links returns the links in the order they were added.
func (n *Network) Links() []*topology.Link { return n.links }

// Host returns the host called name.
func (n *Network) Host(name string) (*Host, bool) {
	h, ok := n.byName[name]
	return h, ok
}

// Router returns the router called name.
func (n *Network) Router(name string) (*Router, bool) {
	r, ok := n.routerByName[name]
	return r, ok
}

// Link returns the link called name.
func (n *Network) Link(name string) (*topology.Link, bool) {
	l, ok := n.linkByName[name]
	return l, ok
}

// HostByAddr returns the host that owns addr.
func (n *Network) HostByAddr(addr netip.Addr) (*Host, bool) {
	h, ok := n.byAddr[addr]
	return h, ok
}

var nodeName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// newNode checks name and returns the shared part of a host or router;
// the caller registers it in n.nodes.
func (n *Network) newNode(name, kind string) (node, error) {
	if !nodeName.MatchString(name) {
		return node{}, fmt.Errorf("%s %q: %w (a name is [a-z][a-z0-9-]*)", kind, name, ErrInvalid)
	}
	if _, dup := n.nodes[name]; dup {
		return node{}, fmt.Errorf("%s %q: %w (the name is taken)", kind, name, ErrInvalid)
	}
	k := topology.Host
	if kind == "router" {
		k = topology.Router
	}
	if err := n.graph.AddNode(name, k); err != nil {
		return node{}, fmt.Errorf("%s %q: %w: %w", kind, name, ErrInvalid, err)
	}
	return node{name: name, subject: kind + "/" + name, net: n}, nil
}

// AddHost adds a host with one IPv4 address and the TCP settings its
// connections use.
func (n *Network) AddHost(name string, addr netip.Addr, cfg tcp.Config) (*Host, error) {
	if !addr.Is4() || addr.IsUnspecified() {
		return nil, fmt.Errorf("host %q: address %v: %w (a unicast IPv4 address)", name, addr, ErrInvalid)
	}
	if other, dup := n.byAddr[addr]; dup {
		return nil, fmt.Errorf("host %q: address %v: %w (host %q has it)", name, addr, ErrInvalid, other.name)
	}
	valid, err := n.validConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("host %q: %w: %w", name, ErrInvalid, err)
	}
	nd, err := n.newNode(name, "host")
	if err != nil {
		return nil, err
	}
	h := newHost(nd, addr, valid)
	h.rx = h.receive
	n.nodes[name] = &h.node
	n.hosts = append(n.hosts, h)
	n.byAddr[addr] = h
	n.byName[name] = h
	return h, nil
}

// validConfig validates cfg, or returns the ValidConfig of the host
// added before when cfg is the same: the hosts of a group share one
// (a ValidConfig never changes), so that 10,000 hosts neither validate
// nor keep 10,000 copies of the same settings.
func (n *Network) validConfig(cfg tcp.Config) (tcp.ValidConfig, error) {
	if n.lastValid != nil && *n.lastValid == cfg {
		return n.lastValidConfig, nil
	}
	v, err := cfg.Valid()
	if err != nil {
		return v, err
	}
	// A copy, made here only: taking cfg's address would move every
	// call's cfg to the heap, hits of the cache included.
	kept := new(tcp.Config)
	*kept = cfg
	n.lastValid, n.lastValidConfig = kept, v
	return v, nil
}

// AddRouter adds a router.
func (n *Network) AddRouter(name string) (*Router, error) {
	nd, err := n.newNode(name, "router")
	if err != nil {
		return nil, err
	}
	r := &Router{node: nd}
	r.rx = r.receive
	n.nodes[name] = &r.node
	n.routers = append(n.routers, r)
	n.routerByName[name] = r
	return r, nil
}

// AddLink adds a link between nodes a and b (side 0 and side 1) and gives
// each a new interface on it, named after the node's interface count
// (eth0 for its first link). An empty cfg.Name becomes "<a>-<b>".
func (n *Network) AddLink(cfg topology.LinkConfig, a, b string) (*topology.Link, error) {
	if cfg.Name == "" {
		cfg.Name = a + "-" + b
	}
	if _, dup := n.Link(cfg.Name); dup {
		return nil, fmt.Errorf("link %q: %w (the name is taken)", cfg.Name, ErrInvalid)
	}
	na, oka := n.nodes[a]
	nb, okb := n.nodes[b]
	switch {
	case !oka:
		return nil, fmt.Errorf("link %q: node %q: %w (no such host or router)", cfg.Name, a, ErrInvalid)
	case !okb:
		return nil, fmt.Errorf("link %q: node %q: %w (no such host or router)", cfg.Name, b, ErrInvalid)
	}
	l, err := topology.NewLink(n.sched, n.streams, n.trace, n.ids.Next, cfg, a, b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := n.graph.AddLink(l); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// The link's drops go back to the pool: a full queue drops a packet
	// in five when a thousand flows start at once.
	l.SetRecycle(n.recycle)
	n.attach(na, l, 0)
	n.attach(nb, l, 1)
	n.links = append(n.links, l)
	n.linkByName[cfg.Name] = l
	return l, nil
}

func (n *Network) attach(nd *node, l *topology.Link, side int) {
	ifc := &Interface{name: fmt.Sprintf("eth%d", len(nd.ifaces)), index: len(nd.ifaces), node: nd, link: l, side: side, rx: nd.rx}
	nd.ifaces = append(nd.ifaces, ifc)
	l.Attach(side, ifc)
}

// Graph returns the topology graph of the world's nodes and links.
func (n *Network) Graph() *topology.Graph { return n.graph }

// Partition brings down every link between nodes of different groups
// (nodes in no group form one more group), as a fault: packets on those
// links are lost and new ones dropped ("down") until Heal.
func (n *Network) Partition(groups [][]string) error {
	if err := n.graph.Partition(groups); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// Heal brings back up the links the partitions brought down.
func (n *Network) Heal() { n.graph.Heal() }

// EnableCaptures opens one classic pcap per interface of every node, in
// the order nodes and interfaces were added, with open(node, iface)
// giving the writer (e.g. a file "pcap/<node>-<iface>.pcap"; a nil
// writer leaves that interface uncaptured), each keeping at most snaplen
// bytes of a packet (0: whole packets). Call it after the last AddLink. A write error later stops nothing: the first
// one is kept and CaptureErr returns it.
func (n *Network) EnableCaptures(open func(node, iface string) (io.Writer, error), snaplen int) error {
	for _, nd := range n.allNodes() {
		for _, ifc := range nd.ifaces {
			w, err := open(nd.name, ifc.name)
			if err != nil {
				return fmt.Errorf("capture %s %s: %w", nd.name, ifc.name, err)
			}
			if w == nil {
				continue // not captured
			}
			pw, err := NewPcapWriter(w, snaplen)
			if err != nil {
				return fmt.Errorf("capture %s %s: %w", nd.name, ifc.name, err)
			}
			ifc.pcap = pw
		}
	}
	return nil
}

// CaptureErr returns the first error a capture writer returned, or nil.
func (n *Network) CaptureErr() error { return n.captureErr }

// allNodes returns hosts then routers, each in the order added.
func (n *Network) allNodes() []*node {
	out := make([]*node, 0, len(n.hosts)+len(n.routers))
	for _, h := range n.hosts {
		out = append(out, &h.node)
	}
	for _, r := range n.routers {
		out = append(out, &r.node)
	}
	return out
}

// netEvents holds one event of each kind the network's nodes emit, filled
// anew for each record: the sink must not keep them, so tracing allocates
// nothing.
type netEvents struct {
	send    sim.PacketSend
	deliver sim.PacketDeliver
	drop    sim.PacketDrop
	forward sim.PacketForward
	state   sim.TCPState
	cwnd    sim.TCPCwnd
	rtt     sim.TCPRTT
	retx    sim.TCPRetransmit
	timer   sim.TCPTimer
	err     sim.TCPError
	rate    sim.TCPRate
	bbr     sim.TCPBBR
	route   sim.RouteChange
	app     sim.App
}

// emit sends ev, one of n.ev's events, to the trace as a record of now;
// callers check n.trace != nil first so that nothing is built without a
// sink, and the producers of the kinds made once or more per packet
// (forward, cwnd, rate, BBR) check wants as well.
func (n *Network) emit(subject string, ev sim.Event) {
	n.rec.T = n.sched.Now()
	n.rec.Subject = subject
	n.rec.Event = ev
	n.trace.Emit(&n.rec)
}

// EmitApp writes an application's record, subject "app/<host>/<type>",
// as of now (nothing without a trace sink). The network's apps share one
// record to fill: a simulation runs one event at a time and a sink keeps
// nothing (sim.Sink), so one serves them all, where one per app cost
// about 250 bytes for each of 100,000 connections.
func (n *Network) EmitApp(subject string, ev *sim.App) {
	if n.trace == nil {
		return
	}
	n.ev.app = *ev
	n.emit(subject, &n.ev.app)
}

// ReadBuffer returns a buffer of size bytes that the network's
// applications share for their reads. A simulation runs one event at a
// time and an app is done with what it read before its handler returns,
// so one buffer serves every app of the network, where one per app would
// cost 64 KiB for each of 100,000 connections. Its bytes are valid until
// the next call.
func (n *Network) ReadBuffer(size int) []byte {
	if len(n.readBuf) < size {
		n.readBuf = make([]byte, size)
	}
	return n.readBuf[:size]
}

// connID returns the ID of the connection between client and server
// for an end that opens (connRegistry.id).
func (n *Network) connID(client, server netip.AddrPort, open bool) uint64 {
	return n.conns.id(client, server, open)
}

// lookupConnID returns the ID of the connection between client and
// server, and false when none of its ends is left.
func (n *Network) lookupConnID(client, server netip.AddrPort) (uint64, bool) {
	return n.conns.lookup(client, server)
}
