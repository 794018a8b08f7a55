package tcp

import "time"

// NewReno is the standard TCP congestion control of RFC 5681 with the
// NewReno fast recovery window of RFC 6582.
//
//   - Slow start (cwnd < ssthresh) uses Appropriate Byte Counting, RFC 3465
//     §2.2 with L = 2*SMSS: cwnd += min(acked, 2*SMSS) per ACK, so a
//     receiver that ACKs every second segment still doubles the window each
//     round trip, as Linux's does. Growth stops at ssthresh and the rest of
//     the ACK counts towards congestion avoidance.
//   - Congestion avoidance uses byte counting (RFC 3465 §2.1, RFC 5681 §3.1):
//     cwnd grows by one SMSS each time a full window of bytes has been
//     acknowledged, the integer form of cwnd += SMSS*SMSS/cwnd per ACK.
//   - Neither grows the window unless at least half of it was in flight
//     (RFC 7661 §4.1), so an application-limited sender keeps its window.
//   - On fast retransmit, ssthresh = max(FlightSize/2, 2*SMSS) and cwnd =
//     ssthresh (RFC 5681 §3.2 step 2, RFC 6675 §5); the inflation by 3*SMSS
//     and one SMSS per further duplicate ACK is done by the sender (see
//     Congestion). On exit, cwnd = ssthresh (RFC 6582 §3.2 step 3, option
//     1).
//   - On RTO, ssthresh = max(FlightSize/2, 2*SMSS) and cwnd = 1 SMSS (RFC
//     5681 §3.1 eq. 4 and §3.1's loss window); ssthresh is held when the
//     same data times out again before any new ACK.
type NewReno struct {
	classicReno
}

// NewNewReno returns NewReno for a sender with SMSS mss and an initial
// window of initialCwndSegments segments. Prefer NewCongestion, which
// validates its arguments.
func NewNewReno(mss, initialCwndSegments int) *NewReno {
	return &NewReno{classicReno{newRenoWindow(mss, initialCwndSegments)}}
}

// Name returns "newreno".
func (r *NewReno) Name() string { return CongestionNewReno }

// OnAck grows the window for acked newly acknowledged bytes.
func (r *NewReno) OnAck(_ time.Duration, acked, inflight int, _ time.Duration) {
	if !r.ackGrows(acked, inflight) {
		return
	}
	// RFC 3465 §2.2: L = 2*SMSS.
	acked = renoSlowStart(&r.cwnd, r.ssthresh, 2*r.mss, acked)
	if acked == 0 {
		return
	}
	// RFC 3465 §2.1: one SMSS per cwnd bytes acknowledged.
	r.caBytes += acked
	for r.caBytes >= r.cwnd {
		r.caBytes -= r.cwnd
		r.cwnd += r.mss
	}
}

// renoSlowStart applies RFC 5681 §3.1 slow start with byte counting while
// cwnd < ssthresh, growing cwnd by at most limit bytes per ACK (RFC 3465
// §2.2's L; 0 for no limit), and returns the acknowledged bytes left over
// for congestion avoidance.
func renoSlowStart(cwnd *int, ssthresh, limit, acked int) int {
	if *cwnd >= ssthresh {
		return acked
	}
	inc := acked
	if limit > 0 {
		inc = min(acked, limit)
	}
	if *cwnd+inc <= ssthresh {
		*cwnd += inc
		return 0
	}
	used := ssthresh - *cwnd
	*cwnd = ssthresh
	return acked - used
}

// OnEnterRecovery sets ssthresh = max(FlightSize/2, 2*SMSS) and cwnd =
// ssthresh (RFC 5681 §3.2 step 2, RFC 6675 §5 step 4.2).
func (r *NewReno) OnEnterRecovery(_ time.Duration, inflight int) {
	r.reduce(lossSsthresh(inflight, r.mss))
}

// OnRTO collapses the window to the loss window of one SMSS (RFC 5681 §3.1
// eq. 4).
func (r *NewReno) OnRTO(_ time.Duration, inflight int) {
	// RFC 5681 §3.1: when the same segment is retransmitted by the RTO more
	// than once, ssthresh is held constant.
	r.timeout(lossSsthresh(inflight, r.mss))
}
