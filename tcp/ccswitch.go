package tcp

import (
	"fmt"
	"time"
)

// Switching the congestion control of a connection under way, as Linux's
// setsockopt(TCP_CONGESTION) does (tcp_set_congestion_control,
// tcp_reinit_congestion_control): the old algorithm's private state goes
// (icsk_ca_priv is cleared), the new one starts from its init, but the
// window is the connection's (tp->snd_cwnd, tp->snd_ssthresh), so the new
// algorithm carries on from it. The recovery state machine, PRR and the
// ECN negotiation are the sender's and stay as they are.

// windowTaker is implemented by the congestion controls that can take
// over the window of the one they replace.
type windowTaker interface {
	// takeWindow sets cwnd and ssthresh, in bytes, on a fresh instance.
	takeWindow(cwnd, ssthresh int)
}

// takeWindow: Reno's window is Linux's snd_cwnd and snd_ssthresh, which
// no init of reno, newreno, vegas or dctcp touches (dctcp_init resets
// only its alpha and counters; vegas_init only starts its measurements).
func (w *renoWindow) takeWindow(cwnd, ssthresh int) {
	w.cwnd, w.ssthresh = cwnd, ssthresh
}

// takeWindow: bictcp_init resets CUBIC's epoch and HyStart (a fresh
// instance has neither) and leaves snd_cwnd and snd_ssthresh (its
// initial_ssthresh is 0).
func (c *Cubic) takeWindow(cwnd, ssthresh int) {
	c.cwnd, c.ssthresh = cwnd, ssthresh
}

// takeWindow: bbr_init keeps snd_cwnd, which its model moves from
// there, and sets snd_ssthresh to TCP_INFINITE_SSTHRESH, as a fresh
// instance has it.
func (b *BBR) takeWindow(cwnd, _ int) {
	b.cwnd = cwnd
}

// connStarter is implemented by the congestion controls whose init
// starts its measurements from the connection's counts. On a fresh
// connection they are zero, as a fresh instance has them; on a switch
// they are not, and a count started at zero would end the first round or
// window at the first ACK, on data sent before the switch.
type connStarter interface {
	// startFrom starts the measurements at now from the connection's
	// delivered count (bytes, Linux's tp->delivered) and its minimum RTT
	// (zero without a sample).
	startFrom(now time.Duration, delivered int64, minRTT time.Duration)
}

// startFrom: bbr_init starts the round count from the connection's
// (next_rtt_delivered = tp->delivered), so the first round ends with the
// ACK of data sent after the switch, and takes the connection's minimum
// RTT (min_rtt_us = tcp_min_rtt(tp), stamped now).
func (b *BBR) startFrom(now time.Duration, delivered int64, minRTT time.Duration) {
	b.delivered, b.nextRoundAt = delivered, delivered
	if minRTT > 0 {
		b.minRTT, b.minRTTAt = minRTT, now
	}
}

// startFrom: dctcp_init's dctcp_reset starts the first window of alpha's
// measurement at snd_nxt (next_seq), so it ends with the ACK of data sent
// after the switch: here the delivered count then, as windowStart counts.
func (d *DCTCP) startFrom(_ time.Duration, delivered int64, _ time.Duration) {
	d.windowStart = delivered
}

// SetCongestion switches the connection to the named congestion control,
// one of CongestionNames, as Linux's setsockopt(TCP_CONGESTION) does on a
// socket that is connected or connecting: tcp_set_congestion_control
// leaves a connection on the algorithm it names as it is, and otherwise
// tcp_reinit_congestion_control starts the new one afresh on the
// connection's window (see windowTaker): CUBIC starts a new epoch, BBR a
// new STARTUP whose pacing rate comes from the SRTT
// (bbr_init_pacing_rate_from_rtt), whose rounds count from the
// connection's delivered data and whose minimum RTT is the connection's
// (connStarter), DCTCP a new alpha measured from the data sent next, or
// Reno behaviour (dctcp-reno) when ECN was not negotiated (dctcp_init in
// any state but CLOSE and LISTEN). A connection that left BBR with Pacing auto stays
// paced, as Linux's does. An unknown name returns an error wrapping
// ErrUnknownCongestion and changes nothing.
func (c *Conn) SetCongestion(now time.Duration, name string) error {
	if name == c.cc.Name() {
		return nil
	}
	cc, err := NewCongestion(name, c.sndMss, c.cfg.InitialCwnd)
	if err != nil {
		return fmt.Errorf("tcp: set congestion control: %w", err)
	}
	c.touch(now)
	if t, ok := cc.(windowTaker); ok {
		t.takeWindow(c.cc.Cwnd(), c.cc.Ssthresh())
	}
	if st, ok := cc.(connStarter); ok {
		st.startFrom(now, c.rate.delivered, c.rtt.sampleMin)
	}
	cfg := c.ownConfig()
	cfg.Congestion = name
	if _, paced := c.cc.(Pacer); paced && cfg.Pacing == PacingAuto {
		// bbr_init asked for pacing (sk_pacing_status SK_PACING_NEEDED),
		// which nothing undoes: the algorithm after it is paced at
		// tcp_update_pacing_rate's rate, as pacing: true does.
		cfg.Pacing = PacingOn
	}
	c.adoptCongestion(cc)
	if c.state != Closed && c.state != Listen {
		// tcp_reinit_congestion_control calls tcp_init_congestion_control
		// then, which runs the algorithm's init.
		if e, ok := cc.(establisher); ok && c.state.Synchronized() {
			e.onEstablished(c.rtt.srtt)
		}
		if f, ok := cc.(ecnFallback); ok && !c.ecnOK {
			f.withoutECN()
		}
	}
	c.noteCwnd("congestion")
	return nil
}
