package tcp

import "time"

// Slow start after idle (RFC 5681 §4.1; Linux's
// tcp_slow_start_after_idle_check and tcp_cwnd_restart, on by default): a
// window measured before a long silence says nothing about the path now,
// so a sender that had nothing in flight for more than an RTO restarts
// from a smaller window when the application writes again. Linux halves
// the window once per RTO of idleness, never below the initial window
// (RFC 7661 is not used, as in Linux).

// windowRestarter is implemented by the congestion controls whose window
// the sender may restart after idle, as Linux does for every algorithm
// without its own cong_control (BBR keeps its model).
type windowRestarter interface {
	// RestartWindow sets cwnd and ssthresh in bytes after an idle period.
	RestartWindow(cwnd, ssthresh int)
}

// idleObserver is implemented by the congestion controls that react to
// transmission restarting after an idle period (Linux's CA_EVENT_TX_START).
type idleObserver interface {
	// OnTxStart: data is sent with nothing in flight, idle after the last
	// transmission.
	OnTxStart(now, idle time.Duration)
}

// appLimitedRestarter is implemented by the congestion controls that
// react to transmission restarting after an idle spell the application
// caused (Linux's CA_EVENT_TX_START while tp->app_limited is set: BBR).
type appLimitedRestarter interface {
	restartFromIdle(now time.Duration)
}

// idleRestart applies tcp_cwnd_restart when the application writes and
// nothing is in flight, if the last transmission of data (a retransmission
// too, such as a tail loss probe) is more than an RTO ago.
func (c *Conn) idleRestart(now time.Duration) {
	if !c.cfg.SlowStartAfterIdle || !c.sentData || c.sndUna != c.sndMax || !c.state.Synchronized() {
		return
	}
	idle := now - c.lastSendAt
	rto := c.rtt.current()
	r, ok := c.cc.(windowRestarter)
	if idle <= rto || !ok {
		return
	}
	mss := c.sndMss
	cwnd := c.cc.Cwnd() / mss
	restart := min(c.cfg.InitialCwnd, cwnd)
	// tcp_current_ssthresh: keep three quarters of the window as the
	// threshold, so slow start climbs back to it.
	ssthresh := c.cc.Ssthresh()
	if ssthresh < InfiniteSsthresh {
		ssthresh = max(ssthresh, (cwnd>>1+cwnd>>2)*mss)
	}
	for idle -= rto; idle > 0 && cwnd > restart; idle -= rto {
		cwnd >>= 1
	}
	r.RestartWindow(max(cwnd, restart)*mss, ssthresh)
	c.noteCwnd("idle")
}

// noteDataSent records a transmission of new data for the idle rules:
// Linux's lsndtime, and CA_EVENT_TX_START when nothing was in flight.
func (c *Conn) noteDataSent(now time.Duration) {
	if c.sndUna == c.sndMax && c.sentData {
		if o, ok := c.cc.(idleObserver); ok {
			o.OnTxStart(now, now-c.lastSendAt)
		}
		if r, ok := c.cc.(appLimitedRestarter); ok && c.rate.appLimited != 0 {
			r.restartFromIdle(now)
		}
	}
	c.lastSendAt, c.sentData = now, true
}
