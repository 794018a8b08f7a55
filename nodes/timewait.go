package nodes

import (
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// A connection in TIME-WAIT whose descriptor is closed needs only what
// tcp.TimeWaitRecord keeps: the host then drops its socket and tcp.Conn,
// buffers and all, and keeps a timeWait in their place until 2 MSL have
// passed, as Linux replaces a socket by an inet_timewait_sock
// (tcp_time_wait). The record answers what arrives for the 4-tuple,
// holds the local port, and lets a new SYN reopen the 4-tuple. A host
// keeps at most MaxTimeWait connections in TIME-WAIT (Linux
// tcp_max_tw_buckets); one more closes at once, traced with the reason
// "timewait_overflow".

// timeWait is a connection in TIME-WAIT that no socket holds any more.
type timeWait struct {
	h      *Host
	key    fourTuple
	connID uint64
	server bool // the server's end
	rec    tcp.TimeWaitRecord
	// timer lives in the record (a twTimer handler): one object per
	// connection in TIME-WAIT instead of three (record, timer, method
	// value), which a server of 10,000 clients keeps for 60 s.
	timer sim.Timer
}

// twTimer is the record as the handler of its timer.
type twTimer timeWait

// Fire ends TIME-WAIT (sim.Handler).
func (t *twTimer) Fire() { (*timeWait)(t).expire() }

// Reasons a connection leaves TIME-WAIT early, traced with its change to
// CLOSED.
const (
	twOverflow = "timewait_overflow"
	twReopened = "reopened"
)

// settleTimeWait runs after a flush that left s's connection in
// TIME-WAIT. The first time, it counts the connection against the host's
// limit, or ends TIME-WAIT at once when the host has no room (Linux's
// tcp_time_wait when inet_twsk_alloc fails: TCPTimeWaitOverflow). Once
// the descriptor is closed too, the connection becomes a timeWait record.
// It reports whether the socket is done with (its timer need not be
// re-armed).
func (h *Host) settleTimeWait(s *Socket) bool {
	if !s.twCounted {
		if h.timeWaits >= h.cfg.Config().MaxTimeWait {
			s.conn.EndTimeWait(twOverflow)
			s.conn.Events(s.event)
			return true
		}
		h.timeWaits++
		s.twCounted = true
	}
	if !s.released {
		return false
	}
	rec, _ := s.conn.TimeWaitRecord()
	tw := &timeWait{h: h, key: tupleOf(s.local, s.remote), connID: s.connID, server: s.server, rec: rec}
	h.net.sched.InitTimer(&tw.timer, (*twTimer)(tw))
	// The record holds the port and the count from now on.
	s.twCounted, s.bound = false, false
	s.connDone = true
	s.timer.Stop()
	h.unqueueTrim(s)
	h.removeConn(tw.key, s)
	if h.timeWaitConns == nil {
		h.timeWaitConns = make(map[fourTuple]*timeWait)
	}
	h.timeWaitConns[tw.key] = tw
	tw.rearm()
	return true
}

// rearm sets the record's timer to the end of TIME-WAIT.
func (tw *timeWait) rearm() {
	at := max(sim.FromDuration(tw.rec.Expires()), tw.h.Now())
	if when, armed := tw.timer.When(); armed && when == at {
		return
	}
	_ = tw.timer.Reset(at) // at >= Now: cannot fail
}

// expire ends TIME-WAIT after 2 MSL (RFC 9293 §3.10.8), traced as a
// connection's own timer is.
func (tw *timeWait) expire() {
	h := tw.h
	if h.net.trace != nil {
		ev := &h.net.ev.timer
		*ev = sim.TCPTimer{Conn: tw.connID, Side: sideName(tw.server), Timer: "timewait"}
		h.net.emit(h.subject, ev)
	}
	tw.end("")
}

// end closes the connection: the 4-tuple and the port are free again.
func (tw *timeWait) end(reason string) {
	h := tw.h
	if h.net.trace != nil {
		ev := &h.net.ev.state
		*ev = sim.TCPState{Conn: tw.connID, Side: sideName(tw.server), Local: tw.key.local.AddrPort(), Remote: tw.key.remote.AddrPort(),
			From: tcp.TimeWait.String(), To: tcp.Closed.String(), Reason: reason}
		h.net.emit(h.subject, ev)
	}
	tw.timer.Stop()
	if h.timeWaitConns[tw.key] == tw {
		delete(h.timeWaitConns, tw.key)
	}
	h.timeWaits--
	h.unusePort(tw.key.local.port)
	h.net.conns.release(keyOf(tw.key, tw.server), tw.connID)
}

// input answers a segment for the 4-tuple of a record, as Linux's
// tcp_v4_rcv does on a timewait socket. A SYN that may reopen the
// connection, with a listener on the port to take it, ends the record
// instead: input returns true and the initial sequence number the new
// connection must use, and the caller hands the SYN to the listener.
func (tw *timeWait) input(p *topology.Packet, in *Interface, hdr *tcp.Header, plen int) (tcp.Seq, bool) {
	h := tw.h
	now := h.Now().Duration()
	act := tw.rec.Input(now, hdr, plen)
	if act == tcp.TimeWaitReopen && h.listeners[hdr.DstPort] != nil {
		iss := tw.rec.ReopenISS()
		tw.end(twReopened)
		return iss, true
	}
	h.traceDeliver(p, in, tw.connID)
	switch act {
	case tcp.TimeWaitKill:
		tw.end("")
		return 0, false
	case tcp.TimeWaitAck, tcp.TimeWaitReopen:
		var ack tcp.Header
		tw.rec.Ack(now, &ack)
		h.output(tw.key.remote.Addr(), &ack, nil, segmentInfo{connID: tw.connID, rel: &tw.rec})
	}
	tw.rearm()
	return 0, false
}

// reopenTimeWait ends the TIME-WAIT of s's connection for a SYN that
// ReopensTimeWait, and returns the initial sequence number the new
// connection must use.
func (h *Host) reopenTimeWait(s *Socket) tcp.Seq {
	rec, _ := s.conn.TimeWaitRecord()
	s.conn.EndTimeWait(twReopened)
	s.flush()
	return rec.ReopenISS()
}
