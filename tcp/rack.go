package tcp

import "time"

// RACK (RFC 8985 §6) as Linux runs it with tcp_recovery=1
// (net/ipv4/tcp_recovery.c): a segment is deemed lost once a segment sent
// after it has been delivered and more than the latest round trip plus a
// reordering window has passed since it was sent. The reordering window
// is a quarter of the minimum RTT, grown in steps by D-SACKs (duplicates
// show that the window was too small: a "loss" was only late); it is zero
// when no reordering has been seen and either recovery is under way or
// three segments' worth is SACKed, as the DupThresh rule would conclude.
// A segment not yet past the window arms the reordering timer, so that a
// loss with too few SACKs above it (the tail of a flight, or the segments
// before a tail loss probe) is repaired one reordering window later
// rather than by the RTO.

// rackState is Linux's struct tcp_rack, with tp->reord_seen.
type rackState struct {
	// xmitAt and endSeq identify the most recently sent segment that has
	// been delivered (rack.mstamp, rack.end_seq); rtt is the round trip it
	// measured (rack.rtt_us).
	xmitAt time.Duration
	rtt    time.Duration
	// lastDelivered is the delivered count when the window last grew.
	lastDelivered int64
	endSeq        Seq
	// lostEdge is the end of the highest original segment deemed lost:
	// every unSACKed byte of original data below it is lost, since
	// original data was sent in sequence order. scanFrom is where the
	// next detection resumes: below it every segment was delivered or
	// deemed lost.
	lostEdge, scanFrom Seq
	// priorFack is the highest SACKed byte (plus one) before the ACK in
	// hand added its blocks, or SND.UNA (Linux's prior_fack).
	priorFack Seq
	// steps is the window in quarters of the minimum RTT
	// (reo_wnd_steps), persist how many recoveries keep it before it
	// returns to one (reo_wnd_persist).
	steps, persist uint8
	// reordering is how far, in segments, delivery has been seen out of
	// order (Linux's tp->reordering): tcp_reordering (3) until a segment
	// sent once is delivered further below the highest SACKed byte.
	reordering uint16
	// set: a segment was delivered; advanced: a delivery moved the
	// reference since the last detection.
	set, advanced bool
	// reordSeen: a segment sent once was delivered below one already
	// SACKed (tcp_check_sack_reordering).
	reordSeen bool
	// dsackSeen: a D-SACK arrived since the window was last adjusted.
	dsackSeen bool
}

const (
	// rackRecoveryThresh is how many recoveries a grown reordering window
	// lasts (Linux's TCP_RACK_RECOVERY_THRESH).
	rackRecoveryThresh = 16
	// rackMaxSteps bounds reo_wnd_steps (a u8 in Linux).
	rackMaxSteps = 0xff
	// reoTimerSlack is what the reordering timer adds to the time left
	// (Linux's TCP_TIMEOUT_MIN, 2 jiffies).
	reoTimerSlack = 2 * time.Millisecond
	// maxReordering bounds the reordering degree (Linux's
	// tcp_max_reordering).
	maxReordering = 300
)

// rackInit starts the state of a connection whose first sequence number
// is iss.
func (r *rackState) init(iss Seq) {
	r.steps = 1
	r.reordering = defaultDupThresh
	r.lostEdge, r.scanFrom, r.priorFack = iss, iss, iss
}

// rackOn reports whether RACK detects losses: with Config.RACK on a SACK
// connection, as Linux (tcp_is_rack; a connection without SACK uses
// NewReno's rules).
func (c *Conn) rackOn() bool { return c.cfg.RACK && c.sackOK }

// sentAfter is tcp_rack_sent_after: (t1, seq1) was sent after (t2, seq2),
// the end sequence breaking a tie between segments sent at once.
func sentAfter(t1 time.Duration, seq1 Seq, t2 time.Duration, seq2 Seq) bool {
	return t1 > t2 || t1 == t2 && seq1.GreaterThan(seq2)
}

// rackAdvance takes a newly delivered segment as the reference when it was
// sent later than the current one (tcp_rack_advance). A retransmission
// delivered sooner than the minimum RTT after it was sent was most likely
// delivered by its original, so it does not count.
func (c *Conn) rackAdvance(now time.Duration, s *sentRec) {
	rtt := now - s.txAt
	if s.retx && rtt < c.rtt.sampleMin {
		return
	}
	r := &c.rack
	r.advanced = true
	r.rtt = rtt
	if !r.set || sentAfter(s.txAt, s.end, r.xmitAt, r.endSeq) {
		r.xmitAt, r.endSeq, r.set = s.txAt, s.end, true
	}
}

// rackDelivered is called for each segment an ACK newly delivers, original
// data (sent once) included: one delivered below a segment SACKed before
// shows reordering (tcp_check_sack_reordering).
func (c *Conn) rackDelivered(now time.Duration, s *sentRec) {
	if !s.retx && s.start.LessThan(c.rack.priorFack) {
		c.rack.reordSeen = true
		c.rackNoteReordering(s.start)
	}
	c.rackAdvance(now, s)
}

// rackNoteReordering raises the reordering degree to the distance, in
// whole segments, from low (a segment sent once, delivered out of order)
// to the highest SACKed byte, as Linux's tcp_check_sack_reordering does
// with the lowest such segment of an ACK.
func (c *Conn) rackNoteReordering(low Seq) {
	fack := c.rack.priorFack
	if n := len(c.board.blocks); n > 0 {
		fack = Max(fack, c.board.blocks[n-1].end)
	}
	mss := max(c.sndMss, 1)
	if metric := int(fack.Sub(low)); metric > int(c.rack.reordering)*mss {
		c.rack.reordering = uint16(min((metric+mss-1)/mss, maxReordering))
	}
}

// reorderingHigh reports whether reordering beyond tcp_reordering (3) has
// been seen, so that data SACKed out of order grows the window as data
// acknowledged in order does (Linux's tcp_may_raise_cwnd:
// FLAG_FORWARD_PROGRESS rather than FLAG_DATA_ACKED).
func (c *Conn) reorderingHigh() bool { return c.rack.reordering > defaultDupThresh }

// rackOnRTO is tcp_enter_loss's check: an RTO in the Open or Disorder
// state with DupThresh segments SACKed shows that the reordering degree
// was over-estimated, so it returns to tcp_reordering.
func (c *Conn) rackOnRTO() {
	if !c.inRecovery && c.board.sackedBelow(c.sndMax) >= defaultDupThresh*c.sndMss {
		c.rack.reordering = min(c.rack.reordering, defaultDupThresh)
	}
}

// rackReoWnd is the reordering window (tcp_rack_reo_wnd).
func (c *Conn) rackReoWnd() time.Duration {
	if !c.rack.reordSeen {
		// No reordering seen: be aggressive in recovery (or after an
		// RTO) and once DupThresh segments are SACKed.
		if c.inRecovery || c.sndUna.LessThan(c.recoverSeq) {
			return 0
		}
		if c.board.sackedBelow(c.sndMax) > (defaultDupThresh-1)*c.sndMss {
			return 0
		}
	}
	return min(c.rtt.sampleMin/4*time.Duration(c.rack.steps), c.rtt.srtt)
}

// rackDetect is tcp_rack_detect_loss: it deems lost every segment sent
// before the reference that has waited longer than the reference's RTT
// plus the reordering window, and returns the longest time one still has
// to wait (0 when none does). Original data goes up lostEdge; a
// retransmission deemed lost is left to the scoreboard's lost
// retransmission rule (rackLostRetrans), which resends it.
func (c *Conn) rackDetect(now time.Duration, una Seq) time.Duration {
	r := &c.rack
	if !r.set {
		return 0
	}
	reo := c.rackReoWnd()
	var wait time.Duration
	passing := true
	for i := c.sentIndex(Max(r.scanFrom, una)); i < len(c.sent); i++ {
		s := &c.sent[i]
		resent := s.txAt != s.at
		if s.sacked {
			if passing {
				r.scanFrom = s.end
			}
			continue
		}
		if !sentAfter(r.xmitAt, r.endSeq, s.txAt, s.end) {
			if !resent {
				break // original data sent later: so is all that follows
			}
			passing = false
			continue
		}
		if left := r.rtt + reo - (now - s.txAt); left > 0 {
			wait = max(wait, left)
			passing = false
			continue
		}
		if !resent && r.lostEdge.LessThan(s.end) {
			r.lostEdge = s.end
		}
		if passing {
			r.scanFrom = s.end
		}
	}
	return wait
}

// rackMarkLost runs the detection after an ACK that moved the reference
// (tcp_rack_mark_lost) and arms the reordering timer for what has to wait;
// una is SND.UNA as the ACK moves it.
func (c *Conn) rackMarkLost(now time.Duration, una Seq) {
	if !c.rackOn() || !c.rack.advanced {
		return
	}
	c.rack.advanced = false
	c.armReo(now, c.rackDetect(now, una))
}

// rackLostRetrans runs RACK's check of the retransmissions in flight
// during SACK recovery (markLostRetrans, which netsim keeps apart from
// rackDetect: a retransmission is ordered by when it was resent, RFC 8985
// §6.2, as Linux's tcp_rack_advance and tsorted list do, while rackDetect
// walks the segments in sequence order and has passed the segments it
// deemed lost) and reports whether it found one lost. One that data sent
// after it has overtaken, but still inside RACK.rtt plus the reordering
// window, arms the reordering timer (RFC 8985 §6.3: Linux's
// tcp_rack_detect_loss sets one timeout, the longest wait of any
// segment), so that a lost retransmission is resent then, not at the RTO.
func (c *Conn) rackLostRetrans(now time.Duration) bool {
	found, left := c.board.markLostRetrans(c.sndUna, now, c.rtt.sampleMin, c.rackRetransWait())
	if left > 0 {
		if at := c.reoAt(now, left); !c.armed(timerReo) || c.timerAt[timerReo] < at {
			c.arm(timerReo, at)
		}
	}
	return found
}

// rackRetransWait is how long a retransmission must have been out before
// data sent after it, delivered, shows it lost (markLostRetrans): no
// time while no reordering has been seen, RACK's window then being zero
// in recovery; once it has, RACK.rtt plus the reordering window (RFC 8985
// §6.2 step 5), as Linux's tcp_rack_detect_loss treats retransmissions
// like any other segment.
func (c *Conn) rackRetransWait() time.Duration {
	if !c.rack.reordSeen {
		return 0
	}
	return c.rack.rtt + c.rackReoWnd()
}

// lossShown reports whether the scoreboard shows the first unacknowledged
// segment lost, which starts recovery with the duplicate ACK count: with
// RACK, when it deemed a segment lost, or, while no reordering has been
// seen (RACK's window is then zero once DupThresh segments are SACKed),
// when RFC 6675's IsLost holds; without RACK, IsLost alone.
func (c *Conn) lossShown() bool {
	if !c.rackOn() {
		return c.board.isLost(c.sndUna, c.sndMss)
	}
	return c.rackHasLost() || !c.rack.reordSeen && c.board.isLost(c.sndUna, c.sndMss)
}

// rackStartsRecovery reports whether the ACK in hand, now that SND.UNA
// and the scoreboard have taken it, starts recovery: Linux starts it on
// any ACK once RACK has proven a loss (tcp_time_to_recover: lost_out),
// not only on a duplicate, unless recovery is under way or the window
// was already cut for this flight (RFC 6582 §3.2 step 2).
func (c *Conn) rackStartsRecovery() bool {
	return c.rackOn() && !c.inRecovery && c.sndUna.GreaterEq(c.recoverSeq) && c.rackHasLost()
}

// armReo arms the reordering timer wait from now, never later than the RTO
// (inet_csk_reset_xmit_timer's bound), or stops it when nothing waits.
func (c *Conn) armReo(now, wait time.Duration) {
	if wait <= 0 {
		c.stop(timerReo)
		return
	}
	c.arm(timerReo, c.reoAt(now, wait))
}

// reoAt is when the reordering timer fires for a segment that must still
// wait wait: then plus a slack, at most the RTO.
func (c *Conn) reoAt(now, wait time.Duration) time.Duration {
	return now + min(wait+reoTimerSlack, c.rtt.current())
}

// rackHasLost reports whether RACK has deemed an unSACKed byte lost
// (Linux's lost_out, which tcp_time_to_recover reads).
func (c *Conn) rackHasLost() bool {
	e := c.rack.lostEdge
	return e.GreaterThan(c.sndUna) && c.board.sackedBelow(e) < int(e.Sub(c.sndUna))
}

// onReoTimeout is tcp_rack_reo_timeout: the segments that were waiting out
// the reordering window, retransmissions included (RFC 8985 §6.3 runs
// the whole of §6.2), are checked again; if some are now lost, recovery
// starts (or goes on) and output resends them.
func (c *Conn) onReoTimeout(now time.Duration) {
	c.emit(Event{Kind: EvTimerFired, Timer: "reo"})
	if !c.rackOn() || !c.state.Synchronized() || c.sndUna == c.sndMax {
		return
	}
	// In recovery, what the timer finds lost goes at once as far as
	// snd_cwnd allows (below), so pipe is read before the detection, as
	// tcp_rack_reo_timeout reads tcp_packets_in_flight.
	reduce := c.inRecovery && !c.windowCtl
	priorPipe := 0
	if reduce {
		priorPipe = c.pipe()
	}
	c.armReo(now, c.rackDetect(now, c.sndUna))
	if c.inRecovery {
		c.rackLostRetrans(now)
	}
	if reduce {
		if p := c.pipe(); p < priorPipe {
			// Linux's tcp_rack_reo_timeout resends at once
			// (tcp_xmit_retransmit_queue) what fits snd_cwnd, which PRR
			// set at the latest ACK, once the segments found lost have
			// left tcp_packets_in_flight: PRR's cwnd less pipe, not only
			// what that ACK left of sndcnt. (A window controller's
			// allowance, cwndAvail, reads pipe itself.)
			c.prr.allow = max(c.prr.allow, c.prr.cwnd-p)
		}
	}
	if c.rackHasLost() && !c.inRecovery && c.sndUna.GreaterEq(c.recoverSeq) {
		// Linux's tcp_rack_reo_timeout: tcp_cwnd_reduction counts one
		// segment delivered.
		c.enterRecovery(now, c.sndMss)
	}
}

// rackOnAckOptions reads what RACK needs of an ACK's SACK blocks before
// the scoreboard takes them: the prior highest SACKed byte, and whether
// the first block is a D-SACK (RFC 2883 §4: below the cumulative ACK, or
// inside the second block; Linux's tcp_check_dsack).
func (c *Conn) rackOnAckOptions(h *Header, blocks []SACKBlock) {
	r := &c.rack
	r.priorFack = c.sndUna
	if n := len(c.board.blocks); n > 0 {
		r.priorFack = c.board.blocks[n-1].end
	}
	if len(blocks) == 0 {
		return
	}
	b := blocks[0]
	if b.Start.LessThan(h.Ack) || len(blocks) > 1 && b.Start.GreaterEq(blocks[1].Start) && b.End.LessEq(blocks[1].End) {
		r.dsackSeen = true
	}
}

// rackUpdateReoWnd grows the reordering window by one step per round trip
// in which D-SACKs arrived, and returns it to one step after
// rackRecoveryThresh recoveries without them (tcp_rack_update_reo_wnd).
// priorDelivered is the delivered count when the ACK's reference segment
// was sent.
func (c *Conn) rackUpdateReoWnd(priorDelivered int64) {
	r := &c.rack
	if priorDelivered == 0 {
		return
	}
	if priorDelivered < r.lastDelivered {
		r.dsackSeen = false // less than a round trip since the last step
	}
	switch {
	case r.dsackSeen:
		r.steps = uint8(min(rackMaxSteps, int(r.steps)+1))
		r.dsackSeen = false
		r.lastDelivered = c.rate.delivered
		r.persist = rackRecoveryThresh
	case r.persist == 0:
		r.steps = 1
	}
}

// rackOnRecoveryEnd counts down how long a grown window persists (Linux's
// tcp_try_undo_recovery, when the recovery was not undone).
func (c *Conn) rackOnRecoveryEnd() {
	if c.rack.persist > 0 {
		c.rack.persist--
	}
}

// rackOnNewAck keeps the markers close to SND.UNA, so that comparisons
// modulo 2^32 stay right however long the connection lives.
func (c *Conn) rackOnNewAck(ack Seq) {
	r := &c.rack
	if r.lostEdge.LessThan(ack) {
		r.lostEdge = ack
	}
	if r.scanFrom.LessThan(ack) {
		r.scanFrom = ack
	}
	if r.set && r.endSeq.LessThan(ack) {
		r.endSeq = ack
	}
}
