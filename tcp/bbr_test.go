package tcp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The windowed max filter (Linux lib/minmax.c) keeps the best sample of
// the last win rounds and forgets it once older.
func TestBBRMaxFilter(t *testing.T) {
	var m maxFilter
	m.update(10, 0, 100)
	m.update(10, 1, 50)
	m.update(10, 5, 80)
	assert.Equal(t, int64(100), m.get())
	m.update(10, 11, 60)
	assert.Equal(t, int64(80), m.get(), "round 0 expired: the next best of the window")
	m.update(10, 12, 200)
	assert.Equal(t, int64(200), m.get())
	m.update(10, 40, 10)
	assert.Equal(t, int64(10), m.get(), "everything expired")
}

// bbrRound feeds BBR one round of ACKs delivering rate bytes/s at RTT
// rtt, and returns the time after it.
func bbrRound(b *BBR, now time.Duration, rate int64, rtt time.Duration, inflight int) time.Duration {
	const acks = 10
	per := int64(rtt) / acks
	for i := range acks {
		now += time.Duration(per)
		d := rate * int64(rtt) / int64(time.Second) / acks
		prior := b.delivered - d*acks // sent a round ago
		if i == acks-1 {
			prior = b.nextRoundAt
		}
		rs := RateSample{Delivered: d * acks, Interval: rtt, RTT: rtt, AckedSacked: int(d),
			PriorDelivered: prior, DeliveredTotal: b.delivered + d, PriorInflight: inflight}
		b.Control(now, &rs, &ControlState{Inflight: inflight})
	}
	return now
}

// newTestBBR is the start of the state-machine tests: a BBR with IW 10
// and a fixed random seed, over a 40 ms path delivering 100 kB/s.
func newTestBBR(mss int) (b *BBR, rtt time.Duration, rate int64) {
	b = NewBBR(mss, 10)
	b.seed(42)
	return b, 40 * time.Millisecond, 100_000
}

// STARTUP ends after three rounds in which the bandwidth grew by less than
// 25% (bbr_check_full_bw_reached), then DRAIN hands over to PROBE_BW once
// the flight is down to one BDP; PROBE_RTT comes when the min RTT is 10 s
// old, holds 4 segments, and ends 200 ms (and a round) later.
func TestBBRStateMachine(t *testing.T) {
	const mss = 1000
	b, rtt, rate := newTestBBR(mss)
	var now time.Duration
	for range 4 {
		now = bbrRound(b, now, rate, rtt, 100*mss)
		rate *= 2
	}
	require.Equal(t, BBRStartup, b.Mode(), "the rate still doubles")
	rate /= 2
	for i := range 3 {
		require.Equal(t, BBRStartup, b.Mode(), "round %d without growth", i)
		now = bbrRound(b, now, rate, rtt, 100*mss)
	}
	require.Equal(t, BBRDrain, b.Mode(), "three rounds without 25%% growth")
	assert.Equal(t, rate, b.BW())
	assert.Equal(t, rtt, b.MinRTT())
	bdp := int(rate * int64(rtt) / int64(time.Second))
	now = bbrRound(b, now, rate, rtt, bdp)
	require.Equal(t, BBRProbeBW, b.Mode())
	assert.NotEqual(t, 1, b.cycle, "never starts in the draining phase")
	for now < 10*time.Second+rtt {
		now = bbrRound(b, now, rate, rtt+time.Millisecond, bdp)
	}
	require.Equal(t, BBRProbeRTT, b.Mode())
	assert.Equal(t, 4*mss, b.Cwnd())
	start := now
	for b.Mode() == BBRProbeRTT {
		now = bbrRound(b, now, rate, rtt, 4*mss)
	}
	assert.GreaterOrEqual(t, now-start, bbrProbeRTTTime)
	assert.Equal(t, BBRProbeBW, b.Mode())
	assert.GreaterOrEqual(t, b.Cwnd(), 2*bdp-mss, "the window is restored")
}

// BBR sending again after an application-limited idle spell
// (bbr_cwnd_event, CA_EVENT_TX_START): in PROBE_BW it paces at the
// estimated bandwidth (gain 1, less the 1% margin) whatever the phase;
// a min-RTT estimate that expired while idle sends it to PROBE_RTT only
// after data is delivered again (idle_restart); a PROBE_RTT whose 200 ms
// passed during the idle spell ends at once.
func TestBBRIdleRestart(t *testing.T) {
	const mss = 1000
	b, rtt, rate := newTestBBR(mss)
	var now time.Duration
	bdp := int(rate * int64(rtt) / int64(time.Second))
	for i := 0; i < 20 && b.Mode() != BBRProbeBW; i++ {
		now = bbrRound(b, now, rate, rtt, bdp)
	}
	require.Equal(t, BBRProbeBW, b.Mode())
	b.pacingGain = bbrUnit * 5 / 4 // the probing phase
	b.setPacingRate(b.BW(), b.pacingGain)
	require.Greater(t, b.PacingRate(), rateFor(b.BW(), bbrUnit))
	b.restartFromIdle(now)
	assert.Equal(t, rateFor(b.BW(), bbrUnit), b.PacingRate(), "paced at the bandwidth")
	assert.True(t, b.idleRestart)

	// Idle past the min-RTT window: an ACK without delivered data does
	// not start PROBE_RTT; one that delivers does, later.
	now += 11 * time.Second
	b.restartFromIdle(now)
	var st ControlState
	b.updateMinRTT(now, &RateSample{Delivered: 0, RTT: -1}, &st)
	assert.Equal(t, BBRProbeBW, b.Mode(), "no PROBE_RTT right after idle")
	b.updateMinRTT(now, &RateSample{Delivered: mss, RTT: rtt + time.Millisecond}, &st)
	assert.False(t, b.idleRestart, "data delivered: the restart is over")
	b.minRTTAt = now - 11*time.Second
	b.updateMinRTT(now, &RateSample{Delivered: mss, RTT: rtt + time.Millisecond}, &st)
	require.Equal(t, BBRProbeRTT, b.Mode())

	// In PROBE_RTT with its 200 ms run out during the idle spell.
	st.Inflight = 4 * mss
	b.updateMinRTT(now, &RateSample{Delivered: mss, RTT: rtt}, &st)
	require.True(t, b.probeRTTSet)
	b.restartFromIdle(now + bbrProbeRTTTime/2)
	assert.Equal(t, BBRProbeRTT, b.Mode(), "not yet 200 ms")
	b.restartFromIdle(now + bbrProbeRTTTime + time.Millisecond)
	assert.NotEqual(t, BBRProbeRTT, b.Mode(), "PROBE_RTT done")
}
