package plots

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// maxQueueSeries is the most link directions one queue figure draws.
const maxQueueSeries = 6

// queueFigure draws the queue length of the busiest link directions, with
// each drop marked by a cross at the queue length it met and each ECN CE
// mark by a ring. The connection
// filter does not apply: queues are shared.
func queueFigure(m *model, opts Options) (*figure, error) {
	// The busiest directions (by drops, then peak occupancy) are drawn, in
	// the order they first appear; idle access links would only bury them.
	type ranked struct {
		ld          *linkDirection
		drops, peak int64
		order       int
	}
	var cands []ranked
	for i, ld := range m.links {
		var r ranked
		r.ld, r.order = ld, i
		for _, s := range ld.samples {
			if inWindow(opts, s.t) {
				r.peak = max(r.peak, s.qlen)
			}
		}
		for _, dm := range ld.drops {
			if inWindow(opts, dm.t) {
				r.drops++
			}
		}
		for _, mk := range ld.marks {
			if inWindow(opts, mk.t) {
				r.drops++ // a mark is a congestion signal too
			}
		}
		if len(ld.samples) > 0 || r.drops > 0 {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("no queue records: %w", ErrNoData)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].drops != cands[j].drops {
			return cands[i].drops > cands[j].drops
		}
		return cands[i].peak > cands[j].peak
	})
	hidden := 0
	var hiddenPeak int64
	if len(cands) > maxQueueSeries {
		for _, c := range cands[maxQueueSeries:] {
			hidden++
			hiddenPeak = max(hiddenPeak, c.peak)
		}
		cands = cands[:maxQueueSeries]
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].order < cands[j].order })
	shown := make([]*linkDirection, len(cands))
	for i, c := range cands {
		shown[i] = c.ld
	}
	lo, hi := opts.From, opts.To
	if lo == 0 {
		lo = m.first
	}
	if hi == 0 {
		hi = m.last
	}
	if hi <= lo {
		hi = lo + 1
	}
	u := unitFor(hi.Sub(lo))
	x := func(t sim.Time) float64 { return float64(t) / u.ns }
	p := newPlot("Queue occupancy", fmt.Sprintf("time (%s)", u.name), "queue length (packets)")
	nb := bins{lo: lo, hi: hi, n: int(2 * defaultWidth / vg.Points(1))}
	var anyDrop, anyMark bool
	dropStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
	markStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
	for i, ld := range shown {
		var pts []seqPoint
		for _, s := range ld.samples {
			if inWindow(opts, s.t) {
				pts = append(pts, seqPoint{t: s.t, v: s.qlen})
			}
		}
		pts = decimateLine(pts, nb)
		xys := make(plotter.XYs, 0, len(pts)+1)
		for _, pt := range pts {
			xys = append(xys, plotter.XY{X: x(pt.t), Y: float64(pt.v)})
		}
		if len(xys) > 0 {
			// Hold the last level to the end of the figure.
			xys = append(xys, plotter.XY{X: x(hi), Y: xys[len(xys)-1].Y})
			l := &plotter.Line{XYs: xys, LineStyle: seriesLine(i), StepStyle: plotter.PostStep}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s (%s→%s)", ld.name, ld.from, ld.to), l)
		}
		var drops []seqPoint
		for _, dm := range ld.drops {
			if inWindow(opts, dm.t) {
				drops = append(drops, seqPoint{t: dm.t, v: dm.qlen})
			}
		}
		drops = decimateMarks(drops, nb)
		if len(drops) > 0 {
			anyDrop = true
			dx := make(plotter.XYs, len(drops))
			for j, dm := range drops {
				dx[j] = plotter.XY{X: x(dm.t), Y: float64(dm.v)}
			}
			gs := dropStyle
			gs.Color = seriesColors[i%len(seriesColors)]
			p.Add(&plotter.Scatter{XYs: dx, GlyphStyle: gs})
		}
		var marks []seqPoint
		for _, mk := range ld.marks {
			if inWindow(opts, mk.t) {
				marks = append(marks, seqPoint{t: mk.t, v: mk.qlen})
			}
		}
		marks = decimateMarks(marks, nb)
		if len(marks) > 0 {
			anyMark = true
			mx := make(plotter.XYs, len(marks))
			for j, mk := range marks {
				mx[j] = plotter.XY{X: x(mk.t), Y: float64(mk.v)}
			}
			gs := markStyle
			gs.Color = seriesColors[i%len(seriesColors)]
			p.Add(&plotter.Scatter{XYs: mx, GlyphStyle: gs})
		}
	}
	if hidden > 0 {
		p.Legend.Add(fmt.Sprintf("(%d quieter link directions not drawn, peak %d)", hidden, hiddenPeak))
	}
	if anyDrop {
		p.Legend.Add("drop", glyphThumb(dropStyle))
	}
	if anyMark {
		p.Legend.Add("ECN mark (CE)", glyphThumb(markStyle))
	}
	p.X.Min, p.X.Max = x(lo), x(hi)
	p.Y.Min = 0
	var peak int64
	for _, c := range cands {
		peak = max(peak, c.peak)
	}
	p.Y.Max = float64(max(peak, 1)) * legendHeadroom(len(shown)+2)
	p.Add(legendBackdrop{})
	return &figure{w: defaultWidth, h: defaultHeight, draw: p.Draw}, nil
}
