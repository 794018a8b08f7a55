package tcp

import "time"

// Input processes an arriving segment (already checksum-verified and
// decoded) addressed to this connection: RFC 9293 §3.10.7. Replies it
// causes are queued for Segments.
func (c *Conn) Input(now time.Duration, h *Header, payload []byte) {
	c.InputECN(now, h, payload, false)
}

// InputECN is Input for a segment whose IP header says whether a router
// marked it CE (RFC 3168 §5).
func (c *Conn) InputECN(now time.Duration, h *Header, payload []byte, ce bool) {
	c.touch(now)
	c.rcvCE = ce
	c.segTsecr = 0
	c.stats.SegmentsReceived++
	switch c.state {
	case Closed:
		// RFC 9293 §3.10.7.1: answer anything but a RST with a RST.
		c.replyRst(h, SegLen(h, len(payload)))
		return
	case Listen:
		c.inputListen(now, h, payload)
	case SynSent:
		c.inputSynSent(now, h, payload)
	case TimeWait:
		c.inputTimeWait(now, h, len(payload))
	default:
		c.inputSync(now, h, payload)
	}
	c.output(now)
}

// negotiate reads the options of the peer's SYN (RFC 9293 §3.7.1, RFC
// 7323 §2.2 and §3.2, RFC 2018 §2) and sets the segment sizes.
func (c *Conn) negotiate(h *Header) {
	o := &h.Options
	peerMSS := 536 // RFC 9293 §3.7.1: the default without an MSS option
	if m, ok := o.MSS(); ok && m > 0 {
		peerMSS = int(m)
	}
	c.sackOK = c.cfg.SACK && o.SACKPermitted()
	val, _, ok := o.Timestamps()
	c.tsOK = c.cfg.Timestamps && ok
	if c.tsOK {
		c.tsRecent = val
	}
	ws, ok := o.WScale()
	c.wsOK = c.cfg.WindowScale && ok
	if c.wsOK {
		c.sndShift = min(ws, MaxWScale) // RFC 7323 §2.3: above 14 means 14
		c.rcvShift = uint8(c.cfg.wscaleShift())
	}
	// RFC 6691: the payload of a full segment is the MSS less the options
	// every segment carries (12 bytes of timestamps).
	opt := 0
	if c.tsOK {
		opt = TimestampsAligned
	}
	if c.mssClamp == 0 || peerMSS < int(c.mssClamp) {
		c.mssClamp = uint16(peerMSS) // tcp_parse_options: in_mss, clamped to user_mss
	}
	c.sndMss = c.pmtuMSS(max(min(peerMSS, c.cfg.MSS)-opt, 64))
	c.rcvMss = max(c.cfg.MSS-opt, 64)
	c.rcvSegMax = min(536, c.rcvMss)
	c.rcvClamp = c.synWindow()
	c.cc.SetMSS(c.sndMss)
	c.noteCwnd("init")
}

// establish finishes the handshake's bookkeeping.
func (c *Conn) establish(now time.Duration) {
	if c.retries == 0 && !c.synRetransmitted {
		// RFC 6298 §2.2 with Karn: the handshake gives the first sample
		// when the SYN was not retransmitted. It is the only one the
		// completing ACK gives (Linux's tcp_synack_rtt_meas; the child
		// socket's SND.UNA is past its SYN already, so tcp_ack takes no
		// timestamp sample from that ACK).
		c.takeSample(now - c.synSentAt)
		c.synSampled = c.passive
	}
	c.retries = 0
	c.stop(timerRtx)
	c.quickAcks = maxQuickAcks
	// The ACK timeout estimate counts gaps from here until data arrives
	// (lrcvtime, set by tcp_finish_connect and tcp_create_openreq_child).
	// A simultaneous open passes through neither: its lrcvtime is long
	// ago, so nothing sent before the first data counts as a reply.
	if c.state == SynSent || c.passive {
		c.lastDataAt = now
	} else {
		c.lastDataAt = longAgo
	}
	c.setState(Established)
	// The handshake's ACK is the peer's first (tcp_ack sets rcv_tstamp).
	c.rcvTstamp = now
	c.keepaliveStart(now)
	c.initBufferSpace(now)
	if e, ok := c.cc.(establisher); ok {
		e.onEstablished(c.rtt.srtt)
	}
	if f, ok := c.cc.(ecnFallback); ok && !c.ecnOK {
		f.withoutECN()
	}
}

// ecnFallback is implemented by congestion controls that need ECN and
// fall back to another algorithm when the handshake did not negotiate it
// (Linux's dctcp_init switching to dctcp_reno).
type ecnFallback interface {
	withoutECN()
}

// establisher is implemented by congestion controls that start from the
// handshake's RTT (Linux calls tcp_init_congestion_control from
// tcp_init_transfer, once the handshake's sample is in SRTT).
type establisher interface {
	onEstablished(srtt time.Duration)
}

// inputListen is RFC 9293 §3.10.7.2.
func (c *Conn) inputListen(now time.Duration, h *Header, payload []byte) {
	switch {
	case h.Flags.Has(FlagRST):
		return
	case h.Flags.Has(FlagACK):
		// "Any acknowledgment is bad ...": <SEQ=SEG.ACK><CTL=RST>, in
		// which SEG.LEN plays no part.
		c.replyRst(h, 0)
		return
	case !h.Flags.Has(FlagSYN), h.Flags.Has(FlagFIN):
		// A SYN with a FIN is dropped, as Linux's tcp_rcv_state_process
		// does in LISTEN.
		return
	}
	c.irs = h.Seq
	c.rcvNxt, c.nxtRel = h.Seq.Add(1), 1
	c.negotiate(h)
	c.ecnOnSyn(h, false)
	c.rcvAdvEdge = c.rcvNxt.Add(uint32(c.synWindow()))
	// The SYN's window is never scaled (RFC 7323 §2.2).
	c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, c.iss
	c.maxSndWnd = c.sndWnd
	fastOpen := c.fastOpenSyn(h, len(payload))
	if fastOpen {
		// RFC 7413 §4.2.2, Linux's tcp_fastopen_create_child and
		// tcp_fastopen_add_skb: the SYN's data is queued for the
		// application before the SYN-ACK, which acknowledges it.
		f := c.foState()
		f.passive = true
		if len(payload) > 0 {
			f.synData = true
			c.fastOpenAddSkb(now, h.Seq.Add(1), payload)
		}
	}
	c.openWithSyn(now, SynReceived, true)
	if fastOpen {
		// The connection may be accepted before the handshake completes.
		c.emit(Event{Kind: EvEstablished})
	}
}

// inputSynSent is RFC 9293 §3.10.7.3.
func (c *Conn) inputSynSent(now time.Duration, h *Header, payload []byte) {
	ack := h.Flags.Has(FlagACK)
	if ack && (h.Ack.LessEq(c.iss) || h.Ack.GreaterThan(c.sndMax)) {
		// <SEQ=SEG.ACK><CTL=RST>, unless it is a RST itself.
		c.replyRst(h, SegLen(h, len(payload)))
		c.losses.DroppedSegments++
		return
	}
	if ack && c.cfg.Timestamps {
		// PAWS for the handshake (Linux's tcp_rcv_synsent_state_process,
		// PAWSACTIVEREJECTED): a TSecr that is not one of our clock's
		// values from our first SYN until now echoes no SYN of ours.
		// The segment is answered with a reset, as one with a bad ACK,
		// and the connection stays in SYN-SENT for a valid one.
		if _, ecr, ok := h.Options.Timestamps(); ok && ecr != 0 &&
			ecr-c.tsNow(c.synSentAt) > c.tsNow(now)-c.tsNow(c.synSentAt) {
			c.replyRst(h, SegLen(h, len(payload)))
			c.losses.DroppedSegments++
			return
		}
	}
	if h.Flags.Has(FlagRST) {
		if ack {
			// The peer refused our SYN.
			c.fail(ECONNREFUSED, true)
		}
		return
	}
	if !h.Flags.Has(FlagSYN) {
		return
	}
	c.irs = h.Seq
	c.rcvNxt, c.nxtRel = h.Seq.Add(1), 1
	c.negotiate(h)
	c.rcvAdvEdge = c.rcvNxt.Add(uint32(c.synWindow()))
	c.lastAckTx = c.rcvNxt
	if !ack {
		c.ecnOnSyn(h, true)
		// Simultaneous open (RFC 9293 §3.5 figure 7): answer with a
		// SYN-ACK carrying our original ISS.
		c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, c.iss
		c.maxSndWnd = c.sndWnd
		c.setState(SynReceived)
		c.sendSyn(now, true)
		return
	}
	// The SYN-ACK acknowledges our SYN; data an active Fast Open's SYN
	// carried is acknowledged by the usual ACK processing below.
	synData := h.Ack.GreaterThan(c.iss.Add(1))
	c.sndUna, c.unaRel = c.iss.Add(1), 1
	c.synAcked = true
	c.ecnOnSynAck(h)
	c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, c.sndUna
	c.maxSndWnd = c.sndWnd
	retried := c.retries > 0 || c.synRetransmitted // establish resets the count
	c.establish(now)
	if c.fastOpenWritePending() {
		// tcp_rcv_synsent_state_process with sk_write_pending: the ACK
		// waits (at most TCP_DELACK_MAX) to ride on the data the
		// waiting writer sends next. It enters quick-ACK mode, which
		// starts the ACK timeout estimate at its floor, counted from now
		// (tcp_finish_connect's lrcvtime), so that data sent at once is
		// a reply (pingpong.go).
		c.arm(timerDelack, now+delackMax)
		c.ato = c.cfg.DelayedAck
	} else {
		c.ackNow = true
	}
	if synData {
		// RFC 7413 §4.1: the SYN-ACK acknowledges the SYN's data. As a
		// cumulative ACK; the SYN-ACK's window is never scaled (RFC
		// 7323 §2.2), so it is set again after.
		c.onAck(now, h, 0)
		c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, h.Ack
		c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
	}
	if c.FastOpenActive() {
		if c.fastOpenSynAck(h, retried) {
			// tcp_rcv_fastopen_synack: the SYN's data not acknowledged
			// is sent again at once, as lost (Karn: no RTT sample from
			// it).
			c.markAllRetransmitted()
			c.sndNxt, c.rewind = c.sndUna, rewindFastOpen
		} else if len(payload) > 0 {
			// Otherwise it queues the SYN-ACK's data with
			// tcp_fastopen_add_skb, which sets syn_data_acked.
			c.foState().synAckData = true
		}
	}
	// Data or a FIN on the SYN-ACK continue at the sixth step.
	seq := h.Seq.Add(1)
	if len(payload) > 0 {
		// tcp_rcv_fastopen_synack queues it with tcp_fastopen_add_skb.
		c.fastOpenAddSkb(now, seq, payload)
	}
	if h.Flags.Has(FlagFIN) {
		c.peerFinSeen, c.peerFinSeq = true, seq.Add(uint32(len(payload)))
	}
	c.checkPeerFin(now)
}

// fastOpenAddSkb places data that came on a SYN or a SYN-ACK as Linux's
// tcp_fastopen_add_skb queues it: without tcp_event_data_recv, so the
// offered window does not grow (tcp_grow_window).
func (c *Conn) fastOpenAddSkb(now time.Duration, seq Seq, payload []byte) {
	c.receiveText(now, seq, payload, false)
}

// pawsRejects reports whether RFC 7323 §5.3's PAWS test drops h, of
// segLen: its TSval is older than TS.Recent, as Linux's tcp_paws_discard,
// which tcp_validate_incoming applies before anything else, decides it. A
// reset is never dropped.
func (c *Conn) pawsRejects(h *Header, segLen int) bool {
	tsVal, _, ok := h.Options.Timestamps()
	return c.tsOK && ok && !h.Flags.Has(FlagRST) && c.pawsDiscards(h, segLen, tsVal)
}

// pawsDiscards is Linux's tcp_paws_discard for a segment h of segLen
// carrying tsVal: older than TS.Recent by more than TCP_PAWS_WINDOW (one
// tick: a segment sent in the tick before the one that set TS.Recent, as
// reordering delivers it, passes), unless TS.Recent is 0 ("some OSes send
// SYN and SYNACK messages with tsval=0", tcp_paws_check) or h is a
// disordered ACK (tcp_disordered_ack): a pure duplicate ACK at RCV.NXT
// that would not update the window and is older by at most the RTO in
// ticks of 1200 Hz (tcp_tsval_replay), an ACK that crossed a newer one.
func (c *Conn) pawsDiscards(h *Header, segLen int, tsVal uint32) bool {
	older := int32(c.tsRecent - tsVal)
	if older <= pawsWindow || c.tsRecent == 0 {
		return false
	}
	ack := h.Ack
	disordered := h.Flags.Has(FlagACK) && segLen == 0 && h.Seq == c.rcvNxt && ack == c.sndUna &&
		!c.mayUpdateWindow(h) && int64(older) <= int64(c.rtt.current()/time.Millisecond)*1200/1000
	return !disordered
}

// mayUpdateWindow is Linux's tcp_may_update_window: whether the ACK h
// acknowledges new data or is newer than the segment the send window was
// last taken from, or as new with a larger (or zero) window.
func (c *Conn) mayUpdateWindow(h *Header) bool {
	win := int(h.Window) << c.sndShift
	return c.sndUna.LessThan(h.Ack) || c.sndWl1.LessThan(h.Seq) || h.Seq == c.sndWl1 && (win > c.sndWnd || win == 0)
}

// inputSync is RFC 9293 §3.10.7.4 for SYN-RECEIVED and the synchronized
// states.
func (c *Conn) inputSync(now time.Duration, h *Header, payload []byte) {
	flags := h.Flags
	n := SegLen(h, len(payload))
	if c.state == SynReceived && c.passive && flags&(FlagSYN|FlagACK|FlagRST) == FlagSYN && h.Seq == c.irs {
		// A retransmitted SYN: our SYN-ACK was lost. Like Linux's
		// tcp_check_req (a passive open's request socket; a
		// simultaneous open answers with a challenge ACK, below), send
		// it again at most once per tcp_invalid_ratelimit, and restart
		// the timer from now with its current backoff (min(1 s <<
		// expiries, 120 s)); only timer expiries count towards
		// SynAckRetries (num_timeout).
		if !c.oowRateLimited(now) {
			c.sendSyn(now, true)
			c.noteRetransmit(c.iss, 0, "synack")
			c.synRetransmitted = true // Karn: no RTT sample from the handshake
			c.arm(timerRtx, now+c.rtt.current())
		}
		return
	}
	if c.state == SynReceived && !c.passive && flags.Has(FlagSYN|FlagACK) && !flags.Has(FlagRST) &&
		n == 1 && h.Seq == c.irs && h.Ack == c.sndMax && !c.pawsRejects(h, n) {
		// Simultaneous open (RFC 9293 §3.5 figure 8): the peer's SYN-ACK
		// acknowledges our SYN. Its SYN is old news, so by the letter of
		// §3.10.7.4 it is unacceptable; like Linux (tcp_validate_incoming
		// lets a SYN-ACK in SYN-RECEIVED pass when it repeats the peer's
		// SYN, carries nothing else, and acknowledges SND.NXT) take its
		// ACK and complete the handshake. A listener's connection does
		// not: tcp_check_req finds it outside the window (tcp_in_window)
		// and answers with an ACK, as the test of acceptability below.
		c.sndUna, c.unaRel = c.iss.Add(1), 1
		c.synAcked = true
		if tsVal, _, ok := h.Options.Timestamps(); c.tsOK && ok {
			// tcp_ack's tcp_replace_ts_recent: its TSval is the one to
			// echo now (its SEQ is below RCV.NXT; PAWS passed above).
			c.tsRecent = tsVal
		}
		c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, c.sndUna
		c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
		c.establish(now)
		if h.Ack.GreaterThan(c.sndUna) {
			// A Fast Open SYN's data, acknowledged with it: as a
			// cumulative ACK (the window, never scaled on a SYN, is
			// set again after, as in SYN-SENT).
			c.onAck(now, h, 0)
			c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window), h.Seq, h.Ack
			c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
		}
		// Its SYN then reaches tcp_data_queue as a segment wholly below
		// RCV.NXT: a duplicate, reported in a D-SACK block (RFC 2883)
		// by an ACK sent at once, in quick-ACK mode.
		c.noteDSACK(h.Seq, h.Seq.Add(1))
		c.enterQuickAck(maxQuickAcks)
		c.ackNow = true
		return
	}
	var tsVal uint32
	hasTS := false
	c.segTsecr = 0
	if c.tsOK {
		tsVal, c.segTsecr, hasTS = h.Options.Timestamps()
		// RFC 7323 §5.3 PAWS: a segment whose TSval is older than
		// TS.Recent is a duplicate from long ago: ACK it and drop it.
		if hasTS && !flags.Has(FlagRST) && c.pawsDiscards(h, n, tsVal) {
			// Since Linux 6.14 an old pure ACK, below RCV.NXT (newer
			// data overtook it), is dropped without the duplicate ACK
			// (tcp_disordered_ack_check's TCP_RFC7323_PAWS_ACK).
			if !(flags.Has(FlagACK) && n == 0 && h.Seq.LessThan(c.rcvNxt)) {
				c.oowAck(now, n, flags.Has(FlagSYN))
			}
			c.losses.DroppedSegments++
			return
		}
	}
	if c.state == SynReceived && !c.passive && flags.Has(FlagSYN) && !flags.Has(FlagRST) {
		// Any other SYN in the SYN-RECEIVED of a simultaneous open, a
		// SYN-ACK carrying data or a FIN among them, or the peer's SYN
		// again, is answered with a challenge ACK and dropped, in the
		// window or not: Linux's
		// tcp_validate_incoming (syn_challenge) passes only the bare
		// SYN-ACK above (seq + 1 == end_seq == RCV.NXT, ack == SND.NXT),
		// as RFC 5961 §4.2 asks for any SYN. Trimming the old SYN off
		// below would otherwise take its data and its ACK.
		c.challengeAck(now)
		return
	}
	// First: is the segment acceptable? If not, ACK it and drop it; in
	// SYN-RECEIVED too, as Linux's tcp_check_req does (the ACK carries
	// ISS+1, and the peer learns RCV.NXT, RFC 5961 §4's challenge).
	if !c.acceptable(h.Seq, n) {
		if !flags.Has(FlagRST) {
			c.oowAck(now, n, flags.Has(FlagSYN))
			if end := h.Seq.Add(uint32(len(payload))); len(payload) > 0 && end.LessEq(c.rcvNxt) {
				c.noteDSACK(h.Seq, end)
				// Data received before: our ACK was lost, so Linux's
				// tcp_send_dupack enters quick-ACK mode.
				c.enterQuickAck(maxQuickAcks)
			}
		}
		c.losses.DroppedSegments++
		return
	}
	// Trim to the window: what is before RCV.NXT was received already, what
	// is beyond the right edge does not fit.
	seq := h.Seq
	syn, fin := flags.Has(FlagSYN), flags.Has(FlagFIN)
	if d := int(c.rcvNxt.Sub(seq)); d > 0 {
		if syn {
			syn = false
			seq = seq.Add(1)
			d--
		}
		cut := min(d, len(payload))
		if cut > 0 {
			c.noteDSACK(seq, seq.Add(uint32(cut)))
		}
		payload = payload[cut:]
		seq = seq.Add(uint32(cut))
		if d > cut {
			fin = false
		}
	}
	edge := c.rcvNxt.Add(uint32(c.rcvWnd()))
	if over := int(seq.Add(uint32(len(payload))).Sub(edge)); over > 0 {
		payload = payload[:len(payload)-min(over, len(payload))]
		fin = false
	}
	// An embryonic connection of a listener takes an in-window RST or a
	// new SYN as the end of the attempt, as Linux's tcp_check_req does
	// (embryonic_reset): a SYN is answered with a RST, and no challenge
	// ACK is sent for either (RFC 5961 protects synchronized connections).
	if c.state == SynReceived && c.passive && (flags.Has(FlagRST) || syn) {
		if !flags.Has(FlagRST) {
			c.replyRst(h, n)
		}
		switch {
		case !c.FastOpenPassive():
			c.toClosed()
		case flags.Has(FlagRST):
			// A Fast Open child is a full socket already, maybe
			// accepted: tcp_check_req's embryonic_reset calls
			// tcp_reset for it, and its data stays readable.
			c.foState().passive = false
			c.fail(ECONNRESET, true)
		}
		return
	}
	// Second: the RST bit, with RFC 5961 §3.2 blind-reset protection.
	if flags.Has(FlagRST) {
		if h.Seq != c.rcvNxt {
			c.challengeAck(now)
			return
		}
		switch c.state {
		case SynReceived:
			// A simultaneous open (a passive one ended above).
			c.fail(ECONNREFUSED, true)
		case CloseWait:
			// Linux tcp_reset: the peer's FIN was already read, so the
			// error is a broken pipe rather than a reset.
			c.fail(EPIPE, true)
		case Established, FinWait1, FinWait2:
			c.fail(ECONNRESET, true)
		default:
			c.toClosed()
		}
		return
	}
	// Fourth: a SYN in the window (RFC 5961 §4.2): challenge ACK, drop.
	// In a synchronized state the test is of the SYN bit as it came:
	// Linux's tcp_validate_incoming does not trim a SYN off a segment
	// whose end is in the window (only a listener's tcp_check_req
	// does, for a SYN-RECEIVED), so its data is not taken.
	if syn || flags.Has(FlagSYN) && c.state.Synchronized() {
		c.challengeAck(now)
		return
	}
	// Fifth: the ACK field.
	if !flags.Has(FlagACK) {
		return
	}
	if c.state == SynReceived {
		if !h.Ack.GreaterThan(c.sndUna) || h.Ack.GreaterThan(c.sndMax) {
			c.replyRst(h, n) // <SEQ=SEG.ACK><CTL=RST>
			return
		}
		c.sndWnd, c.sndWl1, c.sndWl2 = int(h.Window)<<c.sndShift, h.Seq, h.Ack
		c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
		c.establish(now)
	}
	// RFC 7323 §4.3: remember the timestamp to echo, but only from a
	// segment whose ACK is acceptable: like Linux (tcp_ack calls
	// tcp_replace_ts_recent after its SND.UNA/SND.NXT checks), a segment
	// that acknowledges unsent data or is an old duplicate must not move
	// TS.Recent, or a forged TSval would make PAWS drop the real traffic.
	if hasTS && int32(tsVal-c.tsRecent) >= 0 && h.Seq.LessEq(c.lastAckTx) &&
		h.Ack.GreaterEq(c.sndUna) && h.Ack.LessEq(c.sndMax) {
		c.tsRecent = tsVal
	}
	if c.state == FinWait1 && !c.synAcked {
		// shutdown() in SYN-RECEIVED: this ACK completes the handshake.
		c.emit(Event{Kind: EvEstablished})
	}
	if !c.onAck(now, h, len(payload)) {
		return
	}
	finAcked := c.finQueued && c.sndUna.GreaterThan(c.finSeq)
	switch c.state {
	case FinWait1:
		if finAcked {
			c.setState(FinWait2)
			c.armFinWait2(now)
		}
	case Closing:
		if finAcked {
			c.enterTimeWait(now)
		}
	case LastAck:
		if finAcked {
			c.toClosed()
			return
		}
	}
	// Seventh: the segment text.
	if len(payload) > 0 && c.state.canReceive() && !c.peerFin {
		if c.userClose {
			// Data for a socket the user closed (Linux tcp_rcv_state_process:
			// RCV_SHUTDOWN): reset, nobody will read it. Linux answers as
			// to a segment without a socket (tcp_v4_send_reset).
			c.replyRst(h, n)
			c.fail(ECONNRESET, false)
			return
		}
		quickAck := c.ecnOnData(now, h, c.rcvCE)
		c.receiveText(now, seq, payload, true)
		if quickAck {
			// tcp_enter_quickack_mode's ato = TCP_ATO_MIN, after
			// tcp_event_data_recv moved it for this segment.
			c.ato = c.cfg.DelayedAck
		}
	}
	// Eighth: the FIN bit.
	if fin && !c.peerFin {
		c.peerFinSeen, c.peerFinSeq = true, seq.Add(uint32(len(payload)))
	}
	c.checkPeerFin(now)
}

// finAckTick is how long Linux holds the ACK of a FIN that arrives before
// any data: a delayed-ACK timer of zero length, which fires at the next
// jiffy (1 ms at HZ=1000).
const finAckTick = time.Millisecond

// checkPeerFin processes the peer's FIN once every byte before it is in
// (RFC 9293 §3.10.7.4 eighth step).
func (c *Conn) checkPeerFin(now time.Duration) {
	if !c.peerFinSeen || c.peerFin || c.rcvNxt != c.peerFinSeq {
		return
	}
	c.peerFin = true
	c.rcvNxt = c.rcvNxt.Add(1)
	c.nxtRel++
	c.emit(Event{Kind: EvPeerClosed})
	c.emit(Event{Kind: EvReadable})
	switch c.state {
	case SynReceived, Established:
		c.setState(CloseWait)
		c.pingpong = true // tcp_fin
		// Linux acknowledges a FIN in ESTABLISHED after the delayed-ACK
		// timer (tcp_fin enters pingpong mode), so a close() by the
		// application can ride on the ACK. The timer's length is the
		// ACK timeout estimate (icsk_ack.ato, sendDelayedAck), which is
		// zero until the first data byte arrives (a Fast Open SYN's data
		// does not count: tcp_fastopen_add_skb queues it without
		// tcp_event_data_recv): on a connection that has received no
		// data the timer fires at the next clock tick, so the FIN is
		// ACKed within a millisecond unless the application closes
		// first.
		if c.cfg.DelayedAck == 0 {
			c.ackNow = true
		} else {
			c.sendDelayedAck(now)
		}
	case FinWait1:
		c.ackNow = true
		if c.finQueued && c.sndUna.GreaterThan(c.finSeq) {
			c.enterTimeWait(now)
		} else {
			c.setState(Closing)
		}
	case FinWait2:
		c.ackNow = true
		c.enterTimeWait(now)
	default:
		c.ackNow = true
	}
}

// enterTimeWait starts the 2 MSL wait (RFC 9293 §3.3.2) and keeps what
// the wait needs in a TimeWaitRecord, which handles the segments that
// arrive from now on (inputTimeWait).
func (c *Conn) enterTimeWait(now time.Duration) {
	c.setState(TimeWait)
	c.stop(timerRtx)
	c.stop(timerPersist)
	c.stop(timerDelack)
	c.stop(timerTLP)
	c.arm(timerTimeWait, now+c.cfg.TimeWait)
	rec := c.newTimeWaitRecord(now)
	c.tw = &rec
}

// inputTimeWait hands a segment to the TIME-WAIT record: what a Conn does
// in TIME-WAIT is what the record a host keeps in its place does.
func (c *Conn) inputTimeWait(now time.Duration, h *Header, payloadLen int) {
	switch c.tw.Input(now, h, payloadLen) {
	case TimeWaitKill:
		c.toClosed()
		return
	case TimeWaitAck, TimeWaitReopen:
		// A SYN that could reopen the connection reaches a Conn only
		// when no listener takes it (ReopensTimeWait): it gets an ACK,
		// as in Linux's tcp_v4_rcv (TCP_TW_SYN without a listener).
		c.tw.Ack(now, c.newSeg(FlagACK, c.tw.sndNxt, 0))
	}
	c.arm(timerTimeWait, c.tw.expires)
}

// armFinWait2 bounds FIN-WAIT-2 for a connection the user closed: nobody
// can read or write it any more, so, like Linux (tcp_fin_timeout, 60 s),
// it is dropped if the peer's FIN does not come within the TIME-WAIT
// duration.
func (c *Conn) armFinWait2(now time.Duration) {
	if c.userClose && c.state == FinWait2 {
		c.arm(timerTimeWait, now+c.cfg.TimeWait)
	}
}

// ReopensTimeWait reports whether h, a segment for this connection, is a
// SYN that may start a new incarnation while this one waits in TIME-WAIT
// (RFC 1122 §4.2.2.13; with timestamps, RFC 6191 §2): its sequence number,
// or its TSval when timestamps are in use, is beyond anything of the old
// connection. The host then ends this Conn (EndTimeWait) and gives the
// SYN to its listener, with TimeWaitRecord.ReopenISS as the new ISS, as
// Linux does (tcp_timewait_state_process, TCP_TW_SYN).
func (c *Conn) ReopensTimeWait(h *Header) bool {
	return c.state == TimeWait && c.tw.reopens(h)
}

// EndTimeWait ends TIME-WAIT at once, sending nothing: the host lets a
// SYN reopen the connection, or has no room for another connection in
// TIME-WAIT (Linux's tcp_max_tw_buckets). reason goes with the state
// change to CLOSED. In any other state it does nothing.
func (c *Conn) EndTimeWait(reason string) {
	if c.state != TimeWait {
		return
	}
	c.toClosedFor(reason)
}

// oowRateLimit is Linux's tcp_invalid_ratelimit: the least time between two
// answers to out-of-window segments of one connection (challenge ACKs,
// SYN-ACKs for retransmitted SYNs).
const oowRateLimit = 500 * time.Millisecond

// oowRateLimited reports whether an answer to an out-of-window segment
// must be skipped, less than oowRateLimit after the previous one, and
// otherwise records now as the time of this one (tcp_oow_rate_limited).
func (c *Conn) oowRateLimited(now time.Duration) bool {
	ms := uint32(now/time.Millisecond) + 1
	if c.lastOOW != 0 && ms-c.lastOOW < uint32(oowRateLimit/time.Millisecond) {
		return true
	}
	c.lastOOW = ms
	return false
}

// oowAck answers a segment that was dropped for its sequence number or
// timestamp with an ACK, as Linux's tcp_validate_incoming and
// tcp_check_req: always when it carries data or a FIN without a SYN,
// otherwise (a SYN, a bare ACK) at most once per oowRateLimit
// (tcp_oow_rate_limited), so that two ends that disagree on the window
// cannot ACK each other in a loop.
func (c *Conn) oowAck(now time.Duration, segLen int, syn bool) {
	if segLen > 0 && !syn || !c.oowRateLimited(now) {
		c.ackNow = true
	}
}

// challengeAck sends the challenge ACK of RFC 5961 §3.2 and §4.2, rate
// limited per connection as Linux's tcp_send_challenge_ack, so that a
// flood of forged RSTs or SYNs draws at most two ACKs a second.
func (c *Conn) challengeAck(now time.Duration) {
	if !c.oowRateLimited(now) {
		c.ackNow = true
	}
}
