package plots

import (
	"fmt"
	"sort"
	"time"

	"github.com/netsimlab/netsim/sim"
)

// This file builds synthetic traces that follow the vocabulary of
// sim/kinds.go, record by record and field by field, with a tiny network
// (FIFO links with serialization and propagation delay, routers, scripted
// TCP ends) driven by the real scheduler. They stand in for the traces of
// topology/ and nodes/ in the tests.

type synthNet struct {
	s      *sim.Scheduler
	rec    sim.Recorder
	nextID int64
	addr   map[string]string // host -> address
	router map[string]bool
	dirs   map[string]*synthDir // "from>to"
	next   map[string]string    // "node>dsthost" -> next node
	// drop decides the fate of a packet entering a link direction: "" to
	// pass, or a drop reason ("queue" drops at the queue, "loss" on the
	// wire).
	drop  func(p *synthPkt, d *synthDir) string
	conns int
}

type synthDir struct {
	subject  string
	from, to string
	rate     float64 // bits per second
	delay    time.Duration
	busy     sim.Time
	waiting  int64
	qbytes   int64
	limit    int64
	count    int // packets offered so far
	overhead int64
}

type synthPkt struct {
	id       int64
	size     int64
	src, dst string
	fromHost string
	toHost   string
	tcp      bool
	proto    int64 // when not TCP: 17 (UDP, the default) or 1 (ICMP)
	// TCP header (and the UDP ports and payload), relative and absolute.
	sport, dport int64
	flags        string
	seq, ack     int64
	rseq, rack   int64
	win, plen    int64
	opts         string
	conn         int
	onDeliver    func(p *synthPkt)
}

func newSynthNet() *synthNet {
	return &synthNet{
		s:      sim.NewScheduler(),
		addr:   map[string]string{},
		router: map[string]bool{},
		dirs:   map[string]*synthDir{},
		next:   map[string]string{},
		drop:   func(*synthPkt, *synthDir) string { return "" },
	}
}

func (n *synthNet) host(name, addr string) { n.addr[name] = addr }

// link adds both directions of a link.
func (n *synthNet) link(name, a, b string, rate float64, delay time.Duration, limit int64) {
	for _, d := range [][2]string{{a, b}, {b, a}} {
		n.dirs[d[0]+">"+d[1]] = &synthDir{subject: fmt.Sprintf("link/%s/%s>%s", name, d[0], d[1]), from: d[0], to: d[1], rate: rate, delay: delay, limit: limit}
	}
}

// route sets the next hop from node towards host dst.
func (n *synthNet) route(node, dst, via string) { n.next[node+">"+dst] = via }

// synthAccess is a sender host, its address and the name of its
// 100 Mbit/s, 1 ms access link to the router r.
type synthAccess struct{ host, addr, link string }

// viaBottleneck builds the senders, each on its access link to router r,
// and r's bottleneck link (rate, delay, queue limit) to the host b at
// 10.0.2.1, with routes both ways through r.
func (n *synthNet) viaBottleneck(senders []synthAccess, rate float64, delay time.Duration, limit int64) {
	n.host("b", "10.0.2.1")
	n.router["r"] = true
	for _, a := range senders {
		n.host(a.host, a.addr)
		n.link(a.link, a.host, "r", 100e6, time.Millisecond, 0)
	}
	n.link("bottleneck", "r", "b", rate, delay, limit)
	for _, a := range senders {
		n.route(a.host, "b", "r")
		n.route("b", a.host, "r")
	}
}

func (n *synthNet) emit(kind sim.Kind, subject string, fields ...tfield) {
	r := record(n.s.Now(), kind, subject, fields...)
	n.rec.Emit(&r)
}

func (n *synthNet) at(t sim.Time, fn func()) {
	if _, err := n.s.At(t, fn); err != nil {
		panic(err) // a broken test fixture
	}
}

func (n *synthNet) after(d time.Duration, fn func()) {
	if _, err := n.s.After(d, fn); err != nil {
		panic(err)
	}
}

// send is a host handing a datagram to its interface: pkt.send, then the
// first hop.
func (n *synthNet) send(p *synthPkt) {
	n.nextID++
	p.id = n.nextID
	p.src, p.dst = n.addr[p.fromHost], n.addr[p.toHost]
	fs := []tfield{tInt("id", p.id), tStr("iface", "eth0"), tInt("len", p.size),
		tStr("src", p.src), tStr("dst", p.dst)}
	if p.tcp {
		fs = append(fs, tInt("proto", 6), tInt("sport", p.sport), tInt("dport", p.dport),
			tStr("flags", p.flags), tUint("seq", uint64(p.seq)), tUint("ack", uint64(p.ack)),
			tInt("rseq", p.rseq), tInt("rack", p.rack), tInt("win", p.win), tInt("plen", p.plen),
			tStr("opts", p.opts), tInt("conn", int64(p.conn)))
	} else if p.proto == 1 {
		fs = append(fs, tInt("proto", 1))
	} else {
		fs = append(fs, tInt("proto", 17), tInt("sport", p.sport), tInt("dport", p.dport), tInt("plen", p.plen))
	}
	n.emit(sim.KindPacketSend, "host/"+p.fromHost, fs...)
	n.forward(p.fromHost, p)
}

func (n *synthNet) forward(node string, p *synthPkt) {
	nx, ok := n.next[node+">"+p.toHost]
	if !ok {
		nx = p.toHost
	}
	d := n.dirs[node+">"+nx]
	d.count++
	reason := n.drop(p, d)
	if reason == sim.DropQueue || d.limit > 0 && d.waiting >= d.limit {
		n.emit(sim.KindPacketDrop, d.subject, tInt("id", p.id), tInt("len", p.size), tStr("reason", sim.DropQueue))
		return
	}
	d.waiting++
	d.qbytes += p.size
	n.emit(sim.KindPacketEnqueue, d.subject, tInt("id", p.id), tInt("len", p.size), tInt("qlen", d.waiting), tInt("qbytes", d.qbytes))
	tx := max(n.s.Now(), d.busy)
	ser := time.Duration(float64(p.size*8) / d.rate * 1e9)
	d.busy = tx.Add(ser)
	n.at(tx, func() {
		d.waiting--
		d.qbytes -= p.size
		arrive := n.s.Now().Add(ser + d.delay)
		n.emit(sim.KindPacketTx, d.subject, tInt("id", p.id), tInt("len", p.size), tInt("qlen", d.waiting), tInt("qbytes", d.qbytes), tInt("arrive", int64(arrive)))
		if reason == sim.DropLoss {
			n.after(ser, func() {
				n.emit(sim.KindPacketDrop, d.subject, tInt("id", p.id), tInt("len", p.size), tStr("reason", sim.DropLoss))
			})
			return
		}
		n.at(arrive, func() {
			n.emit(sim.KindPacketRx, d.subject, tInt("id", p.id), tInt("len", p.size), tBool("corrupt", false))
			if n.router[d.to] {
				n.emit(sim.KindPacketForward, "router/"+d.to, tInt("id", p.id), tStr("iface", "eth1"), tInt("ttl", 63))
				n.forward(d.to, p)
				return
			}
			fs := []tfield{tInt("id", p.id), tStr("iface", "eth0"), tInt("len", p.size)}
			if p.tcp {
				fs = append(fs, tInt("conn", int64(p.conn)))
			}
			n.emit(sim.KindPacketDeliver, "host/"+d.to, fs...)
			if p.onDeliver != nil {
				p.onDeliver(p)
			}
		})
	})
}

// synthEnd is a scripted TCP end: enough of TCP (handshake, slow start,
// cumulative and selective ACKs, fast retransmit, RTO, close) to give
// realistic traces.
type synthEnd struct {
	n          *synthNet
	host       string
	port       int64
	isn        int64
	side       string
	conn       int
	peer       *synthEnd
	state      string
	wscale     int
	opts       string // SYN options
	mss        int64
	rcvNxt     int64      // relative to the peer's ISN
	ooo        [][2]int64 // out-of-order blocks received
	sndUna     int64
	sndNxt     int64
	toSend     int64 // payload bytes the application still has to send
	cwnd       int64
	ssthresh   int64
	dupacks    int
	sentAt     map[int64]sim.Time
	srtt       int64
	onEstab    func()
	closeAfter bool // close once all data is acknowledged
	finSent    bool
	rtoArmed   int // generation of the RTO timer
}

func (n *synthNet) tcpPair(client, server string, cport, sport int64, opts string) (*synthEnd, *synthEnd) {
	n.conns++
	c := &synthEnd{n: n, host: client, port: cport, isn: 1_000_000 + 7*int64(n.conns), side: "client", conn: n.conns, state: "CLOSED", wscale: 7, opts: opts, mss: 1448, cwnd: 10 * 1448, ssthresh: 1 << 31, sentAt: map[int64]sim.Time{}}
	s := &synthEnd{n: n, host: server, port: sport, isn: 3_000_000_000 + 11*int64(n.conns), side: "server", conn: n.conns, state: "LISTEN", wscale: 7, opts: opts, mss: 1448, cwnd: 10 * 1448, ssthresh: 1 << 31, sentAt: map[int64]sim.Time{}}
	c.peer, s.peer = s, c
	return c, s
}

func (e *synthEnd) setState(to string) {
	e.n.emit(sim.KindTCPState, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side),
		tStr("local", fmt.Sprintf("%s:%d", e.n.addr[e.host], e.port)),
		tStr("remote", fmt.Sprintf("%s:%d", e.n.addr[e.peer.host], e.peer.port)),
		tStr("from", e.state), tStr("to", to))
	e.state = to
}

func (e *synthEnd) cwndRec(reason string) {
	e.n.emit(sim.KindTCPCwnd, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side),
		tInt("cwnd", e.cwnd), tInt("ssthresh", e.ssthresh), tStr("reason", reason))
}

// seg sends one segment with relative numbers.
func (e *synthEnd) seg(flags string, rseq, plen int64, opts string) {
	win := int64(65535)
	if flags != "S" && flags != "S." {
		win = 64240 >> e.wscale
	} else {
		win = 64240
	}
	if opts == "" && e.state == "ESTABLISHED" && len(e.ooo) > 0 {
		opts = "nop,nop,sack"
		for _, b := range e.ooo {
			// As the trace prints them: absolute, as on the wire.
			opts += fmt.Sprintf(" %d:%d", uint32(e.peer.isn+b[0]), uint32(e.peer.isn+b[1]))
		}
	}
	rack := e.rcvNxt
	if flags == "S" {
		rack = 0
	}
	p := &synthPkt{tcp: true, fromHost: e.host, toHost: e.peer.host, sport: e.port, dport: e.peer.port, flags: flags,
		seq: (e.isn + rseq) & 0xffffffff, rseq: rseq, rack: rack, win: win, plen: plen, opts: opts, conn: e.conn,
		size: 20 + 20 + int64(len(opts)/4*4) + plen}
	if flags != "S" {
		p.ack = (e.peer.isn + rack) & 0xffffffff
	}
	p.onDeliver = func(p *synthPkt) { e.peer.receive(p) }
	if plen > 0 || flags == "S" || flags == "S." || hasFlag(flags, 'F') {
		if _, ok := e.sentAt[rseq]; !ok {
			e.sentAt[rseq] = e.n.s.Now()
		}
	}
	e.n.send(p)
}

// connect starts the handshake now.
func (e *synthEnd) connect() {
	e.setState("SYN-SENT")
	e.sndNxt = 1
	e.seg("S", 0, 0, e.opts)
	e.armRTO(time.Second, 1)
}

func (e *synthEnd) armRTO(d time.Duration, gen int) {
	e.rtoArmed = gen
	e.n.after(d, func() {
		if e.rtoArmed != gen {
			return
		}
		switch {
		case e.state == "SYN-SENT":
			e.n.emit(sim.KindTCPTimer, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side), tStr("timer", "rto"))
			e.n.emit(sim.KindTCPRetransmit, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side), tInt("rseq", 0), tInt("len", 0), tStr("reason", "syn"))
			e.seg("S", 0, 0, e.opts)
			e.armRTO(2*d, gen+1)
		case e.sndUna < e.sndNxt && e.state == "ESTABLISHED":
			e.n.emit(sim.KindTCPTimer, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side), tStr("timer", "rto"))
			e.ssthresh = max(e.cwnd/2, 2*e.mss)
			e.cwnd = e.mss
			e.cwndRec("rto")
			plen := min(e.mss, e.sndNxt-e.sndUna)
			e.n.emit(sim.KindTCPRetransmit, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side), tInt("rseq", e.sndUna), tInt("len", plen), tStr("reason", "rto"))
			e.seg("P.", e.sndUna, plen, "")
			e.armRTO(2*d, gen+1)
		}
	})
}

// write queues n bytes for sending once established.
func (e *synthEnd) write(n int64) {
	e.toSend += n
	e.pump()
}

// pump sends what cwnd allows.
func (e *synthEnd) pump() {
	if e.state != "ESTABLISHED" && e.state != "CLOSE-WAIT" {
		return
	}
	for e.toSend > 0 && e.sndNxt-e.sndUna+min(e.mss, e.toSend) <= e.cwnd {
		plen := min(e.mss, e.toSend)
		e.seg("P.", e.sndNxt, plen, "")
		if e.sndUna == e.sndNxt {
			e.armRTO(300*time.Millisecond, e.rtoArmed+1)
		}
		e.sndNxt += plen
		e.toSend -= plen
	}
	if e.toSend == 0 && e.closeAfter && !e.finSent && e.sndUna == e.sndNxt {
		e.close()
	}
}

func (e *synthEnd) close() {
	e.finSent = true
	switch e.state {
	case "ESTABLISHED":
		e.setState("FIN-WAIT-1")
	case "CLOSE-WAIT":
		e.setState("LAST-ACK")
	}
	e.seg("F.", e.sndNxt, 0, "")
	e.sndNxt++
}

func (e *synthEnd) receive(p *synthPkt) {
	switch {
	case p.flags == "S" && e.state == "LISTEN":
		e.setState("SYN-RECEIVED")
		e.rcvNxt = 1
		e.sndNxt = 1
		e.seg("S.", 0, 0, e.opts)
	case p.flags == "S" && e.state == "SYN-RECEIVED":
		e.seg("S.", 0, 0, e.opts) // the SYN-ACK was lost: answer again
	case p.flags == "S." && e.state == "SYN-SENT":
		e.rcvNxt = 1
		e.sndUna = 1
		e.rtoArmed++
		e.setState("ESTABLISHED")
		e.seg(".", 1, 0, "")
		e.rttSample(p)
		if e.onEstab != nil {
			e.onEstab()
		}
		e.pump()
	case e.state == "SYN-RECEIVED" && hasFlag(p.flags, '.'):
		e.sndUna = 1
		e.setState("ESTABLISHED")
		if e.onEstab != nil {
			e.onEstab()
		}
		e.data(p)
	default:
		e.ackIn(p)
		e.data(p)
	}
}

func (e *synthEnd) rttSample(p *synthPkt) {
	sent, ok := e.sentAt[p.rack-1]
	if p.rack == 1 {
		sent, ok = e.sentAt[0]
	}
	if !ok {
		return
	}
	sample := int64(e.n.s.Now() - sent)
	if e.srtt == 0 {
		e.srtt = sample
	} else {
		e.srtt = (7*e.srtt + sample) / 8
	}
	e.n.emit(sim.KindTCPRTT, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side),
		tInt("sample", sample), tInt("srtt", e.srtt), tInt("rttvar", sample/2), tInt("rto", max(e.srtt+200_000_000, 0)))
}

// ackIn processes the ACK field: new data acknowledged, or a duplicate.
func (e *synthEnd) ackIn(p *synthPkt) {
	if !hasFlag(p.flags, '.') {
		return
	}
	switch {
	case p.rack > e.sndUna:
		acked := p.rack - e.sndUna
		e.sndUna = p.rack
		e.dupacks = 0
		if sent, ok := e.sentAt[p.rack-min(acked, e.mss)]; ok {
			sample := int64(e.n.s.Now() - sent)
			e.srtt = (7*e.srtt + sample) / 8
			if e.srtt == 0 {
				e.srtt = sample
			}
			e.n.emit(sim.KindTCPRTT, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side),
				tInt("sample", sample), tInt("srtt", e.srtt), tInt("rttvar", sample/4), tInt("rto", e.srtt+200_000_000))
		}
		if e.toSend > 0 || e.sndNxt > e.sndUna {
			if e.cwnd < e.ssthresh {
				e.cwnd += min(acked, e.mss)
			} else {
				e.cwnd += e.mss * e.mss / e.cwnd
			}
			e.cwndRec("ack")
		}
		if e.sndUna < e.sndNxt {
			e.armRTO(300*time.Millisecond, e.rtoArmed+1)
		} else {
			e.rtoArmed++
		}
		switch e.state {
		case "FIN-WAIT-1":
			if e.sndUna == e.sndNxt {
				e.setState("FIN-WAIT-2")
			}
		case "LAST-ACK":
			if e.sndUna == e.sndNxt {
				e.setState("CLOSED")
			}
		}
		e.pump()
	case p.rack == e.sndUna && p.plen == 0 && e.sndNxt > e.sndUna && !hasFlag(p.flags, 'F'):
		e.dupacks++
		if e.dupacks == 3 {
			// RFC 5681 §3.2: fast retransmit on the third duplicate ACK.
			e.ssthresh = max((e.sndNxt-e.sndUna)/2, 2*e.mss)
			e.cwnd = e.ssthresh + 3*e.mss
			e.cwndRec("fast")
			plen := min(e.mss, e.sndNxt-e.sndUna)
			e.n.emit(sim.KindTCPRetransmit, "host/"+e.host, tInt("conn", int64(e.conn)), tStr("side", e.side),
				tInt("rseq", e.sndUna), tInt("len", plen), tStr("reason", "fast"))
			e.seg("P.", e.sndUna, plen, "")
		}
	}
}

// data processes payload and FIN, and acknowledges.
func (e *synthEnd) data(p *synthPkt) {
	if p.plen == 0 && !hasFlag(p.flags, 'F') {
		return
	}
	end := p.rseq + p.plen
	switch {
	case p.rseq == e.rcvNxt:
		e.rcvNxt = end
		// Pull in out-of-order blocks now contiguous.
		for changed := true; changed; {
			changed = false
			for i, b := range e.ooo {
				if b[0] <= e.rcvNxt {
					e.rcvNxt = max(e.rcvNxt, b[1])
					e.ooo = append(e.ooo[:i], e.ooo[i+1:]...)
					changed = true
					break
				}
			}
		}
	case p.rseq > e.rcvNxt:
		merged := false
		for i := range e.ooo {
			if e.ooo[i][1] == p.rseq {
				e.ooo[i][1] = end
				merged = true
			}
		}
		if !merged {
			e.ooo = append(e.ooo, [2]int64{p.rseq, end})
		}
	}
	if hasFlag(p.flags, 'F') && p.rseq+p.plen == e.rcvNxt {
		e.rcvNxt++
		switch e.state {
		case "ESTABLISHED":
			e.setState("CLOSE-WAIT")
			e.seg(".", e.sndNxt, 0, "")
			e.n.after(time.Millisecond, func() { e.close() })
			return
		case "FIN-WAIT-2", "FIN-WAIT-1":
			e.setState("TIME-WAIT")
		}
	}
	e.seg(".", e.sndNxt, 0, "")
}

const linuxSYNOpts = "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7"

// handshakeTrace: a client connects, sends a request of 100 bytes, gets
// 300 back and closes. One 10 Mbit/s link, 5 ms each way.
func handshakeTrace() []sim.Record {
	n := newSynthNet()
	n.host("client", "10.0.0.1")
	n.host("server", "10.0.0.2")
	n.link("l", "client", "server", 10e6, 5*time.Millisecond, 0)
	c, s := n.tcpPair("client", "server", 40000, 80, linuxSYNOpts)
	c.onEstab = func() { c.closeAfter = true; c.write(100) }
	s.onEstab = func() { s.write(300) }
	n.at(sim.Time(100*time.Millisecond), func() {
		n.emit(sim.KindApp, "app/client/request", tStr("event", "connect"))
		c.connect()
	})
	n.s.Run()
	return n.rec.Records
}

// bulkLossTrace: 60 segments over a 10 Mbit/s bottleneck with a small
// queue; one segment lost on the wire (fast retransmit with SACK), and the
// queue overflowing in slow start.
func bulkLossTrace() []sim.Record {
	n := newSynthNet()
	n.viaBottleneck([]synthAccess{{"a", "10.0.1.1", "access"}}, 10e6, 10*time.Millisecond, 12)
	n.drop = func(p *synthPkt, d *synthDir) string {
		if d.from == "r" && p.tcp && p.rseq == 1+5*1448 && p.plen > 0 && d.count < 12 {
			return sim.DropLoss
		}
		return ""
	}
	c, s := n.tcpPair("a", "b", 50000, 5001, linuxSYNOpts)
	c.onEstab = func() { c.closeAfter = true; c.write(60 * 1448) }
	_ = s
	n.at(0, func() { c.connect() })
	n.s.Run()
	return n.rec.Records
}

// synLossTrace: the first SYN is lost, the second goes through after the
// 1 s RTO: a long idle gap between short exchanges.
func synLossTrace() []sim.Record {
	n := newSynthNet()
	n.host("client", "10.0.0.1")
	n.host("server", "10.0.0.2")
	n.link("l", "client", "server", 1e9, 50*time.Microsecond, 0)
	n.drop = func(p *synthPkt, d *synthDir) string {
		if p.tcp && p.flags == "S" && d.count == 1 {
			return sim.DropLoss
		}
		return ""
	}
	c, _ := n.tcpPair("client", "server", 40001, 80, linuxSYNOpts)
	c.onEstab = func() { c.closeAfter = true; c.write(2000) }
	n.at(0, func() { c.connect() })
	n.s.Run()
	return n.rec.Records
}

// twoFlowTrace: two connections from different hosts share a router and a
// bottleneck, plus a UDP datagram.
func twoFlowTrace() []sim.Record {
	n := newSynthNet()
	n.viaBottleneck([]synthAccess{{"a1", "10.0.1.1", "l1"}, {"a2", "10.0.1.2", "l2"}}, 20e6, 5*time.Millisecond, 30)
	c1, _ := n.tcpPair("a1", "b", 50000, 5001, linuxSYNOpts)
	c2, _ := n.tcpPair("a2", "b", 50001, 5002, "mss 1460,nop,nop,sackOK,nop,wscale 7")
	c1.onEstab = func() { c1.closeAfter = true; c1.write(40 * 1448) }
	c2.onEstab = func() { c2.closeAfter = true; c2.write(30 * 1448) }
	n.at(0, func() { c1.connect() })
	n.at(sim.Time(20*time.Millisecond), func() { c2.connect() })
	n.at(sim.Time(30*time.Millisecond), func() {
		n.send(&synthPkt{fromHost: "a1", toHost: "b", size: 128})
	})
	n.s.Run()
	return n.rec.Records
}

// voiceTrace: a voice call (CBR UDP, 160-byte payloads every 20 ms) shares
// a 2 Mbit/s bottleneck with a bulk transfer that fills its queue, and a
// ping every 100 ms measures the round trip; the third echo request is
// lost.
func voiceTrace() []sim.Record {
	n := newSynthNet()
	n.viaBottleneck([]synthAccess{{"a", "10.0.1.1", "l1"}, {"phone", "10.0.1.2", "l2"}}, 2e6, 10*time.Millisecond, 40)
	n.drop = func(p *synthPkt, d *synthDir) string {
		if p.proto == 1 && p.sport == 3 && d.from == "r" {
			return sim.DropLoss
		}
		return ""
	}
	c, _ := n.tcpPair("a", "b", 50000, 5001, linuxSYNOpts)
	c.onEstab = func() { c.closeAfter = true; c.write(60 * 1448) }
	n.at(sim.Time(100*time.Millisecond), func() { c.connect() })
	for i := range 50 {
		n.at(sim.Time(time.Duration(i)*20*time.Millisecond), func() {
			n.send(&synthPkt{fromHost: "phone", toHost: "b", sport: 49152, dport: 5004, plen: 160, size: 188})
		})
	}
	for seq := int64(1); seq <= 10; seq++ {
		n.at(sim.Time(time.Duration(seq-1)*100*time.Millisecond), func() {
			sent := n.s.Now()
			n.emit(sim.KindApp, "app/phone/ping", tStr("event", sim.AppSend), tInt("count", seq), tStr("to", "10.0.2.1:0"), tInt("bytes", 64))
			req := &synthPkt{fromHost: "phone", toHost: "b", proto: 1, sport: seq, size: 84}
			req.onDeliver = func(*synthPkt) {
				rep := &synthPkt{fromHost: "b", toHost: "phone", proto: 1, size: 84}
				rep.onDeliver = func(*synthPkt) {
					n.emit(sim.KindApp, "app/phone/ping", tStr("event", sim.AppReply), tInt("count", seq), tStr("peer", "10.0.2.1:0"),
						tInt("bytes", 64), tInt("latency", int64(n.s.Now()-sent)))
				}
				n.send(rep)
			}
			n.send(req)
		})
	}
	n.s.Run()
	return n.rec.Records
}

// sortEvents sorts n items by key, stably.
func sortEvents[T any](items []T, key func(i int) sim.Time) {
	idx := make([]int, len(items))
	keys := make([]sim.Time, len(items))
	for i := range items {
		idx[i] = i
		keys[i] = key(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([]T, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	copy(items, out)
}

// sortRecords orders records by time, stably.
func sortRecords(recs []sim.Record) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].T < recs[j].T })
}

// newSynthDumbbell is a dumbbell's two routers and its bottleneck (20
// Mbit/s, 10 ms, a 100-packet queue); dumbbellPair adds its pairs.
func newSynthDumbbell() *synthNet {
	n := newSynthNet()
	n.router["left"], n.router["right"] = true, true
	n.link("bottleneck", "left", "right", 20e6, 10*time.Millisecond, 100)
	return n
}

// dumbbellPair adds pair i of a dumbbell: host sender (10.0.1.i) on the
// left router and sink-i (10.0.2.i) on the right one, each by a 100
// Mbit/s, 1 ms link, with the routes between them. It returns the sink's
// name.
func (n *synthNet) dumbbellPair(i int, sender string) string {
	sink := fmt.Sprintf("sink-%d", i)
	n.host(sender, fmt.Sprintf("10.0.1.%d", i))
	n.host(sink, fmt.Sprintf("10.0.2.%d", i))
	n.link(sender+"-left", sender, "left", 100e6, time.Millisecond, 0)
	n.link("right-"+sink, "right", sink, 100e6, time.Millisecond, 0)
	n.route(sender, sink, "left")
	n.route("left", sink, "right")
	n.route(sink, sender, "right")
	n.route("right", sender, "left")
	return sink
}

// dumbbellTrace: as scenarios/dumbbell.yaml, four senders behind router
// "left" each send to their own receiver behind "right" (reno-1 to sink-1,
// cubic-1 to sink-2, reno-2 to sink-3, cubic-2 to sink-4), starting 10 ms
// apart in that order.
func dumbbellTrace() []sim.Record {
	n := newSynthDumbbell()
	for i, s := range []string{"reno-1", "cubic-1", "reno-2", "cubic-2"} {
		sink := n.dumbbellPair(i+1, s)
		c, _ := n.tcpPair(s, sink, 49152, 5001, linuxSYNOpts)
		c.onEstab = func() { c.closeAfter = true; c.write(4 * 1448) }
		n.at(sim.Time(time.Duration(i)*10*time.Millisecond), func() { c.connect() })
	}
	n.s.Run()
	return n.rec.Records
}
