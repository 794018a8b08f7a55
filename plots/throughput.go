package plots

import (
	"fmt"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

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

// throughputFigure draws delivered payload per flow and the sum, averaged
// over opts.Window: each point is the payload delivered to the receiving
// host during one window, over the window.
func throughputFigure(m *model, opts Options) (*figure, error) {
	type delivery struct {
		t     sim.Time
		flow  int
		bytes int64
	}
	var flows []flowKey
	idx := make(map[flowKey]int)
	var dels []delivery
	for _, p := range m.packets {
		if !p.delivered || p.plen == 0 && p.tcp || !inWindow(opts, p.deliverT) {
			continue
		}
		if opts.Conn != 0 && (!p.tcp || p.conn != opts.Conn) {
			continue
		}
		k := flowKey{conn: p.conn, from: p.host, to: p.deliverHost}
		bytes := p.plen
		if !p.tcp {
			k.conn = 0
			bytes = p.size
		}
		i, ok := idx[k]
		if !ok {
			i = len(flows)
			idx[k] = i
			flows = append(flows, k)
		}
		dels = append(dels, delivery{t: p.deliverT, flow: i, bytes: bytes})
	}
	if len(dels) == 0 {
		return nil, fmt.Errorf("no payload delivered in the time window: %w", ErrNoData)
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
	win := opts.Window
	if win <= 0 {
		win = niceDuration(hi.Sub(lo) / 50)
	}
	nbins := int((hi.Sub(lo) + win - 1) / win)
	// Each flow keeps a counter per window: bound the memory and the
	// points drawn.
	if nbins > maxThroughputBins || nbins*len(flows) > maxThroughputCells {
		return nil, fmt.Errorf("window %v splits %v into %d bins for %d flows (at most %d bins, %d in all): choose a longer window", win, hi.Sub(lo), nbins, len(flows), maxThroughputBins, maxThroughputCells)
	}
	nbins = max(nbins, 1)
	per := make([][]int64, len(flows))
	for i := range per {
		per[i] = make([]int64, nbins)
	}
	sum := make([]int64, nbins)
	for _, d := range dels {
		b := min(max(int(d.t.Sub(lo)/win), 0), nbins-1)
		per[d.flow][b] += d.bytes
		sum[b] += d.bytes
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
	for i, f := range flows {
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
	p.Y.Min = 0
	// Head room for the legend above the data.
	p.Y.Max = float64(peak) * 8 / win.Seconds() / rdiv * legendHeadroom(len(flows)+1)
	p.Add(legendBackdrop{})
	return &figure{w: defaultWidth, h: defaultHeight, draw: p.Draw}, nil
}

// rateUnit chooses a unit for a rate in bits per second.
func rateUnit(peak float64) (float64, string) {
	switch {
	case peak >= 2e9:
		return 1e9, "Gbit/s"
	case peak >= 2e6:
		return 1e6, "Mbit/s"
	case peak >= 2e3:
		return 1e3, "kbit/s"
	}
	return 1, "bit/s"
}
