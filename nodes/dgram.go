package nodes

import (
	"net/netip"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/nodes/udp"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// This file is the datagram sockets of a host: UDP (socket(AF_INET,
// SOCK_DGRAM, 0)) and ping sockets (socket(AF_INET, SOCK_DGRAM,
// IPPROTO_ICMP), Linux's unprivileged ICMP echo), on the same descriptor
// table as TCP's. Each protocol has its own port numbers; a ping socket's
// "port" is the echo identifier.

// The datagram protocols, indexes of Host.dgram.
const (
	protoUDP  = 0
	protoPing = 1
)

// IP protocol numbers the host demultiplexes on.
const (
	ipv4ProtoTCP = ipv4.ProtoTCP
	protoNumUDP  = ipv4.ProtoUDP
)

// DefaultDgramRcvBuf is a datagram socket's receive buffer: Linux's
// net.core.rmem_default.
const DefaultDgramRcvBuf = 212992

// dgramOverhead is what a queued datagram costs the receive buffer beyond
// its payload: Linux charges an skb's truesize, the data plus about this
// much of buffer and bookkeeping for a datagram off an Ethernet device.
const dgramOverhead = 768

// dgramSock is the datagram part of a Socket.
type dgramSock struct {
	proto     int // protoUDP or protoPing
	connected bool
	q         []dgram // received, oldest first, from head
	head      int
	held      int // bytes charged to the receive buffer
	rcvBuf    int
	drops     uint64
	// errq holds the ICMP errors about a ping socket's requests not yet
	// read (RecvError), oldest first: Linux's error queue of a socket
	// with IP_RECVERR, which ping(8) sets.
	errq []PingError
}

// maxPingErrors bounds a ping socket's error queue: past it the oldest
// error is dropped (Linux bounds it by the receive buffer).
const maxPingErrors = 64

// PingError is an ICMP error about one of a ping socket's echo requests,
// as ping(8) reads it from the error queue (IP_RECVERR): the request's
// sequence number, the node that sent the error, its type and code, and
// the errno they map to (Linux's icmp_err_convert).
type PingError struct {
	Seq   uint16
	From  netip.Addr
	Type  icmp.Type
	Code  uint8
	Errno Errno
}

// RecvError returns the oldest ICMP error waiting on ping socket fd, and
// false when none waits (recvmsg with MSG_ERRQUEUE).
func (h *Host) RecvError(fd int) (PingError, bool, error) {
	s, err := h.socket(fd)
	if err != nil {
		return PingError{}, false, err
	}
	d := s.dgram
	if d == nil || d.proto != protoPing {
		return PingError{}, false, EOPNOTSUPP
	}
	if len(d.errq) == 0 {
		return PingError{}, false, nil
	}
	e := d.errq[0]
	d.errq = d.errq[1:]
	if len(d.errq) == 0 {
		d.errq = nil
	}
	return e, true, nil
}

// dgram is one received datagram waiting in a socket.
type dgram struct {
	from netip.AddrPort
	data []byte
}

// SocketUDP opens a UDP socket and returns its descriptor.
func (h *Host) SocketUDP() (int, error) { return h.socketDgram(protoUDP) }

// SocketPing opens a ping socket (Linux's socket(AF_INET, SOCK_DGRAM,
// IPPROTO_ICMP)): SendTo takes an ICMP echo request (the 8-byte header
// then the data; the host sets the identifier, the socket's port, and the
// checksum) and RecvFrom returns the echo replies to that identifier.
func (h *Host) SocketPing() (int, error) { return h.socketDgram(protoPing) }

func (h *Host) socketDgram(proto int) (int, error) {
	fd, err := h.Socket()
	if err != nil {
		return fd, err
	}
	h.fds[fd].dgram = &dgramSock{proto: proto, rcvBuf: DefaultDgramRcvBuf}
	return fd, nil
}

// bindDgram gives datagram socket s a local port (0: an ephemeral one).
func (h *Host) bindDgram(s *Socket, addr netip.AddrPort) error {
	if err := h.checkLocalAddr(addr.Addr()); err != nil {
		return err
	}
	if s.bound {
		return EINVAL
	}
	ports := h.dgram[s.dgram.proto]
	if ports == nil {
		ports = make(map[uint16]*Socket)
		h.dgram[s.dgram.proto] = ports
	}
	port := addr.Port()
	if port == 0 {
		p, ok := nextFreePort(&h.nextEphDgram[s.dgram.proto], func(p uint16) bool { return ports[p] != nil })
		if !ok {
			return EADDRINUSE
		}
		port = p
	} else if ports[port] != nil {
		return EADDRINUSE
	}
	ports[port] = s
	s.bound = true
	s.local = netip.AddrPortFrom(h.addr, port)
	return nil
}

// connectDgram sets the socket's default destination and the only source
// it receives from (RFC 768 says nothing; this is BSD's connect on a
// datagram socket). It sends nothing.
func (h *Host) connectDgram(s *Socket, addr netip.AddrPort) error {
	switch {
	case !addr.Addr().Is4():
		return EAFNOSUPPORT
	case addr.Addr().IsUnspecified() || addr.Port() == 0 && s.dgram.proto == protoUDP:
		return EINVAL
	case h.route(addr.Addr()) == nil:
		return ENETUNREACH
	}
	if !s.bound {
		if err := h.bindDgram(s, netip.AddrPortFrom(h.addr, 0)); err != nil {
			return EADDRNOTAVAIL
		}
	}
	s.remote = addr
	s.dgram.connected = true
	return nil
}

// SendTo sends p as one datagram to to (on a connected socket, a zero to
// means the connected peer) and returns len(p). It fails with EMSGSIZE
// for more than 65507 bytes or a datagram larger than the path MTU (DF
// is set and netsim does not fragment: Linux's IP_PMTUDISC_DO),
// ENETUNREACH without a route, EDESTADDRREQ with no destination, a
// pending error (ECONNREFUSED after a port unreachable) once, and
// EOPNOTSUPP on a TCP socket. A socket not yet bound gets an ephemeral
// port.
func (h *Host) SendTo(fd int, p []byte, to netip.AddrPort) (int, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	d := s.dgram
	if d == nil {
		return 0, EOPNOTSUPP
	}
	if e := s.soError; e != 0 {
		s.soError = 0
		return 0, e
	}
	if !to.IsValid() || to.Addr().IsUnspecified() {
		if !d.connected {
			return 0, EDESTADDRREQ
		}
		to = s.remote
	}
	if !to.Addr().Is4() {
		return 0, EAFNOSUPPORT
	}
	hdrLen := udp.HeaderLen
	if d.proto == protoPing {
		hdrLen = 0 // the caller's bytes start with the ICMP header
		if len(p) < icmp.HeaderLen || icmp.Type(p[0]) != icmp.TypeEchoRequest || p[1] != 0 {
			return 0, EINVAL
		}
	}
	if len(p)+hdrLen > udp.HeaderLen+udp.MaxPayload {
		return 0, EMSGSIZE
	}
	mtu := h.pathMTU(to.Addr())
	if mtu == 0 {
		return 0, ENETUNREACH
	}
	if ipv4.HeaderLen+hdrLen+len(p) > mtu {
		return 0, EMSGSIZE
	}
	if !s.bound {
		if err := h.bindDgram(s, netip.AddrPortFrom(h.addr, 0)); err != nil {
			return 0, EAGAIN
		}
	}
	ifc := h.route(to.Addr())
	if d.proto == protoPing {
		m, _, _ := icmp.Decode(p) // the checksum is the host's to set
		m = icmp.Echo(icmp.TypeEchoRequest, s.local.Port(), m.Seq())
		h.icmpSend(ifc, to.Addr(), m, p[icmp.HeaderLen:], true)
		return len(p), nil
	}
	pk := h.net.newPacket(ipv4.HeaderLen + udp.HeaderLen + len(p))
	uh := udp.Header{SrcPort: s.local.Port(), DstPort: to.Port()}
	b, _ := uh.AppendTo(pk.Data[:ipv4.HeaderLen], h.addr, to.Addr(), p) // length checked above
	h.putIPv4Header(b, to.Addr(), udp.Protocol, true, false, 0)
	pk.Data = b
	if h.net.trace != nil {
		h.traceSendRaw(pk, ifc, to.Addr(), udp.Protocol, uh.SrcPort, uh.DstPort, len(p))
	}
	h.transmit(pk, ifc)
	return len(p), nil
}

// RecvFrom reads the oldest datagram waiting on fd into p (truncating it
// to len(p), the rest is lost, as recvfrom without MSG_TRUNC) and returns
// its length and sender. EAGAIN when none waits; a pending error
// (ECONNREFUSED after a port unreachable) is returned once.
func (h *Host) RecvFrom(fd int, p []byte) (int, netip.AddrPort, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	d := s.dgram
	if d == nil {
		return 0, netip.AddrPort{}, EOPNOTSUPP
	}
	if e := s.soError; e != 0 {
		s.soError = 0
		return 0, netip.AddrPort{}, e
	}
	if d.head == len(d.q) {
		return 0, netip.AddrPort{}, EAGAIN
	}
	g := d.q[d.head]
	d.q[d.head] = dgram{}
	d.head++
	if d.head == len(d.q) {
		d.q, d.head = d.q[:0], 0
	}
	d.held -= len(g.data) + dgramOverhead
	n := copy(p, g.data)
	h.bufs = append(h.bufs, g.data[:0])
	return n, g.from, nil
}

// DgramDrops returns how many datagrams fd's receive buffer had no room
// for.
func (h *Host) DgramDrops(fd int) (uint64, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	if s.dgram == nil {
		return 0, EOPNOTSUPP
	}
	return s.dgram.drops, nil
}

// closeDgram releases a datagram socket's port and what it holds.
func (h *Host) closeDgram(s *Socket) {
	if s.bound {
		delete(h.dgram[s.dgram.proto], s.local.Port())
		s.bound = false
	}
	for _, g := range s.dgram.q[s.dgram.head:] {
		h.bufs = append(h.bufs, g.data[:0])
	}
	s.dgram.q, s.dgram.head, s.dgram.held = nil, 0, 0
}

// udpInput handles a UDP datagram (seg, the UDP bytes of p) for the host:
// checksum, then the socket bound to its port, which must be unconnected
// or connected to its source. With no such socket the host answers port
// unreachable (RFC 1122 §4.1.3.1) and drops it ("noport").
func (h *Host) udpInput(in *Interface, p *topology.Packet, src netip.Addr, seg []byte) {
	if !udp.VerifyChecksum(seg, src, h.addr) {
		h.drop(p, sim.DropChecksum)
		return
	}
	uh, payload, err := udp.Decode(seg)
	if err != nil {
		h.drop(p, sim.DropMalformed)
		return
	}
	from := netip.AddrPortFrom(src, uh.SrcPort)
	s := h.dgram[protoUDP][uh.DstPort]
	if s == nil || s.dgram.connected && s.remote != from {
		h.drop(p, sim.DropNoPort)
		if h.icmpError(p, icmp.Unreachable(icmp.CodePortUnreach, 0), h.route) {
			h.stats.icmpSent++
		} else {
			h.stats.icmpRateLimited++
		}
		return
	}
	s.dgramInput(p, in, from, payload)
	h.dispatch()
}

// dgramInput queues data from from on the datagram socket s, or drops the
// datagram p ("rcvbuf") when the receive buffer is full: as Linux's
// __udp_enqueue_schedule_skb, a datagram is taken while what is held does
// not exceed the buffer.
func (s *Socket) dgramInput(p *topology.Packet, in *Interface, from netip.AddrPort, data []byte) {
	h, d := s.h, s.dgram
	if d.held > d.rcvBuf {
		d.drops++
		h.drop(p, sim.DropRcvBuf)
		return
	}
	h.traceDeliver(p, in, 0)
	var buf []byte
	if k := len(h.bufs); k > 0 {
		buf, h.bufs = h.bufs[k-1], h.bufs[:k-1]
	}
	buf = append(buf, data...)
	d.q = append(d.q, dgram{from: from, data: buf})
	d.held += len(data) + dgramOverhead
	h.notify(s, SockReadable, 0)
}
