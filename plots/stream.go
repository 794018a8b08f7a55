package plots

import (
	"sort"

	"github.com/netsimlab/netsim/sim"
)

// Streams keep a figure's series bounded while the records go by. A figure
// has at most a few thousand pixel columns, so a series never needs more
// than a few points per column: once a stream holds streamCap items it is
// reduced to streamBins time bins (the same per-bin rules as the final
// decimation: M4 for lines, one spanning bar, the first mark), and the bin
// width doubles as the run goes on. Bin widths are powers of two
// nanoseconds from a fixed origin, so every reduction's bins nest in the
// next one's and reducing twice keeps what reducing once would have kept.
// Memory is O(streamBins) per series whatever the length of the trace.
const (
	// streamBins is the time resolution a stream keeps: several times the
	// pixel columns of the widest default figure, so the final decimation
	// to the figure's own bins loses nothing a reader could see.
	streamBins = 4096
	// streamCapFactor × the bins is the length at which a stream is
	// reduced. An M4 reduction leaves up to 4 points per bin, so it must be
	// well above 4 for a reduction to free room.
	streamCapFactor = 8
)

// binWidth returns the smallest power of two (in nanoseconds) at least
// cur such that n bins of it from origin reach past last.
func binWidth(origin, last, cur sim.Time, n int) sim.Time {
	w, bins := max(cur, 1), sim.Time(n)
	for origin+w*bins <= last && w < sim.MaxTime/(2*bins) {
		w *= 2
	}
	return w
}

// stream is a series reduced as it grows: items may come slightly out of
// time order (a drop is learnt after the segment was drawn) and are sorted
// on reduction; reduce is the per-bin rule (decimateLine, decimateMarks,
// decimateBars).
type stream[T interface{ at() sim.Time }] struct {
	xs     []T
	bins   int // the time resolution kept: streamBins but in tests
	origin sim.Time
	width  sim.Time // 0 until the first reduction
	sorted bool     // xs are in time order
	last   sim.Time // the time of the last of xs
	reduce func([]T, bins) []T
}

func newStream[T interface{ at() sim.Time }](origin sim.Time, n int, reduce func([]T, bins) []T) stream[T] {
	return stream[T]{origin: origin, bins: n, sorted: true, reduce: reduce}
}

// push appends x, of time t, reducing the stream when it reaches its cap.
// The time comes apart from x so that the per-record path makes no call
// through the type parameter.
func (s *stream[T]) push(t sim.Time, x T) {
	if len(s.xs) > 0 && t < s.last {
		s.sorted = false
	}
	s.xs = append(s.xs, x)
	s.last = t
	if len(s.xs) >= streamCapFactor*s.bins && decimation {
		s.sort()
		s.width = binWidth(s.origin, s.xs[len(s.xs)-1].at(), s.width, s.bins)
		out := s.reduce(s.xs, bins{lo: s.origin, hi: s.origin + s.width*sim.Time(s.bins), n: s.bins})
		s.xs = append(s.xs[:0:0], out...) // a fresh array: the old one is freed
		s.last = s.xs[len(s.xs)-1].at()
	}
}

func (s *stream[T]) sort() {
	if !s.sorted {
		sort.SliceStable(s.xs, func(i, j int) bool { return s.xs[i].at() < s.xs[j].at() })
		s.sorted = true
	}
}

// pointStream is a line (M4 extremes per bin) or a set of marks (the
// first point per bin), reduced as it grows.
type pointStream struct{ stream[seqPoint] }

func newPointStream(origin sim.Time, marks bool, bins int) *pointStream {
	if marks {
		return &pointStream{newStream(origin, bins, decimateMarks)}
	}
	return &pointStream{newStream(origin, bins, decimateLine)}
}

// add appends a point.
func (s *pointStream) add(t sim.Time, v int64) { s.push(t, seqPoint{t: t, v: v}) }

// points returns the points in time order.
func (s *pointStream) points() []seqPoint {
	if s == nil {
		return nil
	}
	s.sort()
	return s.xs
}

// barStream is a set of sequence bars (one spanning bar per bin), reduced
// as it grows.
type barStream struct{ stream[seqBar] }

func newBarStream(origin sim.Time, bins int) *barStream {
	return &barStream{newStream(origin, bins, decimateBars)}
}

// add appends a bar.
func (s *barStream) add(b seqBar) { s.push(b.t, b) }

// items returns the bars in time order.
func (s *barStream) items() []seqBar {
	if s == nil {
		return nil
	}
	s.sort()
	return s.xs
}

// rateBins counts bytes per time bin, doubling the bin width (and merging
// pairs of bins) whenever the run outgrows maxBins bins, so that a
// throughput figure of any length is drawn from at most maxBins counters
// per flow.
type rateBins struct {
	origin  sim.Time
	width   sim.Time
	maxBins sim.Time
	counts  []int64
}

func newRateBins(origin, width sim.Time, maxBins int) *rateBins {
	return &rateBins{origin: origin, width: max(width, 1), maxBins: sim.Time(maxBins)}
}

func (r *rateBins) add(t sim.Time, bytes int64) {
	if t < r.origin {
		t = r.origin
	}
	for (t-r.origin)/r.width >= r.maxBins && r.width < sim.MaxTime/(2*r.maxBins) {
		r.double()
	}
	i := int((t - r.origin) / r.width)
	for len(r.counts) <= i {
		r.counts = append(r.counts, 0)
	}
	r.counts[i] += bytes
}

func (r *rateBins) double() {
	n := (len(r.counts) + 1) / 2
	for i := 0; i < n; i++ {
		v := r.counts[2*i]
		if 2*i+1 < len(r.counts) {
			v += r.counts[2*i+1]
		}
		r.counts[i] = v
	}
	r.counts = r.counts[:n]
	r.width *= 2
}

// rebin returns the bytes per window of length win from lo, n windows; a
// counting bin that straddles two windows is shared between them in
// proportion to its overlap with each.
func (r *rateBins) rebin(lo sim.Time, win sim.Time, n int) []int64 {
	out := make([]int64, n)
	if r == nil {
		return out
	}
	for i, v := range r.counts {
		if v == 0 {
			continue
		}
		s := r.origin + sim.Time(i)*r.width
		e := s + r.width
		// Spread v over [s, e) in proportion to the overlap with each window.
		for a := s; a < e; {
			k := int((a - lo) / win)
			if a < lo {
				k = -1
			}
			wEnd := lo + sim.Time(k+1)*win
			if a < lo {
				wEnd = lo
			}
			b := min(e, wEnd)
			if b <= a {
				b = e
			}
			if k >= 0 && k < n {
				out[k] += int64(float64(v) * float64(b-a) / float64(r.width))
			}
			a = b
		}
	}
	return out
}
