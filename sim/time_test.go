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
