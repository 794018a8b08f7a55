package nodes

import (
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// PMTUExpires is how long a learned path MTU holds before the interface's
// MTU is tried again (Linux net.ipv4.route.mtu_expires, 600 s; RFC 1191
// §6.3 suggests 10 minutes too).
const PMTUExpires = 10 * time.Minute

// pmtuEntry is a path MTU learned from a fragmentation-needed message.
type pmtuEntry struct {
	mtu     int
	expires sim.Time
}

// plateaus are RFC 1191 §7's table of common MTUs, used when a router
// reports no next-hop MTU (one older than RFC 1191).
var plateaus = [...]int{32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68}

// learnPMTU records that the path to dst takes at most mtu bytes (next,
// the next-hop MTU a router reported; 0 from an old router, then the
// plateau below the datagram's length tooBig) and returns the path MTU
// now in force. It never goes below 68, the least every IPv4 link
// carries (RFC 791), nor raises a smaller value learned before. A
// reported MTU is taken as it is even when the quoted datagram would fit
// it, as Linux's __ip_rt_update_pmtu (the quote's length is not read).
func (h *Host) learnPMTU(dst netip.Addr, next, tooBig int) int {
	mtu := next
	if mtu == 0 {
		mtu = topology.MinMTU
		for _, p := range plateaus {
			if p < tooBig {
				mtu = p
				break
			}
		}
	}
	mtu = max(mtu, topology.MinMTU)
	if cur := h.pathMTU(dst); cur > 0 && cur <= mtu {
		return cur
	}
	if h.pmtu == nil {
		h.pmtu = make(map[netip.Addr]pmtuEntry)
	}
	h.pmtu[dst] = pmtuEntry{mtu: mtu, expires: h.Now().Add(PMTUExpires)}
	return mtu
}

// pathMTU returns the largest datagram toward dst: the route's interface
// MTU, or the smaller path MTU learned (until it expires); 0 without a
// route.
func (h *Host) pathMTU(dst netip.Addr) int {
	ifc := h.route(dst)
	if ifc == nil {
		return 0
	}
	mtu := ifc.MTU()
	if e, ok := h.pmtu[dst]; ok {
		if h.Now() < e.expires {
			return min(mtu, e.mtu)
		}
		delete(h.pmtu, dst)
	}
	return mtu
}

// PathMTU returns the largest datagram the host sends toward dst now (see
// pathMTU), and false when it has no route there.
func (h *Host) PathMTU(dst netip.Addr) (int, bool) {
	m := h.pathMTU(dst)
	return m, m > 0
}

// icmpErrno maps an ICMP error to the errno a socket reports, and whether
// it is a hard error that fails a connected UDP socket, as Linux's
// icmp_err_convert table.
func icmpErrno(m icmp.Message) (Errno, bool) {
	if m.Type == icmp.TypeTimeExceeded {
		return EHOSTUNREACH, false
	}
	switch m.Code {
	case icmp.CodeNetUnreach:
		return ENETUNREACH, false
	case icmp.CodeHostUnreach:
		return EHOSTUNREACH, false
	case icmp.CodeProtoUnreach:
		return ENOPROTOOPT, true
	case icmp.CodePortUnreach:
		return ECONNREFUSED, true
	case icmp.CodeFragNeeded:
		return EMSGSIZE, false
	}
	return EHOSTUNREACH, false
}

// icmpErrorInput gives an ICMP error about a datagram the host sent to the
// socket that sent it. Fragmentation needed lowers the path MTU (RFC 1191
// §6.3) and a TCP connection's segment size (Linux tcp_v4_mtu_reduced),
// unless its IP_MTU_DISCOVER mode ignores the path MTU.
// Other errors fail a TCP connection still in its handshake as Linux's
// tcp_v4_err (handshakeFatal; a synchronized one carries on, as with
// soft errors, but a network or host unreachable may undo one RTO backoff:
// tcp.Conn.RevertRTO, RFC 6069), both only when the quoted sequence number is in the
// connection's window (tcp.Conn.ICMPInWindow), and give a connected
// UDP socket the errno of a hard error (port or protocol unreachable:
// ECONNREFUSED), as Linux's udp_err without IP_RECVERR.
//
// An error about a ping socket's echo request (the quoted ICMP header's
// identifier is the socket's) joins that socket's error queue, as Linux's
// ping_err with IP_RECVERR, which ping(8) sets: every such error, hard or
// soft, so that ping(8) can print it and count it.
func (h *Host) icmpErrorInput(m icmp.Message, q quoted, from netip.Addr) {
	now := h.Now().Duration()
	local := netip.AddrPortFrom(q.src, q.sport)
	remote := netip.AddrPortFrom(q.dst, q.dport)
	var tcpSock *Socket
	if s, ok := h.conns[tupleOf(local, remote)]; ok && q.proto == ipv4ProtoTCP && !s.connDone {
		// tcp_v4_err acts only on a quote of what the connection has in
		// flight (the rest count as TcpExtOutOfWindowIcmps).
		if s.conn.ICMPInWindow(tcp.Seq(q.seq)) {
			tcpSock = s
		}
	}
	if m.Type == icmp.TypeDestUnreach && m.Code == icmp.CodeFragNeeded {
		if s := tcpSock; s != nil && s.requestSock() {
			// tcp_v4_err hands a request socket's errors to
			// tcp_req_err before any path-MTU handling, and that drops
			// the request only for a fatal error: this one changes
			// nothing, neither the route's MTU nor the SYN-ACK's MSS.
			return
		}
		mtu := h.learnPMTU(q.dst, int(m.NextHopMTU()), q.totalLen)
		if q.proto == icmp.Protocol {
			h.pingError(m, q, from, EMSGSIZE)
		}
		if s := tcpSock; s != nil && s.acceptsPMTU() {
			s.conn.PathMTUReduced(now, mtu)
			s.flush()
		}
		return
	}
	errno, hard := icmpErrno(m)
	switch q.proto {
	case ipv4ProtoTCP:
		s := tcpSock
		if s == nil {
			break
		}
		// tcp_v4_err: network and host unreachable may undo a backoff
		// (RFC 6069, tcp_ld_RTO_revert) before the state decides whether
		// the error is fatal; a request socket goes to tcp_req_err instead.
		changed := false
		if m.Type == icmp.TypeDestUnreach && (m.Code == icmp.CodeNetUnreach || m.Code == icmp.CodeHostUnreach) && !s.requestSock() {
			changed = s.conn.RevertRTO(now, tcp.Seq(q.seq))
		}
		if s.handshakeFatal(m) {
			s.conn.Unreachable(now, errno)
			changed = true
		}
		if changed {
			s.flush()
		}
	case icmp.Protocol:
		h.pingError(m, q, from, errno)
	case protoNumUDP:
		s := h.dgram[protoUDP][q.sport]
		if s != nil && hard && s.dgram.connected && s.remote == remote {
			s.soError = errno
			h.notify(s, SockError, errno)
		}
	}
}

// handshakeFatal reports whether ICMP error m ends the connection of s if
// it is still in its handshake, as Linux's tcp_v4_err: always for an
// active open (SYN-SENT, or SYN-RECEIVED after a simultaneous open), and
// for a Fast Open child not yet accepted (a full socket in SYN_RECV, which
// tcp_done closes, leaving it in the accept queue with its data and the
// error). A child accepted already counts as synchronized (soft error),
// and a passive open without Fast Open, a request socket in Linux, is
// dropped only for network or host unreachable and time exceeded
// (tcp_req_err's abort), silently: its peer's next segment finds no
// connection and gets a reset. The connection ignores it in other states
// (tcp.Conn.Unreachable).
func (s *Socket) handshakeFatal(m icmp.Message) bool {
	switch {
	case s.requestSock():
		return m.Type == icmp.TypeTimeExceeded || m.Code == icmp.CodeNetUnreach || m.Code == icmp.CodeHostUnreach
	case s.conn.State() == tcp.SynReceived && s.parent == nil:
		return !s.server // an accepted child, or a simultaneous open
	}
	return true
}

// requestSock reports whether s is what Linux keeps as a request socket:
// a passive open without Fast Open still in SYN-RECEIVED, not accepted.
func (s *Socket) requestSock() bool {
	return s.conn.State() == tcp.SynReceived && s.parent != nil && !s.conn.FastOpenPassive()
}

// pingError queues error m, from, about the echo request q quotes on the
// ping socket of its identifier (the quote's type and code are sport),
// and wakes the socket.
func (h *Host) pingError(m icmp.Message, q quoted, from netip.Addr, errno Errno) {
	s := h.dgram[protoPing][q.echoID]
	if s == nil || q.sport>>8 != uint16(icmp.TypeEchoRequest) {
		return
	}
	d := s.dgram
	if len(d.errq) == maxPingErrors {
		d.errq = d.errq[1:]
	}
	d.errq = append(d.errq, PingError{Seq: q.echoSeq, From: from, Type: m.Type, Code: m.Code, Errno: errno})
	h.notify(s, SockError, errno)
}
