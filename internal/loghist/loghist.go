// Package loghist is a histogram of non-negative integers (durations in
// nanoseconds) in logarithmic buckets, in the manner of an HDR histogram:
// quantiles and a CDF to within a fixed relative precision, in memory that
// grows with the logarithm of the largest value, not with the number of
// values counted. The delay CDF of package plots and the RTT percentile of
// package sweep read their runs through it.
package loghist

import "math/bits"

// Hist counts values: those below exact (256) have a bucket each, larger
// ones share a bucket with the values that agree with them in their
// leading mantBits (8) bits, so a bucket is at most 1/128 of its values
// wide (under 0.8 %). A histogram of values up to one second holds about
// 3500 counters. The zero value is empty and ready.
type Hist struct {
	counts []int64
	n      int64
}

const (
	mantBits = 8
	exact    = 1 << mantBits // 256
	half     = exact / 2
)

// Index returns the bucket of v; a negative v counts as 0.
func Index(v int64) int {
	if v < exact {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - mantBits // at least 1
	mant := int(v >> shift)                   // in [128, 256)
	return shift*half + mant
}

// Bounds returns the smallest and the largest value of bucket i.
func Bounds(i int) (lo, hi int64) {
	if i < exact {
		return int64(i), int64(i)
	}
	shift := i/half - 1
	mant := int64(i%half + half)
	lo = mant << shift
	return lo, lo + int64(1)<<shift - 1
}

// Add counts one value.
func (h *Hist) Add(v int64) {
	i := Index(v)
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
}

// Count returns the number of values counted.
func (h *Hist) Count() int64 { return h.n }

// Buckets returns the number of counters held: what the histogram's
// memory grows with.
func (h *Hist) Buckets() int { return len(h.counts) }

// CDF returns the cumulative distribution as points (value, fraction of
// values at or below it), one per occupied bucket at its largest value,
// in increasing order, starting from the smallest value seen at 0.
func (h *Hist) CDF() (vals []int64, fracs []float64) {
	if h.n == 0 {
		return nil, nil
	}
	var cum int64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, hi := Bounds(i)
		if cum == 0 {
			vals, fracs = append(vals, lo), append(fracs, 0)
		}
		cum += c
		vals, fracs = append(vals, hi), append(fracs, float64(cum)/float64(h.n))
	}
	return vals, fracs
}

// Quantile returns the middle of the bucket that holds the q-quantile
// (0 < q <= 1, nearest rank), so within half a bucket (0.4 %) of the
// exact one; false when the histogram is empty.
func (h *Hist) Quantile(q float64) (int64, bool) {
	if h.n == 0 {
		return 0, false
	}
	rank := max(int64(q*float64(h.n)+0.999999), 1)
	var cum int64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			lo, hi := Bounds(i)
			return lo + (hi-lo)/2, true
		}
	}
	_, hi := Bounds(len(h.counts) - 1)
	return hi, true
}
