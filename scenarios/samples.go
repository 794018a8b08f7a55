package scenarios

import "slices"

// samples keeps every value of a distribution (queue sojourns, one-way
// delays: one per packet) for its exact nearest-rank percentiles. The values
// go into blocks of fixed size rather than one slice, so that a long run
// never copies what it has gathered to grow it.
type samples struct {
	blocks [][]int64
	n      int
}

// sampleBlock is the number of values in a block (64 KiB).
const sampleBlock = 8192

// add appends v.
func (s *samples) add(v int64) {
	if s.n%sampleBlock == 0 {
		s.blocks = append(s.blocks, make([]int64, 0, sampleBlock))
	}
	last := &s.blocks[len(s.blocks)-1]
	*last = append(*last, v)
	s.n++
}

// len returns the number of values.
func (s *samples) len() int { return s.n }

// sorted returns the values in increasing order, in a slice of their own.
func (s *samples) sorted() []int64 {
	all := make([]int64, 0, s.n)
	for _, b := range s.blocks {
		all = append(all, b...)
	}
	radixSort(all)
	return all
}

// radixSort sorts v in increasing order: a least-significant-digit radix
// sort by 16-bit digits of the values with their sign bit flipped (so that
// negative values come first), skipping the digits every value shares. A
// run's millions of delays and sojourns sort in a few linear passes where
// a comparison sort takes n log n steps (4% of a 1 Gbps run's CPU time).
// Short inputs go to slices.Sort.
func radixSort(v []int64) {
	if len(v) < 1024 {
		slices.Sort(v)
		return
	}
	const bits, buckets = 16, 1 << 16
	key := func(x int64, shift uint) int { return int(uint64(x)^1<<63) >> shift & (buckets - 1) }
	// One count table per digit, filled in one pass.
	counts := make([][buckets]int, 64/bits)
	for _, x := range v {
		for d := range counts {
			counts[d][key(x, uint(d*bits))]++
		}
	}
	src, dst := v, make([]int64, len(v))
	for d := range counts {
		c := &counts[d]
		shift := uint(d * bits)
		if c[key(src[0], shift)] == len(src) {
			continue // every value has this digit
		}
		pos := 0
		for i, n := range c {
			c[i] = pos
			pos += n
		}
		for _, x := range src {
			k := key(x, shift)
			dst[c[k]] = x
			c[k]++
		}
		src, dst = dst, src
	}
	if &src[0] != &v[0] {
		copy(v, src)
	}
}

// nearestRank returns the p-th percentile of sorted values (not empty) by
// the nearest-rank method: the smallest value with at least p% of the
// values at or below it.
func nearestRank(sorted []int64, p int) int64 {
	return sorted[max(0, (p*len(sorted)+99)/100-1)]
}
