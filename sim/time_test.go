package sim

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    Time
		want string
	}{
		{0, "0.000000000s"},
		{1, "0.000000001s"},
		{110_120_000, "0.110120000s"},
		{Time(90 * time.Second), "90.000000000s"},
		{-1_500_000_000, "-1.500000000s"},
		{MaxTime, "9223372036.854775807s"},
		{math.MinInt64, "-9223372036.854775808s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.t.String(), "Time(%d)", int64(tt.t))
	}
}

func TestTimeArithmetic(t *testing.T) {
	a := FromDuration(1500 * time.Millisecond)
	assert.Equal(t, Time(1_500_000_000), a)
	assert.Equal(t, 1500*time.Millisecond, a.Duration())
	b := a.Add(250 * time.Millisecond)
	assert.Equal(t, 250*time.Millisecond, b.Sub(a))
	assert.Equal(t, -250*time.Millisecond, a.Sub(b))
	assert.True(t, a.Before(b))
	assert.False(t, b.Before(a))
	assert.True(t, b.After(a))
	assert.False(t, a.After(a))
	assert.InDelta(t, 1.75, b.Seconds(), 1e-12)
}

// TestTimeSaturates: sums and differences past the representable range
// stop at its ends instead of wrapping (issue 16: a link delay, a fault's
// new delay, jitter or a serialization time added to the clock wrapped to
// a negative time and panicked the run).
func TestTimeSaturates(t *testing.T) {
	tests := []struct {
		t    Time
		d    time.Duration
		want Time
	}{
		{0, math.MaxInt64, MaxTime},
		{1, math.MaxInt64, MaxTime},
		{MaxTime, 1, MaxTime},
		{MaxTime - 5, 5, MaxTime},
		{MaxTime - 5, 4, MaxTime - 1},
		{MaxTime, -1, MaxTime - 1},
		{MinTime, -1, MinTime},
		{-1, math.MinInt64, MinTime},
		{-1, math.MaxInt64, MaxTime - 1},
		{100, -50, 50},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.t.Add(tt.d), "%d + %d", int64(tt.t), int64(tt.d))
	}
	assert.Equal(t, time.Duration(math.MaxInt64), MaxTime.Sub(-1))
	assert.Equal(t, time.Duration(math.MinInt64), MinTime.Sub(1))
	assert.Equal(t, time.Duration(math.MaxInt64), MaxTime.Sub(0))
	assert.Equal(t, time.Duration(-2), Time(-1).Sub(1))
}
