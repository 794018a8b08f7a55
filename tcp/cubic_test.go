package tcp

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	_ Congestion = (*NewReno)(nil)
	_ Congestion = (*Cubic)(nil)
)

// ackRounds plays rounds of a bulk transfer at a fixed RTT: each round the
// window's worth of full segments is acknowledged one ACK per segment,
// spread evenly over the RTT, with the sender keeping the window full.
// atRound is called at the start of each round.
func ackRounds(cc Congestion, mss int, now, rtt time.Duration, rounds int, atRound func(round int, now time.Duration)) time.Duration {
	for r := 0; r < rounds; r++ {
		if atRound != nil {
			atRound(r, now)
		}
		start := now
		n := max(cc.Cwnd()/mss, 1)
		for i := 0; i < n; i++ {
			cc.OnAck(start+rtt*time.Duration(i)/time.Duration(n), mss, cc.Cwnd(), rtt)
		}
		now = start + rtt
	}
	return now
}

// rfc9438W is RFC 9438 eq. 1 in segments, computed independently of Cubic.
func rfc9438W(t, k, wMax float64) float64 { return 0.4*math.Pow(t-k, 3) + wMax }

// TestCubicFollowsTheCubicFunction plays a bulk transfer at 100 ms RTT after
// a loss at 1000 segments and compares the window, round by round, with RFC
// 9438 eq. 1 and eq. 2: K = cbrt(W_max*(1-beta)/C). At this window and RTT
// the Reno-friendly estimate stays far below the curve.
func TestCubicFollowsTheCubicFunction(t *testing.T) {
	const mss = 1000
	const rtt = 100 * time.Millisecond
	c := NewCubic(mss, 1000)
	c.OnEnterRecovery(0, 1000*mss)
	require.Equal(t, 700*mss, c.Cwnd(), "RFC 9438 §4.6: cwnd = 0.7 * flight")
	require.Equal(t, 700*mss, c.Ssthresh())
	require.Equal(t, 1000*mss, c.WMax())
	c.OnExitRecovery(0)

	epoch := time.Second
	wantK := math.Cbrt(1000 * (1 - 0.7) / 0.4) // 9.086 s
	var increments []float64
	prev := c.Cwnd()
	ackRounds(c, mss, epoch, rtt, 140, func(round int, now time.Duration) {
		if round == 0 {
			return
		}
		if round == 1 {
			assert.InDelta(t, wantK, c.K().Seconds(), 1e-6, "RFC 9438 eq. 2")
		}
		el := (now - epoch).Seconds()
		want := rfc9438W(el, wantK, 1000)
		got := float64(c.Cwnd()) / mss
		// The window aims at W_cubic(t+RTT) and reaches it within the
		// round: it stays within 0.5% of the curve.
		assert.InDelta(t, want, got, 0.005*want, "round %d, t=%.1fs", round, el)
		assert.Less(t, c.wEst, c.Cwnd(), "round %d: not in the Reno-friendly region", round)
		increments = append(increments, float64(c.Cwnd()-prev)/mss)
		prev = c.Cwnd()
	})
	// §4.4 concave: below W_max the growth per round shrinks towards K;
	// §4.5 convex: above it the growth per round increases.
	assert.Greater(t, increments[5], increments[40], "concave region: growth slows as t approaches K")
	assert.Greater(t, increments[40], increments[80])
	assert.Less(t, increments[100], increments[135], "convex region: growth speeds up after K")
	assert.Greater(t, c.Cwnd(), 1000*mss, "past K the window exceeds W_max")
}

// TestCubicRenoFriendly uses a short RTT, where standard TCP would grow
// faster than the cubic function: the window must follow W_est (RFC 9438
// §4.3), W_est += alpha_cubic/cwnd per segment ACKed, alpha_cubic = 9/17
// until W_est reaches cwnd_prior and 1 after; the test's model of that rule
// is its own, in floating point.
func TestCubicRenoFriendly(t *testing.T) {
	const mss = 1000
	const rtt = time.Millisecond
	c := NewCubic(mss, 20)
	c.OnEnterRecovery(0, 20*mss)
	c.OnExitRecovery(0)
	require.Equal(t, 14*mss, c.Cwnd())

	west, cw, prior := 14.0, 14.0, 20.0
	now := time.Duration(0)
	for round := 0; round < 300; round++ {
		n := c.Cwnd() / mss
		for i := 0; i < n; i++ {
			c.OnAck(now+rtt*time.Duration(i)/time.Duration(n), mss, c.Cwnd(), rtt)
			alpha := 9.0 / 17
			if west >= prior {
				alpha = 1
			}
			west += alpha / cw
			cw = max(cw, west)
		}
		now += rtt
		require.InDelta(t, cw, float64(c.Cwnd())/mss, 0.01, "round %d", round)
		assert.Greater(t, c.Cwnd(), c.wCubic(now-c.epochStart), "round %d: Reno-friendly region", round)
	}
	// About one segment per RTT once past cwnd_prior: Reno's rate.
	assert.InDelta(t, 20+(300-12), float64(c.Cwnd())/mss, 15)
}

func TestCubicCongestionEvents(t *testing.T) {
	const mss = 1000
	tests := []struct {
		name     string
		events   []congestionEvent
		wantWMax int
	}{
		{name: "RFC 9438 §4.6 multiplicative decrease by 717/1024 (Linux)", events: []congestionEvent{
			{what: "enter", enter: true, inflight: 100, wantCwnd: 70000, wantThresh: 70000},
			{what: "exit", exit: true, wantCwnd: 70000, wantThresh: 70000},
		}, wantWMax: 100000},
		{name: "ssthresh from cwnd, not the flight (Linux bictcp_recalc_ssthresh)", events: []congestionEvent{
			{what: "enter, 2 in flight", enter: true, inflight: 2, wantCwnd: 70000, wantThresh: 70000},
		}, wantWMax: 100000},
		{name: "RFC 9438 §4.7 fast convergence on a second loss below W_max", events: []congestionEvent{
			{what: "enter", enter: true, inflight: 100, wantCwnd: 70000, wantThresh: 70000},
			{what: "exit", exit: true, wantCwnd: 70000, wantThresh: 70000},
			{what: "enter again", enter: true, inflight: 70, wantCwnd: 49000, wantThresh: 49000},
		}, wantWMax: 59000}, // 70 × (1024+717)/2048 = 59.5 segments, whole segments as Linux
		{name: "RFC 9438 §4.8 RTO: cwnd 1 SMSS, ssthresh by beta", events: []congestionEvent{
			{what: "rto", rto: true, inflight: 100, wantCwnd: 1000, wantThresh: 70000},
			{what: "rto again holds ssthresh", rto: true, inflight: 1, wantCwnd: 1000, wantThresh: 70000},
			{what: "slow start", ack: 1, inflight: 1, wantCwnd: 2000, wantThresh: 70000},
		}, wantWMax: 100000},
		{name: "SetMSS keeps windows in segments", events: []congestionEvent{
			{what: "enter", enter: true, inflight: 100, wantCwnd: 70000, wantThresh: 70000},
			{what: "mss 500", setMSS: 500, wantCwnd: 35000, wantThresh: 35000},
		}, wantWMax: 50000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCubic(mss, 100)
			runCongestionEvents(t, c, mss, tt.events)
			assert.Equal(t, tt.wantWMax, c.WMax())
		})
	}
}

// TestCubicSsthreshFloor: RFC 9438 §4.6, ssthresh is at least 2 SMSS even
// when beta_cubic times cwnd is less.
func TestCubicSsthreshFloor(t *testing.T) {
	const mss = 1000
	c := NewCubic(mss, 2)
	c.OnEnterRecovery(0, 2*mss)
	assert.Equal(t, 2*mss, c.Ssthresh())
	assert.Equal(t, 2*mss, c.Cwnd())
}

// TestCubicAfterRTO checks RFC 9438 §4.8: the first congestion avoidance
// stage after a timeout starts with K = 0 and W_max = the window then.
func TestCubicAfterRTO(t *testing.T) {
	const mss = 1000
	c := NewCubic(mss, 100)
	c.OnRTO(0, 100*mss)
	now := time.Second
	for c.Cwnd() < c.Ssthresh() {
		c.OnAck(now, mss, c.Cwnd(), 100*time.Millisecond)
		now += time.Millisecond
	}
	require.Equal(t, 70*mss, c.Cwnd(), "slow start ends at ssthresh")
	c.OnAck(now, mss, c.Cwnd(), 100*time.Millisecond)
	assert.Equal(t, time.Duration(0), c.K())
	assert.Equal(t, 70*mss, c.WMax())
}

// TestCubicClampsAfterIdle checks that a long gap cannot make the window
// jump: one window of ACKs grows it by at most half (RFC 9438 §4.2 target
// clamp).
func TestCubicClampsAfterIdle(t *testing.T) {
	const mss = 1000
	c := NewCubic(mss, 100)
	c.OnEnterRecovery(0, 100*mss)
	c.OnExitRecovery(0)
	c.OnAck(time.Second, mss, c.Cwnd(), 100*time.Millisecond)
	before := c.Cwnd()
	ackRounds(c, mss, time.Hour, 100*time.Millisecond, 1, nil)
	assert.LessOrEqual(t, c.Cwnd(), before+before/2+mss)
	assert.Greater(t, c.Cwnd(), before+before/3)
}

// TestCubicDeterministic replays the same events twice: windows must match
// byte for byte.
func TestCubicDeterministic(t *testing.T) {
	run := func() []int {
		c := NewCubic(1448, 10)
		var out []int
		now := time.Duration(0)
		for i := 0; i < 5; i++ {
			now = ackRounds(c, 1448, now, 37*time.Millisecond, 8, func(int, time.Duration) { out = append(out, c.Cwnd()) })
			c.OnEnterRecovery(now, c.Cwnd())
			c.OnExitRecovery(now)
		}
		return out
	}
	assert.Equal(t, run(), run())
}
