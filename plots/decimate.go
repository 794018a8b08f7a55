package plots

import "github.com/netsimlab/netsim/sim"

// Decimation keeps the drawing of a long trace bounded: a figure has a few
// hundred pixel columns, and within one column a thousand segments look
// the same as the one bar that spans them. Each series is reduced per time
// bin to what can be seen there, so drawing costs O(bins), whatever the
// number of packets; reading the records stays O(records).

// decimateFactor: a series is decimated only when it holds more than this
// many items per bin, so small traces are drawn exactly.
const decimateFactor = 4

// seqBar is a vertical bar at time t from lo to hi (sequence space).
type seqBar struct {
	t      sim.Time
	lo, hi int64
}

// seqPoint is a point of a line or a marker.
type seqPoint struct {
	t sim.Time
	v int64
}

// at is the time of a bar or a point, for clipSeries.
func (b seqBar) at() sim.Time   { return b.t }
func (p seqPoint) at() sim.Time { return p.t }

// bins splits [lo, hi] into n equal time bins.
type bins struct {
	lo, hi sim.Time
	n      int
}

func (b bins) of(t sim.Time) int {
	if b.hi <= b.lo || t <= b.lo {
		return 0
	}
	if t >= b.hi {
		return b.n - 1
	}
	return min(int(float64(t-b.lo)/float64(b.hi-b.lo)*float64(b.n)), b.n-1)
}

// exact reports whether a series of n items is drawn as it is: when
// decimation is off, or there are few enough items per bin.
func (b bins) exact(n int) bool { return !decimation || n <= decimateFactor*b.n }

// firstPerBin keeps the first item of each bin (xs are in time order),
// merging each later item of the bin into it when merge is not nil.
func firstPerBin[T interface{ at() sim.Time }](xs []T, b bins, merge func(first *T, x T)) []T {
	if b.exact(len(xs)) {
		return xs
	}
	var out []T
	cur := -1
	for _, x := range xs {
		if k := b.of(x.at()); k != cur || len(out) == 0 {
			out = append(out, x)
			cur = k
		} else if merge != nil {
			merge(&out[len(out)-1], x)
		}
	}
	return out
}

// decimateBars merges the bars of each bin into one spanning them all, at
// the time of the bin's first bar. bars are in time order.
func decimateBars(bars []seqBar, b bins) []seqBar {
	return firstPerBin(bars, b, func(first *seqBar, x seqBar) {
		first.lo = min(first.lo, x.lo)
		first.hi = max(first.hi, x.hi)
	})
}

// decimateLine keeps, per bin, the first, lowest, highest and last point
// (the M4 method), in time order: the drawn line touches the same pixels.
func decimateLine(pts []seqPoint, b bins) []seqPoint {
	if b.exact(len(pts)) {
		return pts
	}
	var out []seqPoint
	flush := func(first, lo, hi, last int) {
		idx := []int{first, lo, hi, last}
		// Sort the (at most four) indexes so the points stay in time order.
		for i := 1; i < len(idx); i++ {
			for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
		prev := -1
		for _, i := range idx {
			if i != prev {
				out = append(out, pts[i])
				prev = i
			}
		}
	}
	first, lo, hi := 0, 0, 0
	cur := b.of(pts[0].t)
	for i := 1; i < len(pts); i++ {
		k := b.of(pts[i].t)
		if k != cur {
			flush(first, lo, hi, i-1)
			first, lo, hi, cur = i, i, i, k
			continue
		}
		if pts[i].v < pts[lo].v {
			lo = i
		}
		if pts[i].v > pts[hi].v {
			hi = i
		}
	}
	flush(first, lo, hi, len(pts)-1)
	return out
}

// decimateMarks keeps the first mark of each bin.
func decimateMarks(pts []seqPoint, b bins) []seqPoint {
	return firstPerBin(pts, b, nil)
}

// decimation can be turned off by the benchmark, to measure what it saves.
var decimation = true
