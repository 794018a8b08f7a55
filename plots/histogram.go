package plots

import "math/bits"

// delayHist counts durations in logarithmic buckets, in the manner of an
// HDR histogram: values below histExact nanoseconds have a bucket each,
// larger ones share a bucket with the values that agree with them in their
// leading histMantBits bits, so a bucket is at most 1/128 of its values
// wide (under 0.8 %). Its size grows with the logarithm of the largest
// value (about 3500 counters for one second), not with the packets
// counted, so a delay CDF of a run of any length is drawn from bounded
// memory.
type delayHist struct {
	counts []int64
	n      int64
}

const (
	histMantBits = 8
	histExact    = 1 << histMantBits // 256 ns
	histHalf     = histExact / 2
)

// histIndex returns the bucket of v (v >= 0).
func histIndex(v int64) int {
	if v < histExact {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - histMantBits // at least 1
	mant := int(v >> shift)                       // in [128, 256)
	return shift*histHalf + mant
}

// histBounds returns the smallest and the largest value of bucket i.
func histBounds(i int) (lo, hi int64) {
	if i < histExact {
		return int64(i), int64(i)
	}
	shift := i/histHalf - 1
	mant := int64(i%histHalf + histHalf)
	lo = mant << shift
	return lo, lo + int64(1)<<shift - 1
}

// add counts one value.
func (h *delayHist) add(v int64) {
	i := histIndex(v)
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
}

// cdf returns the cumulative distribution as points (value, fraction of
// values at or below it), one per occupied bucket at its largest value,
// in increasing order, starting from the smallest value seen at 0.
func (h *delayHist) cdf() (vals []int64, fracs []float64) {
	if h.n == 0 {
		return nil, nil
	}
	var cum int64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, hi := histBounds(i)
		if cum == 0 {
			vals, fracs = append(vals, lo), append(fracs, 0)
		}
		cum += c
		vals, fracs = append(vals, hi), append(fracs, float64(cum)/float64(h.n))
	}
	return vals, fracs
}

// quantile returns the middle of the bucket that holds the q-th quantile
// (nearest rank, as flows.csv), so it is within half a bucket (0.4 %) of
// the exact one.
func (h *delayHist) quantile(q float64) int64 {
	rank := max(int64(q*float64(h.n)+0.999999), 1)
	var cum int64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			lo, hi := histBounds(i)
			return lo + (hi-lo)/2
		}
	}
	return 0
}
