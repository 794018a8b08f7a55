package plots

import (
	"fmt"
	"sort"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// maxQueueSeries is the most link directions one queue figure draws.
const maxQueueSeries = 6

// queueFigure draws the queue length of the busiest link directions, with
// each drop marked by a cross at the queue length it met and each ECN CE
// mark by a ring; below it, when packets waited, the sojourn time of each
// packet in those queues (pkt.enqueue to pkt.tx), the delay an AQM such
// as CoDel controls. The connection filter does not apply: queues are
// shared.
func queueFigure(m *model, opts Options) (*figure, error) {
	// The busiest directions (by drops and marks, then peak occupancy) are
	// drawn, in the order they first appear; idle access links would only
	// bury them.
	type ranked struct {
		ld          *linkDirection
		drops, peak int64
		order       int
	}
	var cands []ranked
	windowed := opts.From != 0 || opts.To != 0
	for i, ld := range m.links {
		r := ranked{ld: ld, order: i, drops: ld.signals, peak: ld.peak}
		busy := ld.samples > 0
		if windowed {
			r.drops = int64(len(clipPoints(ld.drops.points(), opts)) + len(clipPoints(ld.marks.points(), opts)))
			r.peak = 0
			qlen := clipPoints(ld.qlen.points(), opts)
			for _, s := range qlen {
				r.peak = max(r.peak, s.v)
			}
			// Only what the window holds is drawn: a direction busy
			// elsewhere in the run would be an empty series (and a window
			// after the run an empty figure, exit 0).
			busy = len(qlen) > 0
		}
		if busy || r.drops > 0 {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		if windowed {
			return nil, fmt.Errorf("no queue records in the time window: %w", ErrNoData)
		}
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
	lo, hi := figureSpan(m, opts)
	w := figureWidth(opts)
	u := unitFor(hi.Sub(lo))
	x := func(t sim.Time) float64 { return float64(t) / u.ns }
	p := newPlot("Queue occupancy", fmt.Sprintf("time (%s)", u.name), "queue length (packets)")
	nb := bins{lo: lo, hi: hi, n: int(2 * w / vg.Points(1))}
	var anyDrop, anyMark bool
	dropStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
	markStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
	scatter := func(pts []seqPoint, gs draw.GlyphStyle, i int) bool {
		pts = decimateMarks(clipPoints(pts, opts), nb)
		if len(pts) == 0 {
			return false
		}
		gs.Color = seriesColors[i%len(seriesColors)]
		p.Add(&plotter.Scatter{XYs: xys(pts, x, 1), GlyphStyle: gs})
		return true
	}
	for i, ld := range shown {
		pts := decimateLine(clipPoints(ld.qlen.points(), opts), nb)
		if len(pts) > 0 {
			xy := xys(pts, x, 1)
			// Hold the last level to the end of the figure.
			xy = append(xy, plotter.XY{X: x(hi), Y: xy[len(xy)-1].Y})
			l := &plotter.Line{XYs: xy, LineStyle: seriesLine(i), StepStyle: plotter.PostStep}
			p.Add(l)
			p.Legend.Add(linkLabel(ld), l)
		}
		anyDrop = scatter(ld.drops.points(), dropStyle, i) || anyDrop
		anyMark = scatter(ld.marks.points(), markStyle, i) || anyMark
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
	sp := sojournPlot(shown, opts, x, fmt.Sprintf("time (%s)", u.name), nb)
	if sp == nil {
		return onePanel(w, p), nil
	}
	sp.X.Min, sp.X.Max = x(lo), x(hi)
	return twoPanels(w, p, sp), nil
}

// linkLabel names a link direction in a legend.
func linkLabel(ld *linkDirection) string {
	return fmt.Sprintf("%s (%s→%s)", ld.name, ld.from, ld.to)
}

// sojournPlot draws the queueing delay of each packet in the shown link
// directions (the time from its pkt.enqueue to its pkt.tx, at the time it
// left), or returns nil when no packet waited at all: a figure of zeros
// says nothing the occupancy panel does not.
func sojournPlot(shown []*linkDirection, opts Options, x func(sim.Time) float64, xlabel string, nb bins) *plot.Plot {
	var top int64
	series := make([][]seqPoint, len(shown))
	for i, ld := range shown {
		series[i] = clipPoints(ld.sojourn.points(), opts)
		for _, s := range series[i] {
			top = max(top, s.v)
		}
	}
	if top == 0 {
		return nil
	}
	u := unitFor(sim.Time(top).Duration())
	p := newPlot("Queueing delay (sojourn time)", xlabel, fmt.Sprintf("sojourn time (%s)", u.name))
	for i, ld := range shown {
		if len(series[i]) == 0 {
			continue
		}
		// A few packets that waited are a few samples, not a trend:
		// each is marked (sparseMarks).
		addLine(p, linkLabel(ld), xys(decimateLine(series[i], nb), x, u.ns), seriesLine(i), i)
	}
	fitLegendY(p, float64(top)/u.ns, len(shown))
	return p
}
