package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"
)

// Rand is a named deterministic random stream (PCG). Streams with different
// names are independent: drawing from one never shifts another, so adding a
// component to a scenario leaves every other component's draws unchanged.
type Rand struct {
	*rand.Rand
	name string
}

// NewRand returns the stream called name for the run seeded with seed. The
// PCG state is the seed and the 64-bit FNV-1a hash of the name.
func NewRand(seed uint64, name string) *Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &Rand{Rand: rand.New(rand.NewPCG(seed, h.Sum64())), name: name}
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
// returns lo when hi <= lo.
func (r *Rand) UniformDuration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		r.Uint64() // keep the number of draws independent of the arguments
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// NormalDuration returns a duration drawn from a normal distribution with
// the given mean and standard deviation, rounded to the nanosecond.
func (r *Rand) NormalDuration(mean, stddev time.Duration) time.Duration {
	return mean + time.Duration(math.Round(r.NormFloat64()*float64(stddev)))
}

// ExponentialDuration returns a duration drawn from an exponential
// distribution with the given mean, rounded to the nanosecond.
func (r *Rand) ExponentialDuration(mean time.Duration) time.Duration {
	return time.Duration(math.Round(r.ExpFloat64() * float64(mean)))
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
