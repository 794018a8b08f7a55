package plots

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// queueFigure draws the queue length of every link direction that ever
// held a packet or dropped one, with each drop marked by a cross at the
// queue length it met. The connection filter does not apply: queues are
// shared.
func queueFigure(m *model, opts Options) (*figure, error) {
	var shown []*linkDirection
	for _, ld := range m.links {
		busy := len(ld.drops) > 0
		for _, s := range ld.samples {
			if s.qlen > 0 && inWindow(opts, s.t) {
				busy = true
				break
			}
		}
		if busy {
			shown = append(shown, ld)
		}
	}
	if len(shown) == 0 {
		// Nothing ever queued: show every direction, flat at zero.
		for _, ld := range m.links {
			if len(ld.samples) > 0 {
				shown = append(shown, ld)
			}
		}
	}
	if len(shown) == 0 {
		return nil, fmt.Errorf("no queue records: %w", ErrNoData)
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
	var anyDrop bool
	dropStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
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
			if i < maxLegendFlows {
				p.Legend.Add(fmt.Sprintf("%s %s→%s", ld.name, ld.from, ld.to), l)
			}
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
	}
	if len(shown) > maxLegendFlows {
		p.Legend.Add(fmt.Sprintf("… %d more link directions", len(shown)-maxLegendFlows))
	}
	if anyDrop {
		p.Legend.Add("drop", glyphThumb(dropStyle))
	}
	p.X.Min, p.X.Max = x(lo), x(hi)
	p.Y.Min = 0
	return &figure{w: defaultWidth, h: defaultHeight, draw: p.Draw}, nil
}
