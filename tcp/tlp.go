package tcp

import "time"

// Tail loss probes (RFC 8985 §7) as Linux sends them (tcp_early_retrans=3,
// tcp_schedule_loss_probe, tcp_send_loss_probe, tcp_process_tlp_ack). When
// the last segments of a flight are lost no ACK comes back to start a fast
// retransmit, and the sender would wait for the RTO. Instead, a probe
// timeout (PTO) of about two round trips after the latest transmission
// sends one segment, new data when there is some the peer's window takes,
// else the last segment again; its ACK, or the SACK of it, starts the
// ordinary recovery, and a probe that repaired a loss by itself reduces
// the window once, as a loss does.

// tlpState is the probe in progress: Linux's tlp_high_seq and tlp_retrans.
type tlpState struct {
	// high is SND.NXT when the probe went out; on says a probe is
	// outstanding (Linux's tlp_high_seq != 0): at most one at a time.
	high Seq
	on   bool
	// retrans: the probe resent data (a loss it repairs reduces cwnd);
	// false when it sent new data.
	retrans bool
}

// tlpMinTimeout is what a PTO adds to 2×SRTT when more than one segment is
// in flight (Linux's TCP_TIMEOUT_MIN, 2 jiffies); with one segment in
// flight it adds rto_min, the peer's delayed ACK allowance (RFC 8985 §7.2
// adds WCDelAckT).
const tlpMinTimeout = 2 * time.Millisecond

// caOpen reports whether the sender is in Linux's Open state: no recovery
// or RTO episode in progress and no sign of loss, the only state in which
// a probe is scheduled. The sign is a SACKed segment on a SACK connection
// (tcp_try_keep_open looks at sacked_out: a duplicate ACK that SACKs
// nothing leaves it Open), a duplicate ACK without SACK (tcp_add_reno_sack
// counts it as one).
func (c *Conn) caOpen() bool {
	if c.inRecovery || c.sndUna.LessThan(c.recoverSeq) {
		return false
	}
	if c.sackOK {
		return c.board.sackedBelow(c.sndMax) == 0
	}
	return c.dupAcks == 0
}

// scheduleLossProbe arms the PTO (tcp_schedule_loss_probe) and reports
// whether it did. advancingRTO: an ACK just restarted the RTO, so the
// probe is bounded by a whole RTO rather than what is left of it.
func (c *Conn) scheduleLossProbe(now time.Duration, advancingRTO bool) bool {
	if !c.cfg.TLP || !c.sackOK || c.sndUna == c.sndMax || !c.state.Synchronized() || !c.caOpen() {
		return false
	}
	pto := c.cfg.RTOInitial // no RTT sample yet: TCP_TIMEOUT_INIT
	if c.rtt.srtt > 0 {
		pto = 2 * c.rtt.srtt
		if c.flightSize() <= c.sndMss {
			// One segment in flight: its ACK may be delayed.
			pto += c.cfg.RTOMin
		} else {
			pto += tlpMinTimeout
		}
	}
	// Never later than the RTO would fire.
	rto := c.rtt.current()
	if !advancingRTO && c.armed(timerRtx) {
		rto = c.timerAt[timerRtx] - now
	}
	if rto > 0 {
		pto = min(pto, rto)
	}
	c.arm(timerTLP, now+pto)
	return true
}

// onLossProbe sends the probe when the PTO fires (tcp_send_loss_probe):
// one new segment if the peer's window takes it, whatever the congestion
// window says, else the last segment sent again. The RTO then restarts
// from now.
func (c *Conn) onLossProbe(now time.Duration) {
	c.emit(Event{Kind: EvTimerFired, Timer: "tlp"})
	if c.tlp.on || c.sndUna == c.sndMax || !c.caOpen() {
		// At most one probe outstanding; none outside the Open state.
		return
	}
	sent := false
	c.tlp.retrans = false
	if avail := c.unsent(); avail > 0 && c.sndNxt == c.sndMax && c.sndWndTest(avail, c.peerWndLeft()) {
		c.forceSend = true
		sent = c.sendOne(now, false)
		c.forceSend = false
	}
	if !sent {
		// The last segment (with the FIN if it carried one), at most
		// one MSS: Linux splits off and resends the tail of the last
		// skb. A FIN that went out on its own is an skb of its own
		// (tcp_send_fin appends it to the tail skb only while that is
		// unsent), so the probe is the FIN alone.
		end := c.sndMax
		if c.finQueued && c.sndMax.GreaterThan(c.finSeq) {
			end = c.finSeq
		}
		n := min(c.curMss(), max(0, int(end.Sub(c.sndUna))))
		if c.lastSentFinAlone() {
			n = 0
		}
		if c.retransmit(now, end.Add(uint32(-int32(n))), n, "tlp") == 0 {
			return
		}
		c.tlp.retrans = true
	}
	c.tlp.on, c.tlp.high = true, c.sndNxt
	c.arm(timerRtx, now+c.rtt.current())
}

// tlpOnAck is tcp_process_tlp_ack, for every ACK while a probe is
// outstanding: an ACK above the probe's SND.NXT after a retransmitted
// probe means the probe repaired a loss nobody else detected, so the
// window is reduced once (Linux enters CWR: ssthresh as for a loss, cwnd
// down to it, and CWR queued for an ECN peer). A pure duplicate ACK at the probe's point says the original
// and the probe both arrived: no loss.
func (c *Conn) tlpOnAck(now time.Duration, ack Seq, dup bool) {
	switch {
	case !c.tlp.on || ack.LessThan(c.tlp.high):
	case !c.tlp.retrans:
		c.tlp.on = false
	case ack.GreaterThan(c.tlp.high):
		c.tlp.on = false
		c.cc.OnEnterRecovery(now, c.flightSize())
		c.cc.OnExitRecovery(now)
		c.noteCwnd("tlp")
		// tcp_init_cwnd_reduction queues CWR (tcp_ecn_queue_cwr) for
		// this reduction as for any other: the next new data carries it.
		c.ecn.queueCWR = c.ecn.queueCWR || c.ecnOK
	case dup:
		c.tlp.on = false
	}
}

// lastSentFinAlone reports whether the newest segment sent is a FIN that
// carried no data: the FIN was queued after all the data had gone out.
func (c *Conn) lastSentFinAlone() bool {
	if len(c.sent) <= c.sentHead {
		return false
	}
	last := c.sent[len(c.sent)-1]
	return last.fin && last.end.Sub(last.start) == 1
}
