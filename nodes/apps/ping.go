package apps

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/udp"
	"github.com/netsimlab/netsim/sim"
)

// DefaultPingSize is ping(8)'s default data size: 56 bytes, 64 with the
// ICMP header.
const DefaultPingSize = 56

// pingStampLen is the send time ping(8) writes at the start of the data
// when there is room (a struct timeval; here 8 bytes of ns).
const pingStampLen = 8

// Ping sends Count ICMP echo requests (0: until the end of the run) of
// Size data bytes to To, one every Interval, with icmp_seq from 1, over a
// ping socket, as ping(8) does. Records: send per request (count: the
// icmp_seq), reply per echo reply (count, peer, bytes of the ICMP
// message, latency: the round-trip time), an error of call sendto for a
// request the host refused (ENETUNREACH, EMSGSIZE), and an error of call
// recvmsg for an ICMP error that answered a request (count, peer: who
// sent it, errno: EHOSTUNREACH, ENETUNREACH, EMSGSIZE...).
type Ping struct {
	To       netip.Addr
	Interval time.Duration
	Count    int
	Size     int
	// Stop, when not 0, is the end of the run: no request goes at or
	// after it, as ping(8) -w stops at its deadline before sending one
	// more (a request sent as the run ends could get no reply, and would
	// count as lost on a path that loses nothing).
	Stop sim.Time

	// Sent and Received count requests and replies, Errors the ICMP
	// errors that answered requests; RTTs holds the round-trip times in
	// the order the replies came.
	Sent, Received, Errors int
	RTTs                   []time.Duration

	ctx  *Context
	fd   int
	seq  int
	sent map[uint16]sim.Time
	msg  []byte
	buf  []byte
	tick *sim.Timer
}

// Type returns "ping".
func (p *Ping) Type() string { return "ping" }

// Start opens the ping socket and sends the first request.
func (p *Ping) Start(ctx *Context) error {
	// The largest data is 65507 bytes (ping(8)'s limit): with the ICMP
	// header (8, as UDP's) and IPv4's 20, a 65535-byte datagram.
	if p.Interval <= 0 || p.Count < 0 || p.Size < 0 || p.Size > udp.MaxPayload {
		return nodes.EINVAL
	}
	h := ctx.Host
	fd, err := h.SocketPing()
	if err != nil {
		return err
	}
	p.ctx, p.fd, p.sent = ctx, fd, map[uint16]sim.Time{}
	p.msg = make([]byte, icmp.HeaderLen+p.Size)
	p.buf = make([]byte, icmp.HeaderLen+p.Size+64)
	if err := h.SetHandler(fd, p.event); err != nil {
		return err
	}
	p.tick = ctx.After(0, p.send)
	return nil
}

// send sends the next echo request and schedules the one after.
func (p *Ping) send() {
	now := p.ctx.Now()
	if p.Stop > 0 && now >= p.Stop {
		return
	}
	p.seq++
	m := icmp.Echo(icmp.TypeEchoRequest, 0, uint16(p.seq))
	b := m.AppendTo(p.msg[:0], p.msg[icmp.HeaderLen:])
	if p.Size >= pingStampLen {
		binary.BigEndian.PutUint64(b[icmp.HeaderLen:], uint64(now))
	}
	if _, err := p.ctx.Host.SendTo(p.fd, b, netip.AddrPortFrom(p.To, 0)); err != nil {
		// ping(8) counts the request as transmitted and as an error.
		p.ctx.Emit(sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo,
			Call: "sendto", Errno: errName(err), Count: int64(p.seq), To: netip.AddrPortFrom(p.To, 0)})
	} else {
		p.Sent++
		p.sent[uint16(p.seq)] = now
		p.ctx.Emit(sim.App{Event: sim.AppSend, Has: sim.AppHasCount | sim.AppHasTo | sim.AppHasBytes,
			Count: int64(p.seq), To: netip.AddrPortFrom(p.To, 0), Bytes: int64(len(b))})
	}
	if p.Count == 0 || p.seq < p.Count {
		_ = p.tick.Reset(now.Add(p.Interval))
	}
}

// event reads the echo replies waiting, and the ICMP errors about the
// requests.
func (p *Ping) event(fd int, ev nodes.SocketEvent, _ nodes.Errno) {
	if ev == nodes.SockError {
		p.errors(fd)
		return
	}
	if ev != nodes.SockReadable {
		return
	}
	for {
		n, from, err := p.ctx.Host.RecvFrom(fd, p.buf)
		if err != nil {
			return
		}
		m, _, err := icmp.Decode(p.buf[:n])
		if err != nil {
			continue
		}
		at, ok := p.sent[m.Seq()]
		if !ok {
			continue // a duplicate (DUP! in ping(8)) or a stray
		}
		delete(p.sent, m.Seq())
		rtt := p.ctx.Now().Sub(at)
		p.Received++
		p.RTTs = append(p.RTTs, rtt)
		p.ctx.Emit(sim.App{Event: sim.AppReply, Has: sim.AppHasCount | sim.AppHasPeer | sim.AppHasBytes | sim.AppHasLatency,
			Count: int64(m.Seq()), Peer: from, Bytes: int64(n), Latency: rtt})
	}
}

// errors reads the ICMP errors waiting about the app's requests, as ping(8)
// reads its socket's error queue (IP_RECVERR) and prints "From 100.64.0.1
// icmp_seq=3 Destination Host Unreachable": each is traced as an error
// of call recvmsg, with the request's icmp_seq (count) and the node that
// sent the error (peer), and counted in Errors; the request stays lost.
func (p *Ping) errors(fd int) {
	for {
		e, ok, err := p.ctx.Host.RecvError(fd)
		if err != nil || !ok {
			return
		}
		if _, mine := p.sent[e.Seq]; !mine {
			continue // about a request already answered, or not this app's
		}
		delete(p.sent, e.Seq)
		p.Errors++
		p.ctx.Emit(sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno | sim.AppHasCount | sim.AppHasTo | sim.AppHasPeer,
			Call: "recvmsg", Errno: e.Errno.String(), Count: int64(e.Seq), To: netip.AddrPortFrom(p.To, 0), Peer: netip.AddrPortFrom(e.From, 0)})
	}
}
