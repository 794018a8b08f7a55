package tcp

import "time"

// PacingMode is when a connection paces its segments (Config.Pacing).
type PacingMode uint8

// The pacing modes.
const (
	// PacingAuto paces when the congestion control sets a pacing rate
	// (BBR), as Linux does without the fq qdisc (tcp_needs_internal_pacing
	// for sk_pacing_status SK_PACING_NEEDED).
	PacingAuto PacingMode = iota
	// PacingOn paces every connection, at the rate BBR sets or at Linux's
	// default rate (tcp_update_pacing_rate).
	PacingOn
	// PacingOff never paces.
	PacingOff
)

var pacingModeNames = [...]string{PacingAuto: "auto", PacingOn: "true", PacingOff: "false"}

// String returns "auto", "true" or "false".
func (m PacingMode) String() string {
	return enumName(pacingModeNames[:], m, "PacingMode")
}

// PacingModes lists the values of the pacing setting.
func PacingModes() []string { return pacingModeNames[:] }

// parsePacingMode reads a name of PacingModes; anything else is auto (the
// settings table checks values first).
func parsePacingMode(s string) PacingMode {
	for i, n := range pacingModeNames {
		if n == s {
			return PacingMode(i)
		}
	}
	return PacingAuto
}

// Pacer is implemented by congestion controls that set their own pacing
// rate (Linux's sk_pacing_rate written by the algorithm, as BBR does).
type Pacer interface {
	// PacingRate is the rate in bytes per second to release data at; 0
	// before the algorithm has one.
	PacingRate() int64
}

// maxPacingRate bounds the computed rate (bytes per second) so that a
// tiny SRTT cannot overflow the arithmetic.
const maxPacingRate = 1 << 50

// pacingRate is the rate the connection paces at now, in bytes per second,
// and whether it paces at all.
func (c *Conn) pacingRate() (int64, bool) {
	p, asks := c.cc.(Pacer)
	switch {
	case c.cfg.Pacing == PacingOff:
		return 0, false
	case asks:
		r := p.PacingRate()
		return r, r > 0
	case c.cfg.Pacing != PacingOn:
		return 0, false
	}
	// tcp_update_pacing_rate: ratio% of cwnd (or what is in flight, if
	// more) per SRTT; the slow start ratio while cwnd is below half of
	// ssthresh, so that slow start can still double the window.
	srtt := c.rtt.srtt
	if srtt <= 0 {
		return 0, false // no rate before the first RTT sample
	}
	ratio := c.cfg.PacingCARatio
	cwnd, ssthresh := c.cc.Cwnd(), c.cc.Ssthresh()
	if cwnd < ssthresh/2 {
		ratio = c.cfg.PacingSSRatio
	}
	w := int64(max(cwnd, c.flightSize()))
	r := w * int64(ratio) * int64(time.Second) / 100 / int64(srtt)
	return min(max(r, 1), maxPacingRate), true
}

// PacingRate returns the rate the connection paces at, in bytes per
// second, 0 when it does not pace (tcpi_pacing_rate).
func (c *Conn) PacingRate() int64 {
	r, ok := c.pacingRate()
	if !ok {
		return 0
	}
	return r
}

// paceBlocked reports whether pacing holds the next segment back at now,
// arming the pacing timer for when it may go.
func (c *Conn) paceBlocked(now time.Duration) bool {
	if c.paceAt <= now {
		return false
	}
	if _, ok := c.pacingRate(); !ok {
		return false
	}
	c.arm(timerPace, c.paceAt)
	return true
}

// pacedSent schedules the next send after n bytes went at now: the time
// they take at the pacing rate (Linux tcp_update_skb_after_send advances
// tcp_wstamp_ns by len/rate).
func (c *Conn) pacedSent(now time.Duration, n int) {
	r, ok := c.pacingRate()
	if !ok || n <= 0 {
		return
	}
	// A sender that fell behind (idle, or waiting for the window) does not
	// bank credit for a burst: the next slot counts from now.
	start := max(c.paceAt, now)
	c.paceAt = start + time.Duration(int64(n)*int64(time.Second)/r)
}
