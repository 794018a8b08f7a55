package tcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DCTCP's alpha follows RFC 8257 §3.3 with g = 1/16 in Linux's fixed
// point: from 1024, a window with no marks takes 1/16 off; a window with
// half its bytes marked adds g/2. The reduction is cwnd (1 - alpha/2).
func TestDCTCPAlpha(t *testing.T) {
	const mss = 1000
	d := NewDCTCP(mss, 10)
	window := func(marked, total int) {
		delivered := d.windowStart
		for i := range total {
			delivered += mss
			d.OnRateSample(0, &RateSample{Delivered: mss, Interval: 1, AckedSacked: mss, ECE: i < marked,
				PriorDelivered: d.windowStart - 1, DeliveredTotal: delivered})
		}
		// The ACK of the first segment sent after the window began.
		delivered += mss
		d.OnRateSample(0, &RateSample{Delivered: mss, Interval: 1, AckedSacked: mss,
			PriorDelivered: d.windowStart, DeliveredTotal: delivered})
	}
	assert.Equal(t, 1.0, d.Alpha())
	window(0, 9)
	assert.Equal(t, 960, d.alpha, "1024 - 1024/16")
	window(5, 9) // 5 of 10 segments marked: F = 1/2
	assert.Equal(t, 960-60+32, d.alpha, "(1-g) alpha + g/2 = 900 + 32")
	d.cwnd = 40 * mss
	d.alpha = 512 // a quarter of the window comes off
	d.OnEnterRecovery(0, 40*mss)
	assert.Equal(t, 30*mss, d.Cwnd())
	d.alpha = 0
	d.cwnd = 40 * mss
	d.OnEnterRecovery(0, 40*mss)
	assert.Equal(t, 40*mss, d.Cwnd(), "no marks, no reduction")
	d.alpha = 10
	window(0, 3)
	assert.Zero(t, d.alpha, "an alpha below 16 decays to zero (min_not_zero)")
}

// DCTCP needs ECN: it asks for it on its own with ecn: accept (the
// default), and ecn: off is an error that says what to set.
func TestDCTCPNeedsECN(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Congestion = CongestionDCTCP
	require.NoError(t, cfg.Validate())
	c, err := NewConn(cfg, epA, epB, 1, 1)
	require.NoError(t, err)
	assert.True(t, c.asksECN())
	cfg.ECN = ECNOff
	err = cfg.Validate()
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "congestion dctcp needs ECN: set ecn to on or accept")
}
