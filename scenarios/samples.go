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
	slices.Sort(all)
	return all
}

// nearestRank returns the p-th percentile of sorted values (not empty) by
// the nearest-rank method: the smallest value with at least p% of the
// values at or below it.
func nearestRank(sorted []int64, p int) int64 {
	return sorted[max(0, (p*len(sorted)+99)/100-1)]
}
