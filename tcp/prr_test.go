package tcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPRRPackets holds PRR's arithmetic to Linux's tcp_cwnd_reduction,
// which counts prr_delivered, prr_out and snd_cwnd in packets: the
// allowance of each ACK is a whole number of segments, the proportional
// quotient rounded up, divided by prior_cwnd, and one segment is forced
// only while prr_out is 0. Each row is one ACK after the given counts,
// in segments of 1,000 bytes.
func TestPRRPackets(t *testing.T) {
	const mss = 1000
	for _, tc := range []struct {
		name                string
		prior, ssthresh     int // segments
		delivered, out      int // prr_delivered, prr_out before the ACK
		newly, pipe         int // what the ACK delivered, the pipe after it
		grow                bool
		wantAllow, wantCwnd int // segments
		wantDelivered       int
	}{
		// ceil(5 * 5 / 10) - 2 = 1: bytes would give 2,500 - 2,000, no
		// whole segment (the ACK of cwr-then-recovery.pkt that lets the
		// fast retransmission go).
		{name: "proportional rounds up", prior: 10, ssthresh: 5, delivered: 4, out: 2, newly: 1, pipe: 6,
			wantAllow: 1, wantCwnd: 7, wantDelivered: 5},
		// ceil(4 * 5 / 10) - 2 = 0, and prr_out > 0 forces nothing
		// (the ACK that starts recovery during CWR).
		{name: "no force once something went", prior: 10, ssthresh: 5, delivered: 3, out: 2, newly: 1, pipe: 7,
			wantAllow: 0, wantCwnd: 7, wantDelivered: 4},
		// ceil(1 * 5 / 10) - 0 = 1: the first ACK of a reduction.
		{name: "first ACK", prior: 10, ssthresh: 5, delivered: 0, out: 0, newly: 1, pipe: 8,
			wantAllow: 1, wantCwnd: 9, wantDelivered: 1},
		// At ssthresh the regrowth allows nothing, but while prr_out is
		// 0 one segment is forced out.
		{name: "force while prr_out is 0", prior: 10, ssthresh: 5, delivered: 0, out: 0, newly: 1, pipe: 5,
			wantAllow: 1, wantCwnd: 6, wantDelivered: 1},
		// Divides by prior_cwnd, not the flight: 2 delivered, ssthresh 10
		// of a window of 20 with 16 in flight: ceil(2 * 10 / 20) - 1 = 0,
		// where RecoverFS = 16 would give ceil(20 / 16) - 1 = 1.
		{name: "divides by prior_cwnd", prior: 20, ssthresh: 10, delivered: 1, out: 1, newly: 1, pipe: 12,
			wantAllow: 0, wantCwnd: 12, wantDelivered: 2},
		// ceil(3 * 7 / 10) - 1 = 2 (CUBIC's ssthresh 7 of 10): bytes
		// give 2,100 - 1,000, one whole segment.
		{name: "cubic share", prior: 10, ssthresh: 7, delivered: 2, out: 1, newly: 1, pipe: 8,
			wantAllow: 2, wantCwnd: 10, wantDelivered: 3},
		// Below ssthresh: min(ssthresh - pipe, max(prr_delivered -
		// prr_out, newly)), plus the slow start bound's extra segment for
		// an ACK that advanced SND.UNA and marked no loss; without it
		// (PRR-CRB) no more than was delivered.
		{name: "regrowth capped by ssthresh", prior: 10, ssthresh: 5, delivered: 5, out: 4, newly: 2, pipe: 2,
			grow: true, wantAllow: 3, wantCwnd: 5, wantDelivered: 7},
		{name: "conservative bound below the gap", prior: 10, ssthresh: 6, delivered: 5, out: 5, newly: 1, pipe: 2,
			wantAllow: 1, wantCwnd: 3, wantDelivered: 6},
		{name: "conservative bound with the extra segment", prior: 10, ssthresh: 6, delivered: 5, out: 5, newly: 1, pipe: 2,
			grow: true, wantAllow: 2, wantCwnd: 4, wantDelivered: 6},
		// At ssthresh nothing more may go.
		{name: "at ssthresh", prior: 10, ssthresh: 5, delivered: 8, out: 3, newly: 1, pipe: 5,
			wantAllow: 0, wantCwnd: 5, wantDelivered: 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p prr
			p.start(tc.prior * mss)
			p.delivered, p.out = tc.delivered*mss, tc.out*mss
			p.onAck(tc.newly*mss, tc.pipe*mss, tc.ssthresh*mss, mss, tc.grow)
			assert.Equal(t, tc.wantAllow*mss, p.allow, "sndcnt")
			assert.Equal(t, tc.wantCwnd*mss, p.cwnd, "snd_cwnd = in flight + sndcnt")
			assert.Equal(t, tc.wantDelivered*mss, p.delivered, "prr_delivered")
		})
	}
}

// TestPRRNothingDelivered: an ACK that delivers nothing leaves Linux's
// window (tcp_cwnd_reduction returns early) and forces no segment, even
// with prr_out 0.
func TestPRRNothingDelivered(t *testing.T) {
	var p prr
	p.startCWR(10000, 9000)
	p.onAck(0, 9000, 5000, 1000, false)
	assert.Equal(t, 0, p.delivered)
	assert.Equal(t, 10000, p.cwnd, "the window before the reduction")
	assert.Equal(t, 0, p.allow)
}

// TestPRRLargeCounts: the product prr_delivered * ssthresh is taken in 64
// bits, as Linux's u64 dividend, so that a reduction of a large window
// does not overflow where int has 32 bits.
func TestPRRLargeCounts(t *testing.T) {
	const mss = 1448
	var p prr
	p.start(40000 * mss) // a 58 MB window
	p.delivered = 10000 * mss
	p.out = 7000 * mss
	p.onAck(mss, 30000*mss, 28000*mss, mss, false)
	// ceil(10001 * 28000 / 40000) = 7001 segments, less 7000 sent.
	assert.Equal(t, mss, p.allow)
}

// TestPRRForce: the event that starts recovery lets one segment go while
// prr_out is 0, even when it delivered nothing (the reordering timer),
// and none once the reduction it takes over sent something.
func TestPRRForce(t *testing.T) {
	var p prr
	p.start(10000)
	p.onAck(0, 8000, 5000, 1000, false)
	p.force(1000, 8000)
	assert.Equal(t, 1000, p.allow)
	assert.Equal(t, 9000, p.cwnd)

	p.startCWR(10000, 9000)
	p.sent(1000)
	p.onAck(0, 8000, 5000, 1000, false)
	p.force(1000, 8000)
	assert.Equal(t, 0, p.allow, "prr_out > 0: nothing forced")
}
