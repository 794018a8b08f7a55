package loghist

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/netsimlab/netsim/internal/testflags"
)

// The buckets tile the values with no gap or overlap, and each is at most
// 1/128 of its values wide.
func TestBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < Index(int64(10*time.Second)); i++ {
		lo, hi := Bounds(i)
		require.Equal(t, prevHi+1, lo, "bucket %d starts where %d ended", i, i-1)
		require.Equal(t, i, Index(lo))
		require.Equal(t, i, Index(hi))
		if lo >= exact {
			assert.LessOrEqual(t, float64(hi-lo+1)/float64(lo), 1.0/128, "bucket %d [%d, %d]", i, lo, hi)
		}
		prevHi = hi
	}
	assert.Equal(t, 0, Index(-5))
	assert.Less(t, Index(int64(time.Second)), 4000, "about 3500 counters up to a second")
}

// Quantiles are within half a bucket of the nearest-rank ones computed
// from every value; the CDF runs from 0 to 1 in order.
func TestQuantilesAndCDF(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h Hist
	_, ok := h.Quantile(0.5)
	assert.False(t, ok, "no values, no quantile")
	xs, _ := h.CDF()
	assert.Empty(t, xs)
	var vals []int64
	for range 5000 {
		v := int64(10*time.Millisecond) + r.Int64N(int64(100*time.Millisecond))
		h.Add(v)
		vals = append(vals, v)
	}
	assert.Equal(t, int64(5000), h.Count())
	slices.Sort(vals)
	for _, q := range []float64{0.01, 0.5, 0.99, 1} {
		exact := vals[int(q*float64(len(vals))+0.999999)-1]
		got, ok := h.Quantile(q)
		require.True(t, ok)
		assert.InEpsilon(t, float64(exact), float64(got), 0.004, "q %v", q)
	}
	xs, fs := h.CDF()
	require.NotEmpty(t, xs)
	assert.Equal(t, 0.0, fs[0])
	assert.Equal(t, 1.0, fs[len(fs)-1])
	assert.True(t, slices.IsSorted(xs) && slices.IsSorted(fs))
	assert.LessOrEqual(t, xs[0], vals[0])
	assert.GreaterOrEqual(t, xs[len(xs)-1], vals[len(vals)-1])
}
