package plots

import (
	"fmt"
	"time"

	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// The finest throughput binning accepted.
const (
	maxThroughputBins  = 100_000
	maxThroughputCells = 5_000_000
)

// maxLegendFlows: beyond this many flows the legend names the first ones
// and says how many more there are.
const maxLegendFlows = 8

// flowKey is one direction of one connection (or, for datagrams outside
// TCP, one pair of hosts).
type flowKey struct {
	conn     int
	from, to string
}

// flowRate is one flow's delivered payload, counted per time bin.
type flowRate struct {
	key   flowKey
	bytes *rateBins
}

// deliver counts the payload of a packet that reached its host.
func (m *model) deliver(p *packet) {
	k := flowKey{conn: p.conn, from: p.host, to: p.deliverHost}
	bytes := p.plen // TCP payload, UDP payload, the ICMP message
	if !p.tcp {
		k.conn = 0
		if p.proto != 17 && p.proto != 1 {
			bytes = p.size // a protocol netsim does not parse
		}
	}
	i, ok := m.flowIdx[k]
	if !ok {
		i = len(m.flows)
		m.flowIdx[k] = i
		// A window the caller chose is counted as is, up to the finest
		// binning accepted; the default window is chosen at the end, from
		// counters at least 50 times finer.
		rb := newRateBins(m.origin(), 1, m.res)
		if w := m.scope.Window; w > 0 {
			rb = newRateBins(m.origin(), sim.Time(w), maxThroughputBins)
		}
		m.flows = append(m.flows, &flowRate{key: k, bytes: rb})
	}
	m.flows[i].bytes.add(p.deliverT, bytes)
}

// throughputFigure draws delivered payload per flow and the sum, averaged
// over opts.Window: each point is the payload delivered to the receiving
// host during one window, over the window.
func throughputFigure(m *model, opts Options) (*figure, error) {
	var flows []*flowRate
	for _, f := range m.flows {
		if opts.Conn == 0 || f.key.conn == opts.Conn {
			flows = append(flows, f)
		}
	}
	if len(flows) == 0 {
		return nil, fmt.Errorf("no payload delivered in the time window: %w", ErrNoData)
	}
	lo, hi := figureSpan(m, opts)
	// The counters are as fine as the window the collector was given, or
	// as the span over streamBins.
	var finest sim.Time
	for _, f := range flows {
		finest = max(finest, f.bytes.width)
	}
	win := opts.Window
	if win <= 0 {
		win = max(niceDuration(hi.Sub(lo)/50), niceDuration(finest.Duration()))
	}
	nbins := int((hi.Sub(lo) + win - 1) / win)
	if sim.Time(win) < finest && nbins <= maxThroughputBins {
		return nil, fmt.Errorf("window %v is finer than the %v the records were counted in (at most %d bins): collect with this window, or choose a longer one", win, finest.Duration(), maxThroughputBins)
	}
	// Each flow keeps a counter per window: bound the memory and the
	// points drawn.
	if nbins > maxThroughputBins || nbins*len(flows) > maxThroughputCells {
		return nil, fmt.Errorf("window %v splits %v into %d bins for %d flows (at most %d bins, %d in all): choose a longer window", win, hi.Sub(lo), nbins, len(flows), maxThroughputBins, maxThroughputCells)
	}
	nbins = max(nbins, 1)
	per := make([][]int64, len(flows))
	sum := make([]int64, nbins)
	for i, f := range flows {
		per[i] = f.bytes.rebin(lo, sim.Time(win), nbins)
		for b, v := range per[i] {
			sum[b] += v
		}
	}
	var peak int64
	for _, v := range sum {
		peak = max(peak, v)
	}
	rdiv, runit := rateUnit(float64(peak) * 8 / win.Seconds())
	u := unitFor(hi.Sub(lo))
	p := newPlot(fmt.Sprintf("Throughput (delivered payload, %v window)", win), fmt.Sprintf("time (%s)", u.name), fmt.Sprintf("throughput (%s)", runit))
	series := func(bytes []int64) plotter.XYs {
		xys := make(plotter.XYs, 0, nbins+1)
		for b, v := range bytes {
			t := lo.Add(time.Duration(b) * win)
			xys = append(xys, plotter.XY{X: float64(t) / u.ns, Y: float64(v) * 8 / win.Seconds() / rdiv})
		}
		// Close the last step at the end of its window.
		end := lo.Add(time.Duration(nbins) * win)
		xys = append(xys, plotter.XY{X: float64(end) / u.ns, Y: xys[len(xys)-1].Y})
		return xys
	}
	for i, fr := range flows {
		f := fr.key
		l := &plotter.Line{XYs: series(per[i]), LineStyle: seriesLine(i + 1), StepStyle: plotter.PostStep}
		p.Add(l)
		switch {
		case i < maxLegendFlows:
			name := fmt.Sprintf("%s → %s", f.from, f.to)
			if f.conn != 0 {
				name = fmt.Sprintf("conn %d, %s", f.conn, name)
			}
			p.Legend.Add(name, l)
		case i == maxLegendFlows:
			p.Legend.Add(fmt.Sprintf("… %d more flows", len(flows)-maxLegendFlows))
		}
	}
	if len(flows) > 1 {
		l := &plotter.Line{XYs: series(sum), LineStyle: draw.LineStyle{Color: colorBlack, Width: vg.Points(2.2)}, StepStyle: plotter.PostStep}
		p.Add(l)
		p.Legend.Add("sum", l)
	}
	fitLegendY(p, float64(peak)*8/win.Seconds()/rdiv, len(flows)+1)
	return &figure{w: defaultWidth, h: defaultHeight, draw: p.Draw}, nil
}

// rateUnit chooses a unit for a rate in bits per second.
func rateUnit(peak float64) (float64, string) {
	return thousands(peak, 2, "bit/s", "kbit/s", "Mbit/s", "Gbit/s")
}
