package tcp

import (
	"fmt"
	"time"
)

// Keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6), as Linux's
// tcp_keepalive_timer: a connection with Config.Keepalive on that has
// heard nothing from its peer for KeepaliveTime, with nothing in flight
// or waiting to be sent, sends a probe, a segment at SND.UNA-1 without
// data that the peer answers with an ACK, then one every KeepaliveIntvl.
// Any acceptable ACK counts as hearing from the peer and starts the count
// of probes again (tcp_ack's rcv_tstamp and icsk_probes_out = 0). After
// KeepaliveProbes unanswered, or with a UserTimeout once that long has
// passed without a word and a probe is out, the connection is reset and
// fails with ETIMEDOUT (tcp_send_active_reset, tcp_write_err).
//
// The timer shares timerTimeWait, which only TIME-WAIT and the FIN-WAIT-2
// limit of a closed connection use otherwise, as Linux's sk_timer serves
// both the keepalive and that limit: a Conn stays in its size class.

// Linux's bounds on the keepalive settings: MAX_TCP_KEEPIDLE and
// MAX_TCP_KEEPINTVL (32767 s), MAX_TCP_KEEPCNT.
const (
	MaxKeepalive       = 32767 * time.Second
	MaxKeepaliveProbes = 127
)

// keepaliveState is what keepalive keeps per connection, in rareState.
type keepaliveState struct {
	// probes counts the probes sent since the peer was last heard
	// (icsk_probes_out).
	probes int
	// probedAt is when the latest probe went: a peer heard since then
	// answered, even while keepalive was off (onKeepalive).
	probedAt time.Duration
}

// ka returns the keepalive state, made on first use.
func (c *Conn) ka() *keepaliveState {
	if c.rare == nil {
		c.rare = &rareState{}
	}
	return &c.rare.ka
}

// keepaliveOwnsTimer reports whether timerTimeWait is the keepalive
// timer: in a synchronized state other than TIME-WAIT and the FIN-WAIT-2
// of a closed connection (Linux's keepalive timer does nothing in CLOSE
// and SYN-SENT, and a passive open is a request socket until it is
// established).
func (c *Conn) keepaliveOwnsTimer() bool {
	return c.state.Synchronized() && c.state != TimeWait && !(c.state == FinWait2 && c.userClose)
}

// keepaliveStart arms the expiry KeepaliveTime from now, on
// establishment (tcp_finish_connect, tcp_create_openreq_child) or when
// keepalive is turned on (tcp_set_keepalive). Turned on later, the idle
// time still counts from when the peer was last heard: the expiry probes
// at once if it has been silent that long (tcp_keepalive_timer).
func (c *Conn) keepaliveStart(now time.Duration) {
	if !c.cfg.Keepalive || !c.keepaliveOwnsTimer() {
		return
	}
	c.ka()
	c.arm(timerTimeWait, now+c.cfg.KeepaliveTime)
}

// keepaliveHeard is when the peer was last heard from, as Linux's
// keepalive_time_elapsed counts the idle time: the later of its last
// acceptable ACK (rcv_tstamp) and its last in-order data (lrcvtime).
func (c *Conn) keepaliveHeard() time.Duration {
	return max(c.rcvTstamp, c.lastDataAt)
}

// onKeepalive is the keepalive timer's expiry.
func (c *Conn) onKeepalive(now time.Duration) {
	if !c.cfg.Keepalive {
		return
	}
	c.emit(Event{Kind: EvTimerFired, Timer: "keepalive"})
	idle := c.cfg.KeepaliveTime
	if c.sndUna != c.sndMax || c.unsent() > 0 || c.finQueued && c.sndNxt == c.finSeq {
		// Alive without keepalive: the retransmission timer watches
		// what is in flight.
		c.arm(timerTimeWait, now+idle)
		return
	}
	k := c.ka()
	heard := c.keepaliveHeard()
	if heard > k.probedAt {
		// Heard since the latest probe: Linux's tcp_ack clears
		// icsk_probes_out on every ACK, keepalive on or off; onAck does
		// it only while keepalive is on, so that a connection without
		// it never touches its rare state.
		k.probes = 0
	}
	elapsed := now - heard
	if elapsed < idle {
		c.arm(timerTimeWait, heard+idle)
		return
	}
	ut := c.cfg.UserTimeout
	if ut != 0 && elapsed >= ut && k.probes > 0 || ut == 0 && k.probes >= c.cfg.KeepaliveProbes {
		c.sendRst(now, c.sndMax, true)
		c.fail(ETIMEDOUT, false)
		return
	}
	// tcp_write_wakeup with nothing to send: tcp_xmit_probe_skb's
	// segment at SND.UNA-1, which the peer must answer with an ACK
	// (RFC 9293 §3.8.4 allows one byte of garbage; Linux sends none).
	c.emitSeg(now, FlagACK, c.sndUna.Add(^uint32(0)), 0)
	c.noteRetransmit(c.sndUna, 0, "probe")
	k.probes++
	k.probedAt = now
	c.arm(timerTimeWait, now+c.cfg.KeepaliveIntvl)
}

// SetKeepalive turns keepalive on or off for this connection alone, at
// any time, as Linux's SO_KEEPALIVE socket option (tcp_set_keepalive):
// turned on in a synchronized state, the first probe is due
// KeepaliveTime from now; turned off, none is sent.
func (c *Conn) SetKeepalive(now time.Duration, on bool) {
	if c.cfg.Keepalive == on {
		return
	}
	c.touch(now)
	c.ownConfig().Keepalive = on
	if on {
		c.keepaliveStart(now)
	} else if c.keepaliveOwnsTimer() {
		c.stop(timerTimeWait)
	}
}

// SetKeepaliveTime sets KeepaliveTime for this connection alone, as
// Linux's TCP_KEEPIDLE socket option (tcp_sock_set_keepidle_locked): with
// keepalive on, the timer is armed again for the new idle time less the
// time the peer has been silent already (keepalive_time_elapsed), which
// counts from when it was last heard, not from when keepalive was turned
// on; at once if that is past. It returns an error wrapping ErrConfig
// outside the setting's bounds (1 s to 32767 s).
func (c *Conn) SetKeepaliveTime(now time.Duration, d time.Duration) error {
	if d < time.Second || d > MaxKeepalive {
		return fmt.Errorf("tcp: keepalive time %v: %w (want 1s to %v)", d, ErrConfig, MaxKeepalive)
	}
	c.touch(now)
	c.ownConfig().KeepaliveTime = d
	if c.cfg.Keepalive && c.keepaliveOwnsTimer() {
		c.arm(timerTimeWait, max(c.keepaliveHeard()+d, now))
	}
	return nil
}

// SetKeepaliveIntvl sets KeepaliveIntvl for this connection alone, as
// Linux's TCP_KEEPINTVL socket option (read when the next probe is sent);
// an error wraps ErrConfig outside 1 s to 32767 s.
func (c *Conn) SetKeepaliveIntvl(d time.Duration) error {
	if d < time.Second || d > MaxKeepalive {
		return fmt.Errorf("tcp: keepalive interval %v: %w (want 1s to %v)", d, ErrConfig, MaxKeepalive)
	}
	c.ownConfig().KeepaliveIntvl = d
	return nil
}

// SetKeepaliveProbes sets KeepaliveProbes for this connection alone, as
// Linux's TCP_KEEPCNT socket option; an error wraps ErrConfig outside 1
// to 127.
func (c *Conn) SetKeepaliveProbes(n int) error {
	if n < 1 || n > MaxKeepaliveProbes {
		return fmt.Errorf("tcp: keepalive probes %d: %w (want 1 to %d)", n, ErrConfig, MaxKeepaliveProbes)
	}
	c.ownConfig().KeepaliveProbes = n
	return nil
}
