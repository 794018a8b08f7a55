package plots

import (
	"fmt"
	"image/color"
	"slices"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// infiniteSsthresh: a ssthresh at or above this is "no threshold yet"
// (stacks start it at the largest window), and is left off the plot rather
// than squashing the cwnd line against the axis.
const infiniteSsthresh = 1 << 30

// endKey names one end of a connection.
type endKey struct {
	conn int
	host string
	side string
}

func (k endKey) String() string { return fmt.Sprintf("conn %d %s (%s)", k.conn, k.side, k.host) }

// endSeries is what one end of a connection recorded of its congestion
// window and round-trip time, in the collected window.
type endSeries struct {
	key            endKey
	cwnd, ssthresh *pointStream
	cwndN          int   // cwnd records
	top            int64 // the largest cwnd or finite ssthresh
	sample, srtt   *pointStream
	rttN           int
	rttTop         int64
	// congestion events, at the window they left: fast recovery entered
	// (a loss inferred from duplicate ACKs or SACK), a retransmission
	// timeout, an ECN echo.
	recovery, rto, ecn *pointStream
	// lastCwnd is the window of the latest cwnd record; rtoFired and
	// rtoMarked are the times of the latest RTO expiry (a tcp.timer
	// "rto") and of the latest timeout marked, with whether there was
	// one: a timeout that leaves the window where it was (one segment,
	// in a series of backed-off RTOs) has no cwnd record, and is marked
	// by its retransmission.
	lastCwnd                  int64
	rtoFired, rtoMarked       sim.Time
	hasRTOFired, hasRTOMarked bool
	// modes are BBR's changes of mode (tcp.bbr records), in time order,
	// the whole run's: a window that starts in mid-mode needs the mode
	// it started in. BBR changes mode a few times per 10 s.
	modes []modeChange
}

// modeChange is BBR entering a mode at a time.
type modeChange struct {
	t    sim.Time
	mode string
}

// addMode notes a tcp.bbr record's mode, kept when it differs from the
// mode before.
func (es *endSeries) addMode(t sim.Time, mode string) {
	if n := len(es.modes); n > 0 && es.modes[n-1].mode == mode {
		return
	}
	es.modes = append(es.modes, modeChange{t: t, mode: mode})
}

// bbrModes are BBR's modes as tcp.bbr records name them, in the order
// the legend lists them, with the pale colour of their bands.
var bbrModes = []struct {
	mode, name string
	fill       color.NRGBA
}{
	{"startup", "BBR startup", color.NRGBA{R: 0xff, G: 0xd8, B: 0xa8, A: 0x90}},
	{"drain", "BBR drain", color.NRGBA{R: 0xd8, G: 0xc8, B: 0xf0, A: 0x90}},
	{"probe_bw", "BBR probe_bw", color.NRGBA{R: 0xd0, G: 0xec, B: 0xd0, A: 0x70}},
	{"probe_rtt", "BBR probe_rtt", color.NRGBA{R: 0xf4, G: 0xb8, B: 0xb8, A: 0xb0}},
}

// modeBands shades the time each BBR mode lasted behind the cwnd line,
// from the bottom of the panel to its top.
type modeBands struct {
	spans []modeSpan
}

// modeSpan is one band: [from, to) in plot coordinates, in the colour of
// its mode.
type modeSpan struct {
	from, to float64
	fill     color.NRGBA
}

// Plot implements plot.Plotter.
func (b modeBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, sp := range b.spans {
		x0, x1 := max(trX(sp.from), c.Min.X), min(trX(sp.to), c.Max.X)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(sp.fill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// bandThumb is a mode's legend entry: a swatch of its colour.
type bandThumb struct{ fill color.NRGBA }

// Thumbnail implements plot.Thumbnailer.
func (t bandThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(t.fill, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// bbrBands returns the bands of the modes an end went through between lo
// and hi, and the modes seen, in bbrModes order.
func bbrBands(es *endSeries, lo, hi sim.Time, x func(sim.Time) float64) (modeBands, []int) {
	var b modeBands
	seen := make([]bool, len(bbrModes))
	for i, mc := range es.modes {
		end := hi
		if i+1 < len(es.modes) {
			end = min(es.modes[i+1].t, hi)
		}
		from := max(mc.t, lo)
		if end <= from {
			continue
		}
		for j, m := range bbrModes {
			if m.mode == mc.mode {
				b.spans = append(b.spans, modeSpan{from: x(from), to: x(end), fill: m.fill})
				seen[j] = true
			}
		}
	}
	var used []int
	for j, ok := range seen {
		if ok {
			used = append(used, j)
		}
	}
	return b, used
}

// cwndEvents are the tcp.cwnd reasons marked on the cwnd panel, with their
// legend names and glyphs.
var cwndEvents = []struct {
	reason, name string
	glyph        draw.GlyphDrawer
}{
	{"recovery", "loss (fast recovery)", draw.CrossGlyph{}},
	{"rto", "retransmission timeout", draw.BoxGlyph{}},
	{"ecn", "ECN echo", draw.RingGlyph{}},
}

// eventStream returns the stream of congestion events of reason, nil for
// any other reason.
func (es *endSeries) eventStream(reason string) *pointStream {
	switch reason {
	case "recovery":
		return es.recovery
	case "rto":
		return es.rto
	case "ecn":
		return es.ecn
	}
	return nil
}

func (m *model) end(k endKey) *endSeries {
	if i, ok := m.endIdx[k]; ok {
		return m.ends[i]
	}
	m.endIdx[k] = len(m.ends)
	o := m.origin()
	es := &endSeries{key: k, cwnd: newPointStream(o, false, m.res), ssthresh: newPointStream(o, false, m.res),
		sample: newPointStream(o, false, m.res), srtt: newPointStream(o, false, m.res),
		recovery: newPointStream(o, true, m.res), rto: newPointStream(o, true, m.res), ecn: newPointStream(o, true, m.res)}
	m.ends = append(m.ends, es)
	return es
}

func (es *endSeries) addCwnd(t sim.Time, cwnd, ssthresh int64, reason string) {
	es.cwndN++
	es.cwnd.add(t, cwnd)
	es.lastCwnd = cwnd
	if ev := es.eventStream(reason); ev != nil {
		ev.add(t, cwnd)
	}
	if reason == "rto" {
		es.rtoMarked, es.hasRTOMarked = t, true
	}
	es.top = max(es.top, cwnd)
	if ssthresh > 0 && ssthresh < infiniteSsthresh {
		es.ssthresh.add(t, ssthresh)
		es.top = max(es.top, ssthresh)
	}
}

// rtoTimer notes an RTO expiry (a tcp.timer "rto" record) at t.
func (es *endSeries) rtoTimer(t sim.Time) { es.rtoFired, es.hasRTOFired = t, true }

// rtoRetransmit marks the timeout of a retransmission of reason "rto" at
// t that an expiry at t sent, unless its tcp.cwnd record marked it: an
// RTO that found the window at one segment already (the second and later
// of a backed-off series; tcp.cwnd records only changes) is a timeout
// all the same. The go-back-N resends that follow it later are not.
func (es *endSeries) rtoRetransmit(t sim.Time) {
	if !es.hasRTOFired || es.rtoFired != t || es.hasRTOMarked && es.rtoMarked == t || es.cwndN == 0 {
		return
	}
	es.rto.add(t, es.lastCwnd)
	es.rtoMarked, es.hasRTOMarked = t, true
}

func (es *endSeries) addRTT(t sim.Time, sample, srtt int64) {
	es.rttN++
	es.sample.add(t, sample)
	es.srtt.add(t, srtt)
	es.rttTop = max(es.rttTop, sample, srtt)
}

// clipPoints keeps the points in the options' time window.
func clipPoints(ps []seqPoint, opts Options) []seqPoint {
	if opts.From == 0 && opts.To == 0 {
		return ps
	}
	var out []seqPoint
	for _, p := range ps {
		if inWindow(opts, p.t) {
			out = append(out, p)
		}
	}
	return out
}

// cwndFigure draws cwnd and ssthresh over time (upper panel) and RTT
// samples with SRTT (lower panel); withCwnd false draws the RTT panel
// alone, and so does a connection that recorded no cwnd (a handshake-only
// run). Conn 0 draws the lowest connection id.
func cwndFigure(m *model, opts Options, withCwnd bool) (*figure, error) {
	conn := opts.Conn
	if conn == 0 {
		if len(m.conns) == 0 {
			return nil, fmt.Errorf("no TCP connection in the trace: %w", ErrNoData)
		}
		conn = m.conns[0]
	}
	var cw, rt []*endSeries
	for _, es := range m.ends {
		if es.key.conn != conn {
			continue
		}
		if len(clipPoints(es.cwnd.points(), opts)) > 0 {
			cw = append(cw, es)
		}
		if len(clipPoints(es.sample.points(), opts)) > 0 {
			rt = append(rt, es)
		}
	}
	// A window that never moved from its initial value (a handshake-only
	// run: one "init" record per end) has nothing to show above the RTT
	// panel but flat lines, or nothing at all where a single record is a
	// point: the panel is left out.
	if len(rt) > 0 && !slices.ContainsFunc(cw, func(es *endSeries) bool { return es.cwndN > 1 }) {
		cw = nil
	}
	if withCwnd && len(cw) == 0 && len(rt) == 0 || !withCwnd && len(rt) == 0 {
		return nil, fmt.Errorf("conn %d has no cwnd or RTT records in the time window: %w", conn, ErrNoData)
	}
	lo, hi := figureSpan(m, opts)
	u := unitFor(hi.Sub(lo))
	xlabel := fmt.Sprintf("time (%s)", u.name)
	x := func(t sim.Time) float64 { return float64(t) / u.ns }
	w := figureWidth(opts)
	// Long runs are decimated per pixel column, as the time-sequence graph.
	nb := bins{lo: lo, hi: hi, n: int(2 * w / vg.Points(1))}
	if withCwnd && len(cw) > 0 && len(rt) == 0 {
		cp := cwndPlot(conn, cw, opts, x, xlabel, nb, lo, hi)
		cp.X.Min, cp.X.Max = x(lo), x(hi)
		return onePanel(w, cp), nil
	}
	rp := rttPlot(conn, rt, opts, x, xlabel, nb)
	rp.X.Min, rp.X.Max = x(lo), x(hi)
	if !withCwnd || len(cw) == 0 {
		// Nothing to show above the RTT: one panel, not an empty one.
		return onePanel(w, rp), nil
	}
	cp := cwndPlot(conn, cw, opts, x, xlabel, nb, lo, hi)
	cp.X.Min, cp.X.Max = x(lo), x(hi)
	return twoPanels(w, cp, rp), nil
}

// cwndPlot draws the cwnd panel of the ends in cw between lo and hi. A
// BBR sender's modes shade the time behind its window (the first sender
// with tcp.bbr records: two BBR senders on one connection would overlap).
func cwndPlot(conn int, cw []*endSeries, opts Options, x func(sim.Time) float64, xlabel string, nb bins, lo, hi sim.Time) *plot.Plot {
	var top int64
	for _, es := range cw {
		top = max(top, es.top)
	}
	div, unit := seqScale(top)
	p := newPlot(fmt.Sprintf("Congestion window, connection %d", conn), xlabel, fmt.Sprintf("window (%s)", unit))
	// An end that only ever recorded its initial window (a receiver) is
	// left out when another end has a story to tell.
	var active []*endSeries
	for _, es := range cw {
		if es.cwndN > 1 {
			active = append(active, es)
		}
	}
	if len(active) > 0 {
		cw = active
	}
	entries := 0
	for _, es := range cw {
		if len(es.modes) == 0 {
			continue
		}
		bands, used := bbrBands(es, lo, hi, x)
		p.Add(bands)
		for _, j := range used {
			p.Legend.Add(fmt.Sprintf("%s, %s", bbrModes[j].name, es.key.side), bandThumb{fill: bbrModes[j].fill})
			entries++
		}
		break
	}
	for i, es := range cw {
		cp, sp := clipPoints(es.cwnd.points(), opts), clipPoints(es.ssthresh.points(), opts)
		c, ss := xys(decimateLine(cp, nb), x, div), xys(decimateLine(sp, nb), x, div)
		ls := seriesLine(2 * i)
		ls.Dashes = nil
		l := &plotter.Line{XYs: c, LineStyle: ls, StepStyle: plotter.PostStep}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("cwnd, %s", es.key.side), l)
		entries++
		if len(ss) > 0 {
			sls := seriesLine(2*i + 1)
			sls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			sl := &plotter.Line{XYs: ss, LineStyle: sls, StepStyle: plotter.PostStep}
			p.Add(sl)
			p.Legend.Add(fmt.Sprintf("ssthresh, %s", es.key.side), sl)
			entries++
		}
		for j, ev := range cwndEvents {
			pts := decimateMarks(clipPoints(es.eventStream(ev.reason).points(), opts), nb)
			if len(pts) == 0 {
				continue
			}
			gs := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3.5), Shape: ev.glyph}
			if i > 0 {
				gs.Color = seriesColors[(2*i+j)%len(seriesColors)]
			}
			sc := &plotter.Scatter{XYs: xys(pts, x, div), GlyphStyle: gs}
			p.Add(sc)
			p.Legend.Add(fmt.Sprintf("%s, %s", ev.name, es.key.side), sc)
			entries++
		}
	}
	fitLegendY(p, float64(max(top, 1))/div, entries)
	return p
}

// sparseSeries is the number of points below which a line also gets a
// marker on each point, so that a line between two samples does not
// read as a measured trend.
const sparseSeries = 30

func rttPlot(conn int, rt []*endSeries, opts Options, x func(sim.Time) float64, xlabel string, nb bins) *plot.Plot {
	var top int64
	for _, es := range rt {
		top = max(top, es.rttTop)
	}
	u := unitFor(sim.Time(top).Duration())
	p := newPlot(fmt.Sprintf("Round-trip time, connection %d", conn), xlabel, fmt.Sprintf("RTT (%s)", u.name))
	for i, es := range rt {
		sp, rp := clipPoints(es.sample.points(), opts), clipPoints(es.srtt.points(), opts)
		// Samples keep each bin's extremes (M4), so outliers stay visible.
		smp, srtt := xys(decimateLine(sp, nb), x, u.ns), xys(decimateLine(rp, nb), x, u.ns)
		sc := &plotter.Scatter{XYs: smp, GlyphStyle: seriesGlyph(2*i + 1)}
		sc.GlyphStyle.Radius = vg.Points(2)
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("RTT sample, %s", es.key.side), sc)
		addLine(p, fmt.Sprintf("SRTT, %s", es.key.side), srtt, seriesLine(2*i), 2*i)
	}
	fitLegendY(p, float64(max(top, 1))/u.ns, 2*len(rt))
	return p
}

// addLine adds a line through xy with its legend entry; a sparse line
// (fewer than sparseSeries points) also gets glyph i on each point, in
// the figure and in the legend.
func addLine(p *plot.Plot, name string, xy plotter.XYs, ls draw.LineStyle, i int) {
	l := &plotter.Line{XYs: xy, LineStyle: ls}
	p.Add(l)
	if m := sparseMarks(xy, i); m != nil {
		p.Add(m)
		p.Legend.Add(name, l, &plotter.Scatter{GlyphStyle: m.GlyphStyle})
		return
	}
	p.Legend.Add(name, l)
}

// sparseMarks returns glyph i on each point of a sparse line, nil for a
// line of sparseSeries points or more.
func sparseMarks(xy plotter.XYs, i int) *plotter.Scatter {
	if len(xy) >= sparseSeries {
		return nil
	}
	gs := seriesGlyph(i)
	gs.Radius = vg.Points(2)
	return &plotter.Scatter{XYs: xy, GlyphStyle: gs}
}

// xys converts points to plot coordinates: x for time, v / div for values.
func xys(pts []seqPoint, x func(sim.Time) float64, div float64) plotter.XYs {
	out := make(plotter.XYs, len(pts))
	for i, p := range pts {
		out[i] = plotter.XY{X: x(p.t), Y: float64(p.v) / div}
	}
	return out
}
