package drill

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// ICMPError is an ICMP error the script's network sends the stack about
// one of its segments: an inbound line such as
//
//	+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
//
// which packetdrill writes for a router that could not forward the
// segment 1:1461 (RFC 792, RFC 1191).
type ICMPError struct {
	// From is the address the message comes from: the script's peer, as in
	// packetdrill (a router's address would do as well: hosts act on the
	// quoted datagram, not on the sender).
	From netip.Addr
	// Type and Code are the ICMP type and code (3/4: fragmentation needed).
	Type, Code uint8
	// MTU is the next-hop MTU of fragmentation needed (RFC 1191 §4).
	MTU uint16
	// Quoted is the stack's segment the message quotes, with absolute
	// sequence numbers; its payload is only its length (the quote carries
	// the IP header, whose total length counts it, and the TCP ports and
	// sequence number).
	Quoted Segment
}

// ICMPStack is a Stack that takes ICMP errors (the host stack does). The
// runner fails an inbound ICMP line on a stack without it.
type ICMPStack interface {
	InjectICMP(now time.Duration, m *ICMPError)
}

// icmpTypes and icmpCodes are packetdrill's names (icmp_packet.c) of the
// ICMP errors a TCP stack acts on.
var icmpTypes = map[string]uint8{"unreachable": 3, "time_exceeded": 11}

var icmpCodes = map[string]uint8{
	"net_unreachable": 0, "host_unreachable": 1, "protocol_unreachable": 2,
	"port_unreachable": 3, "frag_needed": 4,
	"net_unknown": 6, "host_unknown": 7, "net_prohibited": 9, "host_prohibited": 10,
	"ttl_exceeded": 0, "frag_reassembly_time_exceeded": 1,
}

// icmpTypeCode reads a line's ICMP type and code names (or numbers).
func icmpTypeCode(p *Packet) (typ, code uint8, err error) {
	typ, ok := icmpTypes[p.ICMPType]
	if !ok {
		return 0, 0, fmt.Errorf("ICMP type %q is not an error a TCP stack acts on (unreachable, time_exceeded)", p.ICMPType)
	}
	if p.ICMPCode == "" {
		return typ, 0, nil
	}
	if c, ok := icmpCodes[p.ICMPCode]; ok {
		return typ, c, nil
	}
	n, perr := strconv.ParseUint(p.ICMPCode, 10, 8)
	if perr != nil {
		return 0, 0, fmt.Errorf("unknown ICMP code %q (frag_needed, port_unreachable, host_unreachable, ... or a number)", p.ICMPCode)
	}
	return typ, uint8(n), nil
}

// inboundICMP plays an inbound ICMP error about one of the stack's
// segments: "[start:end(len)]" names it in the stack's sequence space,
// as an outbound line would.
func (r *runner) inboundICMP(l *Line) error {
	if err := r.arrive(l); err != nil {
		return err
	}
	p := l.Packet
	st := r.st
	if w, ok := st.(interface{ Unwrap() Stack }); ok {
		st = w.Unwrap() // a Recorder: ask the stack it records
	}
	if _, ok := st.(ICMPStack); !ok {
		return r.fail(l, "ICMP packets are not supported by this stack")
	}
	is, ok := r.st.(ICMPStack)
	if !ok {
		return r.fail(l, "ICMP packets are not supported by this stack")
	}
	typ, code, err := icmpTypeCode(p)
	if err != nil {
		return r.fail(l, "%v", err)
	}
	echoed := p.Echoed
	if echoed == nil {
		// packetdrill's parser quotes a TCP segment 0:0(0) when the line
		// names none (opt_icmp_echoed): the ISN, which is in the window of
		// a connection still in its handshake.
		echoed = &EchoedPacket{Proto: ProtoTCP}
	}
	if echoed.Proto != ProtoTCP {
		return r.fail(l, "an inbound ICMP error must quote one of the stack's TCP segments, as [1:1461(1460)]")
	}
	if typ == 3 && code == 4 && !p.HasMTU {
		return r.fail(l, "fragmentation needed without \"mtu N\" (RFC 1191 routers send the next-hop MTU)")
	}
	m := &ICMPError{From: r.cfg.Remote, Type: typ, Code: code, MTU: uint16(min(p.MTU, 65535)),
		Quoted: Segment{
			Src: tcp.Endpoint{Addr: r.cfg.Local, Port: r.localPort},
			Dst: tcp.Endpoint{Addr: r.cfg.Remote, Port: r.remotePort},
		}}
	if p.HasPorts {
		m.Quoted.Src.Port, m.Quoted.Dst.Port = p.DstPort, p.SrcPort
	}
	h := &m.Quoted.Header
	h.SrcPort, h.DstPort = m.Quoted.Src.Port, m.Quoted.Dst.Port
	h.Seq = r.localISN + tcp.Seq(echoed.Start)
	h.Flags = tcp.FlagACK
	m.Quoted.Payload = make([]byte, echoed.Len)
	is.InjectICMP(r.now, m)
	r.settle()
	return r.err
}
