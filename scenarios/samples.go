package scenarios

import (
	"slices"
	"sync"
	"sync/atomic"
)

// samples keeps every value of a distribution (queue sojourns, one-way
// delays: one per packet) for its exact nearest-rank percentiles. The values
// go into blocks (of 64 KiB once the first, smaller ones are full) rather
// than one slice, so that a long run
// never copies what it has gathered to grow it; a value that fits in 32
// bits (0 to 4.29 s in ns, nearly every delay and sojourn) takes 4 bytes,
// any other goes to a list of its own. The count, minimum, maximum and sum
// are kept as the values come.
type samples struct {
	// cur is the block values go into; blocks holds the ones before it,
	// full. add appends to cur alone, without reading and writing back
	// the last element of blocks.
	cur      []uint32
	blocks   [][]uint32
	n        int     // values in blocks and cur
	wide     []int64 // values outside [0, 2^32)
	min, max int64
	sum      int64
	overflow bool // sum overflowed: the mean is summed again from the values
}

// sampleBlock is the number of values in a full block (64 KiB), and
// minSampleBlock in the first.
const (
	sampleBlock    = 16384
	minSampleBlock = 64
)

// add appends v.
func (s *samples) add(v int64) {
	if s.len() == 0 {
		s.min, s.max = v, v
	} else {
		s.min, s.max = min(s.min, v), max(s.max, v)
	}
	sum := s.sum + v
	if (sum > s.sum) != (v > 0) {
		s.overflow = true
	}
	s.sum = sum
	if uint64(v) >= 1<<32 {
		s.wide = append(s.wide, v)
		return
	}
	if len(s.cur) == cap(s.cur) {
		s.nextBlock()
	}
	s.cur = append(s.cur, uint32(v))
	s.n++
}

// nextBlock moves the full current block to blocks and starts another.
// The first blocks grow with what the samples hold (64 values, then as
// many as held so far), so that a distribution of a few values (one per
// link direction and connection of a 10,000-host network) does not take
// 64 KiB.
func (s *samples) nextBlock() {
	if s.cur != nil {
		s.blocks = append(s.blocks, s.cur)
	}
	if n := min(max(s.n, minSampleBlock), sampleBlock); n < sampleBlock {
		s.cur = make([]uint32, 0, n)
	} else {
		s.cur = fullBlock()
	}
}

// The full blocks of a long run's samples are new memory, and the first
// write to each page of new memory waits for the kernel (a page fault:
// about 15 us per 4 KiB page on the project's virtual machine, 3.7 ns
// per byte, where writing memory already touched costs under 0.1 ns): a
// 10 s run at 1 Gbit/s stores 10 MB of delays and sojourns, and the
// faults cost more than the writes. A goroutine beside the run takes
// those faults instead: when the summary takes a full block, it asks for
// the next, which the goroutine makes and writes a word of each page of
// (prefaultBlocks), so that a touched block is ready in blockPool the
// next time; the summary makes its own when none is ready. A block is empty either way
// and the summary only appends to it, so nothing it computes depends on
// which block it got or when (docs/architecture.md, determinism rule 3).
var (
	blockPool     = make(chan []uint32, 4)
	blockWanted   = make(chan struct{}, 2)
	blockPoolOnce sync.Once
	// blocksOwed counts the blocks asked for and not in the pool yet:
	// the goroutine allocates nothing while it is 0 (tests that count
	// allocations wait for it).
	blocksOwed atomic.Int64
)

// fullBlock returns an empty block of sampleBlock values' capacity,
// already touched when the goroutine beside the run had one ready, and
// asks it for the next while the pool holds fewer than two. Callers on
// several goroutines (a sweep's workers) may each see room and ask, so
// the goroutine never waits to put a block in: one that finds the pool
// full is dropped (prefaultBlocks), and fullBlock never waits either.
func fullBlock() []uint32 {
	blockPoolOnce.Do(func() { go prefaultBlocks() })
	var b []uint32
	select {
	case b = <-blockPool:
	default:
		b = make([]uint32, 0, sampleBlock)
	}
	if len(blockPool) < 2 {
		blocksOwed.Add(1) // before the request: never below what is owed
		select {
		case blockWanted <- struct{}{}:
		default: // two are asked for already
			blocksOwed.Add(-1)
		}
	}
	return b
}

// pageValues is the number of values in a 4 KiB page.
const pageValues = 4096 / 4

// prefaultBlocks makes a block for each one asked for, writes a word of
// each of its pages and puts it in blockPool, or drops it when the pool
// is full (callers on several goroutines asked at once). It runs for the
// life of the process, idle between requests.
func prefaultBlocks() {
	for range blockWanted {
		b := make([]uint32, sampleBlock)
		for i := 0; i < len(b); i += pageValues {
			b[i] = 0
		}
		select {
		case blockPool <- b[:0]:
		default:
		}
		blocksOwed.Add(-1)
	}
}

// narrow returns the blocks of the values that fit in 32 bits, the
// current one included.
func (s *samples) narrow() [][]uint32 {
	if len(s.cur) == 0 {
		return s.blocks
	}
	return append(s.blocks[:len(s.blocks):len(s.blocks)], s.cur)
}

// len returns the number of values.
func (s *samples) len() int { return s.n + len(s.wide) }

// mean returns the values' mean (not empty): their exact sum rounded once
// to a float64, which is what adding them up in float64 in any order
// gives while the sum stays below 2^53.
func (s *samples) mean() float64 {
	if !s.overflow {
		return float64(s.sum) / float64(s.len())
	}
	var sum float64
	for _, b := range s.narrow() {
		for _, v := range b {
			sum += float64(v)
		}
	}
	for _, v := range s.wide {
		sum += float64(v)
	}
	return sum / float64(s.len())
}

// percentiles returns the p-th percentile of the values (not empty) for
// each p of ps, by the nearest-rank method (nearestRankIndex).
func (s *samples) percentiles(ps ...int) []int64 {
	ranks := make([]int, len(ps))
	for i, p := range ps {
		ranks[i] = nearestRankIndex(s.len(), p)
	}
	return s.at(ranks)
}

// selectBuckets is the most buckets at selects values by.
const selectBuckets = 1 << 16

// selectMin is the fewest values at selects among; fewer are sorted, which
// costs less than the buckets would (a run of a thousand short flows has
// thousands of small distributions).
const selectMin = 4096

// at returns the values that would be at the indexes ranks of the sorted
// values, without sorting them: one pass counts the values in up to
// 65,536 buckets of equal width between the minimum and the maximum (one
// per 16 values), a second gathers the values of the buckets the ranks
// fall in, and only those are sorted. A run's millions of delays and
// sojourns cost two linear reads where sorting them cost several passes
// of scattered writes over a copy (4-7% of a 1 Gbps run's CPU time, most
// of the summary's).
func (s *samples) at(ranks []int) []int64 {
	out := make([]int64, len(ranks))
	if s.len() < selectMin {
		all := make([]int64, 0, s.len())
		for _, b := range s.narrow() {
			for _, v := range b {
				all = append(all, int64(v))
			}
		}
		all = append(all, s.wide...)
		slices.Sort(all)
		for i, r := range ranks {
			out[i] = all[r]
		}
		return out
	}
	nb := min(selectBuckets, s.len()/16)
	shift := uint(0)
	for uint64(s.max-s.min)>>shift >= uint64(nb) {
		shift++
	}
	lo := s.min
	bucket := func(v int64) int { return int(uint64(v-lo) >> shift) }
	counts := make([]int, nb)
	blocks := s.narrow()
	for _, b := range blocks {
		for _, v := range b {
			counts[bucket(int64(v))]++
		}
	}
	for _, v := range s.wide {
		counts[bucket(v)]++
	}
	// The bucket of each rank and the rank within it.
	type want struct{ bucket, rank int }
	wants := make([]want, len(ranks))
	for i, r := range ranks {
		b, before := 0, 0
		for before+counts[b] <= r {
			before += counts[b]
			b++
		}
		wants[i] = want{b, r - before}
	}
	if shift == 0 {
		// A bucket holds one value.
		for i, w := range wants {
			out[i] = lo + int64(w.bucket)
		}
		return out
	}
	// The distinct buckets wanted (as many as ranks at most) and their
	// values; a bitmap answers for the values in no wanted bucket, most of
	// them.
	var wanted [selectBuckets / 64]uint64
	var buckets []int
	var gathered [][]int64
	for _, w := range wants {
		if !slices.Contains(buckets, w.bucket) {
			buckets = append(buckets, w.bucket)
			gathered = append(gathered, make([]int64, 0, counts[w.bucket]))
			wanted[w.bucket/64] |= 1 << (w.bucket % 64)
		}
	}
	keep := func(k int, v int64) {
		i := slices.Index(buckets, k)
		gathered[i] = append(gathered[i], v)
	}
	for _, b := range blocks {
		for _, v := range b {
			if k := bucket(int64(v)); wanted[k/64]&(1<<(k%64)) != 0 {
				keep(k, int64(v))
			}
		}
	}
	for _, v := range s.wide {
		if k := bucket(v); wanted[k/64]&(1<<(k%64)) != 0 {
			keep(k, v)
		}
	}
	for _, g := range gathered {
		radixSort(g)
	}
	for i, w := range wants {
		out[i] = gathered[slices.Index(buckets, w.bucket)][w.rank]
	}
	return out
}

// radixSort sorts v in increasing order: a least-significant-digit radix
// sort by 16-bit digits of the values with their sign bit flipped (so that
// negative values come first), skipping the digits every value shares.
// Short inputs go to slices.Sort.
func radixSort(v []int64) {
	if len(v) < 1024 {
		slices.Sort(v)
		return
	}
	const bits, buckets = 16, 1 << 16
	// The digit is cut out of the 64-bit key before the conversion: an
	// int of 32 bits would lose the upper digits (GOARCH=386).
	key := func(x int64, shift uint) int { return int((uint64(x) ^ 1<<63) >> shift & (buckets - 1)) }
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

// nearestRankIndex returns the index in n sorted values (n > 0) of their
// p-th percentile by the nearest-rank method: the smallest value with at
// least p% of the values at or below it.
func nearestRankIndex(n, p int) int {
	return min(n-1, max(0, (p*n+99)/100-1))
}
