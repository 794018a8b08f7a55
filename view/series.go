package view

// maxBins is the most points one series keeps: about the width of a screen
// in pixels, so an overview of a long run draws as it would in full.
const maxBins = 2000

// binner decimates a series read in time order in bounded memory: points
// fall into bins of a width that starts at 1 ns (every point kept) and
// doubles, merging neighbours, whenever the bins would exceed max. Each
// bin keeps the first time and the min, max and last value, so spikes
// survive the decimation.
type binner struct {
	width int64
	t0    int64
	max   int
	pts   [][4]int64
	index []int64 // the bin number of each point
}

func newBinner(max int) *binner { return &binner{width: 1, max: max} }

func (b *binner) add(t, v int64) {
	if len(b.pts) == 0 {
		b.t0 = t
	}
	n := (t - b.t0) / b.width
	if k := len(b.pts) - 1; k >= 0 && b.index[k] == n {
		p := &b.pts[k]
		p[1], p[2], p[3] = min(p[1], v), max(p[2], v), v
		return
	}
	b.pts = append(b.pts, [4]int64{t, v, v, v})
	b.index = append(b.index, n)
	for len(b.pts) > b.max {
		b.coarsen()
	}
}

// coarsen doubles the bin width and merges the points that now share a bin.
func (b *binner) coarsen() {
	b.width *= 2
	out := 0
	for i := range b.pts {
		n := b.index[i] / 2
		if out > 0 && b.index[out-1] == n {
			p, q := &b.pts[out-1], b.pts[i]
			p[1], p[2], p[3] = min(p[1], q[1]), max(p[2], q[2]), q[3]
			continue
		}
		b.pts[out], b.index[out] = b.pts[i], n
		out++
	}
	b.pts, b.index = b.pts[:out], b.index[:out]
}
