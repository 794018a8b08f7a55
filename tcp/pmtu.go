package tcp

import "time"

// This file is what a connection does with the ICMP errors its host hands
// it: path-MTU discovery (RFC 1191 §6.4, as Linux's tcp_v4_mtu_reduced)
// and destination unreachable during the handshake (Linux tcp_v4_err).

// MinSndMSS is the smallest segment payload path-MTU discovery lowers a
// connection to (Linux net.ipv4.tcp_min_snd_mss): a path whose MTU is
// below it plus the headers and options never carries data.
const MinSndMSS = 48

// ipTCPHeaders is the IPv4 and TCP headers, without options, that a
// segment adds to its payload in a datagram.
const ipTCPHeaders = 20 + HeaderLen

// PathMTUReduced tells the connection that a router on the path could
// not forward one of its segments because the next link takes at most mtu
// bytes (ICMP fragmentation needed, RFC 1191). Like Linux's
// tcp_v4_mtu_reduced, a smaller MTU lowers the segment size to what fits
// (tcp_sync_mss) and resends at once every segment in flight at the new
// size (tcp_simple_retransmit): the router dropped them, which is no
// congestion signal, so cwnd is kept (only rescaled to the new MSS) and
// the retransmissions are traced with reason "pmtu". An MTU no smaller
// than the current one changes nothing; before the handshake completes
// it only caps the MSS the handshake settles.
func (c *Conn) PathMTUReduced(now time.Duration, mtu int) {
	switch c.state {
	case Closed, Listen, TimeWait:
		return
	}
	if c.pmtu != 0 && mtu >= c.pmtu {
		return
	}
	c.touch(now)
	c.pmtu = mtu
	if !c.state.Synchronized() {
		if c.state == SynSent && c.sndMax.GreaterThan(c.iss.Add(1)) {
			c.resendSynForPMTU(now)
		}
		return
	}
	mss := c.pmtuMSS(c.sndMss)
	if mss >= c.sndMss {
		return
	}
	c.sndMss = mss
	c.cc.SetMSS(mss)
	c.noteCwnd("pmtu")
	if c.sndUna != c.sndMax {
		// tcp_simple_retransmit: everything in flight was sent too big.
		// Recovery ends at SND.MAX, so duplicate ACKs for the resends do
		// not start a fast retransmit (the state Linux calls TCP_CA_Loss,
		// entered without lowering ssthresh).
		c.markAllRetransmitted()
		c.inRecovery = false
		c.recoverSeq = c.sndMax
		c.dupAcks = 0
		c.sndNxt = c.sndUna
		c.rewind = rewindPMTU
	}
	c.output(now)
}

// resendSynForPMTU answers fragmentation needed for an active Fast Open
// SYN that carried data. Linux's tcp_simple_retransmit takes such a SYN
// as lost whatever its size (the SYN and its data are two skbs in the
// retransmission queue, so their lengths tell nothing), and resends it at
// once: the SYN alone, without the data or the Fast Open option (a
// retransmitted SYN carries neither), its MSS option from the path MTU
// now (tcp_advertise_mss). The data waits for the SYN-ACK, which leaves
// it unacknowledged, to be sent again at the new size
// (tcp_rcv_fastopen_synack). The timer restarts without backoff; the
// handshake gives no RTT sample (Karn).
func (c *Conn) resendSynForPMTU(now time.Duration) {
	c.sendSyn(now, false)
	c.noteRetransmit(c.iss, 0, "pmtu")
	c.synRetransmitted = true
	c.arm(timerRtx, now+c.rtt.current())
}

// advMSS is the MSS our SYN or SYN-ACK offers: the configured one, capped
// by the path MTU learned (Linux's tcp_advertise_mss takes the route's
// advmss, the path MTU less 40 bytes of headers, when smaller).
func (c *Conn) advMSS() int {
	if c.pmtu == 0 {
		return c.cfg.MSS
	}
	return min(c.cfg.MSS, max(c.pmtu-ipTCPHeaders, MinSndMSS))
}

// ICMPInWindow reports whether an ICMP error quoting sequence number seq
// can be about a segment of this connection, as Linux's tcp_v4_err
// checks before it acts on one: seq between SND.UNA (the ISN while the
// handshake of a passive open runs: snt_isn) and the highest sent,
// SND.MAX (Linux's snd_nxt, which a timeout or a path MTU drop does not
// move back as netsim's SND.NXT goes back for the resends). A passive open
// still in SYN-RECEIVED without Fast Open is a request socket in Linux,
// and tcp_req_err takes only its ISN.
func (c *Conn) ICMPInWindow(seq Seq) bool {
	lo := c.sndUna
	if c.state == SynReceived || c.state == SynSent {
		lo = c.iss
		if c.state == SynReceived && c.passive && !c.FastOpenPassive() {
			return seq == c.iss
		}
	}
	return !seq.LessThan(lo) && !seq.GreaterThan(c.sndMax)
}

// pmtuMSS caps mss (a payload size) to what fits the path MTU learned,
// with the options every segment carries, as Linux's tcp_mtu_to_mss.
func (c *Conn) pmtuMSS(mss int) int {
	if c.pmtu == 0 {
		return mss
	}
	opt := 0
	if c.tsOK {
		opt = TimestampsAligned
	}
	return min(mss, max(c.pmtu-ipTCPHeaders-opt, MinSndMSS))
}

// Unreachable tells the connection that an ICMP destination unreachable
// or time exceeded (errno says which: ENETUNREACH, EHOSTUNREACH,
// ECONNREFUSED, ENOPROTOOPT) answered one of its segments. As Linux's
// tcp_v4_err, a connection in SYN-SENT or SYN-RECEIVED fails with that
// errno, without a reset (tcp_done); in any other state it is a soft
// error and changes nothing (RFC 1122 §4.2.3.9: the retransmissions carry
// on; network and host unreachable may undo a backoff: RevertRTO). The
// host decides for a passive open in SYN-RECEIVED, which Linux treats
// apart: a request socket (no Fast Open) is dropped only for some
// errors (tcp_req_err), and a Fast Open child already accepted is
// synchronized as far as tcp_v4_err is concerned.
func (c *Conn) Unreachable(now time.Duration, errno Errno) {
	if c.state != SynSent && c.state != SynReceived {
		return
	}
	c.touch(now)
	c.fail(errno, false)
}

// RevertRTO is RFC 6069 (TCP-LD) as Linux's tcp_ld_RTO_revert: an ICMP
// network or host unreachable quoting seq says the path is down rather
// than congested, so a retransmission timer that backed off during the
// outage undoes one doubling, and the connection resends as soon as the
// outage ends instead of after a timer grown by the silence. The host
// calls it for those two codes only (tcp_v4_err); the rest of the rules
// are here: the quote is SND.UNA, the connection has retransmitted by
// timeout (icsk_retransmits) and backed off (icsk_backoff), and it is no
// Fast Open child whose SYN-ACK is unacknowledged (tcp_v4_err's
// fastopen_rsk). The RTO is recomputed with one doubling fewer; if it has
// already passed since the head was last sent, the timeout runs now
// (tcp_retransmit_timer: the head is resent and the timer backs off
// again), else the timer is armed for what is left. Linux also reverts in
// SYN-SENT just before the error closes the connection (tcp_done), a
// SYN it may resend on the way out; netsim acts in synchronized states
// only. It reports whether it changed anything.
func (c *Conn) RevertRTO(now time.Duration, seq Seq) bool {
	if !c.state.Synchronized() || !c.synAcked || seq != c.sndUna || c.sndUna == c.sndMax ||
		c.retries == 0 || c.rtt.backoff == 0 || !c.armed(timerRtx) || c.sentHead >= len(c.sent) {
		return false
	}
	c.touch(now)
	c.rtt.backoff--
	// The head's last transmission (tcp_skb_timestamp_us of the rtx
	// queue head): stamped by every send and resend of it (rateSent).
	elapsed := now - c.sent[c.sentHead].txAt
	if left := c.rtt.current() - elapsed; left > 0 {
		c.arm(timerRtx, now+left)
		return true
	}
	c.stop(timerRtx)
	c.onRtxTimeout(now)
	c.output(now)
	return true
}
