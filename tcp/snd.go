package tcp

import "time"

// sndDataEnd is the sequence number after the last byte the user wrote.
func (c *Conn) sndDataEnd() Seq { return c.sb.endSeq() }

// unsent returns the bytes written and not sent yet, from SND.NXT on.
func (c *Conn) unsent() int { return int(c.sndDataEnd().Sub(c.sndNxt)) }

// peerWndLeft returns what the peer's window takes beyond SND.NXT
// (negative when the window shrank below what is in flight). The window
// starts at SND.UNA, or past our SYN-ACK for a Fast Open child sending
// before the handshake completes: the window of the peer's SYN is for
// data (Linux's child starts with snd_una = ISN + 1).
func (c *Conn) peerWndLeft() int { return int(c.dataUna().Add(uint32(c.sndWnd)).Sub(c.sndNxt)) }

// sndWndTest is Linux's tcp_snd_wnd_test for the avail bytes that wait to
// be sent for the first time: their first segment, min(MSS, avail), fits
// the rwnd bytes the peer's window has left. New data that fails it waits
// for the peer's window, or for the persist timer's probe.
func (c *Conn) sndWndTest(avail, rwnd int) bool { return rwnd >= min(c.curMss(), avail) }

// curMss is the payload of a full segment sent now: sndMss, which leaves
// room for the options every segment carries, less the SACK option our
// next segment carries (RFC 2018 §3: 2 bytes and 8 per block, after two
// NOPs), so that the datagram still fits the path. Linux's
// tcp_current_mss subtracts what tcp_established_options adds beyond
// tcp_header_len, and its segments are cut to it when sent
// (tcp_write_xmit, tcp_retransmit_skb): without it a full segment with
// one block is 12 bytes too long for the MTU.
func (c *Conn) curMss() int {
	if !c.sackOK {
		return c.sndMss
	}
	// The blocks sackBlocks gives: the D-SACK block, then every range
	// held out of order, as many as the option space holds.
	n := len(c.held())
	if c.dsackOn {
		n++
	}
	if n == 0 {
		return c.sndMss
	}
	// The option: two nops, its kind and length, and the blocks.
	return max(c.sndMss-(2+2+lenSACKBlock*min(n, sackRoom(c.tsOK))), 1)
}

// flightSize is RFC 5681 §2 FlightSize: sent and not yet acknowledged,
// the data a Fast Open child sends before the handshake completes
// without its SYN-ACK (Linux's child has only the data in flight).
func (c *Conn) flightSize() int { return int(c.sndMax.Sub(c.dataUna())) }

// noteFlight keeps the most data in flight during the current window, as
// Linux's tcp_cwnd_validate keeps max_packets_out after each transmission:
// the record restarts once SND.UNA passes what had been sent when it was
// last restarted. Congestion control grows the window only as far as this
// use justifies (cwndValidated).
func (c *Conn) noteFlight() {
	flight := c.flightSize()
	if flight > c.maxFlight || !c.sndUna.LessThan(c.maxFlightEnd) {
		c.maxFlight = flight
		c.maxFlightEnd = c.sndNxt
	}
}

// tsNow is our timestamp clock: milliseconds plus the per-connection
// offset (RFC 7323 §5.4), like Linux's tcp_time_stamp.
func (c *Conn) tsNow(now time.Duration) uint32 {
	return c.tsOffset + uint32(now/time.Millisecond)
}

// synWindow is the window offered on a SYN or SYN-ACK, never scaled (RFC
// 7323 §2.2): like Linux's tcp_select_initial_window, the receive space
// rounded down to a multiple of the MSS, then capped at 65535 (so a
// space above 64 KiB offers 65535 whatever the MSS). A SYN-ACK's MSS
// is the one its data segments will carry, less the timestamps when
// they are on (tcp_openreq_init_rwin); a SYN's is the whole MSS
// (tcp_connect_init), as is a simultaneous open's SYN-ACK, our SYN again.
func (c *Conn) synWindow() int {
	mss := c.cfg.MSS
	if c.passive && c.tsOK {
		mss -= TimestampsAligned
	}
	w := c.rb.size
	if w > mss {
		w -= w % mss
	}
	return min(w, 0xffff)
}

// newSeg appends a segment to the outbox and fills in what every segment
// carries. The caller sets options for SYNs.
func (c *Conn) newSeg(flags Flags, seq Seq, n int) *Header {
	q := c.busy()
	q.out = append(q.out, outSeg{seq: seq, n: n})
	o := &q.out[len(q.out)-1]
	o.h = Header{SrcPort: c.srcPort, DstPort: c.dstPort, Seq: seq, Flags: flags}
	c.stats.SegmentsSent++
	c.stats.BytesSent += int64(n)
	return &o.h
}

// emitSeg queues a segment of the synchronized states: ACK of RCV.NXT (when
// the ACK flag is set), our window, timestamps and SACK blocks.
func (c *Conn) emitSeg(now time.Duration, flags Flags, seq Seq, n int) {
	h := c.newSeg(flags, seq, n)
	if flags.Has(FlagACK) {
		h.Ack = c.rcvNxt
		c.ackSent()
	}
	h.Window = c.advertiseWindow()
	c.ecnOnSend(&c.q.out[len(c.q.out)-1])
	var blocks []SACKBlock
	var buf [MaxSACKBlocks]SACKBlock // on the stack: encoded just below
	if c.sackOK && flags.Has(FlagACK) && !flags.Has(FlagRST) {
		blocks = c.sackBlocks(&buf)
	}
	if c.tsOK || len(blocks) > 0 {
		h.Options = SegmentOptions(c.tsNow(now), c.tsRecent, c.tsOK, blocks)
	}
}

// ackSent notes that an ACK of RCV.NXT is on its way.
func (c *Conn) ackSent() {
	if (c.unackedBytes > 0 || c.armed(timerDelack)) && c.quickAcks > 0 {
		// An ACK sent while one was due uses up a quick ACK, as Linux's
		// tcp_event_ack_sent counts it (tcp_dec_quickack_mode, when
		// inet_csk_ack_scheduled): a quick ACK of data (delayAck), an
		// ACK of data held in interactive mode (pingpong.go) riding on
		// a reply or sent by the timer, and the ACK the timer holds for
		// a FIN or for the SYN-ACK of a Fast Open writer waiting on the
		// handshake (tcp_rcv_synsent_state_process's
		// inet_csk_schedule_ack), whether it rides on data or not.
		c.quickAcks--
		if c.quickAcks == 0 {
			// "Leaving quickack mode we deflate ATO": the ACK timeout
			// estimate falls back to its floor (pingpong.go).
			c.ato = c.cfg.DelayedAck
		}
	}
	c.ackNow = false
	c.unackedBytes = 0
	c.stop(timerDelack)
	c.lastAckTx = c.rcvNxt
}

// openWithSyn enters state (SYN-SENT or SYN-RECEIVED) and sends our first
// SYN or SYN-ACK: it takes the ISS, so SND.NXT and SND.MAX move past it
// (RFC 9293 §3.10.1, §3.10.7.2), and the retransmission timer starts at
// the initial RTO (RFC 6298 §2.1), timed from now for the handshake's RTT
// sample.
func (c *Conn) openWithSyn(now time.Duration, state State, synack bool) {
	c.setState(state)
	c.sendSyn(now, synack)
	c.sndNxt = c.iss.Add(1)
	c.sndMax = c.sndNxt
	c.synSentAt = now
	c.arm(timerRtx, now+c.rtt.current())
}

// sendSyn queues our SYN (active open) or SYN-ACK (passive or simultaneous
// open) with options in Linux's order, mirroring the peer's on a SYN-ACK.
func (c *Conn) sendSyn(now time.Duration, synack bool) {
	flags := FlagSYN
	sackOK, tsOK, ws := c.cfg.SACK, c.cfg.Timestamps, -1
	if c.cfg.WindowScale {
		ws = c.cfg.wscaleShift()
	}
	var ecr uint32
	if synack {
		flags |= FlagACK
		// RFC 7323 §2.2, §3.2 and RFC 2018 §2: offer only what the SYN
		// offered.
		sackOK, tsOK = c.sackOK, c.tsOK
		if !c.wsOK {
			ws = -1
		}
		ecr = c.tsRecent
	}
	h := c.newSeg(c.ecnSynFlags(flags, synack), c.iss, 0)
	c.q.out[len(c.q.out)-1].ect = c.ecnSynECT()
	if synack {
		h.Ack = c.rcvNxt
		c.ackSent()
	}
	h.Window = uint16(c.synWindow())
	if synack {
		// The right edge a SYN-ACK offers counts from its ACK, past the
		// data a Fast Open SYN carried (tcp_fastopen_create_child sets
		// rcv_wup after tcp_fastopen_add_skb queued it).
		c.rcvAdvEdge = Max(c.rcvAdvEdge, c.rcvNxt.Add(uint32(h.Window)))
	}
	h.Options = SYNACKOptions(uint16(c.advMSS()), sackOK, c.tsNow(now), ecr, tsOK, ws)
	if f := c.foState(); !synack && f != nil && f.active != nil && f.active.data > 0 && c.sndMax == c.iss {
		// An active Fast Open's first SYN carries the data written
		// for it (tcp_send_syn_data); a retransmitted SYN does not.
		o := &c.q.out[len(c.q.out)-1]
		o.seq, o.n = c.iss.Add(1), f.active.data
		c.stats.BytesSent += int64(o.n)
	}
	if f := c.foState(); f != nil && f.reply.Len >= 0 {
		// Linux's tcp_synack_options adds the cookie after the others,
		// when it fits; a retransmitted SYN-ACK carries none
		// (tcp_rtx_synack passes no cookie).
		_ = h.Options.AppendFastOpen(f.reply.Bytes(), f.reply.Exp)
		f.reply.Len = -1
	}
}

// sendRst queues a reset from this connection: R. with our sequence
// number and RCV.NXT (RFC 9293 §3.10.7.4, Linux tcp_send_active_reset).
func (c *Conn) sendRst(now time.Duration, seq Seq, withAck bool) {
	flags := FlagRST
	if withAck {
		flags |= FlagACK
	}
	h := c.newSeg(flags, seq, 0)
	if withAck {
		h.Ack = c.rcvNxt
	}
	// Linux sends it through tcp_transmit_skb, which adds the options of
	// every established segment: the timestamps, TSval from the clock
	// now (tcp_established_options).
	if c.tsOK {
		h.Options = SegmentOptions(c.tsNow(now), c.tsRecent, true, nil)
	}
}

// cwndAvail is how many more bytes congestion control lets us send now.
func (c *Conn) cwndAvail() int {
	switch {
	case c.inRecovery && c.windowCtl:
		// Linux's cong_control: the algorithm's window bounds what is
		// in flight during recovery too, without PRR.
		flight := int(c.sndNxt.Sub(c.sndUna))
		if c.sackOK {
			flight = c.pipe()
		}
		avail := c.cc.Cwnd() - flight
		return avail - avail%c.sndMss
	case c.inRecovery && c.sackOK:
		// RFC 6675 §5 paced by RFC 6937: what the latest ACK allows, in
		// whole segments (Linux counts sndcnt in packets), so that the
		// allowance does not trickle out as small segments.
		return c.prr.allow - c.prr.allow%c.sndMss
	case c.inRecovery:
		// RFC 6582 §3.2 / RFC 5681 §3.2: the inflated window.
		return c.recCwnd - int(c.sndNxt.Sub(c.sndUna))
	case c.prrCWR():
		// An ECE's reduction (TCP_CA_CWR): what PRR let the latest ACK
		// send, in whole segments, as in SACK recovery.
		return c.prr.allow - c.prr.allow%c.sndMss
	}
	// RFC 3042 limited transmit: each of the first two duplicate ACKs
	// lets one new segment go, so a small window still gets its third
	// duplicate ACK.
	// SACKed bytes below SND.NXT have left the network (after an RTO the
	// resend skips them).
	sacked := c.board.sackedBelow(c.sndNxt)
	// A duplicate ACK that SACKs a segment already makes room for one by
	// the subtraction below, so the allowance counts only what the SACKs
	// have not covered: with SACK, a duplicate ACK lets exactly one new
	// segment go, as RFC 3042 §2 asks and as Linux does (its packets in
	// flight subtract sacked_out, or one per duplicate ACK without SACK).
	lt := max(0, min(c.dupAcks, defaultDupThresh-1)*c.sndMss-sacked)
	flight := int(c.sndNxt.Sub(c.dataUna())) - sacked // a Fast Open child's SYN-ACK is not in it
	return c.cwndWhole() + lt - flight
}

// cwndWhole is the congestion window in whole segments, as Linux counts
// snd_cwnd in packets: the fraction a window grows by in congestion
// avoidance waits until it makes a full segment, rather than going out as
// a runt segment of a few bytes.
func (c *Conn) cwndWhole() int {
	cw := c.cc.Cwnd()
	if cw <= c.sndMss {
		return cw
	}
	return cw - cw%c.sndMss
}

// output sends what the state, the windows, Nagle and the silly-window
// rules allow, then a pure ACK if one is owed, and arms the timers.
func (c *Conn) output(now time.Duration) {
	switch {
	case c.state == Established, c.state == CloseWait, c.state == FinWait1, c.state == Closing, c.state == LastAck:
	case c.state == SynReceived && c.FastOpenPassive():
		// RFC 7413 §4.2.2: a server that accepted a Fast Open SYN may
		// send before the handshake completes (Linux's TFO child in
		// SYN_RECV sends through tcp_write_xmit).
	default:
		if c.ackNow && (c.state == FinWait2 || c.state == TimeWait || c.state == SynReceived) {
			c.emitSeg(now, FlagACK, c.sndMax, 0)
		}
		c.ackNow = false
		return
	}
	if c.inRecovery && c.sackOK {
		c.sackRecover(now)
	}
	// After shutdown in SYN-RECEIVED, nothing follows the SYN-ACK until
	// the peer acknowledges it.
	sent := false
	for (c.synAcked || c.FastOpenPassive()) && c.sendOne(now, sent) {
		sent = true
	}
	if sent {
		c.noteFlight()
		// Linux's tcp_write_xmit: new data (re)schedules the probe.
		c.scheduleLossProbe(now, false)
	}
	c.chronoAfterOutput(now, sent)
	if c.ackNow {
		// A pure ACK carries SND.MAX, not a rewound SND.NXT, so that it
		// stays acceptable to a peer that already has the data (RFC 9293
		// §3.10.7.4 first step).
		c.emitSeg(now, FlagACK, c.sndMax, 0)
	}
	// RFC 6298 §5.1: the retransmission timer runs while data is in flight.
	if c.sndUna != c.sndMax {
		c.stop(timerPersist)
		if !c.armed(timerRtx) {
			c.arm(timerRtx, now+c.rtt.current())
		}
		return
	}
	c.stop(timerRtx)
	c.stop(timerTLP)
	c.stop(timerReo)
	pending := c.sndDataEnd() != c.sndNxt || c.finQueued && c.sndNxt == c.finSeq
	if pending && !c.armed(timerPersist) {
		// RFC 9293 §3.8.6.1: with data waiting and nothing in flight, the
		// persist timer makes sure a closed window is probed.
		c.arm(timerPersist, now+c.rtt.current())
	} else if !pending {
		c.stop(timerPersist)
	}
}

// sendOne sends the next segment from SND.NXT if the rules allow, and
// reports whether it did. burst says that a segment already left in this
// pass, so this one continues what Linux would send as one TSO skb.
func (c *Conn) sendOne(now time.Duration, burst bool) bool {
	// Resending after an RTO: skip what the peer has SACKed (RFC 6675
	// §5.1; Linux keeps the scoreboard through tcp_enter_loss).
	holeEnd, inHole := Seq(0), false
	if c.sndNxt.LessThan(c.sndMax) {
		for _, r := range c.board.blocks {
			if !c.sndNxt.LessThan(r.start) && c.sndNxt.LessThan(r.end) {
				c.sndNxt = r.end
			}
			if c.sndNxt.LessThan(r.start) {
				holeEnd, inHole = r.start, true
				break
			}
		}
	}
	avail := c.unsent()
	finPending := c.finQueued && c.sndNxt.LessEq(c.finSeq)
	if avail <= 0 && !finPending {
		return false
	}
	avail = max(avail, 0)
	rwnd := c.peerWndLeft()
	usable := min(c.cwndAvail(), rwnd)
	mss := c.curMss()
	n := max(0, min(mss, avail, usable))
	if inHole {
		n = min(n, int(holeEnd.Sub(c.sndNxt)))
	}
	n, atEOR := c.eorCut(c.sndNxt, n)
	// A segment cut short by a record's end, with data after it, is not
	// the last skb: Linux's tcp_write_xmit tests Nagle (and a cork) on
	// the last skb only.
	recordCut := atEOR && c.sndNxt.Add(uint32(n)) != c.sndDataEnd()
	fin := finPending && c.sndNxt.Add(uint32(n)) == c.finSeq
	if !burst && !c.forceSend && !inHole && avail > 0 && !c.sndNxt.LessThan(c.sndMax) && !c.sndWndTest(avail, rwnd) {
		// Linux's tcp_snd_wnd_test: new data goes only if the first
		// segment of the next skb, min(its length, MSS), fits in the
		// peer's window; a window too small for it leaves the data to
		// the persist timer's probe (tcp_write_wakeup), and the time
		// counts as receive-window limited. Within a burst (one skb)
		// tcp_mss_split_point may still cut the last segment to the
		// window, which the Nagle test below governs.
		n = 0
	}
	if n == 0 && !fin {
		if c.forceSend && rwnd > 0 && avail > 0 {
			n = min(mss, avail, rwnd)
			fin = finPending && c.sndNxt.Add(uint32(n)) == c.finSeq
		} else {
			return false
		}
	}
	if n == 0 && fin && rwnd < 1 {
		// A FIN takes one sequence number of the peer's window, as any
		// byte (Linux's tcp_snd_wnd_test); the persist timer probes a
		// closed window. The congestion window does not hold it back:
		// Linux's tcp_cwnd_test lets a lone FIN (a one-segment skb) go
		// whatever is in flight ("don't be strict about the congestion
		// window for the final FIN").
		return false
	}
	if n > 0 && n < mss && !c.forceSend && !c.pushOnce && !recordCut && !c.sndNxt.LessThan(c.sndMax) && !fin &&
		(c.corked || c.holdMore || c.cfg.Nagle && c.sndSml.GreaterThan(c.sndUna)) {
		// A partial segment of new data waits (Linux's tcp_nagle_check).
		// With TCP_CORK or MSG_MORE (TCP_NAGLE_CORK) it waits whatever
		// is in flight.
		//
		// Otherwise RFC 9293 §3.7.4 Nagle, with Minshall's refinement
		// as in Linux (tcp_minshall_check): hold a small segment while
		// an earlier small one is unacknowledged. Like Linux, this is also
		// the sender's silly-window rule for a segment cut short by the
		// peer's window (tcp_mss_split_point), in place of RFC 9293
		// §3.8.6.2.1's half-window test; the receiver's rule keeps windows
		// from being silly in the first place.
		return false
	}
	if n > 0 && !c.forceSend && c.paceBlocked(now) {
		return false
	}
	probe := c.forceSend
	c.forceSend = false
	seq := c.sndNxt
	flags := FlagACK
	if n > 0 && (atEOR || seq.Add(uint32(n)) == c.sndDataEnd() && (!c.lastMore || probe)) {
		// PSH on the last segment of what the user wrote (RFC 9293
		// §3.9.1, as Linux does), unless it was written with MSG_MORE;
		// the persist timer's probe carries it anyway (tcp_write_wakeup),
		// and so does a record's last (tcp_push marked its skb).
		flags |= FlagPSH
	}
	if fin {
		flags |= FlagFIN
	}
	end := seq.Add(uint32(n))
	if fin {
		end = end.Add(1)
	}
	if seq.LessThan(c.sndMax) {
		c.markRecut(seq, end)
		c.rtxTSVal = c.tsNow(now)
		c.noteRetransmit(seq, n, c.rewind.String())
		if c.rewind == rewindRTO {
			c.losses.RTORetransmits++
		}
	} else {
		c.noteDataSent(now)
		c.sent = append(c.sent, sentRec{start: seq, end: end, at: now, fin: fin})
	}
	c.rateSent(seq, end, now)
	if n > 0 && n < mss && !seq.LessThan(c.sndMax) {
		// Minshall's small-segment mark follows new data only: Linux
		// calls tcp_minshall_update from tcp_write_xmit, not for
		// retransmissions (tcp_retransmit_skb).
		c.sndSml = end
	}
	if n > 0 {
		c.pingpongOnSend(now)
	}
	c.emitSeg(now, flags, seq, n)
	c.pacedSent(now, n)
	if c.inRecovery && c.sackOK || c.inCWR() {
		// prr_out: what was sent during the reduction (Linux's
		// tcp_write_xmit counts it in CWR and Recovery alike).
		c.prr.sent(int(end.Sub(seq)))
	}
	c.sndNxt = end
	if c.sndMax.LessThan(end) {
		c.sndMax = end
	}
	return true
}

// retransmit resends n bytes at seq (and our FIN if the range reaches it)
// without moving SND.NXT: fast retransmit, NewReno partial ACKs and SACK
// recovery.
func (c *Conn) retransmit(now time.Duration, seq Seq, n int, reason string) int {
	// Only what was sent before: bytes beyond SND.MAX are new data, for
	// sendOne to send and account for.
	// At most one segment of what may be sent now: Linux's
	// tcp_retransmit_skb fragments an skb longer than tcp_current_mss.
	n = max(0, min(n, c.curMss(), int(c.sndDataEnd().Sub(seq)), int(c.sndMax.Sub(seq))))
	n, atEOR := c.eorCut(seq, n)
	flags := FlagACK
	if atEOR && n > 0 {
		flags |= FlagPSH
	}
	end := seq.Add(uint32(n))
	if c.finQueued && end == c.finSeq && c.sndMax.GreaterThan(c.finSeq) {
		flags |= FlagFIN
		end = end.Add(1)
	}
	if n == 0 && !flags.Has(FlagFIN) {
		return 0
	}
	if n > 0 && (end == c.sndDataEnd() || c.rare != nil && c.synDataPush(end)) {
		flags |= FlagPSH
	}
	if reason != "tlp" {
		// tcp_retransmit_skb stamps retrans_stamp; a loss probe
		// (__tcp_retransmit_skb) does not.
		c.noteStall(now)
	}
	c.markRetransmitted(seq, end)
	c.markRecut(seq, end)
	c.rateSent(seq, end, now)
	c.rtxTSVal = c.tsNow(now)
	c.noteRetransmit(seq, n, reason)
	if n > 0 {
		// A resend is data sent too (tcp_event_data_sent is called from
		// __tcp_transmit_skb for every segment with data): it counts for
		// the interactive mode, and it is Linux's lsndtime, from which
		// slow start after idle counts the silence.
		c.pingpongOnSend(now)
		c.lastSendAt = now
	}
	c.emitSeg(now, flags, seq, n)
	// Every transmission moves the pacing clock (Linux's
	// tcp_update_skb_after_send), retransmissions included.
	c.pacedSent(now, n)
	return int(end.Sub(seq))
}

// noteRetransmit counts and reports a retransmission.
func (c *Conn) noteRetransmit(seq Seq, n int, reason string) {
	if reason != "probe" {
		c.losses.Retransmits++
		c.rateLost(n)
	}
	c.emit(Event{Kind: EvRetransmit, Seq: seq, Len: n, Reason: reason})
}

// rewindCause says why SND.NXT went back below SND.MAX (Conn.rewind).
type rewindCause uint8

// The causes of a rewind.
const (
	rewindNone     rewindCause = iota
	rewindRTO                  // the retransmission timeout (timers.go)
	rewindPMTU                 // a path MTU drop (pmtu.go)
	rewindFastOpen             // a SYN-ACK left a Fast Open SYN's data unacknowledged (fastopen.go)
)

// String is the reason the resends are traced with: "rto", "pmtu",
// "fastopen", or "" for none.
func (r rewindCause) String() string {
	switch r {
	case rewindRTO:
		return "rto"
	case rewindPMTU:
		return "pmtu"
	case rewindFastOpen:
		return "fastopen"
	}
	return ""
}

// noteCwnd reports a change of cwnd or ssthresh.
func (c *Conn) noteCwnd(reason string) {
	cw, ss := c.cc.Cwnd(), c.cc.Ssthresh()
	if cw == c.lastCwnd && ss == c.lastSsth {
		return
	}
	c.lastCwnd, c.lastSsth = cw, ss
	if !c.reports(EvCwnd) {
		return
	}
	c.emit(Event{Kind: EvCwnd, Cwnd: cw, Ssthresh: ss, Reason: reason})
}

// markRetransmitted applies Karn's rule (RFC 6298 §3): data in [seq, end)
// was sent twice, so its ACK gives no RTT sample.
//
// A record covers from the end of the one before it (SND.UNA for the
// first), so the records marked are a run: from the first that ends after
// seq (sentIndex's binary search, not a scan of every record sent, which
// made each retransmission cost the whole window) to the last that starts
// before end.
func (c *Conn) markRetransmitted(seq, end Seq) {
	i := c.sentIndex(seq)
	start := c.sndUna
	if i > c.sentHead {
		start = c.sent[i-1].end
	}
	for ; i < len(c.sent) && start.LessThan(end); i++ {
		r := &c.sent[i]
		if r.end.GreaterThan(seq) {
			r.retx = true
		}
		start = r.end
	}
}

// markRecut notes the segments whose retransmission [seq, end) starts or
// ends inside them: the peer may SACK their parts apart, so their SACKed
// bytes are no longer tagged by whole segment (sackWholeSegments).
func (c *Conn) markRecut(seq, end Seq) {
	for _, edge := range [2]Seq{seq, end} {
		if i := c.sentIndex(edge); i < len(c.sent) && c.sent[i].start.LessThan(edge) {
			c.sent[i].recut = true
		}
	}
}

func (c *Conn) markAllRetransmitted() {
	for i := c.sentHead; i < len(c.sent); i++ {
		c.sent[i].retx = true
	}
}

// rttOnAck takes an RTT sample when ack covers data sent once (RFC 6298
// §3, Karn), else from the timestamp echo (RFC 7323 §4).
func (c *Conn) rttOnAck(now time.Duration, ack Seq, h *Header) {
	var at time.Duration
	found, retx := false, false
	for c.sentHead < len(c.sent) && c.sent[c.sentHead].end.LessEq(ack) {
		r := c.sent[c.sentHead]
		c.sentHead++
		at, found = r.at, true
		retx = retx || r.retx
	}
	if c.sentHead == len(c.sent) {
		c.sent, c.sentHead = c.sent[:0], 0
	} else if c.sentHead > len(c.sent)/2 {
		// Slide the live records down so the slice does not grow without
		// bound while data is always outstanding.
		n := copy(c.sent, c.sent[c.sentHead:])
		c.sent, c.sentHead = c.sent[:n], 0
	}
	synSampled := c.synSampled
	c.synSampled = false
	switch {
	case found && !retx:
		c.takeSample(now - at)
	case synSampled:
		// The ACK that completed a passive open: establish sampled it.
	case c.tsOK:
		// An echo older than our latest retransmission may answer the
		// first transmission or the retransmission (a duplicate does not
		// update the peer's TS.Recent, RFC 7323 §4.3): ambiguous, so no
		// sample, as Karn's rule asks.
		if _, ecr, ok := h.Options.Timestamps(); ok && ecr != 0 && int32(ecr-c.rtxTSVal) >= 0 {
			ms := c.tsNow(now) - ecr
			if ms < 1<<31 {
				// Linux's tcp_rtt_tsopt_us: an echo of this very
				// millisecond counts as 1 ms, not as no time at all.
				c.takeSample(time.Duration(max(ms, 1)) * time.Millisecond)
			}
		}
	}
}

func (c *Conn) takeSample(m time.Duration) {
	c.rtt.sample(m)
	if !c.reports(EvRTTSample) {
		return
	}
	c.emit(Event{Kind: EvRTTSample, Sample: m, SRTT: c.rtt.srtt, RTTVar: c.rtt.rttvar, RTO: c.rtt.current()})
}

// onAck runs the ACK processing of RFC 9293 §3.10.7.4 fifth step for the
// synchronized states, with RFC 5961 §5.2 validation, duplicate-ACK
// counting (RFC 5681 §2) and loss recovery. It reports whether the segment
// should be processed further.
func (c *Conn) onAck(now time.Duration, h *Header, segLen int) bool {
	ack := h.Ack
	if ack.GreaterThan(c.sndMax) {
		// §3.10.7.4: an ACK for something not yet sent: drop it. Linux
		// (tcp_ack's ACK_UNSENT_DATA) answers only outside ESTABLISHED,
		// with a rate-limited challenge ACK (tcp_rcv_state_process); in
		// ESTABLISHED it drops the segment silently (tcp_rcv_established).
		if c.state != Established {
			c.challengeAck(now)
		}
		c.losses.DroppedSegments++
		return false
	}
	if ack.LessThan(c.sndUna.Add(uint32(-int32(max(c.maxSndWnd, 1))))) {
		// RFC 5961 §5.2: too old to be a duplicate: challenge ACK, drop.
		c.ackNow = true
		c.losses.DroppedSegments++
		return false
	}
	if !ack.LessThan(c.sndUna) {
		// Not an old ACK: the peer is alive (tcp_ack's rcv_tstamp and
		// icsk_probes_out = 0).
		c.rcvTstamp = now
		if c.cfg.Keepalive {
			c.ka().probes = 0
		}
	}
	win := int(h.Window) << c.sndShift
	if idleAckPath && c.acksNothing(h, ack) {
		c.onIdleAck(now, h, ack, win)
		return true
	}
	// Bytes this ACK covers that earlier SACKs had already reported: Linux
	// counts them as delivered when SACKed (tcp_sacktag_write_queue), so
	// the cumulative ACK that later covers them does not grow the window
	// for them again.
	sackedBefore := 0
	if c.sackOK && ack.GreaterThan(c.sndUna) {
		sackedBefore = c.board.sackedBelow(ack)
	}
	// RFC 6937 DeliveredData: the advance of SND.UNA plus the change in
	// SACKed bytes, for an ACK that arrives during SACK recovery or
	// starts it (ackDelivered).
	prrTrack, unaBefore, lostBefore := c.sackOK && c.inRecovery, c.sndUna, c.sndUna
	sackedTotal := c.board.sackedBelow(c.sndMax)
	if prrTrack {
		lostBefore = c.lostEdge()
	}
	// Linux's prior_in_flight: sent, neither acknowledged nor SACKed.
	priorInflight := c.flightSize() - sackedTotal
	// The SACK blocks, read once for the scoreboard, RACK and the rate
	// sample.
	var sackBuf [MaxSACKBlocks]SACKBlock
	var blocks []SACKBlock
	if c.sackOK {
		var nb int
		sackBuf, nb = h.Options.SACK()
		blocks = sackBuf[:nb]
		c.rackOnAckOptions(h, blocks)
		for _, b := range blocks {
			c.board.add(c.sackWholeSegments(b), c.sndUna, c.sndMax)
		}
	}
	if c.rateOnAck(now, h, ack, priorInflight, blocks) {
		if c.rackOn() && c.ackRate.priorSet {
			c.rackUpdateReoWnd(c.ackRate.rs.PriorDelivered)
		}
		c.onRateSample(now)
	}
	// RACK's detection sees the ACK's deliveries before the recovery
	// decision, as tcp_fastretrans_alert's tcp_identify_packet_loss.
	c.rackMarkLost(now, Max(ack, c.sndUna))
	// ackDelivered is what the ACK delivered once the scoreboard and
	// SND.UNA have taken it: the ACK that starts recovery hands it to PRR
	// too, as Linux's tcp_cong_control calls tcp_cwnd_reduction with the
	// ACK's newly_acked_sacked right after tcp_fastretrans_alert entered
	// recovery.
	ackDelivered := func() int { return int(c.sndUna.Sub(unaBefore)) + c.board.sackedBelow(c.sndMax) - sackedTotal }
	// The SACKed bytes once the scoreboard has the ACK's blocks, counted
	// once: a duplicate ACK asks for them up to three times below, and
	// nothing changes the scoreboard before onNewAck or onDupAck runs.
	sackedNow := c.board.sackedBelow(c.sndMax)
	pureDup, grow := false, false
	switch {
	case ack.GreaterThan(c.sndUna):
		c.onNewAck(now, h, ack, sackedBefore, sackedTotal-sackedBefore, sackedNow)
		if c.rackStartsRecovery() {
			c.enterRecovery(now, ackDelivered())
		}
	case ack == c.sndUna && segLen == 0 && c.sndMax != c.sndUna && !h.Flags.Has(FlagSYN) && !h.Flags.Has(FlagFIN) &&
		(win == c.sndWnd || c.sackOK && sackedNow > sackedTotal):
		// A duplicate ACK (RFC 5681 §2) keeps the window; with SACK, an ACK
		// that SACKs new data is one whatever its window (RFC 6675 §2),
		// as Linux's tcp_ack hands any ACK with FLAG_DATA_SACKED to
		// tcp_fastretrans_alert: a receiver that grows its window with
		// out-of-order data (tcp_data_queue_ofo) must not hide the loss.
		pureDup = c.flightSize()-sackedNow == priorInflight
		// SND.UNA has not moved: the ACK delivered what it newly SACKed
		// (ackDelivered).
		c.onDupAck(now, sackedNow-sackedTotal)
		grow = c.ecnOnAck(now, h) // after: a loss found here wins over the ECE
	default:
		grow = c.ecnOnAck(now, h)
	}
	if grow && c.sackOK && !c.inRecovery && c.reorderingHigh() {
		// Linux's tcp_may_raise_cwnd: once reordering beyond
		// tcp_reordering has been seen, data SACKed out of order grows
		// the window too (FLAG_FORWARD_PROGRESS), not only in-order data.
		if newly := ackDelivered(); newly > 0 {
			c.cc.OnAck(now, newly, max(c.flightSize(), c.maxFlight), c.rtt.srtt)
			c.noteCwnd("ack")
		}
	}
	c.tlpOnAck(now, ack, pureDup)
	if prrTrack && c.inRecovery {
		relost := false
		if c.cfg.RACK {
			relost = c.rackLostRetrans(now)
		}
		delivered := ackDelivered()
		// Like Linux, the slow start bound's extra segment only for an ACK
		// that advances SND.UNA and marks no new loss (nor a lost
		// retransmission, Linux's FLAG_LOST_RETRANS).
		grow := c.sndUna.GreaterThan(unaBefore) && !c.lostEdge().GreaterThan(lostBefore) && !relost
		c.prr.onAck(delivered, c.pipe(), c.cc.Ssthresh(), c.sndMss, grow)
	} else if c.prrCWR() {
		// tcp_cong_control in TCP_CA_CWR: PRR reduces the window by what
		// the ACK delivered. Without SACK a duplicate ACK delivered a
		// segment (tcp_add_reno_sack).
		delivered := ackDelivered()
		if !c.sackOK && pureDup {
			delivered += c.sndMss
		}
		c.cwrOnAck(delivered, c.sndUna.GreaterThan(unaBefore))
	}
	if c.sndUna == c.sndMax {
		// An acceptable ACK with nothing in flight answers a zero-window
		// probe: the count towards tcp_retries2 starts again (tcp_ack's
		// icsk_probes_out = 0).
		c.retries = 0
	}
	c.updateSndWnd(now, h, ack, win)
	c.control(now)
	return true
}

// updateSndWnd takes the window of an acceptable ACK if the segment is
// newer than the one it was last taken from (RFC 9293 §3.10.7.4, Linux
// tcp_ack_update_window).
func (c *Conn) updateSndWnd(now time.Duration, h *Header, ack Seq, win int) {
	if c.sndWl1.LessThan(h.Seq) || c.sndWl1 == h.Seq && c.sndWl2.LessEq(ack) {
		switch {
		case c.sndWnd == 0 && win > 0:
			c.stop(timerPersist)
			c.stalledSince = 0 // the probes' stall is over (tcp_ack_probe)
		case win == 0 && c.armed(timerPersist):
			// The answer to a probe: like Linux (tcp_ack_probe), the next
			// probe is one backed-off RTO after this ACK, or sooner when
			// the user timeout ends first.
			c.arm(timerPersist, now+c.clampToUserTimeout(now, c.rtt.current(), 2*time.Millisecond))
		}
		c.sndWnd = win
		c.sndWl1, c.sndWl2 = h.Seq, ack
		c.maxSndWnd = max(c.maxSndWnd, win)
	}
}

// idleAckPath lets onAck take an ACK that acknowledges nothing through
// onIdleAck; TestIdleAckPathChangesNothing turns it off to compare.
var idleAckPath = true

// acksNothing reports whether the acceptable ACK h (of ack) finds nothing
// in flight, acknowledges nothing new and carries no SACK block, outside
// recovery and with a congestion control that is not run on every ACK
// (WindowController: BBR): the
// ACK of every segment a receiver gets while it sends nothing itself. The
// scoreboard, RACK and the rate sample then have nothing to take, and
// onIdleAck does only what onAck would change, so that the receiver of a
// transfer reads none of their state (with a thousand flows each is a
// cache miss per segment). This is the case Linux's header prediction
// takes without calling tcp_ack (tcp_rcv_established: a data segment
// whose ack_seq is snd_una).
func (c *Conn) acksNothing(h *Header, ack Seq) bool {
	if ack != c.sndUna || c.sndUna != c.sndMax || c.inRecovery {
		return false
	}
	if c.sackOK {
		if _, n := h.Options.SACK(); n > 0 {
			return false
		}
	}
	return !c.windowCtl
}

// onIdleAck is onAck for an ACK acksNothing took: of onAck's steps only
// these change anything. The rest finds no SACK block to add and no
// record to deliver, so no rate sample for the congestion control and no
// RACK advance; rackMarkLost then does nothing (rack.advanced is false
// between ACKs), RACK's priorFack is read only for the ACK's own
// deliveries, and the window growth of reordering has no newly delivered
// bytes. TestIdleAckPathChangesNothing compares it with the whole path.
func (c *Conn) onIdleAck(now time.Duration, h *Header, ack Seq, win int) {
	c.hold() // rateOnAck would take the queues for its sample
	c.ecnOnAck(now, h)
	c.tlpOnAck(now, ack, false)
	c.retries = 0 // nothing in flight: see onAck
	c.updateSndWnd(now, h, ack, win)
}

// onNewAck handles an ACK that advances SND.UNA; sackedBefore is how many
// of the bytes it acknowledges were SACKed by earlier ACKs, sackedAbove
// how many above it, and sackedNow how many are SACKed with the ACK's own
// blocks.
func (c *Conn) onNewAck(now time.Duration, h *Header, ack Seq, sackedBefore, sackedAbove, sackedNow int) {
	prev := c.sndUna
	// What this ACK newly SACKed above its cumulative point: Linux's
	// tcp_cong_control grows the window by all the data an ACK delivers
	// (acked_sacked), SACKed or acknowledged.
	sackedNew := 0
	if c.sackOK {
		sackedNew = max(0, sackedNow-c.board.sackedBelow(ack)-sackedAbove)
	}
	flight := c.flightSize()
	acked := int(ack.Sub(prev))
	data := acked
	if !c.synAcked {
		data-- // our SYN
		c.synAcked = true
	}
	if c.finQueued && prev.LessEq(c.finSeq) && ack.GreaterThan(c.finSeq) {
		data-- // our FIN
	}
	c.sndUna = ack
	c.unaRel += uint64(acked)
	c.rackOnNewAck(ack)
	if c.sndNxt.LessThan(ack) {
		c.sndNxt = ack
	}
	// Keep markers that fell behind close to SND.UNA, so that comparisons
	// modulo 2^32 stay right however long the connection lives.
	if c.sndSml.LessThan(ack) {
		c.sndSml = ack
	}
	if c.inLoss && !c.lossHolds(ack) {
		// What was in flight at the RTO is acknowledged: Loss is over
		// (tcp_process_loss), before a later recovery moves recoverSeq.
		c.inLoss = false
	}
	if !c.inRecovery && c.recoverSeq.Add(1).LessThan(ack) {
		c.recoverSeq = ack.Add(^uint32(0))
	}
	c.stats.BytesAcked += int64(data)
	c.retries = 0
	c.stalledSince = 0
	c.rttOnAck(now, ack, h)
	c.board.pruneBelow(ack)
	if segs, _ := c.pending(); segs == 0 {
		c.sb.releaseTo(c.dataUna())
	}
	recovering := c.inRecovery
	if recovering {
		if ack.GreaterEq(c.recoverSeq) {
			// RFC 6582 §3.2 step 3 / RFC 6675 §5: full ACK ends recovery.
			c.inRecovery = false
			// Linux returns to TCP_CA_Open here (tcp_try_undo_recovery),
			// so an ECE on this very ACK starts CWR (tcp_try_to_open);
			// only CWR is held until SND.UNA passes its point, and,
			// without SACK, Recovery (tcp_try_undo_recovery's hold).
			if c.sackOK || ack.GreaterThan(c.recoverSeq) {
				c.ecn.cwr = false
			}
			c.rackOnRecoveryEnd()
			c.cc.OnExitRecovery(now)
			c.noteCwnd("exit-recovery")
		} else if !c.sackOK {
			// RFC 6582 §3.2 step 5: partial ACK: retransmit the first
			// unacknowledged segment and deflate the window by the amount
			// acknowledged, adding back one SMSS if that much was.
			c.retransmit(now, c.sndUna, c.sndMss, "partial")
			c.recCwnd -= acked
			if acked >= c.sndMss {
				c.recCwnd += c.sndMss
			}
			c.recCwnd = max(c.recCwnd, c.sndMss)
		}
	}
	// ECN-Echo after recovery's end, before the window grows (Linux's
	// tcp_fastretrans_alert, then tcp_cong_control).
	if !c.sackOK && !recovering && c.dupAcks > 0 && data > 0 {
		// Without SACK, Linux counts each duplicate ACK as a segment
		// delivered (tcp_add_reno_sack), so the ACK that fills the hole
		// delivers only what the duplicates did not: one segment for the
		// hole, the rest eats them (tcp_remove_reno_sacks). Then the
		// count starts again (tcp_fastretrans_alert's
		// tcp_reset_reno_sack once SND.UNA advanced).
		sackedBefore = min(c.dupAcks*c.sndMss, data-min(data, c.sndMss))
	}
	// An ACK that starts recovery does not grow the window first: Linux's
	// tcp_fastretrans_alert enters recovery (ssthresh from the window as
	// it was) before tcp_cong_control, which then reduces the window
	// (tcp_cwnd_reduction) instead of growing it (tcp_cong_avoid).
	starts := c.rackStartsRecovery()
	if c.ecnOnAck(now, h) && !recovering && !starts {
		// Congestion control grows the window for data newly delivered
		// (RFC 5681 §3.1 counts acknowledged bytes; SACKed ones were
		// delivered earlier, during the duplicate ACKs that did not grow
		// it, as in Linux's tcp_may_raise_cwnd).
		c.cc.OnAck(now, max(0, data-sackedBefore)+sackedNew, max(flight, c.maxFlight), c.rtt.srtt)
		c.noteCwnd("ack")
	}
	c.dupAcks = 0
	// RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else
	// restart it.
	if c.sndUna == c.sndMax {
		c.stop(timerRtx)
		c.stop(timerTLP)
	} else {
		c.arm(timerRtx, now+c.rtt.current())
		// Linux's tcp_set_xmit_timer: the probe timer restarts too.
		if !c.scheduleLossProbe(now, true) {
			c.stop(timerTLP)
		}
	}
	if data > 0 {
		c.maybeExpandSndbuf()
	}
	if c.sndUna == c.sndMax {
		// Linux's tcp_clean_rtx_queue: the retransmission queue is empty.
		c.chronoStop(now, chronoBusy)
	}
	if data > 0 {
		c.checkSpace(now)
	}
	if data > 0 && c.bufferFree() > 0 {
		c.emit(Event{Kind: EvWritable})
	}
}

// onDupAck counts a duplicate ACK and starts fast retransmit at the third
// (RFC 5681 §3.2) or when SACK shows the first segment lost (RFC 6675 §5);
// delivered is what the ACK SACKed, for PRR.
func (c *Conn) onDupAck(now time.Duration, delivered int) {
	c.dupAcks++
	c.losses.DupAcksReceived++
	if c.inRecovery {
		if !c.sackOK {
			// RFC 5681 §3.2 step 4: inflate by one SMSS per duplicate.
			c.recCwnd += c.sndMss
		}
		return
	}
	lost := c.sackOK && c.lossShown() || !c.rackOn() && c.dupAcks >= defaultDupThresh
	// RFC 6582 §3.2 step 2: only when the ACK covers more than recover,
	// so that one window's losses cut the window once. recover is the
	// highest sequence number sent; recoverSeq is one past it (SND.MAX
	// then), so an ACK of recoverSeq already covers it. (Requiring more
	// left a loss of the first segment after a recovery that ended
	// exactly at its RecoveryPoint to the RTO.)
	if lost && c.sndUna.GreaterEq(c.recoverSeq) {
		c.enterRecovery(now, delivered)
	}
}

// enterRecovery starts fast retransmit and fast recovery. delivered is
// what the event that starts it delivered (the ACK's DeliveredData, or
// one segment for the reordering timer), which PRR's first allowance
// counts.
func (c *Conn) enterRecovery(now time.Duration, delivered int) {
	c.inRecovery = true
	// Linux's tcp_init_cwnd_reduction: no probe during recovery.
	c.stop(timerTLP)
	c.tlp.on = false
	c.recoverSeq = c.sndMax
	// Linux's tcp_enter_recovery: a reduction under way for an ECE
	// (TCP_CA_CWR) goes on as recovery's, its ssthresh, prior_cwnd and
	// PRR counts kept (no second tcp_init_cwnd_reduction).
	cwr := c.inCWR()
	// tcp_init_cwnd_reduction's prior_cwnd: the window before this
	// reduction, which PRR's proportional part divides by.
	prior := c.cc.Cwnd()
	if cwr {
		// Nor does high_seq move: the episode ends where CWR would
		// have, when SND.UNA reaches SND.NXT at the ECE
		// (tcp_fastretrans_alert), not at SND.MAX now.
		c.recoverSeq = c.ecn.cwrHigh
	}
	if !c.ecnOnRecovery() {
		c.cc.OnEnterRecovery(now, c.flightSize())
	}
	c.noteCwnd("recovery")
	// RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS while inflating.
	c.recCwnd = c.cc.Cwnd() + defaultDupThresh*c.sndMss
	n := c.curMss()
	if c.sackOK {
		if !cwr {
			c.prr.start(prior)
		}
		b := &c.board
		// The previous recovery ended while its retransmissions above its
		// RecoveryPoint were in flight, and no RTO came since: like Linux,
		// whose scoreboard keeps each segment's retransmitted mark, they
		// are not sent again (the head included) unless found lost.
		// Without this, the new recovery would resend every one of them
		// at once.
		keep := c.cfg.RACK && b.trk != nil && b.highRxt.GreaterThan(c.sndUna) && b.trk.timeouts == c.losses.Timeouts
		if !keep {
			if next, ok := b.nextSacked(c.sndUna); ok {
				n = min(n, int(next.Sub(c.sndUna)))
			}
			b.highRxt = c.sndUna
			b.resetRtx(c.losses.Timeouts)
		}
		// Linux's tcp_cwnd_reduction on the event that entered recovery:
		// what it delivered counts towards prr_delivered (without the slow
		// start bound's extra segment: the event marked new losses), and
		// the fast retransmission may go if nothing was sent in the
		// reduction yet ("force a fast retransmit upon entering fast
		// recovery"), even for an event that delivered nothing (the
		// reordering timer).
		pipe := c.pipe()
		c.prr.onAck(delivered, pipe, c.cc.Ssthresh(), c.sndMss, false)
		c.prr.force(c.sndMss, pipe)
		if keep {
			c.arm(timerRtx, now+c.rtt.current())
			return
		}
		if !c.windowCtl && c.prr.allow < n {
			// A reduction for an ECE (CWR) that already sent something
			// forces nothing: the fast retransmission waits for PRR's
			// share of a later ACK (tcp_xmit_retransmit_queue sends
			// while tcp_packets_in_flight is below snd_cwnd), and goes
			// then as the first lost hole (sackRecover). The episode
			// counts as a fast retransmit all the same.
			c.losses.FastRetransmits++
			return
		}
	}
	sent := c.retransmit(now, c.sndUna, n, "fast")
	if c.sackOK {
		c.board.highRxt = c.sndUna.Add(uint32(sent))
		c.board.noteRtx(c.sndUna, c.board.highRxt, c.sndMax, now)
		c.prr.sent(sent)
	}
	c.losses.FastRetransmits++
	c.arm(timerRtx, now+c.rtt.current())
}
