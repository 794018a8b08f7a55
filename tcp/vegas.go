package tcp

import (
	"math"
	"time"
)

// Vegas parameters of Linux's tcp_vegas.c, in segments of queue the flow
// aims to keep at the bottleneck.
const (
	vegasAlpha = 2 // below: grow by one segment per RTT
	vegasBeta  = 4 // above: shrink by one segment per RTT
	vegasGamma = 1 // above in slow start: leave slow start
)

// Vegas is TCP Vegas (Brakmo and Peterson, 1995) as Linux's tcp_vegas.c.
// Once per round trip it compares the window with what the path would hold
// at the lowest RTT ever seen (baseRTT): diff = cwnd*(RTT-baseRTT)/baseRTT
// estimates the segments the flow keeps queued, with RTT the least sample
// of the round. In congestion avoidance the window grows by a segment when
// diff < alpha, shrinks by one when diff > beta, and holds in between; in
// slow start a diff above gamma ends slow start with the window cut to
// what the path holds. With fewer than three RTT samples in a round, and
// during loss recovery, it behaves as Reno (tcp_reno_cong_avoid); losses
// halve the window as Reno's do.
type Vegas struct {
	// renoWindow's backedOff: an RTO happened; the next ACK returns to the
	// Open state.
	renoWindow
	// on is Linux's doing_vegas_now: off while recovering from loss.
	on bool
	// roundEnd is the delivered count that ends the round: an ACK of data
	// sent after the round began (Linux compares the ACK with beg_snd_nxt).
	roundEnd int64
	// delivered is the connection's delivered count at the latest sample;
	// priorDelivered that of the sample's segment when it was sent.
	delivered, priorDelivered int64
	sampled                   bool
	// baseRTT is the least RTT ever seen; minRTT the least of this round,
	// from cntRTT samples (each plus 1 µs, as Linux adds to avoid zero).
	baseRTT, minRTT time.Duration
	cntRTT          int
}

// NewVegas returns Vegas for a sender with SMSS mss and an initial window
// of initialCwndSegments segments. Prefer NewCongestion.
func NewVegas(mss, initialCwndSegments int) *Vegas {
	v := &Vegas{renoWindow: newRenoWindow(mss, initialCwndSegments), baseRTT: math.MaxInt64}
	v.enable()
	return v
}

// enable starts a round of Vegas measurements (vegas_enable).
func (v *Vegas) enable() {
	v.on = true
	v.roundEnd = v.delivered
	v.cntRTT = 0
	v.minRTT = math.MaxInt64
}

// Name returns "vegas".
func (v *Vegas) Name() string { return CongestionVegas }

// BaseRTT returns the least RTT seen, 0 before any.
func (v *Vegas) BaseRTT() time.Duration {
	if v.baseRTT == math.MaxInt64 {
		return 0
	}
	return v.baseRTT
}

// OnRateSample takes the ACK's RTT sample (tcp_vegas_pkts_acked).
func (v *Vegas) OnRateSample(_ time.Duration, rs *RateSample) {
	v.delivered = rs.DeliveredTotal
	v.priorDelivered, v.sampled = rs.PriorDelivered, rs.Delivered >= 0
	if rs.RTT < 0 {
		return
	}
	vrtt := rs.RTT + time.Microsecond
	v.baseRTT = min(v.baseRTT, vrtt)
	v.minRTT = min(v.minRTT, vrtt)
	v.cntRTT++
}

// OnAck runs tcp_vegas_cong_avoid for an ACK outside recovery.
func (v *Vegas) OnAck(_ time.Duration, acked, inflight int, _ time.Duration) {
	if acked <= 0 {
		return
	}
	if v.backedOff {
		// Back in the Open state after a timeout (tcp_vegas_state).
		v.backedOff = false
		v.enable()
	}
	if !v.on {
		v.reno(acked, inflight)
		return
	}
	if !v.sampled || v.priorDelivered < v.roundEnd {
		// Within the round: only slow start proceeds.
		if v.cwnd < v.ssthresh {
			renoSlowStart(&v.cwnd, v.ssthresh, 0, acked)
		}
		return
	}
	v.roundEnd = v.delivered
	if v.cntRTT <= 2 {
		// Too few samples to trust the round's minimum.
		v.reno(acked, inflight)
	} else {
		v.adjust(acked)
	}
	v.cntRTT = 0
	v.minRTT = math.MaxInt64
}

// adjust is the once-per-RTT Vegas step.
func (v *Vegas) adjust(acked int) {
	segs := int64(v.cwnd / v.mss)
	rtt, base := int64(v.minRTT), int64(v.baseRTT)
	target := segs * base / rtt
	diff := segs * (rtt - base) / base
	slowStart := v.cwnd < v.ssthresh
	switch {
	case diff > vegasGamma && slowStart:
		// Leave slow start: the window is more than the path holds.
		segs = min(segs, target+1)
		v.cwnd = int(segs) * v.mss
		v.ssthresh = min(v.ssthresh, v.cwnd)
	case slowStart:
		renoSlowStart(&v.cwnd, v.ssthresh, 0, acked)
	case diff > vegasBeta:
		v.cwnd -= v.mss
		v.ssthresh = min(v.ssthresh, v.cwnd)
	case diff < vegasAlpha:
		v.cwnd += v.mss
	}
	v.cwnd = max(v.cwnd, 2*v.mss)
	// tcp_current_ssthresh in the Open state: at least 3/4 of the window.
	v.ssthresh = max(v.ssthresh, v.cwnd/2+v.cwnd/4)
}

// reno is tcp_reno_cong_avoid.
func (v *Vegas) reno(acked, inflight int) {
	if !cwndValidated(v.cwnd, v.ssthresh, inflight) {
		return
	}
	v.cwnd, v.caBytes = renoGrow(v.cwnd, v.ssthresh, v.caBytes, v.mss, acked)
}

// OnEnterRecovery halves the window as Reno and pauses Vegas.
func (v *Vegas) OnEnterRecovery(time.Duration, int) {
	v.on = false
	v.reduce(renoSsthresh(v.cwnd, v.mss))
}

// OnExitRecovery sets the window to ssthresh and resumes Vegas.
func (v *Vegas) OnExitRecovery(time.Duration) {
	v.deflate()
	v.enable()
}

// OnRTO sets the loss window of one segment and pauses Vegas.
func (v *Vegas) OnRTO(time.Duration, int) {
	v.timeout(renoSsthresh(v.cwnd, v.mss))
	v.on = false
}
