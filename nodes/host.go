package nodes

import (
	"net/netip"
	"unsafe"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/internal/prefetch"
	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// Host is an end system with one IPv4 address: interfaces, a routing
// table, IPv4 send and receive with checksums verified, demultiplexing of
// TCP segments by 4-tuple to connections and by port to listeners, and the
// socket API (see socket.go). Datagrams for other addresses are dropped
// ("notmine"): hosts do not forward.
type Host struct {
	// What every segment touches comes first, then the node, whose own
	// hot fields (address, network, datagram count, IP ID, the routing
	// table's only route) come first in it: a thousand hosts take turns,
	// and each line read is a cache miss. The host's fields and the
	// node's up to the routing table's only route fill the object's
	// first two lines (TestHostLines).
	//
	// lastConn is the socket the last lookup in conns found (connOf), so
	// that a host with one busy connection reads no map per segment;
	// nil or a socket that conns holds under its 4-tuple.
	lastConn *Socket
	// notes queues socket notifications for the owners' callbacks, which
	// run only after the stack has finished with the event at hand.
	notes       []note
	dispatching bool
	// delivered is HostStats.DatagramsDelivered, kept apart from the
	// other counters, which no segment of a clean run touches.
	delivered uint64

	node

	conns map[fourTuple]*Socket
	// stats holds the counters of HostStats but DatagramsSent
	// (node.sent) and DatagramsDelivered (delivered).
	stats struct{ resetsSent, icmpSent, icmpRateLimited uint64 }

	cfg tcp.ValidConfig
	// isn draws initial sequence numbers and timestamp offsets
	// ("host/<name>/isn").
	isn *sim.Rand

	fds     []*Socket // index = descriptor; nil = free
	freeFDs []freeFD  // the free descriptors below len(fds), a minheap
	// timeWaitConns holds the connections in TIME-WAIT that no socket
	// holds (timewait.go); timeWaits counts every connection in
	// TIME-WAIT, with or without its socket (Linux tw_refcount).
	timeWaitConns map[fourTuple]*timeWait
	timeWaits     int
	// trimQ holds the sockets whose connections may give their queues
	// back once left alone (queueTrim); trimTimer offers it to them.
	trimQ     []*Socket
	trimTimer *sim.Timer
	listeners map[uint16]*Socket
	ports     map[uint16]int // users of each local port
	// dgram holds the UDP and ping sockets by local port (udp.go).
	dgram [2]map[uint16]*Socket
	// nextEphDgram is where the next ephemeral port search starts, per
	// datagram protocol (UDP ports and ping identifiers are apart from
	// TCP's, as in Linux).
	nextEphDgram [2]uint16
	nextEph      uint16 // where the next ephemeral TCP port search starts
	// pmtu holds the path MTUs learned from ICMP fragmentation needed,
	// by destination (Linux's route exceptions).
	pmtu map[netip.Addr]pmtuEntry
	// bufs keeps the buffers of datagrams read from sockets, for reuse.
	bufs [][]byte

	// lo is the loopback interface: datagrams to the host's own address.
	lo *Interface
}

// HostStats counts what a host's IP and TCP layers did.
type HostStats struct {
	// DatagramsSent and DatagramsDelivered count IPv4 datagrams handed to
	// an interface and accepted for this host.
	DatagramsSent, DatagramsDelivered uint64
	// ResetsSent counts RSTs sent for segments that found no socket.
	ResetsSent uint64
	// ICMPSent counts ICMP messages the host sent (errors and echo
	// replies); ICMPRateLimited counts errors icmp_ratelimit held back.
	ICMPSent, ICMPRateLimited uint64
}

// relNumbers turns a connection's sequence numbers into the relative,
// 64-bit ones of the trace: a *tcp.Conn or a *tcp.TimeWaitRecord.
type relNumbers interface {
	RelSeq(tcp.Seq) uint64
	RelAck(tcp.Seq) uint64
}

func newHost(nd node, addr netip.Addr, cfg tcp.ValidConfig) *Host {
	nd.addr = addr
	return &Host{
		node:  nd,
		cfg:   cfg,
		isn:   nd.net.streams.Rand(nd.subject + "/isn"),
		conns: make(map[fourTuple]*Socket),
		// The other tables are made by their first entry (a host of a
		// 10,000-host star uses few of them: fewer objects for the
		// garbage collector to mark).
		nextEph:      EphemeralFirst,
		nextEphDgram: [2]uint16{EphemeralFirst, EphemeralFirst},
	}
}

// Addr returns the host's IPv4 address.
func (h *Host) Addr() netip.Addr { return h.addr }

// Config returns the TCP settings of the host's connections.
func (h *Host) Config() tcp.Config { return h.cfg.Config() }

// SetConfig changes the TCP settings of connections made from now on.
func (h *Host) SetConfig(cfg tcp.Config) error {
	v, err := cfg.Valid()
	if err != nil {
		return err
	}
	h.cfg = v
	return nil
}

// Stats returns the host's counters.
func (h *Host) Stats() HostStats {
	return HostStats{
		DatagramsSent: h.sent, DatagramsDelivered: h.delivered,
		ResetsSent: h.stats.resetsSent,
		ICMPSent:   h.stats.icmpSent, ICMPRateLimited: h.stats.icmpRateLimited,
	}
}

// Network returns the world the host belongs to.
func (h *Host) Network() *Network { return h.net }

// Now returns the current simulated time.
func (h *Host) Now() sim.Time { return h.net.sched.Now() }

// segmentInfo is what the trace says about the connection a segment
// belongs to.
type segmentInfo struct {
	connID uint64
	// rel, when a connection (or its TIME-WAIT record) sent the segment,
	// gives its relative numbers in 64 bits (tcp.Conn.RelSeq); else they
	// come from bases.
	rel   relNumbers
	bases tcp.Bases
	// ect: the segment is ECN-capable, sent with ECT(0) (RFC 3168 §6.1.1).
	ect bool
	// tos is the socket's IP_TOS (DSCP bits); noDF clears Don't Fragment
	// (IP_MTU_DISCOVER with IP_PMTUDISC_DONT, PROBE, INTERFACE or OMIT).
	tos  uint8
	noDF bool
}

// output encodes the segment hdr+payload from the host's address to dst in
// an IPv4 datagram and sends it out of the interface the routing table
// chooses. It drops the datagram ("noroute", "mtu") when it cannot go.
func (h *Host) output(dst netip.Addr, hdr *tcp.Header, payload []byte, info segmentInfo) {
	ifc := h.route(dst)
	size := ipv4.HeaderLen + hdr.Len() + len(payload)
	p := h.net.newPacket(size)
	// The TCP checksum is written only if something needs the bytes as
	// on a wire (a capture, a corrupting link, a tap): see DeferChecksum.
	// So is a payload of the pattern, which the packet carries by
	// reference (DeferPayload): the receiver copies it straight from the
	// pattern's table into its buffer.
	var b []byte
	if _, ok := pattern.Phase(payload); ok {
		b = hdr.AppendUnsummed(p.Data[:ipv4.HeaderLen], nil)
		b = b[:len(b)+len(payload)] // newPacket made room for size bytes
		p.DeferPayload(payload)
	} else {
		b = hdr.AppendUnsummed(p.Data[:ipv4.HeaderLen], payload)
	}
	h.putIPv4Header(b, dst, ipv4.ProtoTCP, !info.noDF, info.ect, info.tos)
	p.Data = b
	p.DeferChecksum(fillTCPChecksum)
	if h.net.trace != nil {
		h.traceSend(p, ifc, dst, hdr, len(payload), info)
	}
	// A datagram that does not fit the interface cannot leave: netsim
	// does not fragment, so it is dropped ("mtu"), here with DF set and
	// in transmit without.
	if ifc != nil && len(b) > ifc.MTU() && !info.noDF {
		// As Linux's ip_fragment, which answers a Don't Fragment
		// datagram too big for its own device (a link whose MTU a fault
		// lowered under a connection, or one below the MSS a SYN
		// offered) with fragmentation needed and the device's MTU, sent
		// to the host itself: the connection lowers its MSS as for a
		// router's message (tcp_v4_mtu_reduced) instead of losing every
		// segment it built for the old MTU. It comes over loopback, after
		// this send returns.
		h.tooBig(p, ifc, h.route)
		return
	}
	h.transmit(p, ifc)
}

// route returns the interface toward dst, or nil when there is none: the
// loopback interface for the host's own address, else the routing table's
// choice.
func (h *Host) route(dst netip.Addr) *Interface {
	if dst == h.addr {
		if h.lo == nil {
			h.lo = &Interface{name: "lo", index: -1, node: &h.node, rx: h.receive}
		}
		return h.lo
	}
	if ifc := h.routes.only; ifc != nil && dst.Is4() {
		return ifc
	}
	rt, ok := h.routes.Lookup(dst)
	if !ok || rt.Iface < 0 || rt.Iface >= len(h.ifaces) {
		return nil
	}
	ifc := h.ifaces[rt.Iface]
	if len(h.routes.routes) == 1 && rt.Prefix.Bits() == 0 {
		h.routes.only = ifc
	}
	return ifc
}

// fillTCPChecksum writes the TCP checksum of an IPv4 datagram that the
// host sent without it (Packet.DeferChecksum); the addresses of the
// pseudo-header are the datagram's own.
func fillTCPChecksum(datagram, payload []byte) {
	ihl := int(datagram[0]&0x0f) * 4
	src := netip.AddrFrom4([4]byte(datagram[12:16]))
	dst := netip.AddrFrom4([4]byte(datagram[16:20]))
	if phase, ok := pattern.Phase(payload); ok {
		// The pattern's sum is known without reading its bytes.
		tcp.FillChecksumTail(datagram[ihl:], src, dst, len(payload), pattern.Sum(phase, len(payload)))
		return
	}
	tcp.FillChecksum(datagram[ihl:], src, dst)
}

// traceSend emits the pkt.send record of a datagram the host made.
func (h *Host) traceSend(p *topology.Packet, ifc *Interface, dst netip.Addr, hdr *tcp.Header, plen int, info segmentInfo) {
	ev := &h.net.ev.send
	ev.ID = p.ID
	ev.Iface = ""
	if ifc != nil {
		ev.Iface = ifc.name
	}
	ev.Len = len(p.Data)
	ev.Src = h.addr
	ev.Dst = dst
	ev.Proto = tcp.ProtocolTCP
	ev.SPort, ev.DPort = hdr.SrcPort, hdr.DstPort
	ev.Flags = sim.TCPFlags(hdr.Flags)
	ev.Seq, ev.Ack = uint32(hdr.Seq), uint32(hdr.Ack)
	ev.RAck = 0
	if info.rel != nil {
		ev.RSeq = info.rel.RelSeq(hdr.Seq)
		if hdr.Flags&tcp.FlagACK != 0 {
			ev.RAck = info.rel.RelAck(hdr.Ack)
		}
	} else {
		ev.RSeq = uint64(uint32(hdr.Seq - info.bases.Seq))
		if hdr.Flags&tcp.FlagACK != 0 {
			ev.RAck = uint64(uint32(hdr.Ack - info.bases.Ack))
		}
	}
	ev.Win = hdr.Window
	ev.PLen = plen
	ev.Opts.SetRaw(hdr.Options.Bytes())
	ev.Conn = info.connID
	h.net.emit(h.subject, ev)
}

// receive is the host's path for every arriving datagram: IPv4 checks,
// address, TCP checks, then demultiplexing. The connection copies what it
// keeps, so the packet is recycled afterwards.
func (h *Host) receive(in *Interface, p *topology.Packet) {
	h.input(in, p)
	h.net.recycle(p)
}

func (h *Host) input(in *Interface, p *topology.Packet) {
	if in.link != nil {
		// The answer (an ACK, more data) most likely leaves on the
		// same link: its direction starts loading now (a thousand
		// access links are cold in the cache).
		in.link.Prefetch(in.side)
	}
	ih, seg, err := ipv4.Decode(p.Data)
	if err != nil {
		h.drop(p, ipv4DropReason(err))
		return
	}
	src, dst := ih.Src, ih.Dst
	if dst != h.addr {
		h.drop(p, sim.DropNotMine)
		return
	}
	// Fragments are never made in netsim: one with MF or an offset cannot
	// be reassembled.
	if ih.Flags&ipv4.FlagMF != 0 || ih.FragOffset != 0 {
		h.drop(p, sim.DropMalformed)
		return
	}
	switch ih.Protocol {
	case ipv4.ProtoTCP:
	case ipv4.ProtoUDP:
		h.delivered++
		h.udpInput(in, p, src, seg)
		return
	case ipv4.ProtoICMP:
		h.delivered++
		h.icmpInput(in, p, src, seg)
		return
	default:
		// RFC 1122 §3.2.2.1: a protocol no one here speaks gets
		// protocol unreachable.
		h.drop(p, sim.DropNoProto)
		h.icmpError(p, icmp.Unreachable(icmp.CodeProtoUnreach, 0), h.route)
		return
	}
	// A packet that left a simulated stack and that no link corrupted
	// carries the checksum that stack computed (or would compute): only
	// the others are summed (a corrupted one, one a test or drill made).
	if !p.Trusted() && !tcp.VerifyChecksum(seg, src, dst) {
		h.drop(p, sim.DropChecksum)
		return
	}
	hdr, payload, err := tcp.Decode(seg)
	if err != nil {
		h.drop(p, sim.DropMalformed)
		return
	}
	if q := p.DeferredPayload(); q != nil {
		payload = q // the bytes Data leaves out (a trusted packet: no link changed it)
	}
	h.delivered++
	local := netip.AddrPortFrom(dst, hdr.DstPort)
	remote := netip.AddrPortFrom(src, hdr.SrcPort)
	var iss tcp.Seq // 0: drawn for a new connection
	if s, ok := h.connOf(tupleOf(local, remote)); ok {
		// The socket and its connection have left the caches since
		// their flow's previous segment when a thousand flows take
		// turns: their lines start loading together.
		s.conn.Prefetch()
		prefetch.Lines(unsafe.Pointer(s), unsafe.Sizeof(*s))
		// ReopensTimeWait first: it is false for every segment of a live
		// connection, which then skips the listener lookup.
		if s.conn.ReopensTimeWait(&hdr) && h.listeners[hdr.DstPort] != nil {
			iss = h.reopenTimeWait(s)
		} else {
			h.traceDeliver(p, in, s.connID)
			s.input(&hdr, payload, ih.ECN == ipv4.ECNCE)
			h.dispatch()
			return
		}
	} else if tw, ok := h.timeWaitConns[tupleOf(local, remote)]; ok {
		var reopen bool
		if iss, reopen = tw.input(p, in, &hdr, len(payload)); !reopen {
			return
		}
	}
	if l, ok := h.listeners[hdr.DstPort]; ok {
		h.listenInput(l, p, in, local, remote, &hdr, payload, iss)
		h.dispatch()
		return
	}
	h.traceDeliver(p, in, 0)
	h.resetNoSocket(local, remote, &hdr, len(payload))
}

// connOf returns the socket of connection k, trying the one found last
// before the map (Host.lastConn).
func (h *Host) connOf(k fourTuple) (*Socket, bool) {
	if s := h.lastConn; s != nil && tupleOf(s.local, s.remote) == k {
		return s, true
	}
	s, ok := h.conns[k]
	if ok {
		h.lastConn = s
	}
	return s, ok
}

// addConn records s as the socket of its connection.
func (h *Host) addConn(s *Socket) {
	h.conns[tupleOf(s.local, s.remote)] = s
	h.lastConn = s
}

// removeConn forgets s as the socket of connection k, if it is.
func (h *Host) removeConn(k fourTuple, s *Socket) {
	if h.conns[k] == s {
		delete(h.conns, k)
	}
	if h.lastConn == s {
		h.lastConn = nil
	}
}

// traceDeliver emits pkt.deliver; conn 0 means no connection took it.
func (h *Host) traceDeliver(p *topology.Packet, in *Interface, conn uint64) {
	if h.net.trace == nil {
		return
	}
	h.net.ev.deliver = sim.PacketDeliver{ID: p.ID, Iface: in.name, Len: len(p.Data), Conn: conn}
	h.net.emit(h.subject, &h.net.ev.deliver)
}

// listenInput handles a segment for a listening port with no connection
// of its 4-tuple (RFC 9293 §3.10.7.2, LISTEN state). A new connection
// starts at iss, or at a sequence number drawn for it when iss is 0.
func (h *Host) listenInput(l *Socket, p *topology.Packet, in *Interface, local, remote netip.AddrPort, hdr *tcp.Header, payload []byte, iss tcp.Seq) {
	switch {
	case hdr.Flags&tcp.FlagRST != 0:
		// "An incoming RST segment could not be valid ... it should be
		// ignored."
		h.traceDeliver(p, in, 0)
		return
	case hdr.Flags&tcp.FlagACK != 0:
		// "Any acknowledgment is bad if it arrives on a connection still
		// in the LISTEN state. An acceptable reset segment should be
		// formed ...: <SEQ=SEG.ACK><CTL=RST>".
		h.traceDeliver(p, in, 0)
		h.resetNoSocket(local, remote, hdr, len(payload))
		return
	case hdr.Flags&tcp.FlagSYN == 0, hdr.Flags&tcp.FlagFIN != 0:
		// "Any other control or text-bearing segment (not containing
		// SYN) must have an ACK and thus would be discarded by the ACK
		// processing." A SYN with a FIN is dropped too, as Linux's
		// tcp_rcv_state_process does in LISTEN: no connection starts
		// from a segment that also ends it.
		h.traceDeliver(p, in, 0)
		return
	}
	if l.backlogFull() {
		// Linux drops a SYN when the accept queue is full and lets the
		// client's SYN retransmission try again later.
		l.lq.backlogDrops++
		h.drop(p, sim.DropBacklog)
		return
	}
	s := h.newChild(l, local, remote, iss)
	l.fastOpenSyn(s)
	h.traceDeliver(p, in, s.connID)
	s.input(hdr, payload, false)
	l.fastOpenAccepted(s)
}

// resetNoSocket answers a segment that found no socket with the reset
// tcp.ReplyRst builds (RFC 9293 §3.10.7.1, CLOSED state; Linux
// tcp_v4_send_reset): nothing for a RST, "R <ack>" to a segment with ACK,
// else "R. 0:0(0) ack seq+len".
func (h *Host) resetNoSocket(local, remote netip.AddrPort, in *tcp.Header, plen int) {
	var rst tcp.Header
	if !tcp.ReplyRst(in, tcp.SegLen(in, plen), &rst) {
		return
	}
	h.stats.resetsSent++
	// No connection, no ISNs: the trace's relative numbers are taken from
	// the segment answered (sim/kinds.go), so the RST to a SYN reads
	// "R. 0:0(0) ack 1" as tcpdump prints it.
	info := segmentInfo{bases: tcp.Bases{Seq: rst.Seq, Ack: in.Seq}}
	if id, ok := h.net.lookupConnID(remote, local); ok {
		info.connID = id
	}
	h.output(remote.Addr(), &rst, nil, info)
}
