package tcp

import "time"

// The connection's timers.
const (
	// timerTLP: the tail loss probe timeout (RFC 8985 §7.2). It comes
	// first so that, due at the same time as the RTO (the PTO is capped
	// by it), the probe goes out instead: in Linux the probe timer takes
	// the retransmission timer's place.
	timerTLP = iota
	// timerReo: RACK's reordering timer (RFC 8985 §6.3, Linux's
	// ICSK_TIME_REO_TIMEOUT): segments waiting out the reordering window
	// are checked again when it fires.
	timerReo
	// timerRtx: SYN, SYN-ACK and data retransmission (RFC 6298).
	timerRtx
	// timerPersist: zero-window probes and the SWS override (RFC 9293
	// §3.8.6.1, §3.8.6.2.1).
	timerPersist
	// timerDelack: the delayed ACK (RFC 9293 §3.8.6.3).
	timerDelack
	// timerTimeWait: 2×MSL in TIME-WAIT (RFC 9293 §3.3.2), the
	// FIN-WAIT-2 limit of a closed connection, and in the other
	// synchronized states the keepalive timer (keepalive.go): Linux's
	// sk_timer serves the keepalive and the FIN-WAIT-2 limit alike.
	timerTimeWait
	// timerPace: the next paced segment may go (Linux's pacing hrtimer,
	// tcp_pace_kick).
	timerPace
	numTimers
)

// A connection timer is an expiry time (Conn.timerAt) and a bit saying
// whether it is armed (Conn.timerOn): eight bytes where a struct with a
// bool took sixteen. A Tick before the expiry does nothing, so a stale
// wake-up is harmless.

func (c *Conn) arm(t int, at time.Duration) {
	c.timerAt[t] = at
	c.timerOn |= 1 << t
}

func (c *Conn) stop(t int) { c.timerOn &^= 1 << t }

func (c *Conn) armed(t int) bool { return c.timerOn&(1<<t) != 0 }

// Deadline returns the earliest time Tick must be called, and false when no
// timer is armed.
func (c *Conn) Deadline() (time.Duration, bool) {
	var at time.Duration
	ok := false
	for i, t := range c.timerAt {
		if c.armed(i) && (!ok || t < at) {
			at, ok = t, true
		}
	}
	return at, ok
}

// Tick runs the timers that are due at now, earliest first.
func (c *Conn) Tick(now time.Duration) {
	c.touch(now)
	for {
		next := -1
		for i, t := range c.timerAt {
			if c.armed(i) && t <= now && (next < 0 || t < c.timerAt[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		c.stop(next)
		c.fire(now, next)
	}
	c.output(now)
}

func (c *Conn) fire(now time.Duration, t int) {
	switch t {
	case timerRtx:
		c.onRtxTimeout(now)
	case timerTLP:
		c.onLossProbe(now)
	case timerReo:
		c.onReoTimeout(now)
	case timerPersist:
		c.emit(Event{Kind: EvTimerFired, Timer: "persist"})
		c.onPersist(now)
	case timerPace:
		// Tick's output sends what pacing now allows.
	case timerDelack:
		c.emit(Event{Kind: EvTimerFired, Timer: "delack"})
		if c.state.Synchronized() || c.state == SynReceived {
			c.ackNow = true
			c.onDelackTimer()
		}
	case timerTimeWait:
		if c.keepaliveOwnsTimer() {
			c.onKeepalive(now)
			return
		}
		if c.state == FinWait2 {
			c.emit(Event{Kind: EvTimerFired, Timer: "finwait2"})
		} else {
			c.emit(Event{Kind: EvTimerFired, Timer: "timewait"})
		}
		// RFC 9293 §3.10.8: when the time-wait timeout expires, delete the
		// TCB and enter CLOSED.
		c.toClosed()
	}
}

// onRtxTimeout handles an expiry of the retransmission timer.
func (c *Conn) onRtxTimeout(now time.Duration) {
	switch c.state {
	case SynSent:
		c.retrySyn(now, false)
	case SynReceived, FinWait1:
		if c.state == FinWait1 && c.synAcked {
			c.onDataTimeout(now)
			return
		}
		// SYN-RECEIVED, or FIN-WAIT-1 after a shutdown there: the SYN-ACK
		// is still unacknowledged.
		c.retrySyn(now, true)
	case Established, CloseWait, Closing, LastAck:
		c.onDataTimeout(now)
	}
}

// retrySyn resends our SYN (or SYN-ACK when synack) after an RTO, with the
// timer backed off (RFC 6298 §5.5, RFC 9293 §3.8.1), or gives up with
// ETIMEDOUT once SynRetries (SynAckRetries) resends went unanswered, as
// Linux's tcp_write_timeout does with tcp_syn_retries and
// tcp_synack_retries.
func (c *Conn) retrySyn(now time.Duration, synack bool) {
	what, limit := "syn", c.cfg.SynRetries
	if synack {
		what, limit = "synack", c.cfg.SynAckRetries
	}
	c.emit(Event{Kind: EvTimerFired, Timer: what})
	if c.retries >= limit {
		c.fail(ETIMEDOUT, false)
		return
	}
	c.retries++
	c.rtt.backOff()
	c.sendSyn(now, synack) // without ECN's flags on a SYN (ecnSynFlags)
	c.noteRetransmit(c.iss, 0, what)
	c.arm(timerRtx, now+c.rtt.current())
}

// lossHolds reports whether an RTO's Loss state (inLoss) goes on with
// SND.UNA at una: until what was in flight at the RTO, up to recoverSeq
// (Linux's high_seq), is acknowledged, and without SACK until something
// above it is, as tcp_process_loss's tcp_try_undo_recovery holds the
// state at snd_una == high_seq for Reno (no false fast retransmit, RFC
// 6582).
func (c *Conn) lossHolds(una Seq) bool {
	return una.LessThan(c.recoverSeq) || !c.sackOK && una == c.recoverSeq
}

// onDataTimeout is an RTO of a synchronized connection.
func (c *Conn) onDataTimeout(now time.Duration) {
	c.emit(Event{Kind: EvTimerFired, Timer: "rto"})
	if c.sndUna == c.sndMax {
		return
	}
	c.losses.Timeouts++
	c.rackOnRTO()
	// Linux's tcp_enter_loss: the probe episode ends, and the RTO takes
	// the reordering timer's place.
	c.stop(timerTLP)
	c.stop(timerReo)
	c.tlp.on = false
	if c.writeTimedOut(now) {
		c.fail(ETIMEDOUT, false)
		return
	}
	c.retries++
	// RFC 6298 §5.5-5.6: back off and retransmit the earliest
	// unacknowledged segment; RFC 5681 §3.1: collapse cwnd.
	c.rtt.backOff()
	if c.inRecovery || c.ecn.cwr && c.sndUna.LessThan(c.ecn.cwrHigh) {
		// Linux's tcp_enter_loss: the recovery, or an ECN-Echo's
		// reduction (TCP_CA_CWR until high_seq, here cwrHigh, is
		// acknowledged), already reduced ssthresh in this window
		// (holdSsthreshOnRTO).
		holdSsthreshOnRTO(c.cc)
	}
	c.cc.OnRTO(now, c.flightSize())
	c.noteCwnd("rto")
	// tcp_enter_loss: the Loss state ends an ECE's reduction (CWR), and
	// the reduction is signalled as any other: the next new data
	// carries CWR (tcp_ecn_queue_cwr).
	c.ecn.reducing = false
	c.ecn.queueCWR = c.ecn.queueCWR || c.ecnOK
	// RFC 6582 §4 / RFC 6675 §5.1: after an RTO, recover = HighData, so
	// duplicate ACKs for the go-back-N retransmissions do not start a
	// fast retransmit.
	c.inRecovery = false
	c.inLoss = true
	c.recoverSeq = c.sndMax
	c.dupAcks = 0
	c.markAllRetransmitted()
	c.rewind = rewindRTO
	// RFC 9293 §3.8.6.1 and Linux's tcp_retransmit_skb: the first
	// unacknowledged segment is resent now even into a zero window,
	// so a lost window update cannot stall the connection; the rest
	// follows from SND.NXT as the windows allow (go-back-N).
	n := min(c.curMss(), int(c.sndDataEnd().Sub(c.sndUna)))
	if next, ok := c.board.nextSacked(c.sndUna); ok {
		n = min(n, int(next.Sub(c.sndUna)))
	}
	sent := c.retransmit(now, c.sndUna, n, "rto")
	c.losses.RTORetransmits++
	c.sndNxt = c.sndUna.Add(uint32(sent))
	// Linux's tcp_clamp_rto_to_user_timeout: the backed-off RTO ends no
	// later than the user timeout, or one tick on once it has passed.
	c.arm(timerRtx, now+c.clampToUserTimeout(now, c.rtt.current(), time.Millisecond))
}

// linuxRTOMin is Linux's TCP_RTO_MIN, the base of the timeout that
// tcp_retries2 stands for, whatever the connection's own rto_min.
const linuxRTOMin = 200 * time.Millisecond

// writeTimedOut says whether an RTO expiry finds the connection given up
// (Linux's tcp_write_timeout for a synchronized connection), never at the
// first expiry: once the time since the stall's first retransmission
// reaches UserTimeout, or without one the time DataRetries
// retransmissions take whose timeout starts at 200 ms and doubles up to
// RTOMax (retransmits_timed_out with tcp_model_timeout: 924.6 s for the
// default 15). Linux counts time, not expiries: a connection whose RTO
// is above 200 ms gives up after fewer than DataRetries retransmissions.
func (c *Conn) writeTimedOut(now time.Duration) bool {
	if c.retries == 0 || c.stalledSince == 0 {
		return false
	}
	limit := c.cfg.UserTimeout
	if limit == 0 {
		limit = modelTimeout(c.cfg.DataRetries, linuxRTOMin, c.cfg.RTOMax)
	}
	return now-(c.stalledSince-1) >= limit
}

// modelTimeout is Linux's tcp_model_timeout: how long boundary
// retransmissions take whose timeout starts at base and doubles up to
// most, then stays there.
func modelTimeout(boundary int, base, most time.Duration) time.Duration {
	thresh := 0 // ilog2(most / base): the doublings below most
	for base<<(thresh+1) <= most {
		thresh++
	}
	if boundary <= thresh {
		return time.Duration(2<<boundary-1) * base
	}
	return time.Duration(2<<thresh-1)*base + time.Duration(boundary-thresh)*most
}

// userTimedOut says whether UserTimeout has passed since the first
// retransmission or zero-window probe of the stall.
func (c *Conn) userTimedOut(now time.Duration) bool {
	return c.cfg.UserTimeout > 0 && c.stalledSince > 0 && now-(c.stalledSince-1) >= c.cfg.UserTimeout
}

// noteStall stamps the first retransmission or zero-window probe since
// SND.UNA last moved (Linux's retrans_stamp, set by tcp_retransmit_skb,
// and icsk_probes_tstamp); the user timeout counts from it. Linux keeps
// retrans_stamp until no retransmitted data is left unacknowledged;
// netsim forgets it as soon as SND.UNA moves, which only differs when an
// ACK covers part of a stall's retransmissions and the stall goes on.
func (c *Conn) noteStall(now time.Duration) {
	if c.stalledSince == 0 {
		c.stalledSince = now + 1
	}
}

// clampToUserTimeout shortens a backed-off timer of d so that it fires
// when the user timeout runs out, but not sooner than floor from now
// (tcp_clamp_rto_to_user_timeout, tcp_clamp_probe0_to_user_timeout).
func (c *Conn) clampToUserTimeout(now, d, floor time.Duration) time.Duration {
	if c.cfg.UserTimeout == 0 || c.stalledSince == 0 {
		return d
	}
	left := c.cfg.UserTimeout - (now - (c.stalledSince - 1))
	return min(d, max(left, floor))
}

// onPersist sends a zero-window probe, or when the window is open but too
// small for the sender's silly-window rule, forces a segment out (RFC 9293
// §3.8.6.2.1 override timeout).
func (c *Conn) onPersist(now time.Duration) {
	if !c.state.Synchronized() || c.sndUna != c.sndMax {
		return
	}
	avail := c.unsent()
	if avail <= 0 && !(c.finQueued && c.sndNxt == c.finSeq) {
		return
	}
	if c.sndWnd == 0 {
		// Linux's tcp_probe_timer: a peer that answers no probe (any
		// acceptable ACK sets the count back to zero, tcp_ack's
		// icsk_probes_out = 0) is given up after tcp_retries2 probes,
		// ETIMEDOUT without a reset (tcp_write_err). retries counts the
		// probes: nothing is in flight, so no RTO shares it.
		// With a user timeout the probes are also given up once it has
		// passed since the first one, answered or not: a peer that
		// keeps its window shut forever is let go (tcp_probe_timer,
		// icsk_probes_tstamp).
		if c.retries >= c.cfg.DataRetries || c.userTimedOut(now) {
			c.fail(ETIMEDOUT, false)
			return
		}
		c.noteStall(now)
		c.retries++
		// Linux (tcp_write_wakeup with no usable window) probes with a
		// zero-length segment at SND.UNA-1, which the peer must answer
		// with an ACK carrying its window (RFC 9293 §3.8.6.1).
		c.emitSeg(now, FlagACK, c.sndUna.Add(^uint32(0)), 0)
		c.noteRetransmit(c.sndUna, 0, "probe")
	} else {
		c.forceSend = true
	}
	c.rtt.backOff()
	// tcp_clamp_probe0_to_user_timeout, no sooner than TCP_TIMEOUT_MIN
	// (2 ticks).
	c.arm(timerPersist, now+c.clampToUserTimeout(now, c.rtt.current(), 2*time.Millisecond))
}
