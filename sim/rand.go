package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// Rand is a named deterministic random stream (PCG). Streams with different
// names are independent: drawing from one never shifts another, so adding a
// component to a scenario leaves every other component's draws unchanged.
type Rand struct {
	rand.Rand
	// pcg is the generator Rand draws from, kept in the same object: a
	// stream is one allocation, not three (a 10,000-host world makes
	// tens of thousands of streams, each an object for the collector to
	// mark all run long).
	pcg  rand.PCG
	name string
}

// NewRand returns the stream called name for the run seeded with seed. The
// PCG state is the seed and the 64-bit FNV-1a hash of the name.
func NewRand(seed uint64, name string) *Rand {
	r := &Rand{name: name}
	r.pcg.Seed(seed, fnv64a(name))
	r.Rand = *rand.New(&r.pcg)
	return r
}

// fnv64a is the 64-bit FNV-1a hash of s (hash/fnv's New64a), without
// the hasher's allocation and the string's copy.
func fnv64a(s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

// Name returns the stream's name.
func (r *Rand) Name() string { return r.name }

// Bernoulli reports true with probability p (p <= 0 never, p >= 1 always).
// It draws exactly once whatever p is, so changing p does not shift the
// stream.
func (r *Rand) Bernoulli(p float64) bool {
	x := r.Float64()
	return x < p
}

// UniformDuration returns a duration drawn uniformly from [lo, hi]. It
// returns lo when hi <= lo. Any lo and hi are valid, even a span wider than
// math.MaxInt64.
func (r *Rand) UniformDuration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		r.Uint64() // keep the number of draws independent of the arguments
		return lo
	}
	// The span in unsigned arithmetic cannot overflow for hi > lo, and the
	// sum wraps back into [lo, hi].
	span := uint64(hi) - uint64(lo)
	if span == math.MaxUint64 {
		return lo + time.Duration(r.Uint64())
	}
	return lo + time.Duration(r.Uint64N(span+1))
}

// NormalDuration returns a duration drawn from a normal distribution with
// the given mean and standard deviation, rounded to the nanosecond and
// clamped to the range of time.Duration. A negative stddev mirrors the
// draw. Callers that need a non-negative delay clamp the result themselves.
func (r *Rand) NormalDuration(mean, stddev time.Duration) time.Duration {
	return addDurations(mean, durationOf(math.Round(r.NormFloat64()*float64(stddev))))
}

// addDurations returns a+b, saturating at the bounds of time.Duration.
func addDurations(a, b time.Duration) time.Duration {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}

// ExponentialDuration returns a duration drawn from an exponential
// distribution with the given mean, rounded to the nanosecond and clamped to
// the range of time.Duration. A mean <= 0 returns 0, still drawing once.
func (r *Rand) ExponentialDuration(mean time.Duration) time.Duration {
	x := r.ExpFloat64()
	if mean <= 0 {
		return 0
	}
	return durationOf(math.Round(x * float64(mean)))
}

// durationOf converts a whole number of nanoseconds to a Duration,
// saturating at its bounds. Go leaves out-of-range float-to-integer
// conversions implementation-defined, which would make draws differ
// between machines; saturation keeps them identical.
func durationOf(ns float64) time.Duration {
	switch {
	case ns != ns: // NaN
		return 0
	case ns >= math.MaxInt64: // 2^63 as a float64
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(ns)
}

// Streams hands out named streams for one run's seed.
type Streams struct {
	seed uint64
}

// NewStreams returns the stream factory for a run seeded with seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the run's seed.
func (s Streams) Seed() uint64 { return s.seed }

// Rand returns the stream called name, e.g. "link/uplink/loss". Asking twice
// for the same name returns two generators with the same sequence.
func (s Streams) Rand(name string) *Rand { return NewRand(s.seed, name) }
