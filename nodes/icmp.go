package nodes

import (
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// This file is ICMP in hosts and routers (RFC 792, RFC 1122 §3.2.2, RFC
// 1812 §4.3): the errors a node sends about a datagram it cannot deliver,
// limited as Linux's icmp_ratelimit, and what a host does with the
// messages it receives.

// ICMPRateLimit is Linux's net.ipv4.icmp_ratelimit: an error to one
// destination costs this much of its token bucket.
const ICMPRateLimit = time.Second

// icmpBurst is XRLIM_BURST_FACTOR: a bucket holds at most this many
// messages' worth of tokens.
const icmpBurst = 6

// icmpBucket is one destination's tokens (Linux inet_peer rate_tokens and
// rate_last).
type icmpBucket struct {
	tokens time.Duration
	last   sim.Time
}

// icmpAllowed reports whether the node may send an error of type t and
// code to dst now, and takes a token when it may. As Linux's
// icmpv4_xrlim_allow with the default icmp_ratemask: destination
// unreachable, source quench, time exceeded and parameter problem are
// limited, fragmentation needed is not (path-MTU discovery must not
// black-hole), nor is anything to the node itself. A destination not seen
// before starts with a full bucket (inet_getpeer dates rate_last a minute
// back), so the first six errors go at once, then one per second.
func (n *node) icmpAllowed(dst netip.Addr, t icmp.Type, code uint8) bool {
	switch {
	case t == icmp.TypeDestUnreach && code == icmp.CodeFragNeeded, dst == n.addr:
		return true
	case t != icmp.TypeDestUnreach && t != icmp.TypeSourceQuench && t != icmp.TypeTimeExceeded && t != icmp.TypeParamProblem:
		return true
	}
	now := n.net.sched.Now()
	b := n.icmpPeers[dst]
	if b == nil {
		if n.icmpPeers == nil {
			n.icmpPeers = make(map[netip.Addr]*icmpBucket)
		}
		b = &icmpBucket{tokens: icmpBurst * ICMPRateLimit, last: now}
		n.icmpPeers[dst] = b
	}
	b.tokens = min(b.tokens+now.Sub(b.last), icmpBurst*ICMPRateLimit)
	b.last = now
	if b.tokens < ICMPRateLimit {
		return false
	}
	b.tokens -= ICMPRateLimit
	return true
}

// tooBig drops p, a Don't Fragment datagram larger than out's MTU
// ("mtu"), and answers it with fragmentation needed and that MTU (RFC
// 1191 §4), as a router's ip_forward and a host's own ip_fragment do.
func (n *node) tooBig(p *topology.Packet, out *Interface, route func(netip.Addr) *Interface) {
	n.drop(p, sim.DropMTU)
	n.icmpError(p, icmp.Unreachable(icmp.CodeFragNeeded, uint16(min(out.MTU(), 0xffff))), route)
}

// icmpError answers the datagram of p (orig, its IPv4 bytes) with error m from
// the node's address, quoting as much of orig as keeps the answer within
// 576 bytes, out of the interface route chooses toward orig's source. It
// sends nothing, as RFC 1122 §3.2.2 and RFC 1812 §4.3.2.7 require, about
// an ICMP error, a fragment other than the first, a datagram from an
// address that names no single host, or when the rate limit says no. It
// reports whether it sent.
func (n *node) icmpError(p *topology.Packet, m icmp.Message, route func(netip.Addr) *Interface) bool {
	p.Complete() // the quote carries the transport checksum the sender wrote
	orig := p.Data
	if len(orig) < ipv4.HeaderLen || !n.addr.IsValid() {
		return false
	}
	ihl := int(orig[0]&0xf) * 4
	src := netip.AddrFrom4([4]byte(orig[12:16]))
	frag := uint16(orig[6]&0x1f)<<8 | uint16(orig[7])
	switch {
	case frag != 0, src.IsUnspecified(), src.IsMulticast(), src == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return false
	case orig[9] == icmp.Protocol && ihl >= ipv4.HeaderLen && len(orig) > ihl && icmp.Type(orig[ihl]).IsError():
		return false
	}
	if !n.icmpAllowed(src, m.Type, m.Code) {
		return false
	}
	quote := orig[:min(len(orig), icmp.QuoteLen)]
	n.icmpSend(route(src), src, m, quote, false)
	return true
}

// icmpSend sends message m with body from the node's address to dst out
// of ifc (nil: no route, dropped "noroute"). As Linux's ICMP socket
// (pmtudisc IP_PMTUDISC_DONT), errors and echo replies go without Don't
// Fragment; a ping socket's echo requests set it (df).
func (n *node) icmpSend(ifc *Interface, dst netip.Addr, m icmp.Message, body []byte, df bool) {
	size := ipv4.HeaderLen + icmp.HeaderLen + len(body)
	p := n.net.newPacket(size)
	b := m.AppendTo(p.Data[:ipv4.HeaderLen], body)
	n.putIPv4Header(b, dst, icmp.Protocol, df, false, 0)
	p.Data = b
	if n.net.trace != nil {
		n.traceSendRaw(p, ifc, dst, icmp.Protocol, 0, 0, icmp.HeaderLen+len(body))
	}
	n.transmit(p, ifc)
}

// putIPv4Header writes the IPv4 header (20 bytes, no options) at the
// start of b, whose length is the whole datagram: as Linux sends it, TTL
// 64, the ID counting per node, Don't Fragment when df, ECT(0) when ect,
// the DSCP of the type-of-service byte tos (its ECN bits are ignored).
func (n *node) putIPv4Header(b []byte, dst netip.Addr, proto uint8, df, ect bool, tos uint8) {
	n.ipID++
	ih := ipv4.New(n.addr, dst, proto)
	ih.ID = n.ipID
	ih.DSCP = tos >> 2
	if !df {
		ih.Flags = 0
	}
	if ect {
		ih.ECN = ipv4.ECNECT0
	}
	// The addresses are IPv4 and the length was checked by the caller:
	// the encoder cannot fail.
	_, _ = ih.AppendHeaderTo(b[:0], len(b)-ipv4.HeaderLen)
}

// transmit sends the node's own datagram p out of ifc, or drops it
// ("noroute" without an interface, "mtu" when it does not fit: netsim
// does not fragment).
func (n *node) transmit(p *topology.Packet, ifc *Interface) {
	switch {
	case ifc == nil:
		n.drop(p, sim.DropNoRoute)
	case len(p.Data) > ifc.MTU():
		n.drop(p, sim.DropMTU)
	default:
		n.sent++
		ifc.send(p)
	}
}

// traceSendRaw emits the pkt.send record of a datagram the node made that
// is not TCP.
func (n *node) traceSendRaw(p *topology.Packet, ifc *Interface, dst netip.Addr, proto uint8, sport, dport uint16, plen int) {
	ev := &n.net.ev.send
	*ev = sim.PacketSend{ID: p.ID, Len: len(p.Data), Src: n.addr, Dst: dst, Proto: proto, SPort: sport, DPort: dport, PLen: plen}
	if ifc != nil {
		ev.Iface = ifc.name
	}
	n.net.emit(n.subject, ev)
}

// quoted is what an ICMP error tells of the datagram it answers: its
// addresses, protocol and (for TCP and UDP) ports, read from the quoted
// IPv4 header and the 8 bytes after it.
type quoted struct {
	src, dst     netip.Addr
	proto        uint8
	sport, dport uint16
	// echoID and echoSeq are an echo request's identifier and sequence
	// number, the quote's bytes 4 to 7 past the IPv4 header.
	echoID, echoSeq uint16
	// seq is a TCP segment's sequence number (the same bytes 4 to 7).
	seq      uint32
	totalLen int
}

// parseQuoted reads the datagram an ICMP error quotes; false when the
// quote is too short to name it (RFC 792: the header and 64 bits).
func parseQuoted(b []byte) (quoted, bool) {
	if len(b) < ipv4.HeaderLen || b[0]>>4 != ipv4.Version {
		return quoted{}, false
	}
	ihl := int(b[0]&0xf) * 4
	if ihl < ipv4.HeaderLen || len(b) < ihl+8 {
		return quoted{}, false
	}
	q := quoted{
		src:      netip.AddrFrom4([4]byte(b[12:16])),
		dst:      netip.AddrFrom4([4]byte(b[16:20])),
		proto:    b[9],
		sport:    uint16(b[ihl])<<8 | uint16(b[ihl+1]),
		dport:    uint16(b[ihl+2])<<8 | uint16(b[ihl+3]),
		echoID:   uint16(b[ihl+4])<<8 | uint16(b[ihl+5]),
		echoSeq:  uint16(b[ihl+6])<<8 | uint16(b[ihl+7]),
		seq:      uint32(b[ihl+4])<<24 | uint32(b[ihl+5])<<16 | uint32(b[ihl+6])<<8 | uint32(b[ihl+7]),
		totalLen: int(b[2])<<8 | int(b[3]),
	}
	return q, true
}

// icmpInput handles an ICMP message delivered to the host (p is its
// datagram, seg the ICMP bytes): an echo request is answered, an echo
// reply goes to the ping socket of its identifier, an error to the socket
// of the datagram it quotes. A message with a wrong checksum is dropped.
func (h *Host) icmpInput(in *Interface, p *topology.Packet, src netip.Addr, seg []byte) {
	m, body, err := icmp.Decode(seg)
	if err != nil {
		h.drop(p, icmpDropReason(err))
		return
	}
	switch {
	case m.Type == icmp.TypeEchoRequest:
		// RFC 1122 §3.2.2.6: the reply carries the request's identifier,
		// sequence number and data.
		h.traceDeliver(p, in, 0)
		h.stats.icmpSent++
		h.icmpSend(h.route(src), src, icmp.Echo(icmp.TypeEchoReply, m.ID(), m.Seq()), body, false)
	case m.Type == icmp.TypeEchoReply:
		s := h.dgram[protoPing][m.ID()]
		if s == nil {
			h.drop(p, sim.DropNoPort)
			return
		}
		s.dgramInput(p, in, netip.AddrPortFrom(src, 0), seg)
	case m.Type == icmp.TypeDestUnreach || m.Type == icmp.TypeTimeExceeded:
		h.traceDeliver(p, in, 0)
		if q, ok := parseQuoted(body); ok && q.src == h.addr {
			h.icmpErrorInput(m, q, src)
		}
	default:
		h.traceDeliver(p, in, 0) // RFC 1122 §3.2.2: unknown types are ignored
	}
	h.dispatch()
}

// icmpDropReason names the drop of an ICMP message that does not decode.
func icmpDropReason(err error) string {
	if de, ok := err.(*icmp.DecodeError); ok && de.Err == icmp.ErrChecksum {
		return sim.DropChecksum
	}
	return sim.DropMalformed
}
