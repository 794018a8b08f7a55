package tcp

import "sort"

// seqRange is the byte range [start, end) in sequence space.
type seqRange struct{ start, end Seq }

// The receiver's reassembly list (Conn.ofo) and the sender's scoreboard
// (scoreboard.blocks) are sorted slices of disjoint ranges. Neither has a
// limit on its length: the receiver's is bounded by its buffer (no range
// is held beyond the window it offered, so at most one range per two
// bytes of buffer, in practice one per two segments), the sender's by
// what it has in flight, which the same window bounds. A slice that grows
// to the largest burst of holes seen and is then reused allocates nothing
// in the steady state; binary search keeps each insertion O(log n) to
// find plus one copy to open or close a gap.

// insertRange adds r to a sorted list of disjoint ranges, merging the
// ranges it overlaps or touches, and returns the list.
func insertRange(rs []seqRange, r seqRange) []seqRange {
	// i: the first range that ends at or after r.start (it may join r).
	i := sort.Search(len(rs), func(k int) bool { return !rs[k].end.LessThan(r.start) })
	j := i
	for j < len(rs) && rs[j].start.LessEq(r.end) {
		r.start = Min(r.start, rs[j].start)
		r.end = Max(r.end, rs[j].end)
		j++
	}
	if i == j {
		rs = append(rs, seqRange{})
		copy(rs[i+1:], rs[i:])
		rs[i] = r
		return rs
	}
	rs[i] = r
	return append(rs[:i+1], rs[j:]...)
}

// rangeHolding returns the index of the range that holds seq, if any.
func rangeHolding(rs []seqRange, seq Seq) (int, bool) {
	i := sort.Search(len(rs), func(k int) bool { return seq.LessThan(rs[k].end) })
	if i < len(rs) && rs[i].start.LessEq(seq) {
		return i, true
	}
	return 0, false
}

// dropRanges removes the first k ranges in place.
func dropRanges(rs []seqRange, k int) []seqRange {
	if k <= 0 {
		return rs
	}
	return append(rs[:0], rs[k:]...)
}
