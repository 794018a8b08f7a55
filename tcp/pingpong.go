package tcp

import "time"

// Linux's interactive ("pingpong") mode. A connection that sends data
// within the ACK timeout estimate (icsk_ack.ato) of the last data it
// received is taken to be answering requests: it enters pingpong mode
// (tcp_event_data_sent: inet_csk_enter_pingpong_mode, the threshold being
// 1), in which the peer's data is no longer quick-ACKed
// (tcp_in_quickack_mode is false while pingpong) but waits for the
// delayed-ACK timer, or for the reply the application sends before it, on
// which the ACK rides. The mode ends when that timer fires with an ACK
// pending, the reply having been too slow (tcp_delack_timer_handler:
// inet_csk_exit_pingpong_mode), and whenever quick-ACK mode is entered
// (tcp_enter_quickack_mode: duplicate data, a CE mark that asks for
// CWR). A FIN in ESTABLISHED enters it too (tcp_fin). The ACKs that ride
// on replies use up the quick ACKs of the start as quick ACKs do (ackSent;
// tcp_event_ack_sent's tcp_dec_quickack_mode), so that after some sixteen
// exchanges none is left for when the mode ends.
//
// The ACK timeout estimate ato adapts to the gaps between the segments
// of in-order data (noteDataArrival) and to the delayed-ACK timer's
// expiries (onDelackTimer), and falls back to its floor when quick-ACK
// mode is entered (enterQuickAck) or its last quick ACK goes (ackSent,
// tcp_dec_quickack_mode); it sets both the delayed-ACK timer
// (sendDelayedAck) and what counts as an answer here. It is zero (no
// pingpong possible, and a FIN's ACK held for one clock tick) until the
// first data arrives (tcp_event_data_recv) or quick-ACK mode is entered,
// as it is for a SYN-ACK delayed for a writer waiting on the handshake
// (tcp_rcv_synsent_state_process); a Fast Open SYN's data does not set it
// (tcp_fastopen_add_skb). Config.DelayedAck plays Linux's TCP_ATO_MIN and
// TCP_DELACK_MIN (both 40 ms at HZ=1000), the estimate's floor.

// longAgo is a lastDataAt that no gap measured from it falls within the
// ACK timeout estimate.
const longAgo = -1 << 62

// pingpongOnSend is tcp_event_data_sent for a segment carrying data sent
// (or resent) at now.
func (c *Conn) pingpongOnSend(now time.Duration) {
	if now-c.lastDataAt < c.ato {
		c.pingpong = true
	}
}

// exitPingpong leaves interactive mode: the delayed-ACK timer fired with
// an ACK pending, or quick-ACK mode was entered.
func (c *Conn) exitPingpong() { c.pingpong = false }

// noteDataArrival is called for each segment of in-order data, before
// RCV.NXT moves: Linux's tcp_event_data_recv. The first data starts the
// ACK timeout estimate at its floor; after that a segment close behind
// the last (at most half the floor) pulls it halfway back towards the
// floor, and one within the estimate sets it to half itself plus the gap,
// at most the RTO, so that a peer sending at a steady pace below the
// estimate gets delayed ACKs timed for its pace. Data arriving after a
// silence longer than the RTO re-enters quick-ACK mode: "apparently the
// sender failed to restart its window", so each segment is ACKed at once
// and the sender's ACK clock restarts without waiting for the delayed-ACK
// timer.
func (c *Conn) noteDataArrival(now time.Duration) {
	atoMin := c.cfg.DelayedAck // TCP_ATO_MIN
	rto := c.rtt.current()     // icsk_rto
	switch m := now - c.lastDataAt; {
	case c.ato == 0:
		c.incrQuickAcks(maxQuickAcks)
		c.ato = atoMin
	case m <= atoMin/2:
		c.ato = c.ato/2 + atoMin/2
	case m < c.ato:
		c.ato = min(c.ato/2+m, rto)
	case m > rto:
		c.incrQuickAcks(maxQuickAcks)
	}
	c.lastDataAt = now
}

// sendDelayedAck arms the delayed-ACK timer for data whose ACK may wait,
// or for a FIN (Linux's tcp_send_delayed_ack). The wait is the ACK
// timeout estimate; above the floor it is bounded by the smoothed RTT (at
// least the floor), since an ACK held longer than a round trip only slows
// the sender, and always by TCP_DELACK_MAX, 200 ms (icsk_delack_max; the
// max_ato of 500 ms Linux allows outside interactive mode is always the
// larger). An estimate of zero, before any data, holds the ACK until the
// next clock tick (a timer of no length fires at the next jiffy). A timer
// already armed is kept when it is due sooner, and the ACK goes at once
// when it is due within a quarter of the wait ("about to expire").
func (c *Conn) sendDelayedAck(now time.Duration) {
	atoMin := c.cfg.DelayedAck // TCP_DELACK_MIN
	ato := c.ato
	if ato > atoMin && c.rtt.hasSample {
		ato = min(ato, max(c.rtt.srtt, atoMin))
	}
	ato = min(ato, max(delackMax, atoMin))
	if ato == 0 {
		ato = min(finAckTick, atoMin)
	}
	if c.armed(timerDelack) {
		at := c.timerAt[timerDelack]
		if at <= now+ato/4 {
			c.ackNow = true
			return
		}
		if at <= now+ato {
			return
		}
	}
	c.arm(timerDelack, now+ato)
}

// onDelackTimer is the delayed-ACK timer's expiry with an ACK pending
// (tcp_delack_timer_handler): outside interactive mode the ACK was
// delayed too little, and the estimate doubles (at most the RTO); in it,
// the reply did not come in time, so the mode ends and the estimate
// falls back to its floor.
func (c *Conn) onDelackTimer() {
	if !c.pingpong {
		c.ato = min(2*c.ato, c.rtt.current())
		return
	}
	c.exitPingpong()
	c.ato = c.cfg.DelayedAck
}
