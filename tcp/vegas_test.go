package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vegasRound plays one round trip of ACKs on v: n ACKs of one segment,
// each with RTT rtt, the last one delivering data sent after the round
// began.
func vegasRound(v *Vegas, delivered *int64, n int, rtt time.Duration) {
	for i := range n {
		prior := *delivered - int64(v.cwnd) // sent a window ago
		if i == n-1 {
			prior = v.roundEnd // the first segment of the next round
		}
		*delivered += int64(v.mss)
		v.OnRateSample(0, &RateSample{Delivered: int64(v.mss), Interval: rtt, RTT: rtt,
			PriorDelivered: prior, DeliveredTotal: *delivered})
		v.OnAck(0, v.mss, v.cwnd, rtt)
	}
}

// Vegas in congestion avoidance moves the window by one segment per round
// trip towards keeping alpha..beta segments queued (tcp_vegas.c): with
// base RTT 100 ms and 20 segments, an RTT of 110 ms means 2 queued (hold),
// 101 ms none (grow), 130 ms 6 (shrink).
func TestVegasAvoidance(t *testing.T) {
	const mss = 1000
	for _, tc := range []struct {
		rtt  time.Duration
		want int
	}{
		{110 * time.Millisecond, 20},
		{101 * time.Millisecond, 21},
		{130 * time.Millisecond, 19},
		{120 * time.Millisecond, 20}, // diff 20*20/100 = 4 = beta: hold
	} {
		v := NewVegas(mss, 20)
		v.ssthresh = 10 * mss // congestion avoidance
		var delivered int64
		// A first round establishes the base RTT of 100 ms.
		vegasRound(v, &delivered, 20, 100*time.Millisecond-time.Microsecond)
		v.cwnd = 20 * mss
		vegasRound(v, &delivered, 20, tc.rtt-time.Microsecond)
		assert.Equal(t, tc.want*mss, v.Cwnd(), "rtt %v", tc.rtt)
	}
}

// In slow start a queue of more than gamma segments ends slow start with
// the window cut to what the path holds at the base RTT, plus one.
func TestVegasLeavesSlowStart(t *testing.T) {
	const mss = 1000
	v := NewVegas(mss, 10)
	var delivered int64
	vegasRound(v, &delivered, 10, 100*time.Millisecond)
	require.Equal(t, InfiniteSsthresh, v.Ssthresh())
	require.Greater(t, v.Cwnd(), 10*mss, "slow start grows")
	v.cwnd = 40 * mss
	vegasRound(v, &delivered, 10, 200*time.Millisecond)
	// Nine ACKs within the round still slow-start (40 -> 49 segments); the
	// tenth ends the round: target = 49*100/200 = 24, plus one.
	assert.Equal(t, 25*mss, v.Cwnd())
	assert.Equal(t, 25*mss, v.Ssthresh())
}

// Fewer than three RTT samples in a round: Reno's step, and loss halves
// the window in segments as Reno does; recovery pauses Vegas.
func TestVegasFewSamplesAndLoss(t *testing.T) {
	const mss = 1000
	v := NewVegas(mss, 10)
	v.ssthresh = 5 * mss
	var delivered int64
	vegasRound(v, &delivered, 2, 100*time.Millisecond)
	assert.Equal(t, 10*mss, v.Cwnd(), "2 of 10 segments acknowledged: no Reno step yet")
	v.OnEnterRecovery(0, 10*mss)
	assert.False(t, v.on)
	assert.Equal(t, 5*mss, v.Cwnd())
	v.OnExitRecovery(0)
	assert.True(t, v.on)
	v.OnRTO(0, 5*mss)
	assert.Equal(t, mss, v.Cwnd())
	assert.Equal(t, 2*mss, v.Ssthresh())
}

// Linux's Reno: slow start counts a stretch ACK in full (no RFC 3465
// limit), the reduction halves cwnd in whole segments whatever the flight
// size, and avoidance adds a segment per window acknowledged.
func TestRenoLinux(t *testing.T) {
	const mss = 1000
	r := NewRenoLinux(mss, 10)
	r.OnAck(0, 8*mss, 10*mss, 0)
	assert.Equal(t, 18*mss, r.Cwnd(), "a stretch ACK of 8 segments grows the window by 8")
	nr := NewNewReno(mss, 10)
	nr.OnAck(0, 8*mss, 10*mss, 0)
	assert.Equal(t, 12*mss, nr.Cwnd(), "NewReno limits it to 2 (RFC 3465 L)")
	r.OnEnterRecovery(0, 4*mss)
	assert.Equal(t, 9*mss, r.Ssthresh(), "half of 18 segments, not of the 4 in flight")
	r.OnExitRecovery(0)
	for range 9 {
		r.OnAck(0, mss, 9*mss, 0)
	}
	assert.Equal(t, 10*mss, r.Cwnd(), "one segment per window of 9")
	r.OnRTO(0, 10*mss)
	r.OnRTO(0, mss)
	assert.Equal(t, mss, r.Cwnd())
	assert.Equal(t, 5*mss, r.Ssthresh(), "a second timeout keeps ssthresh")
	c, err := NewCongestion("reno", mss, 0)
	require.NoError(t, err)
	assert.Equal(t, "reno", c.Name())
	_, err = NewCongestion("westwood", mss, 0)
	require.ErrorIs(t, err, ErrUnknownCongestion)
	assert.Contains(t, err.Error(), `"westwood"`)
	for _, n := range CongestionNames() {
		assert.Contains(t, err.Error(), n)
	}
}

// Vegas forgets its base RTT and starts a new round when data goes out
// with nothing in flight (tcp_vegas_init on CA_EVENT_TX_START): a longer
// path found after a quiet spell is not taken for a queue.
func TestVegasTxStart(t *testing.T) {
	v := NewVegas(1000, 10)
	var delivered int64
	vegasRound(v, &delivered, 5, 100*time.Millisecond)
	require.Equal(t, 100*time.Millisecond+time.Microsecond, v.BaseRTT())
	v.OnTxStart(time.Second, 900*time.Millisecond)
	assert.Zero(t, v.BaseRTT())
	assert.Zero(t, v.cntRTT)
	assert.Equal(t, delivered, v.roundEnd, "a new round begins")
	vegasRound(v, &delivered, 5, 150*time.Millisecond)
	assert.Equal(t, 150*time.Millisecond+time.Microsecond, v.BaseRTT(), "the new path's RTT")
}
