package tcp

import "time"

// renoWindow is the state and the window bookkeeping that the Reno family
// shares: NewReno (RFC 5681), Linux's Reno, Vegas and, through Reno,
// DCTCP. Each embeds it for SMSS, cwnd, ssthresh, the congestion-avoidance
// byte count and the RTO back-off flag, and for the accessors, the MSS
// change and the steps of a reduction, which are the same for all. What
// tells the algorithms apart stays in each: the slow-start limit, the
// congestion avoidance step, and the ssthresh a reduction or a timeout
// sets. The end of recovery and the idle restart of Reno and NewReno are
// classicReno's.
type renoWindow struct {
	mss      int
	cwnd     int
	ssthresh int
	// caBytes counts bytes acknowledged in congestion avoidance towards
	// the next segment of window (RFC 3465 §2.1 bytes_acked, Linux's
	// snd_cwnd_cnt in bytes).
	caBytes int
	// backedOff is set by an RTO and cleared by the next new ACK: a second
	// RTO before it is a retransmission of the same data, which holds
	// ssthresh (RFC 5681 §3.1, tcp_enter_loss once per episode).
	backedOff bool
}

// newRenoWindow returns the window of a sender with SMSS mss and an
// initial window of initialCwndSegments segments, in slow start.
func newRenoWindow(mss, initialCwndSegments int) renoWindow {
	return renoWindow{mss: mss, cwnd: initialCwndSegments * mss, ssthresh: InfiniteSsthresh}
}

// Cwnd returns the congestion window in bytes.
func (w *renoWindow) Cwnd() int { return w.cwnd }

// Ssthresh returns the slow-start threshold in bytes.
func (w *renoWindow) Ssthresh() int { return w.ssthresh }

// ackGrows is the prologue of OnAck: an ACK of new data ends an RTO
// episode, and the window grows only for such an ACK and only while it is
// in use (cwndValidated).
func (w *renoWindow) ackGrows(acked, inflight int) bool {
	if acked <= 0 {
		return false
	}
	w.backedOff = false
	return cwndValidated(w.cwnd, w.ssthresh, inflight)
}

// reduce sets ssthresh and the window to ssthresh on entering recovery.
func (w *renoWindow) reduce(ssthresh int) {
	w.ssthresh = ssthresh
	w.cwnd = ssthresh
	w.caBytes = 0
}

// deflate sets the window to ssthresh at the end of recovery.
func (w *renoWindow) deflate() {
	w.cwnd = w.ssthresh
	w.caBytes = 0
}

// timeout sets the loss window of one segment after an RTO, and ssthresh
// to the given value only for the first RTO of an episode.
func (w *renoWindow) timeout(ssthresh int) {
	if !w.backedOff {
		w.ssthresh = ssthresh
	}
	w.backedOff = true
	w.cwnd = w.mss
	w.caBytes = 0
}

// classicReno is renoWindow with the end of recovery and the idle restart
// that NewReno and Linux's Reno (and DCTCP through it) share. Vegas
// embeds renoWindow alone: it resumes its measurements at the end of
// recovery, keeps backedOff for its next ACK, and has no idle restart.
type classicReno struct {
	renoWindow
}

// OnExitRecovery deflates the window to ssthresh (RFC 6582 §3.2 step 3,
// Linux's tcp_end_cwnd_reduction); the recovery point is acknowledged, so
// an RTO after it starts a new episode.
func (r *classicReno) OnExitRecovery(time.Duration) {
	r.deflate()
	r.backedOff = false
}

// RestartWindow sets the window after an idle period (RFC 5681 §4.1,
// Linux's tcp_cwnd_restart).
func (r *classicReno) RestartWindow(cwnd, ssthresh int) {
	r.cwnd, r.ssthresh = cwnd, ssthresh
	r.caBytes = 0
}

// SetMSS changes SMSS, keeping the window's size in segments.
func (w *renoWindow) SetMSS(mss int) {
	if mss <= 0 || mss == w.mss {
		return
	}
	w.cwnd = max(rescale(w.cwnd, w.mss, mss), mss)
	w.ssthresh = max(rescale(w.ssthresh, w.mss, mss), 2*mss)
	w.caBytes = 0
	w.mss = mss
}
