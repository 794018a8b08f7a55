package plots

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

func ms(n float64) sim.Time { return sim.Time(n * float64(time.Millisecond)) }

func TestCompressedTimeAxis(t *testing.T) {
	// Busy 0-10 ms and 2000-2010 ms; the 1990 ms gap is cut to 20 ms.
	busy := []interval{{ms(2000), ms(2010)}, {ms(0), ms(10)}}
	a := newCompressedTimeAxis(0, ms(2010), busy, ms(20))
	require.True(t, a.compressed())
	require.Equal(t, []timeBreak{{ms(10), ms(2000)}}, a.breaks)
	assert.Equal(t, "s", a.unit.name, "labels are absolute times, up to 2.01 s")
	for _, tc := range []struct {
		t    sim.Time
		want float64
	}{
		{0, 0}, {ms(5), 0.005}, {ms(10), 0.010},
		{ms(1005), 0.020}, // half-way through the break: half of 20 ms
		{ms(2000), 0.030}, // the break ends 20 ms after it started
		{ms(2010), 0.040},
	} {
		assert.InDelta(t, tc.want, a.pos(tc.t), 1e-9, "pos(%v)", tc.t)
	}
	// Positions never go backwards.
	prev := -1.0
	for x := sim.Time(0); x <= ms(2010); x += ms(7) {
		p := a.pos(x)
		assert.GreaterOrEqual(t, p, prev)
		prev = p
	}
	assert.Contains(t, a.label(), "idle gaps shortened")
	assert.Equal(t, "≈ 1990 ms idle", breakText(a.breaks[0]))
	// Ticks label real times on both sides of the break.
	var labels []string
	for _, tk := range a.ticker().Ticks(a.pos(0), a.pos(ms(2010))) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Contains(t, labels, "0")
	assert.Contains(t, labels, "2")
	assert.Contains(t, labels, "2.01")
}

func TestLinearTimeAxis(t *testing.T) {
	a := newTimeAxis(ms(100), ms(140))
	assert.False(t, a.compressed())
	assert.Equal(t, "time (ms)", a.label())
	assert.InDelta(t, 120, a.pos(ms(120)), 1e-9)
	// A short gap is not cut.
	c := newCompressedTimeAxis(0, ms(30), []interval{{0, ms(10)}, {ms(15), ms(30)}}, ms(20))
	assert.False(t, c.compressed())
}

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		want string
	}{
		{time.Nanosecond, "ns"}, {5 * time.Microsecond, "µs"}, {40 * time.Millisecond, "ms"}, {3 * time.Second, "s"},
		{-time.Second, "ns"}, {1999, "ns"}, {2 * time.Microsecond, "µs"}, {2*time.Second - 1, "ms"}, {time.Hour, "s"},
	} {
		assert.Equal(t, tc.want, unitFor(tc.span).name, tc.span)
	}
	for _, tc := range []struct{ in, want time.Duration }{
		{0, 1}, {1, 1}, {3, 5}, {7, 10}, {1500 * time.Microsecond, 2 * time.Millisecond}, {time.Second, time.Second},
	} {
		assert.Equal(t, tc.want, niceDuration(tc.in), tc.in)
	}
	for _, tc := range []struct {
		bps  float64
		want string
	}{{10, "bit/s"}, {5e3, "kbit/s"}, {9e6, "Mbit/s"}, {4e9, "Gbit/s"}, {1999, "bit/s"}, {2e6, "Mbit/s"}, {1e15, "Gbit/s"}, {math.NaN(), "bit/s"}} {
		_, u := rateUnit(tc.bps)
		assert.Equal(t, tc.want, u, tc.bps)
	}
	for _, tc := range []struct {
		seq  int64
		div  float64
		want string
	}{{0, 1, "bytes"}, {9_999, 1, "bytes"}, {10_000, 1e3, "kB"}, {9_999_999, 1e3, "kB"}, {10_000_000, 1e6, "MB"}, {1 << 40, 1e6, "MB"}} {
		div, u := seqScale(tc.seq)
		assert.Equal(t, tc.want, u, tc.seq)
		assert.Equal(t, tc.div, div, tc.seq)
	}
}
