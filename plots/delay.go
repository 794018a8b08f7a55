package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"time"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/internal/loghist"
	"github.com/netsimlab/netsim/sim"
)

// The delay figures follow flows as flows.csv counts them (ns-3's
// FlowMonitor): a flow is a TCP or UDP 5-tuple in one direction, numbered
// from 1 in the order of its first pkt.send, and a packet's one-way delay
// runs from its pkt.send at the sending host to its pkt.deliver at the
// receiving one. The flow numbers in the legends are those of flows.csv.

// maxDelaySeries is the most flows one delay figure draws.
const maxDelaySeries = 6

// flowTuple is a TCP or UDP 5-tuple in one direction.
type flowTuple struct {
	src, dst     string
	sport, dport int64
	proto        int64
}

// delayFlow is one flow's delays, jitter and losses in the collected
// window.
type delayFlow struct {
	num      int // as in flows.csv, from 1
	tuple    flowTuple
	conn     int    // TCP connection id, 0 for UDP
	from, to string // sending and receiving host
	payload  bool   // some packet carried payload
	arrived  int64  // packets delivered in the window
	// delay is each packet's one-way delay at its arrival; jitter the
	// RFC 3550 §6.4.1 interarrival jitter after each arrival; lost each
	// dropped packet at its drop, at the delay the flow's last arrival had.
	delay, jitter, lost *pointStream
	hist                loghist.Hist
	j                   float64
	prevD, lastD        int64
	haveD               bool
}

// protoUDP is the IP protocol number of UDP.
const protoUDP = 17

// flowOf returns the number (from 1) of the flow p belongs to, creating
// it at its first packet; 0 for a packet of neither TCP nor UDP.
func (m *model) flowOf(e *sim.PacketSend, host string) int {
	if e.Proto != protoTCP && e.Proto != protoUDP {
		return 0
	}
	k := flowTuple{src: addrText(e.Src), dst: addrText(e.Dst), sport: int64(e.SPort), dport: int64(e.DPort), proto: int64(e.Proto)}
	if i, ok := m.delayIdx[k]; ok {
		m.delays[i].payload = m.delays[i].payload || e.PLen > 0
		return i + 1
	}
	o := m.origin()
	f := &delayFlow{num: len(m.delays) + 1, tuple: k, from: host,
		delay: newPointStream(o, false, m.res), jitter: newPointStream(o, false, m.res), lost: newPointStream(o, true, m.res)}
	if e.Proto == protoTCP {
		f.conn = int(e.Conn)
	}
	f.payload = e.PLen > 0
	m.delayIdx[k] = len(m.delays)
	m.delays = append(m.delays, f)
	return f.num
}

// delayDone hands a packet of a flow that arrived or was dropped to the
// delay figures.
func (m *model) delayDone(p *packet) {
	f := m.delays[p.flow-1]
	if !m.connInScope(f.conn) {
		return // a UDP flow, or another connection's
	}
	if p.dropped {
		if m.inScope(p.dropT) && f.haveD {
			f.lost.add(p.dropT, f.lastD)
		}
		return
	}
	if !m.inScope(p.deliverT) {
		return
	}
	if f.to == "" {
		f.to = p.deliverHost
	}
	d := int64(p.deliverT - p.sent)
	f.arrived++
	f.delay.add(p.deliverT, d)
	f.hist.Add(d)
	// RFC 3550 §6.4.1: J += (|D(i-1,i)| - J)/16, D the difference of two
	// consecutive arrivals' transit times (flows.csv's jitter_ns is the
	// last value).
	if f.haveD {
		f.j += (math.Abs(float64(d-f.prevD)) - f.j) / 16
		f.jitter.add(p.deliverT, int64(math.Round(f.j)))
	}
	f.prevD, f.lastD, f.haveD = d, d, true
}

// label names a flow in a legend: its number in flows.csv, the protocol,
// the hosts and the destination port.
func (f *delayFlow) label(m *model) string {
	proto := "udp"
	if f.tuple.proto == protoTCP {
		proto = fmt.Sprintf("tcp conn %d", f.conn)
	}
	from, to := f.from, f.to
	if to == "" {
		to = m.hostOf[f.tuple.dst]
	}
	if to == "" {
		to = f.tuple.dst
	}
	return fmt.Sprintf("flow %d %s, %s → %s:%d", f.num, proto, from, to, f.tuple.dport)
}

// shownFlows chooses the flows a delay figure draws: those with a packet
// delivered in the window, of the connection asked for; of them the ones
// that carried payload (a bulk transfer's ACK flow says little), UDP
// before TCP (the datagram flows these figures are for), then the most
// packets; at most maxDelaySeries, in flow order. It returns how many were
// left out.
func shownFlows(m *model, opts Options) ([]*delayFlow, int, error) {
	var all, data []*delayFlow
	for _, f := range m.delays {
		if f.arrived == 0 || opts.Conn != 0 && f.conn != opts.Conn {
			continue
		}
		if opts.From != 0 || opts.To != 0 {
			if len(clipPoints(f.delay.points(), opts)) == 0 {
				continue
			}
		}
		all = append(all, f)
		if f.payload {
			data = append(data, f)
		}
	}
	if len(all) == 0 {
		return nil, 0, fmt.Errorf("no TCP or UDP packet arrived in the time window: %w", ErrNoData)
	}
	if len(data) > 0 {
		all = data
	}
	sort.SliceStable(all, func(i, j int) bool {
		ui, uj := all[i].tuple.proto == protoUDP, all[j].tuple.proto == protoUDP
		if ui != uj {
			return ui
		}
		return all[i].arrived > all[j].arrived
	})
	hidden := 0
	if len(all) > maxDelaySeries {
		hidden = len(all) - maxDelaySeries
		all = all[:maxDelaySeries]
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].num < all[j].num })
	return all, hidden, nil
}

// delayFigure draws each shown flow's one-way delay against the time its
// packets arrived, its losses as crosses (at the delay of the flow's last
// arrival), and below, the RFC 3550 interarrival jitter after each
// arrival: what an RTP receiver reports and a VoIP jitter buffer absorbs.
func delayFigure(m *model, opts Options) (*figure, error) {
	shown, hidden, err := shownFlows(m, opts)
	if err != nil {
		return nil, err
	}
	lo, hi := figureSpan(m, opts)
	w := figureWidth(opts)
	tu := unitFor(hi.Sub(lo))
	x := func(t sim.Time) float64 { return float64(t) / tu.ns }
	xlabel := fmt.Sprintf("time (%s)", tu.name)
	nb := bins{lo: lo, hi: hi, n: int(2 * w / vg.Points(1))}
	var top, jTop int64
	for _, f := range shown {
		for _, pt := range clipPoints(f.delay.points(), opts) {
			top = max(top, pt.v)
		}
		for _, pt := range clipPoints(f.jitter.points(), opts) {
			jTop = max(jTop, pt.v)
		}
	}
	du := unitFor(time.Duration(top))
	p := newPlot("One-way delay per flow", xlabel, fmt.Sprintf("one-way delay (%s)", du.name))
	lostStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
	var lostIn []int // the series with crosses
	for i, f := range shown {
		pts := decimateLine(clipPoints(f.delay.points(), opts), nb)
		l := &plotter.Line{XYs: xys(pts, x, du.ns), LineStyle: seriesLine(i)}
		p.Add(l)
		p.Legend.Add(f.label(m), l)
		if addLost(p, decimateMarks(clipPoints(f.lost.points(), opts), nb), i, lostStyle, x, du.ns) {
			lostIn = append(lostIn, i)
		}
	}
	if hidden > 0 {
		p.Legend.Add(fmt.Sprintf("(%d more flows not drawn)", hidden))
	}
	if len(lostIn) > 0 {
		p.Legend.Add("lost", lostThumb(lostStyle, lostIn))
	}
	p.X.Min, p.X.Max = x(lo), x(hi)
	fitLegendY(p, float64(max(top, 1))/du.ns, len(shown)+2)
	if jTop == 0 {
		// No two arrivals of any flow: no jitter to draw.
		return onePanel(w, p), nil
	}
	ju := unitFor(time.Duration(jTop))
	jp := newPlot("Interarrival jitter (RFC 3550)", xlabel, fmt.Sprintf("jitter (%s)", ju.name))
	for i, f := range shown {
		pts := decimateLine(clipPoints(f.jitter.points(), opts), nb)
		if len(pts) == 0 {
			continue
		}
		l := &plotter.Line{XYs: xys(pts, x, ju.ns), LineStyle: seriesLine(i)}
		jp.Add(l)
		jp.Legend.Add(fmt.Sprintf("flow %d", f.num), l)
	}
	jp.X.Min, jp.X.Max = x(lo), x(hi)
	fitLegendY(jp, float64(jTop)/ju.ns, len(shown))
	return twoPanels(w, p, jp), nil
}

// delayCDFFigure draws the distribution of each shown flow's one-way
// delay: the fraction of its packets that arrived within a delay, from
// the logarithmic histogram of internal/loghist (each step at most 0.8 % of
// its delay wide). The legend gives each flow's median and 99th
// percentile to that precision (≈); flows.csv has them exactly. A time window
// counts the packets that arrived in it.
func delayCDFFigure(m *model, opts Options) (*figure, error) {
	shown, hidden, err := shownFlows(m, opts)
	if err != nil {
		return nil, err
	}
	hists := make([]*loghist.Hist, len(shown))
	var top int64
	for i, f := range shown {
		hists[i] = &f.hist
		if opts.From != 0 || opts.To != 0 {
			// The window is narrower than what was collected: count again
			// from the arrivals the stream kept (exact unless it was
			// reduced, then its extremes per time bin).
			hists[i] = &loghist.Hist{}
			for _, pt := range clipPoints(f.delay.points(), opts) {
				hists[i].Add(pt.v)
			}
		}
		vals, _ := hists[i].CDF()
		if len(vals) > 0 {
			top = max(top, vals[len(vals)-1])
		}
	}
	du := unitFor(time.Duration(top))
	p := newPlot("One-way delay distribution (CDF)", fmt.Sprintf("one-way delay (%s)", du.name), "fraction of packets")
	for i, f := range shown {
		vals, fracs := hists[i].CDF()
		if len(vals) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(vals))
		for k := range vals {
			xy[k] = plotter.XY{X: float64(vals[k]) / du.ns, Y: fracs[k]}
		}
		l := &plotter.Line{XYs: xy, LineStyle: seriesLine(i), StepStyle: plotter.PreStep}
		p.Add(l)
		med, _ := hists[i].Quantile(0.5)
		p99, _ := hists[i].Quantile(0.99)
		p.Legend.Add(fmt.Sprintf("%s: p50 ≈ %s, p99 ≈ %s", f.label(m), formatDelay(med), formatDelay(p99)), l)
	}
	if hidden > 0 {
		p.Legend.Add(fmt.Sprintf("(%d more flows not drawn)", hidden))
	}
	p.X.Min = 0
	p.X.Max = float64(max(top, 1)) / du.ns * 1.02
	// Head room above 1 for the legend, top left where a CDF has none;
	// no tick above 1.
	p.Y.Min, p.Y.Max = 0, legendHeadroom(len(shown)+1)
	p.Y.Tick.Marker = fractionTicks{}
	p.Add(legendBackdrop{})
	w := figureWidth(opts)
	return onePanel(w, p), nil
}

// formatDelay writes a delay with three significant digits in a unit that
// suits it: 812 µs, 24.3 ms.
func formatDelay(ns int64) string {
	u := timeUnit{1, "ns"}
	switch {
	case ns >= 1e9:
		u = timeUnit{1e9, "s"}
	case ns >= 1e6:
		u = timeUnit{1e6, "ms"}
	case ns >= 1e3:
		u = timeUnit{1e3, "µs"}
	}
	v := float64(ns) / u.ns
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, u.name)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, u.name)
	}
	return fmt.Sprintf("%.2f %s", v, u.name)
}

// fractionTicks are niceTicks up to 1: a fraction axis stretched to make
// room for the legend labels no fraction above 1.
type fractionTicks struct{}

// Ticks implements plot.Ticker.
func (fractionTicks) Ticks(lo, hi float64) []plot.Tick {
	return niceTicks{}.Ticks(lo, min(hi, 1))
}

// lostThumb is the legend's entry for the crosses addLost draws: in the
// colour of the crosses when one series has any (series lists those that
// do), else, the crosses being of several colours, in the foreground's.
func lostThumb(style draw.GlyphStyle, series []int) plot.Thumbnailer {
	style.Color = color.Black
	if len(series) == 1 {
		style.Color = seriesColors[series[0]%len(seriesColors)]
	}
	return glyphThumb(style)
}

// addLost draws the lost packets of series i as marks in the series'
// colour and reports whether there were any.
func addLost(p *plot.Plot, lost []seqPoint, i int, style draw.GlyphStyle, x func(sim.Time) float64, div float64) bool {
	if len(lost) == 0 {
		return false
	}
	style.Color = seriesColors[i%len(seriesColors)]
	p.Add(&plotter.Scatter{XYs: xys(lost, x, div), GlyphStyle: style})
	return true
}
