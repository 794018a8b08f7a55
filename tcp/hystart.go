package tcp

import "time"

// HyStart (Ha and Rhee, "Taming the elephants", 2011) as Linux's CUBIC runs
// it (tcp_cubic.c, hystart=1, hystart_detect=3): slow start ends, by
// setting ssthresh to cwnd, before the queue at the bottleneck overflows,
// when either
//
//   - the ACK train of a round, the ACKs that arrive less than 2 ms apart
//     from its start, has lasted longer than half the minimum RTT (the
//     window already fills the path), or
//   - the smallest RTT of the first eight samples of a round exceeds the
//     minimum RTT by an eighth of it, clamped to [4 ms, 16 ms] (a queue
//     is building).
//
// It looks only at windows of hystart_low_window (16) segments or more.
// A round is the time an ACK of data sent after it started takes.

// HyStart's constants, tcp_cubic.c's defaults.
const (
	hystartLowWindow  = 16 // segments (hystart_low_window)
	hystartAckDelta   = 2 * time.Millisecond
	hystartMinSamples = 8
	hystartDelayMin   = 4 * time.Millisecond
	hystartDelayMax   = 16 * time.Millisecond
	// hystartEpochQuiet: delay samples in the first second of a
	// congestion avoidance stage are ignored (they follow a recovery).
	hystartEpochQuiet = time.Second
)

// hystart is the detector's state (struct bictcp's HyStart fields).
type hystart struct {
	// roundStart and lastAck are when the round started and when the
	// last ACK of its train came; roundEnd is the delivered count when it
	// started: a sample of data sent after it (PriorDelivered at least
	// roundEnd) starts the next round (Linux compares with snd_nxt).
	roundStart, lastAck time.Duration
	roundEnd            int64
	// currRTT is the smallest RTT of the round's first samples (-1 before
	// one), delayMin the smallest RTT ever (0 before one).
	currRTT, delayMin time.Duration
	// sampleCnt is how many of the round's samples were taken.
	sampleCnt uint8
	on        bool
	// paced: the sender paces, so the ACK train is not halved (Linux's
	// sk_pacing_status != SK_PACING_NONE).
	paced bool
	found bool
}

// reset starts a round at now, with delivered bytes delivered so far
// (bictcp_hystart_reset).
func (h *hystart) reset(now time.Duration, delivered int64) {
	h.roundStart, h.lastAck = now, now
	h.roundEnd = delivered
	h.currRTT = -1
	h.sampleCnt = 0
}

// restart forgets what was found, after an RTO (bictcp_state on
// TCP_CA_Loss: bictcp_reset and bictcp_hystart_reset).
func (h *hystart) restart(now time.Duration, delivered int64) {
	h.found = false
	h.delayMin = 0
	h.reset(now, delivered)
}

// onSample takes one ACK's rate sample during slow start (bictcp_acked and
// hystart_update) and reports whether slow start should end now.
// segs is cwnd in segments; quiet says the sample follows a recovery too
// closely to count.
func (h *hystart) onSample(now time.Duration, rs *RateSample, segs int, quiet bool) bool {
	if !h.on {
		return false
	}
	if rs.PriorDelivered >= h.roundEnd {
		// An ACK of data sent after the round started: a new round.
		h.reset(now, rs.DeliveredTotal)
	}
	if rs.RTT < 0 || quiet {
		return false
	}
	delay := max(rs.RTT, time.Microsecond)
	if h.delayMin == 0 || delay < h.delayMin {
		h.delayMin = delay
	}
	if h.found || segs < hystartLowWindow {
		return false
	}
	// The ACK train.
	if now-h.lastAck <= hystartAckDelta {
		h.lastAck = now
		threshold := h.delayMin
		if !h.paced {
			// Without pacing a window leaves in a burst, and its ACKs
			// come back within half a round trip.
			threshold /= 2
		}
		if now-h.roundStart > threshold {
			h.found = true
			return true
		}
	}
	// The delay increase.
	if h.currRTT < 0 || delay < h.currRTT {
		h.currRTT = delay
	}
	if h.sampleCnt < hystartMinSamples {
		h.sampleCnt++
		return false
	}
	if h.currRTT > h.delayMin+min(max(h.delayMin/8, hystartDelayMin), hystartDelayMax) {
		h.found = true
		return true
	}
	return false
}
