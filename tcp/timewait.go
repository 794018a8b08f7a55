package tcp

import "time"

// TimeWaitRecord is all a connection keeps in TIME-WAIT, as Linux's
// inet_timewait_sock (struct tcp_timewait_sock): the sequence numbers and
// window of its last ACK, the timestamp state for PAWS and for its
// answers, and when the wait ends. Nothing is left to send and nothing
// more will be read, so the rest of the connection (buffers, congestion
// control, the retransmission state) can go: a host keeps this record of
// some 80 bytes in place of a Conn of several KiB (Conn.TimeWaitRecord).
//
// Input decides what a segment that arrives in TIME-WAIT gets, as Linux's
// tcp_timewait_state_process does; Ack builds the answer.
type TimeWaitRecord struct {
	// expires is when TIME-WAIT ends; timeout is 2 MSL, to which
	// retransmitted FINs restart it.
	expires, timeout time.Duration
	// lastOOWAck is when an out-of-window segment was last answered
	// (Linux tw_last_oow_ack_time), once oowAcked.
	lastOOWAck time.Duration
	// sndRel and rcvRel are SND.NXT and RCV.NXT relative to the ISN and
	// the IRS, in 64 bits (Conn.RelSeq, Conn.RelAck).
	sndRel, rcvRel     uint64
	sndNxt, rcvNxt     Seq
	tsOffset, tsRecent uint32
	// tsRecentAt is when TS.Recent was last taken (Linux's
	// tw_ts_recent_stamp), for the RST rule of tcp_paws_reject: at first
	// when TIME-WAIT began, as the FIN or ACK that began it is the last
	// segment the connection took TS.Recent from.
	tsRecentAt       time.Duration
	srcPort, dstPort uint16
	// window is the window field of the last ACK, scaled as on the wire
	// (Linux tw_rcv_wnd >> tw_rcv_wscale).
	window uint16
	tsOK   bool
	// rfc1337: RSTs do not end TIME-WAIT (Config.RFC1337).
	rfc1337  bool
	oowAcked bool
}

// TimeWaitAction says what a segment that arrived in TIME-WAIT gets.
type TimeWaitAction uint8

// The answers to a segment in TIME-WAIT.
const (
	// TimeWaitDrop: nothing is sent.
	TimeWaitDrop TimeWaitAction = iota
	// TimeWaitAck: the segment is answered with Ack.
	TimeWaitAck
	// TimeWaitKill: an in-window RST ended TIME-WAIT ("TIME-WAIT
	// assassination", RFC 1337 §2, which Linux allows unless
	// tcp_rfc1337 is set).
	TimeWaitKill
	// TimeWaitReopen: a SYN that may open a new incarnation of the
	// connection (RFC 1122 §4.2.2.13, RFC 6191 §2): a listener on the
	// port takes it with ReopenISS as its initial sequence number and
	// TIME-WAIT ends; with no listener it is answered with Ack.
	TimeWaitReopen
)

// oowAckInterval is how often at most an out-of-window segment that may
// be part of an ACK loop is answered: Linux's tcp_invalid_ratelimit
// (500 ms).
const oowAckInterval = 500 * time.Millisecond

// pawsWindow is Linux's TCP_PAWS_WINDOW: a timestamp this much older than
// TS.Recent still passes the connection's PAWS test (tcp_paws_discard).
// TIME-WAIT's (tcp_paws_reject) allows none.
const pawsWindow = 1

// pawsMSL is Linux's TCP_PAWS_MSL: TIME-WAIT's PAWS test
// (tcp_paws_reject) lets a RST with an old timestamp through only once
// TS.Recent is this old.
const pawsMSL = 60 * time.Second

// TimeWaitRecord returns what the connection must keep while it waits in
// TIME-WAIT, and false in any other state: the record it keeps itself
// since TIME-WAIT began, with what the segments since then changed
// (TS.Recent, the rate limit of its answers, the end of the wait). Its
// window is the one the connection's ACKs advertise from now on.
func (c *Conn) TimeWaitRecord() (TimeWaitRecord, bool) {
	if c.state != TimeWait || c.tw == nil {
		return TimeWaitRecord{}, false
	}
	return *c.tw, true
}

// newTimeWaitRecord is what TIME-WAIT, entered at now, keeps of c.
func (c *Conn) newTimeWaitRecord(now time.Duration) TimeWaitRecord {
	return TimeWaitRecord{
		expires:    c.timerAt[timerTimeWait],
		timeout:    c.cfg.TimeWait,
		sndRel:     c.RelSeq(c.sndMax),
		rcvRel:     c.nxtRel,
		sndNxt:     c.sndMax,
		rcvNxt:     c.rcvNxt,
		tsOffset:   c.tsOffset,
		tsRecent:   c.tsRecent,
		tsRecentAt: now,
		srcPort:    c.srcPort,
		dstPort:    c.dstPort,
		window:     c.advertiseWindow(),
		tsOK:       c.tsOK,
		rfc1337:    c.cfg.RFC1337,
	}
}

// Expires returns when TIME-WAIT ends, unless a retransmitted FIN
// restarts it.
func (t *TimeWaitRecord) Expires() time.Duration { return t.expires }

// Input processes a segment for the connection in TIME-WAIT, as Linux's
// tcp_timewait_state_process (RFC 9293 §3.10.7.4 in TIME-WAIT, with RFC
// 7323 §5 PAWS), and returns what it gets. It may restart the wait: call
// Expires afterwards.
//
//   - A bare ACK or RST at RCV.NXT is in the window: a RST ends TIME-WAIT
//     (unless rfc1337), an ACK restarts the wait.
//   - A SYN beyond RCV.NXT, or with a newer timestamp, may reopen the
//     connection (TimeWaitReopen).
//   - Anything else but a RST, a retransmitted FIN first, is answered with
//     an ACK, at most every 500 ms unless it carries data or a FIN; one
//     with the ACK flag, or one PAWS rejected, restarts the wait
//     ("acknowledge it, and restart the 2 MSL timeout").
func (t *TimeWaitRecord) Input(now time.Duration, h *Header, payloadLen int) TimeWaitAction {
	flags := h.Flags
	rst, syn := flags.Has(FlagRST), flags.Has(FlagSYN)
	tsVal, _, hasTS := h.Options.Timestamps()
	hasTS = hasTS && t.tsOK
	// tcp_paws_reject: any tick older than TS.Recent (tcp_paws_check with
	// no window). A RST is exempt only once TS.Recent is TCP_PAWS_MSL
	// old: Linux relaxes RFC 7323's "their cleanup function should take
	// precedence over timestamps" to that bound, and drops a younger
	// one unanswered.
	pawsReject := hasTS && int32(t.tsRecent-tsVal) > 0 && !(rst && now-t.tsRecentAt >= pawsMSL)
	n := SegLen(h, payloadLen)
	if !pawsReject && h.Seq == t.rcvNxt && (n == 0 || rst) {
		if rst {
			if !t.rfc1337 {
				return TimeWaitKill
			}
		} else {
			t.expires = now + t.timeout
		}
		if hasTS {
			t.tsRecent, t.tsRecentAt = tsVal, now
		}
		return TimeWaitDrop
	}
	if t.reopens(h) {
		return TimeWaitReopen
	}
	if rst {
		return TimeWaitDrop
	}
	if pawsReject || flags.Has(FlagACK) {
		t.expires = now + t.timeout
	}
	return t.oowAck(now, n, syn)
}

// oowAck rate-limits the answers to out-of-window segments as Linux's
// tcp_oow_rate_limited: a segment with data or a FIN (not a SYN) is
// always answered, others at most once per oowAckInterval, so that two
// ends cannot ACK each other in a loop.
func (t *TimeWaitRecord) oowAck(now time.Duration, segLen int, syn bool) TimeWaitAction {
	if segLen > 0 && !syn {
		return TimeWaitAck
	}
	if t.oowAcked && now-t.lastOOWAck < oowAckInterval {
		return TimeWaitDrop
	}
	t.oowAcked, t.lastOOWAck = true, now
	return TimeWaitAck
}

// Ack fills h with the ACK TIME-WAIT answers with (Linux's
// tcp_v4_timewait_ack): SND.NXT, RCV.NXT, the last window, and the
// timestamps when in use.
func (t *TimeWaitRecord) Ack(now time.Duration, h *Header) {
	*h = Header{SrcPort: t.srcPort, DstPort: t.dstPort, Seq: t.sndNxt, Ack: t.rcvNxt, Flags: FlagACK, Window: t.window}
	if t.tsOK {
		h.Options = SegmentOptions(t.tsOffset+uint32(now/time.Millisecond), t.tsRecent, true, nil)
	}
}

// ReopenISS is the initial sequence number of a connection that a SYN
// reopens from TIME-WAIT: beyond anything the old one sent, as RFC 1122
// §4.2.2.13 asks (Linux: tw_snd_nxt + 65535 + 2, never 0).
func (t *TimeWaitRecord) ReopenISS() Seq {
	isn := t.sndNxt.Add(65535 + 2)
	if isn == 0 {
		isn++
	}
	return isn
}

// RelSeq returns s, our sequence number, relative to our ISN in 64 bits
// (as Conn.RelSeq).
func (t *TimeWaitRecord) RelSeq(s Seq) uint64 {
	return uint64(int64(t.sndRel) + int64(s.Sub(t.sndNxt)))
}

// RelAck returns s, the peer's sequence number, relative to its ISN in
// 64 bits (as Conn.RelAck).
func (t *TimeWaitRecord) RelAck(s Seq) uint64 {
	return uint64(int64(t.rcvRel) + int64(s.Sub(t.rcvNxt)))
}

// reopens reports whether h is a SYN that may reopen the connection
// (Input's TimeWaitReopen), changing nothing.
func (t *TimeWaitRecord) reopens(h *Header) bool {
	if !h.Flags.Has(FlagSYN) || h.Flags&(FlagACK|FlagRST) != 0 {
		return false
	}
	tsVal, _, hasTS := h.Options.Timestamps()
	hasTS = hasTS && t.tsOK
	if hasTS && int32(t.tsRecent-tsVal) > 0 {
		return false // PAWS rejects it (tcp_paws_reject)
	}
	return h.Seq.GreaterThan(t.rcvNxt) || hasTS && int32(t.tsRecent-tsVal) < 0
}
