package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func draws(r *Rand, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestStreamsAreIndependent(t *testing.T) {
	// Stream "a" draws the same whether or not stream "b" exists and is
	// drawn from in between.
	alone := draws(NewStreams(7).Rand("a"), 100)

	st := NewStreams(7)
	a, b := st.Rand("a"), st.Rand("b")
	var mixed []uint64
	for i := 0; i < 100; i++ {
		mixed = append(mixed, a.Uint64())
		b.Uint64()
		b.Float64()
	}
	assert.Equal(t, alone, mixed)
	assert.NotEqual(t, alone, draws(NewStreams(7).Rand("b"), 100), "names give different streams")
	assert.NotEqual(t, alone, draws(NewStreams(8).Rand("a"), 100), "seeds give different streams")
	assert.Equal(t, alone, draws(NewRand(7, "a"), 100), "asking twice gives the same sequence")
	assert.Equal(t, "a", a.Name())
	assert.Equal(t, uint64(7), st.Seed())
}

func TestRandDrawsOncePerCall(t *testing.T) {
	// Each helper draws a fixed number of values whatever its arguments,
	// so a scenario change to p or a range never shifts later draws.
	tests := []struct {
		name string
		call func(r *Rand)
	}{
		{"Bernoulli 0", func(r *Rand) { r.Bernoulli(0) }},
		{"Bernoulli 1", func(r *Rand) { r.Bernoulli(1) }},
		{"Bernoulli NaN", func(r *Rand) { r.Bernoulli(math.NaN()) }},
		{"Uniform empty range", func(r *Rand) { r.UniformDuration(5, 5) }},
		{"Uniform inverted range", func(r *Rand) { r.UniformDuration(5, 1) }},
		{"Uniform range", func(r *Rand) { r.UniformDuration(0, time.Second) }},
		{"Exponential zero mean", func(r *Rand) { r.ExponentialDuration(0) }},
		{"Exponential negative mean", func(r *Rand) { r.ExponentialDuration(-time.Second) }},
	}
	next := NewRand(1, "x")
	next.Uint64()
	want := next.Uint64()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRand(1, "x")
			tt.call(r)
			assert.Equal(t, want, r.Uint64())
		})
	}
}

func TestUniformDurationBounds(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi time.Duration
	}{
		{"small", 10, 12},
		{"negative", -5, 5},
		{"full range", math.MinInt64, math.MaxInt64},
		{"span above MaxInt64", -1, math.MaxInt64},
		{"top", math.MaxInt64 - 1, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRand(3, tt.name)
			for i := 0; i < 1000; i++ {
				d := r.UniformDuration(tt.lo, tt.hi)
				require.GreaterOrEqual(t, d, tt.lo)
				require.LessOrEqual(t, d, tt.hi)
			}
		})
	}
	// Every value of a small range is reachable.
	r := NewRand(3, "reach")
	seen := map[time.Duration]bool{}
	for i := 0; i < 200; i++ {
		seen[r.UniformDuration(10, 12)] = true
	}
	assert.Len(t, seen, 3)
	assert.Equal(t, time.Duration(4), r.UniformDuration(4, 2), "hi <= lo returns lo")
}

func TestDurationDrawsSaturate(t *testing.T) {
	r := NewRand(1, "big")
	for i := 0; i < 100; i++ {
		d := r.NormalDuration(math.MaxInt64-10, math.MaxInt64)
		// Near the top, the draw either stays in range or saturates.
		require.GreaterOrEqual(t, d, time.Duration(-1<<62))
		e := r.ExponentialDuration(math.MaxInt64)
		require.GreaterOrEqual(t, e, time.Duration(0))
	}
	assert.Equal(t, time.Duration(math.MaxInt64), durationOf(math.Inf(1)))
	assert.Equal(t, time.Duration(math.MinInt64), durationOf(math.Inf(-1)))
	assert.Equal(t, time.Duration(0), durationOf(math.NaN()))
	assert.Equal(t, time.Duration(math.MaxInt64), durationOf(1<<63))
	assert.Equal(t, time.Duration(-42), durationOf(-42))
	assert.Equal(t, time.Duration(math.MaxInt64), addDurations(math.MaxInt64-1, 2))
	assert.Equal(t, time.Duration(math.MinInt64), addDurations(math.MinInt64+1, -2))
	assert.Equal(t, time.Duration(3), addDurations(1, 2))
}

func TestDistributionMeans(t *testing.T) {
	// Loose checks that each helper draws from the distribution it names.
	const n = 20000
	r := NewRand(11, "means")
	var hits int
	var sumN, sumE, sumU float64
	for i := 0; i < n; i++ {
		if r.Bernoulli(0.25) {
			hits++
		}
		sumN += float64(r.NormalDuration(time.Millisecond, 100*time.Microsecond))
		sumE += float64(r.ExponentialDuration(time.Millisecond))
		sumU += float64(r.UniformDuration(0, 2*time.Millisecond))
	}
	assert.InDelta(t, 0.25, float64(hits)/n, 0.02)
	assert.InEpsilon(t, float64(time.Millisecond), sumN/n, 0.01)
	assert.InEpsilon(t, float64(time.Millisecond), sumE/n, 0.05)
	assert.InEpsilon(t, float64(time.Millisecond), sumU/n, 0.05)
}

// TestStreamSeedIsFNV pins a stream's seeding to what it always was: the
// PCG seeded with the run's seed and hash/fnv's 64-bit FNV-1a of the
// name, so that no scenario's draws move.
func TestStreamSeedIsFNV(t *testing.T) {
	for _, name := range []string{"", "a", "link/uplink/loss", "app/client-7/bulk-send/1/start", "ü/☃"} {
		h := fnv.New64a()
		_, _ = h.Write([]byte(name))
		want := rand.New(rand.NewPCG(42, h.Sum64()))
		got := NewRand(42, name)
		for range 5 {
			require.Equal(t, want.Uint64(), got.Uint64(), "stream %q", name)
		}
		assert.Equal(t, name, got.Name())
	}
}
