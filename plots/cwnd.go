package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

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

// cwndFigure draws cwnd and ssthresh over time (upper panel) and RTT
// samples with SRTT (lower panel); withCwnd false draws the RTT panel
// alone. Conn 0 draws the lowest connection id.
func cwndFigure(m *model, opts Options, withCwnd bool) (*figure, error) {
	conn := opts.Conn
	if conn == 0 {
		if len(m.conns) == 0 {
			return nil, fmt.Errorf("no TCP connection in the trace: %w", ErrNoData)
		}
		conn = m.conns[0]
	}
	var cw []cwndSample
	for _, s := range m.cwnd {
		if s.conn == conn && inWindow(opts, s.t) {
			cw = append(cw, s)
		}
	}
	var rt []rttSample
	for _, s := range m.rtt {
		if s.conn == conn && inWindow(opts, s.t) {
			rt = append(rt, s)
		}
	}
	if withCwnd && len(cw) == 0 && len(rt) == 0 || !withCwnd && len(rt) == 0 {
		return nil, fmt.Errorf("conn %d has no cwnd or RTT records in the time window: %w", conn, ErrNoData)
	}
	lo, hi := opts.From, opts.To
	if hi == 0 {
		hi = m.last
	}
	if opts.From == 0 {
		lo = m.first
	}
	if hi <= lo {
		hi = lo + 1
	}
	u := unitFor(hi.Sub(lo))
	xlabel := fmt.Sprintf("time (%s)", u.name)
	x := func(t sim.Time) float64 { return float64(t) / u.ns }
	// Long runs are decimated per pixel column, as the time-sequence graph.
	nb := bins{lo: lo, hi: hi, n: int(2 * defaultWidth / vg.Points(1))}
	rp := rttPlot(conn, rt, x, xlabel, nb)
	rp.X.Min, rp.X.Max = x(lo), x(hi)
	if !withCwnd {
		return &figure{w: defaultWidth, h: defaultHeight, draw: rp.Draw}, nil
	}
	cp := cwndPlot(conn, cw, x, xlabel, nb)
	cp.X.Min, cp.X.Max = x(lo), x(hi)
	return &figure{w: defaultWidth, h: 2 * defaultHeight, draw: func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{cp}, {rp}}, tiles, dc)
		cp.Draw(cs[0][0])
		rp.Draw(cs[1][0])
	}}, nil
}

// ends returns the ends that have records, in the order they first appear.
func ends[T any](items []T, key func(T) endKey) []endKey {
	var out []endKey
	seen := make(map[endKey]bool)
	for _, it := range items {
		k := key(it)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func cwndPlot(conn int, cw []cwndSample, x func(sim.Time) float64, xlabel string, nb bins) *plot.Plot {
	div, unit := seqScale(maxCwnd(cw))
	p := newPlot(fmt.Sprintf("Congestion window, connection %d", conn), xlabel, fmt.Sprintf("window (%s)", unit))
	keys := ends(cw, func(s cwndSample) endKey { return endKey{s.conn, s.host, s.side} })
	// An end that only ever recorded its initial window (a receiver) is
	// left out when another end has a story to tell.
	var active []endKey
	for _, k := range keys {
		n := 0
		for _, s := range cw {
			if (endKey{s.conn, s.host, s.side}) == k {
				n++
			}
		}
		if n > 1 {
			active = append(active, k)
		}
	}
	if len(active) > 0 {
		keys = active
	}
	entries := 0
	for i, k := range keys {
		var cp, sp []seqPoint
		for _, s := range cw {
			if (endKey{s.conn, s.host, s.side}) != k {
				continue
			}
			cp = append(cp, seqPoint{s.t, s.cwnd})
			if s.ssthresh > 0 && s.ssthresh < infiniteSsthresh {
				sp = append(sp, seqPoint{s.t, s.ssthresh})
			}
		}
		c, ss := xys(decimateLine(cp, nb), x, div), xys(decimateLine(sp, nb), x, div)
		ls := seriesLine(2 * i)
		ls.Dashes = nil
		l := &plotter.Line{XYs: c, LineStyle: ls, StepStyle: plotter.PostStep}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("cwnd, %s", k.side), l)
		entries++
		if len(ss) > 0 {
			sls := seriesLine(2*i + 1)
			sls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			sl := &plotter.Line{XYs: ss, LineStyle: sls, StepStyle: plotter.PostStep}
			p.Add(sl)
			p.Legend.Add(fmt.Sprintf("ssthresh, %s", k.side), sl)
			entries++
		}
	}
	p.Y.Min = 0
	p.Y.Max = float64(max(maxCwnd(cw), 1)) / div * legendHeadroom(entries)
	p.Add(legendBackdrop{})
	if len(cw) == 0 {
		p.Title.Text += " (no cwnd records)"
		p.Y.Max = 1
	}
	return p
}

func maxCwnd(cw []cwndSample) int64 {
	var m int64
	for _, s := range cw {
		m = max(m, s.cwnd)
		if s.ssthresh < infiniteSsthresh {
			m = max(m, s.ssthresh)
		}
	}
	return m
}

func rttPlot(conn int, rt []rttSample, x func(sim.Time) float64, xlabel string, nb bins) *plot.Plot {
	var top int64
	for _, s := range rt {
		top = max(top, s.sample, s.srtt)
	}
	u := unitFor(sim.Time(top).Duration())
	p := newPlot(fmt.Sprintf("Round-trip time, connection %d", conn), xlabel, fmt.Sprintf("RTT (%s)", u.name))
	for i, k := range ends(rt, func(s rttSample) endKey { return endKey{s.conn, s.host, s.side} }) {
		var sp, rp []seqPoint
		for _, s := range rt {
			if (endKey{s.conn, s.host, s.side}) != k {
				continue
			}
			sp = append(sp, seqPoint{s.t, s.sample})
			rp = append(rp, seqPoint{s.t, s.srtt})
		}
		// Samples keep each bin's extremes (M4), so outliers stay visible.
		smp, srtt := xys(decimateLine(sp, nb), x, u.ns), xys(decimateLine(rp, nb), x, u.ns)
		sc := &plotter.Scatter{XYs: smp, GlyphStyle: seriesGlyph(2*i + 1)}
		sc.GlyphStyle.Radius = vg.Points(2)
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("RTT sample, %s", k.side), sc)
		ls := seriesLine(2 * i)
		l := &plotter.Line{XYs: srtt, LineStyle: ls}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("SRTT, %s", k.side), l)
	}
	p.Y.Min = 0
	p.Y.Max = float64(max(top, 1)) / u.ns * legendHeadroom(2*len(ends(rt, func(s rttSample) endKey { return endKey{s.conn, s.host, s.side} })))
	p.Add(legendBackdrop{})
	if len(rt) == 0 {
		p.Title.Text += " (no RTT samples)"
		p.Y.Max = 1
	}
	return p
}

// xys converts points to plot coordinates: x for time, v / div for values.
func xys(pts []seqPoint, x func(sim.Time) float64, div float64) plotter.XYs {
	out := make(plotter.XYs, len(pts))
	for i, p := range pts {
		out[i] = plotter.XY{X: x(p.t), Y: float64(p.v) / div}
	}
	return out
}
