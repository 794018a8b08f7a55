package tcp

import "time"

// rttEstimator keeps SRTT, RTTVAR and RTO per RFC 6298, with the clock
// granularity G taken as 1 ms (the Linux jiffy at HZ=1000), and the
// exponential backoff of §5.5.
type rttEstimator struct {
	// What arming a timer reads (current) comes first: it is among the
	// fields every segment touches (Conn).
	rto      time.Duration // before backoff
	min, max time.Duration
	// backoff counts the expiries since the last sample, as Linux's
	// icsk_backoff: also those past the one that reached max, where
	// current() stops doubling, so that undoing one (RevertRTO, as
	// tcp_ld_RTO_revert) leaves the RTO at max until as many are undone.
	backoff   uint8
	hasSample bool

	srtt, rttvar time.Duration

	// statistics
	sampleMin, sampleMax, sampleSum time.Duration
	samples                         int
}

// rttGranularity is G of RFC 6298 §2.
const rttGranularity = time.Millisecond

func (r *rttEstimator) init(initial, lo, hi time.Duration) {
	*r = rttEstimator{rto: initial, min: lo, max: hi}
}

// sample folds a measurement in (RFC 6298 §2.2 and §2.3) and clears the
// backoff (§5.7: a new sample after backoff recomputes the RTO).
func (r *rttEstimator) sample(m time.Duration) {
	if m <= 0 {
		m = rttGranularity / 10 // a same-instant echo still counts, barely
	}
	if !r.hasSample {
		// RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
		r.srtt = m
		r.rttvar = m / 2
		r.hasSample = true
	} else {
		// RFC 6298 §2.3: alpha = 1/8, beta = 1/4, RTTVAR updated first.
		d := r.srtt - m
		if d < 0 {
			d = -d
		}
		r.rttvar = (3*r.rttvar + d) / 4
		r.srtt = (7*r.srtt + m) / 8
	}
	// RFC 6298 §2.3: RTO <- SRTT + max(G, K*RTTVAR), K = 4. Like Linux
	// (tcp_set_rto), the minimum bounds the variance term rather than the
	// sum, so the RTO is RTT + 200 ms on a steady path.
	r.rto = r.srtt + max(rttGranularity, 4*r.rttvar, r.min)
	r.backoff = 0
	if r.samples == 0 || m < r.sampleMin {
		r.sampleMin = m
	}
	r.sampleMax = max(r.sampleMax, m)
	r.sampleSum += m
	r.samples++
}

// current is the RTO in force: clamped to [min, max] (RFC 6298 §2.4, §2.5)
// and doubled once per backoff (§5.5).
func (r *rttEstimator) current() time.Duration {
	t := max(r.rto, r.min)
	for i := uint8(0); i < r.backoff && t < r.max; i++ {
		t *= 2
	}
	return min(t, r.max)
}

// backOff doubles the RTO after an expiry (RFC 6298 §5.5). It counts
// every expiry, as Linux's tcp_retransmit_timer does icsk_backoff, even
// once the RTO is clamped at max (saturating: the retry limits end a
// connection long before 255).
func (r *rttEstimator) backOff() {
	if r.backoff < 255 {
		r.backoff++
	}
}

func (r *rttEstimator) mean() time.Duration {
	if r.samples == 0 {
		return 0
	}
	return r.sampleSum / time.Duration(r.samples)
}
