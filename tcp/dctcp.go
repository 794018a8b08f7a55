package tcp

import "time"

// DCTCP parameters (RFC 8257 §3.3, Linux tcp_dctcp.c): alpha is kept in
// units of 1/1024 and starts at its maximum (dctcp_alpha_on_init); the
// estimation gain g is 1/16 (dctcp_shift_g = 4).
const (
	dctcpMaxAlpha = 1024
	dctcpShiftG   = 4
)

// DCTCP is Data Center TCP (RFC 8257) as Linux's tcp_dctcp.c. Once per
// window of data it updates alpha, the moving average of the fraction of
// bytes whose ACKs carried ECN-Echo: alpha = (1 - g) alpha + g F with g =
// 1/16. A window with ECN-Echo then reduces cwnd to cwnd (1 - alpha/2)
// instead of halving it, so that a queue marked at a step threshold K stays
// near K at full utilisation. The receiver echoes CE exactly (ECE on the
// ACKs of CE-marked data only, with an immediate ACK whenever the CE state
// changes, RFC 8257 §3.2), which the sender's Conn does when its
// congestion control is DCTCP. ECN is negotiated whatever the ecn setting
// says, unless it is off (Linux's TCP_CONG_NEEDS_ECN). Growth is Reno's;
// a timeout halves the window as Reno (dctcp_react_to_loss).
type DCTCP struct {
	Reno
	alpha int // of dctcpMaxAlpha
	// The window being measured: it ends with the ACK of data sent after
	// it began (delivered counts, as snd_una passing next_seq in Linux).
	windowStart     int64
	acked, ackedECE int64
	// reno: the handshake did not negotiate ECN, so the connection runs
	// Reno (dctcp_init's fallback to dctcp_reno): without marks alpha
	// would only decay, and a loss would cut the window by less and less,
	// by nothing once alpha reached zero.
	reno bool
}

// NewDCTCP returns DCTCP for a sender with SMSS mss and an initial window
// of initialCwndSegments segments. Prefer NewCongestion.
func NewDCTCP(mss, initialCwndSegments int) *DCTCP {
	return &DCTCP{Reno: *NewRenoLinux(mss, initialCwndSegments), alpha: dctcpMaxAlpha}
}

// Name returns "dctcp", or "dctcp-reno" once the connection fell back to
// Reno for want of ECN (the name of Linux's dctcp_reno ops, which
// getsockopt(TCP_CONGESTION) reports then).
func (d *DCTCP) Name() string {
	if d.reno {
		return CongestionDCTCP + "-reno"
	}
	return CongestionDCTCP
}

// Alpha returns the estimate of the fraction of marked bytes, 0 to 1.
func (d *DCTCP) Alpha() float64 { return float64(d.alpha) / dctcpMaxAlpha }

// needsECN marks algorithms that negotiate ECN themselves.
func (d *DCTCP) needsECN() bool { return true }

// OnRateSample counts the bytes the ACK delivered, and those it echoed
// CE for, and updates alpha at the end of a window (dctcp_update_alpha).
func (d *DCTCP) OnRateSample(_ time.Duration, rs *RateSample) {
	n := int64(rs.AckedSacked)
	d.acked += n
	if rs.ECE {
		d.ackedECE += n
	}
	if rs.Delivered < 0 || rs.PriorDelivered < d.windowStart {
		return // the window is not over
	}
	// alpha = (1 - g) alpha + g F.
	if dec := d.alpha >> dctcpShiftG; dec > 0 {
		d.alpha -= dec
	} else {
		d.alpha = 0 // min_not_zero: a tiny alpha goes to zero
	}
	if d.ackedECE > 0 {
		f := d.ackedECE << (10 - dctcpShiftG) / max(d.acked, 1)
		d.alpha = min(d.alpha+int(f), dctcpMaxAlpha)
	}
	d.windowStart = rs.DeliveredTotal
	d.acked, d.ackedECE = 0, 0
}

// withoutECN makes the connection Reno: its peer did not accept ECN.
func (d *DCTCP) withoutECN() { d.reno = true }

// OnEnterRecovery reduces the window to cwnd (1 - alpha/2) in whole
// segments, at least two (dctcp_ssthresh), for ECN-Echo and fast
// retransmit alike; without ECN it halves it, as Reno (tcp_reno_ssthresh).
func (d *DCTCP) OnEnterRecovery(now time.Duration, inflight int) {
	if d.reno {
		d.Reno.OnEnterRecovery(now, inflight)
		return
	}
	segs := d.cwnd / d.mss
	d.ssthresh = max(segs-segs*d.alpha>>11, 2) * d.mss
	d.cwnd = d.ssthresh
	d.caBytes = 0
}
