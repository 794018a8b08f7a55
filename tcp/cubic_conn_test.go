package tcp

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCubicWindowGrowthThroughConn: a bulk sender with CUBIC loses one
// segment at a window of about 100 segments. After recovery its window
// must follow RFC 9438: W_cubic(t) = C*(t-K)^3 + W_max with K =
// cbrt(W_max*(1-beta)/C) (eq. 1, 2), concave up to W_max and convex
// beyond, staying within the cubic curve's span over one RTT (the target
// is W_cubic(t+RTT)) or the Reno-friendly line (§4.3).
func TestCubicWindowGrowthThroughConn(t *testing.T) {
	const rtt = 100 * time.Millisecond
	ch, changes := oneLossTransfer(t, CongestionCubic, rtt, 150000, 40<<20, 12*time.Second)
	// The window the ACKs set once recovery began.
	var samples []cwndSample
	recovered := false
	for _, s := range changes {
		recovered = recovered || s.reason == "recovery"
		if recovered && s.reason == "ack" {
			samples = append(samples, s)
		}
	}
	require.True(t, recovered, "recovery happened")
	cub, ok := ch.a.CongestionControl().(*Cubic)
	require.True(t, ok)
	mss := float64(ch.a.Stats().MSS)
	wmax := float64(cub.WMax())
	require.InDelta(t, 100, wmax/mss, 40, "W_max in segments")
	// RFC 9438 eq. 2 with cwnd_epoch = beta*W_max.
	k := math.Cbrt(wmax / mss * 0.3 / 0.4)
	require.InDelta(t, k, cub.K().Seconds(), 0.2, "K")
	epoch := samples[0].at
	wCubic := func(t time.Duration) float64 {
		d := t.Seconds() - k
		return 0.4*d*d*d*mss + wmax
	}
	checked := 0
	for _, s := range samples {
		el := s.at - epoch
		if el > 2*time.Duration(k*float64(time.Second)) {
			break
		}
		lo := wCubic(el-rtt) - 2*mss
		hi := max(wCubic(el+2*rtt), 0.7*wmax+9.0/17*mss*el.Seconds()/rtt.Seconds()) + 2*mss
		require.GreaterOrEqual(t, float64(s.cwnd), lo, "cwnd at %v into the epoch", el)
		require.LessOrEqual(t, float64(s.cwnd), hi, "cwnd at %v into the epoch", el)
		checked++
	}
	require.Greater(t, checked, 50)
	// Concave then convex: at K the window is back at W_max.
	for _, s := range samples {
		if s.at-epoch >= time.Duration(k*float64(time.Second)) {
			require.InDelta(t, wmax, float64(s.cwnd), 0.05*wmax)
			break
		}
	}
}
