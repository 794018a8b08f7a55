package nodes

import (
	"slices"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
)

// This file is the glue between a socket and its tcp.Conn: inputs go in,
// then flush drains the events (into trace records and socket
// notifications) and the segments (into datagrams), and re-arms the one
// scheduler timer of the connection to its deadline.

// input hands an arriving segment to the connection; ce says its IP
// header was marked CE.
func (s *Socket) input(hdr *tcp.Header, payload []byte, ce bool) {
	// Only a SYN-ACK teaches a Fast Open client anything, and only in
	// SYN-SENT: the segments of an established connection skip the Fast
	// Open state, kept with the Conn's rarely used fields.
	opening := s.conn.State() == tcp.SynSent
	s.conn.InputECN(s.h.Now().Duration(), hdr, payload, ce)
	if opening && s.conn.FastOpenActive() {
		s.h.fastOpenLearn(s)
	}
	s.flush()
}

// sockTimer is the socket as the handler of its timer.
type sockTimer Socket

// Fire runs onTimer (sim.Handler).
func (s *sockTimer) Fire() { (*Socket)(s).onTimer() }

// onTimer runs when the connection's deadline comes.
func (s *Socket) onTimer() {
	if s.connDone {
		return
	}
	s.conn.Tick(s.h.Now().Duration())
	s.flush()
	s.h.dispatch()
}

// flush drains what the connection produced and re-arms its timer. Events
// go first so that a state change is traced before the segment it causes.
func (s *Socket) flush() {
	s.conn.Events(s.event)
	if len(s.h.net.errq) > 0 {
		// What an ACK completes is reported before what it lets
		// leave: Linux's tcp_ack frees the acknowledged skbs
		// (tcp_clean_rtx_queue) before tcp_data_snd_check sends.
		s.h.net.errAcked(s, s.h.Now().Duration())
	}
	s.conn.SegmentsECN(s.sendSegment)
	if s.conn.State() == tcp.TimeWait && s.h.settleTimeWait(s) {
		return
	}
	s.rearm()
	if s.trimAt == 0 && !s.connDone && s.conn.TrimPending() {
		s.h.queueTrim(s)
	}
}

// queueTrim offers s's connection tcp.Conn.Trim after tcp.TrimDelay: a
// connection that goes quiet right after a burst gives its queues back
// then, which it cannot do by itself with nobody calling it.
func (h *Host) queueTrim(s *Socket) {
	s.trimAt = int32(len(h.trimQ) + 1)
	h.trimQ = append(h.trimQ, s)
	if h.trimTimer == nil {
		h.trimTimer = h.net.sched.NewTimer(h.trimConns)
	}
	if !h.trimTimer.Armed() {
		_ = h.trimTimer.ResetAfter(tcp.TrimDelay)
	}
}

// unqueueTrim takes s out of the trim queue (it is done with), so that
// the queue does not keep it alive. The order of the queue does not
// matter: trimming changes nothing but memory.
func (h *Host) unqueueTrim(s *Socket) {
	if s.trimAt == 0 {
		return
	}
	i, last := s.trimAt-1, len(h.trimQ)-1
	h.trimQ[i] = h.trimQ[last]
	h.trimQ[i].trimAt = int32(i + 1)
	h.trimQ[last] = nil
	h.trimQ = h.trimQ[:last]
	s.trimAt = 0
}

// trimConns offers Trim to the connections queueTrim queued, keeping
// those called too recently for the next round.
func (h *Host) trimConns() {
	now := h.Now().Duration()
	keep := h.trimQ[:0]
	for _, s := range h.trimQ {
		if s.conn.Trim(now) {
			s.trimAt = int32(len(keep) + 1)
			keep = append(keep, s)
			continue
		}
		s.trimAt = 0
	}
	clear(h.trimQ[len(keep):])
	h.trimQ = keep
	if len(keep) > 0 {
		_ = h.trimTimer.ResetAfter(tcp.TrimDelay)
	}
}

// rearm sets the timer to the connection's deadline (or stops it), leaving
// it alone when the deadline did not move.
func (s *Socket) rearm() {
	d, ok := s.conn.Deadline()
	if !ok || s.connDone {
		s.timer.Stop()
		return
	}
	at := max(sim.FromDuration(d), s.h.Now())
	if when, armed := s.timer.When(); armed && when == at {
		return
	}
	_ = s.timer.Reset(at) // at >= Now: cannot fail
}

// sendSegment puts one segment of the connection on the wire.
func (s *Socket) sendSegment(hdr *tcp.Header, payload []byte, ect bool) {
	if len(s.h.net.errq) > 0 {
		s.h.net.errSent(s, hdr.Seq, len(payload), s.h.Now().Duration())
	}
	info := segmentInfo{connID: s.connID, rel: s.conn, ect: ect, tos: s.tos, noDF: !s.dontFragment()}
	s.h.output(s.remote.Addr(), hdr, payload, info)
}

// event handles one event of the connection.
func (s *Socket) event(e *tcp.Event) {
	h := s.h
	if h.net.trace != nil {
		s.traceEvent(e)
	}
	switch e.Kind {
	case tcp.EvEstablished:
		if l := s.parent; l != nil {
			l.lq.embryonic--
			l.lq.acceptQ = append(l.lq.acceptQ, s)
			h.notify(l, SockAcceptable, 0)
			return
		}
		h.notify(s, SockConnected, 0)
	case tcp.EvReadable, tcp.EvPeerClosed:
		h.notify(s, SockReadable, 0)
	case tcp.EvWritable:
		if s.conn.SpaceWake() && len(h.net.epolls) > 0 {
			// Epoll hears Linux's wakeups of writers alone
			// (sk_stream_write_space), not every ACK that frees
			// buffer.
			h.net.epollWake(s, epollWakeOut)
		}
		if s.writeSpace() {
			h.notify(s, SockWritable, 0)
		}
	case tcp.EvError:
		s.err = e.Err
		s.soError = s.err
		h.notify(s, SockError, s.err)
	case tcp.EvClosed:
		s.closed()
	}
}

// closed retires a connection that reached CLOSED: its 4-tuple is free
// for new segments (which find no socket and get a RST), a child that was
// never accepted leaves its listener, and the port goes back when the
// descriptor is closed too.
func (s *Socket) closed() {
	h := s.h
	s.connDone = true
	s.timer.Stop()
	h.unqueueTrim(s)
	if s.twCounted {
		s.twCounted = false
		h.timeWaits--
	}
	k := tupleOf(s.local, s.remote)
	h.removeConn(k, s)
	h.net.conns.release(keyOf(k, s.server), s.connID)
	if l := s.parent; l != nil {
		if slices.Contains(l.lq.acceptQ, s) {
			// A child in the accept queue is a full socket whose
			// owner has yet to take it: tcp_done leaves it there in
			// TCP_CLOSE (it is not SOCK_DEAD until orphaned), so
			// accept returns it, with the data it holds and its
			// error (a reset's ECONNRESET, tcp_reset; a Fast Open
			// child's, tcp_check_req's embryonic_reset).
			return
		}
		l.lq.embryonic--
		h.net.conns.handshakeAbandoned(keyOf(k, true), s.connID)
		s.parent = nil
		return
	}
	if s.released {
		h.releasePort(s)
	}
	h.notify(s, SockClosed, 0)
}

// childrenOf returns the connections of listener l still in the
// handshake, ordered by remote address and port.
func (h *Host) childrenOf(l *Socket) []*Socket {
	var out []*Socket
	for _, s := range h.conns {
		if s.parent == l && !slices.Contains(l.lq.acceptQ, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Socket) int { return a.remote.Compare(b.remote) })
	return out
}

func sortInfos(in []SockInfo) {
	slices.SortFunc(in, func(a, b SockInfo) int {
		if a.ConnID != b.ConnID {
			if a.ConnID < b.ConnID {
				return -1
			}
			return 1
		}
		return a.Local.Compare(b.Local)
	})
}

// notify queues ev for s's handler, and wakes the epoll instances that
// watch s.
func (h *Host) notify(s *Socket, ev SocketEvent, err Errno) {
	if len(h.net.epolls) > 0 && ev != SockWritable {
		h.net.epollWake(s, epollKey(ev))
	}
	if s.handler == nil {
		return
	}
	h.notes = append(h.notes, note{s: s, ev: ev, err: err})
}

// dispatch runs the queued notifications, oldest first, including those
// the handlers cause. Nested calls (a handler calling Send) return at once
// and leave their notes to the outer loop.
func (h *Host) dispatch() {
	if h.dispatching {
		return
	}
	h.dispatching = true
	for i := 0; i < len(h.notes); i++ {
		n := h.notes[i]
		if n.s.fd < 0 || n.s.handler == nil {
			continue // closed, or not accepted yet
		}
		n.s.handler(int(n.s.fd), n.ev, n.err)
	}
	h.notes = h.notes[:0]
	h.dispatching = false
}

// traceEvent turns a connection event into its tcp.* record.
func (s *Socket) traceEvent(e *tcp.Event) {
	n := s.h.net
	subj := s.h.subject
	ev := &n.ev
	switch e.Kind {
	case tcp.EvStateChange:
		if e.To == tcp.Listen {
			// A passive connection is made in LISTEN only to be fed
			// its SYN: the listener, not the connection, is in LISTEN.
			return
		}
		ev.state = sim.TCPState{Conn: s.connID, Side: sideName(s.server), Local: s.local, Remote: s.remote,
			From: e.From.String(), To: e.To.String(), Reason: e.Reason}
		n.emit(subj, &ev.state)
	case tcp.EvCwnd:
		if !n.wants(sim.KindTCPCwnd) {
			return
		}
		ev.cwnd = sim.TCPCwnd{Conn: s.connID, Side: sideName(s.server), Cwnd: int64(e.Cwnd), Ssthresh: int64(e.Ssthresh), Reason: e.Reason}
		n.emit(subj, &ev.cwnd)
	case tcp.EvRTTSample:
		ev.rtt = sim.TCPRTT{Conn: s.connID, Side: sideName(s.server), Sample: e.Sample, SRTT: e.SRTT, RTTVar: e.RTTVar, RTO: e.RTO}
		n.emit(subj, &ev.rtt)
	case tcp.EvRetransmit:
		ev.retx = sim.TCPRetransmit{Conn: s.connID, Side: sideName(s.server), RSeq: s.conn.RelSeq(e.Seq), Len: e.Len, Reason: e.Reason}
		n.emit(subj, &ev.retx)
	case tcp.EvTimerFired:
		ev.timer = sim.TCPTimer{Conn: s.connID, Side: sideName(s.server), Timer: e.Timer}
		n.emit(subj, &ev.timer)
	case tcp.EvRate:
		if !n.wants(sim.KindTCPRate) {
			return
		}
		r := &e.Rate
		ev.rate = sim.TCPRate{Conn: s.connID, Side: sideName(s.server), Delivered: r.Delivered, Interval: r.Interval,
			Rate: 8 * r.BytesPerSecond(), AppLimited: r.AppLimited, RTT: r.RTT,
			Inflight: int64(r.PriorInflight), Lost: int64(r.Losses)}
		n.emit(subj, &ev.rate)
	case tcp.EvBBR:
		if !n.wants(sim.KindTCPBBR) {
			return
		}
		b := &e.BBR
		ev.bbr = sim.TCPBBR{Conn: s.connID, Side: sideName(s.server), Mode: b.Mode.String(), BW: 8 * b.BW, MinRTT: b.MinRTT,
			PacingGain: int64(b.PacingGain), CwndGain: int64(b.CwndGain), Cycle: int64(b.Cycle), LongTerm: b.LongTerm, Reason: b.Reason}
		n.emit(subj, &ev.bbr)
	case tcp.EvError:
		ev.err = sim.TCPError{Conn: s.connID, Side: sideName(s.server), Errno: e.Err.String()}
		n.emit(subj, &ev.err)
	}
}

// writeSpace reports whether the send buffer has room enough to wake a
// writer (tcp.Conn.WriteSpace: Linux's sk_stream_write_space rule).
func (s *Socket) writeSpace() bool { return s.conn.WriteSpace() }
