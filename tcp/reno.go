package tcp

import "time"

// Reno is Linux's own congestion control "reno" (tcp_cong.c:
// tcp_reno_cong_avoid, tcp_reno_ssthresh, tcp_reno_undo_cwnd), which
// differs from the RFC 5681 NewReno in three ways that show in a trace:
//
//   - slow start counts every acknowledged byte (tcp_slow_start), without
//     RFC 3465's limit of 2*SMSS per ACK, so a stretch ACK grows the
//     window by all it acknowledges;
//   - congestion avoidance adds one segment per window of segments
//     acknowledged (tcp_cong_avoid_ai, counting in bytes here);
//   - the reduction halves the congestion window in whole segments,
//     ssthresh = max(cwnd/2, 2) segments (tcp_reno_ssthresh), not the
//     flight size.
//
// Fast recovery, PRR and the RTO are the sender's, as for every algorithm
// in Linux; on an RTO cwnd is one segment and ssthresh is set once per
// episode of timeouts (tcp_enter_loss).
type Reno struct {
	classicReno
}

// NewRenoLinux returns Linux's Reno for a sender with SMSS mss and an
// initial window of initialCwndSegments segments. Prefer NewCongestion.
func NewRenoLinux(mss, initialCwndSegments int) *Reno {
	return &Reno{classicReno{newRenoWindow(mss, initialCwndSegments)}}
}

// Name returns "reno".
func (r *Reno) Name() string { return CongestionReno }

// OnAck grows the window as tcp_reno_cong_avoid.
func (r *Reno) OnAck(_ time.Duration, acked, inflight int, _ time.Duration) {
	if !r.ackGrows(acked, inflight) {
		return // tcp_is_cwnd_limited
	}
	r.cwnd, r.caBytes = renoGrow(r.cwnd, r.ssthresh, r.caBytes, r.mss, acked)
}

// renoGrow is tcp_reno_cong_avoid's window growth once the window is
// known to be limiting: slow start by every acknowledged byte up to
// ssthresh (tcp_slow_start), the rest one segment per window acknowledged
// (tcp_cong_avoid_ai). It returns the new window and byte count.
func renoGrow(cwnd, ssthresh, caBytes, mss, acked int) (int, int) {
	acked = renoSlowStart(&cwnd, ssthresh, 0, acked)
	if acked == 0 {
		return cwnd, caBytes
	}
	caBytes += acked
	if caBytes >= cwnd {
		n := caBytes / cwnd
		caBytes -= n * cwnd
		cwnd += n * mss
	}
	return cwnd, caBytes
}

// renoSsthresh is tcp_reno_ssthresh: half the window in whole segments,
// at least two.
func renoSsthresh(cwnd, mss int) int { return max(cwnd/mss/2, 2) * mss }

// OnEnterRecovery halves the window (tcp_reno_ssthresh).
func (r *Reno) OnEnterRecovery(time.Duration, int) {
	r.reduce(renoSsthresh(r.cwnd, r.mss))
}

// OnRTO sets the loss window of one segment; ssthresh is halved once per
// episode of timeouts (tcp_enter_loss).
func (r *Reno) OnRTO(time.Duration, int) {
	r.timeout(renoSsthresh(r.cwnd, r.mss))
}
