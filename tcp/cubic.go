package tcp

import (
	"math"
	"time"
)

// CUBIC's constants (RFC 9438 §5.1, §4.6).
const (
	// cubicC is C in segments per second cubed.
	cubicC = 0.4
	// The multiplicative decrease factor beta_cubic as Linux's tcp_cubic.c
	// has it (beta = 717 out of BICTCP_BETA_SCALE 1024, about 0.7), so
	// that windows stay integers and match Linux's segment for segment.
	cubicBetaNum, cubicBetaDen = 717, 1024
	// alpha_cubic = 3*(1-beta)/(1+beta) = 9/17 (RFC 9438 §4.3).
	cubicAlphaNum, cubicAlphaDen = 9, 17
	// (1+beta)/2, the fast-convergence factor (RFC 9438 §4.7), as Linux's
	// bictcp_recalc_ssthresh writes it: (1024 + 717) / 2048.
	cubicFastConvNum, cubicFastConvDen = cubicBetaDen + cubicBetaNum, 2 * cubicBetaDen
	// cubicMaxWindow bounds the cubic function before it is turned into an
	// integer, so that a window computed hours into an epoch cannot
	// overflow: 2^50 bytes, or the largest int where int has 32 bits.
	cubicMaxWindow = min(1<<50, math.MaxInt)
)

// Cubic is CUBIC congestion control as specified by RFC 9438.
//
//   - Slow start is the standard one (RFC 9438 §4.10) with byte counting
//     as Linux does it: every byte an ACK newly acknowledges grows the
//     window, without RFC 3465's L = 2*SMSS that NewReno keeps. HyStart
//     (hystart.go, on by default as in Linux) ends slow start when the ACK
//     train or a rise in delay shows the path full, before the first loss;
//     HyStart++ (RFC 9406) is not implemented.
//   - In congestion avoidance the window follows W_cubic(t) = C*(t-K)^3 +
//     W_max (§4.2, eq. 1), with t the time since the congestion avoidance
//     stage began and K = cbrt((W_max - cwnd_epoch)/C) (eq. 2). Each ACK
//     moves cwnd towards target = W_cubic(t+RTT), clamped to [cwnd,
//     1.5*cwnd], by (target-cwnd)/cwnd per acknowledged segment: concave
//     below W_max (§4.4), convex above it (§4.5).
//   - The Reno-friendly estimate W_est (§4.3) starts at cwnd_epoch and grows
//     by alpha_cubic = 9/17 per window acknowledged, 1 once it reaches
//     cwnd_prior; while W_cubic(t) < W_est, cwnd follows W_est. The window
//     never shrinks on an ACK.
//   - On fast retransmit (§4.6): ssthresh = max(cwnd*717/1024, 2) in whole
//     segments, as Linux's bictcp_recalc_ssthresh, and cwnd = ssthresh;
//     W_max is the window before the reduction, or, with fast convergence
//     (§4.7), (1024+717)/2048 of it when it is below the previous W_max.
//     A loss never raises the window.
//   - On RTO (§4.8): ssthresh as in §4.6, cwnd = 1 SMSS; the first
//     congestion avoidance stage afterwards uses K = 0 and W_max = the
//     window at its start. ssthresh is held when the same data times out
//     again before any new ACK (RFC 5681 §3.1).
//   - Growth needs at least half the window in flight (RFC 7661 §4.1), as for
//     NewReno. Idle time (nothing in flight) does not count in t
//     (OnTxStart, Linux's CA_EVENT_TX_START); time application-limited
//     with data in flight does, and the clamp of target to 1.5*cwnd
//     bounds the jump when the sender resumes.
//
// Windows are integers in bytes; W_cubic is computed in floating point in
// segments and truncated to bytes, with explicit float64 conversions so no
// platform fuses the multiply-adds (determinism on every machine).
type Cubic struct {
	mss      int
	cwnd     int
	ssthresh int

	// wMax is W_max in bytes: the window before the last reduction (or
	// after fast convergence, less); zero before the first loss.
	wMax int
	// cwndPrior is the window when ssthresh was last set (RFC 9438 §4.3).
	cwndPrior int

	// The current congestion avoidance stage (epoch), started by the first
	// ACK that finds cwnd >= ssthresh.
	epochStart time.Duration
	k          float64 // K in seconds

	// wEst is the Reno-friendly window in bytes and wEstRem the remainder
	// of its integer growth.
	wEst    int
	wEstRem int64
	// cubicRem is the remainder of the integer growth towards target.
	cubicRem int64

	// inEpoch is set while a congestion avoidance stage runs.
	inEpoch bool
	// afterRTO marks the first congestion avoidance stage after a timeout
	// (RFC 9438 §4.8).
	afterRTO bool
	// backedOff is set by an RTO and cleared by the next new ACK.
	backedOff bool

	// hs is HyStart's detector.
	hs hystart
	// delivered is the connection's delivered count at the latest rate
	// sample, where HyStart's round restarts after an RTO.
	delivered int64
}

// NewCubic returns CUBIC for a sender with SMSS mss and an initial window of
// initialCwndSegments segments. Prefer NewCongestion, which validates its
// arguments.
func NewCubic(mss, initialCwndSegments int) *Cubic {
	c := &Cubic{mss: mss, cwnd: initialCwndSegments * mss, ssthresh: InfiniteSsthresh}
	c.hs.on = true
	c.hs.reset(0, 0)
	return c
}

// SetHyStart turns HyStart on or off (Linux's tcp_cubic hystart module
// parameter, on by default); paced says the sender paces its segments,
// which lengthens the ACK train HyStart expects.
func (c *Cubic) SetHyStart(on, paced bool) {
	c.hs.on, c.hs.paced = on, paced
}

// OnRateSample feeds HyStart during slow start (bictcp_acked): when it
// finds the path full, ssthresh becomes cwnd and slow start ends.
func (c *Cubic) OnRateSample(now time.Duration, rs *RateSample) {
	c.delivered = rs.DeliveredTotal
	if c.cwnd >= c.ssthresh {
		return
	}
	quiet := c.inEpoch && now-c.epochStart < hystartEpochQuiet
	if c.hs.onSample(now, rs, c.cwnd/c.mss, quiet) {
		c.ssthresh = c.cwnd
	}
}

// Name returns "cubic".
func (c *Cubic) Name() string { return CongestionCubic }

// Cwnd returns the congestion window in bytes.
func (c *Cubic) Cwnd() int { return c.cwnd }

// Ssthresh returns the slow-start threshold in bytes.
func (c *Cubic) Ssthresh() int { return c.ssthresh }

// WMax returns W_max in bytes, the window CUBIC's cubic function plateaus
// at; zero before the first congestion event. For traces and tests.
func (c *Cubic) WMax() int { return c.wMax }

// K returns the time the cubic function of the current epoch takes to reach
// W_max (RFC 9438 eq. 2), zero outside congestion avoidance.
func (c *Cubic) K() time.Duration {
	if !c.inEpoch {
		return 0
	}
	return time.Duration(c.k * float64(time.Second))
}

// OnAck grows the window for acked newly acknowledged bytes.
func (c *Cubic) OnAck(now time.Duration, acked, inflight int, rtt time.Duration) {
	if acked <= 0 {
		return
	}
	c.backedOff = false
	if !cwndValidated(c.cwnd, c.ssthresh, inflight) {
		return
	}
	// Like Linux's CUBIC (tcp_slow_start since 3.8), whose default it is
	// here too, every byte an ACK newly acknowledges counts: a stretch ACK
	// of four segments lets eight go (google/packetdrill
	// slow_start/slow-start-ack-per-4pkt.pkt).
	acked = renoSlowStart(&c.cwnd, c.ssthresh, 0, acked)
	if acked == 0 {
		return
	}
	if !c.inEpoch {
		c.startEpoch(now)
	}

	// RFC 9438 §4.3: W_est += alpha_cubic * segments_acked / cwnd, in bytes
	// alpha * acked * SMSS / cwnd; alpha becomes 1 once W_est >= cwnd_prior.
	aNum, aDen := int64(cubicAlphaNum), int64(cubicAlphaDen)
	if c.wEst >= c.cwndPrior {
		aNum, aDen = 1, 1
	}
	c.wEstRem += aNum * int64(acked) * int64(c.mss)
	den := aDen * int64(c.cwnd)
	c.wEst += int(c.wEstRem / den)
	c.wEstRem %= den

	t := now - c.epochStart
	if c.wCubic(t) < c.wEst {
		// RFC 9438 §4.3: the Reno-friendly region.
		c.cwnd = max(c.cwnd, c.wEst)
		return
	}
	// RFC 9438 §4.2: target = W_cubic(t+RTT) clamped to [cwnd, 1.5*cwnd];
	// §4.4 / §4.5: cwnd += (target-cwnd)/cwnd per segment acknowledged.
	target := min(max(c.wCubic(t+rtt), c.cwnd), c.cwnd+c.cwnd/2)
	c.cubicRem += int64(target-c.cwnd) * int64(acked)
	c.cwnd += int(c.cubicRem / int64(c.cwnd))
	c.cubicRem %= int64(c.cwnd)
}

// startEpoch begins a congestion avoidance stage (RFC 9438 §4.2).
func (c *Cubic) startEpoch(now time.Duration) {
	c.inEpoch = true
	c.epochStart = now
	c.wEst = c.cwnd
	c.wEstRem, c.cubicRem = 0, 0
	if c.afterRTO || c.wMax <= c.cwnd {
		// RFC 9438 §4.8 after a timeout, and a stage entered without a
		// loss above W_max: K = 0 and W_max = the window now, so the
		// window grows convexly from here.
		c.afterRTO = false
		c.wMax = c.cwnd
		c.k = 0
		return
	}
	// RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C), in segments.
	// cwnd_epoch is the window now.
	c.k = math.Cbrt(float64(c.wMax-c.cwnd) / float64(c.mss) / cubicC)
}

// wCubic is RFC 9438 eq. 1, W_cubic(t) = C*(t-K)^3 + W_max, in bytes.
func (c *Cubic) wCubic(t time.Duration) int {
	d := t.Seconds() - c.k
	cube := float64(float64(cubicC*d) * d * d)
	w := float64(cube*float64(c.mss)) + float64(c.wMax)
	switch {
	case w <= 0:
		return 0
	case w >= cubicMaxWindow:
		return cubicMaxWindow
	}
	return int(w)
}

// reduce applies RFC 9438 §4.6 and §4.7 at a congestion event.
func (c *Cubic) reduce() {
	// Linux counts the window in whole segments (snd_cwnd); so does the
	// reduction, so that ssthresh is what Linux's would be.
	segs := c.cwnd / c.mss
	// RFC 9438 §4.7 fast convergence: a flow whose window keeps falling
	// below its last W_max releases bandwidth for newcomers.
	if c.cwnd < c.wMax {
		c.wMax = segs * cubicFastConvNum / cubicFastConvDen * c.mss
	} else {
		c.wMax = c.cwnd
	}
	c.cwndPrior = c.cwnd
	// ssthresh = max(cwnd * beta_cubic, 2) segments, as Linux's
	// bictcp_recalc_ssthresh. RFC 9438 §4.6 allows cwnd or flight_size;
	// the flight counts SACKed data, so after a loss it can exceed cwnd and
	// a reduction would raise the window (seen under CoDel's steady drops).
	c.ssthresh = max(segs*cubicBetaNum/cubicBetaDen, 2) * c.mss
	c.inEpoch = false
}

// OnEnterRecovery reduces the window by beta_cubic (RFC 9438 §4.6, §4.7).
func (c *Cubic) OnEnterRecovery(time.Duration, int) {
	c.reduce()
	c.cwnd = c.ssthresh
	c.afterRTO = false
}

// OnExitRecovery sets cwnd to ssthresh (RFC 6582 §3.2 step 3); the next ACK
// starts a congestion avoidance stage.
func (c *Cubic) OnExitRecovery(time.Duration) {
	c.cwnd = c.ssthresh
	c.inEpoch = false
	c.backedOff = false
}

// OnRTO collapses the window to one SMSS (RFC 9438 §4.8, RFC 5681 §3.1).
func (c *Cubic) OnRTO(now time.Duration, _ int) {
	if !c.backedOff {
		c.reduce()
	}
	c.backedOff = true
	c.afterRTO = true
	c.inEpoch = false
	c.cwnd = c.mss
	c.hs.restart(now, c.delivered)
}

// RestartWindow sets the window after an idle period (Linux's
// tcp_cwnd_restart); the next ACK starts a new congestion avoidance stage.
func (c *Cubic) RestartWindow(cwnd, ssthresh int) {
	c.cwnd, c.ssthresh = cwnd, ssthresh
	c.inEpoch = false
}

// OnTxStart shifts the epoch by the time the sender was idle, so that the
// cubic function does not count it (Linux's bictcp_cwnd_event on
// CA_EVENT_TX_START, RFC 9438 §5.8).
func (c *Cubic) OnTxStart(now, idle time.Duration) {
	if c.inEpoch && idle > 0 {
		c.epochStart = min(c.epochStart+idle, now)
	}
}

// SetMSS changes SMSS, keeping every window's size in segments; a
// congestion avoidance stage in progress restarts at the next ACK.
func (c *Cubic) SetMSS(mss int) {
	if mss <= 0 || mss == c.mss {
		return
	}
	old := c.mss
	c.cwnd = max(rescale(c.cwnd, old, mss), mss)
	c.ssthresh = max(rescale(c.ssthresh, old, mss), 2*mss)
	c.wMax = rescale(c.wMax, old, mss)
	c.cwndPrior = rescale(c.cwndPrior, old, mss)
	c.wEst = rescale(c.wEst, old, mss)
	c.inEpoch = false
	c.mss = mss
}
