package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// tsData is a time-sequence graph's series, in relative sequence numbers
// of the data sender, before decimation.
type tsData struct {
	conn             int
	sender, receiver string
	data, retrans    []seqBar
	sacks            []seqBar
	acks, window     []seqPoint
	syn, fin, drops  []seqPoint
	lo, hi           sim.Time
	maxSeq           int64
}

// timeSequenceFigure draws the tcptrace/Stevens time-sequence graph of one
// connection from its data sender's side: segments as they leave, ACKs as
// they arrive back.
func timeSequenceFigure(m *model, opts Options) (*figure, error) {
	conn := opts.Conn
	if conn == 0 {
		if len(m.conns) == 0 {
			return nil, fmt.Errorf("no TCP connection in the trace: %w", ErrNoData)
		}
		conn = m.conns[0]
	}
	d, err := timeSequenceData(m, conn, opts)
	if err != nil {
		return nil, err
	}
	w, h := defaultWidth, defaultHeight
	nb := bins{lo: d.lo, hi: d.hi, n: int(2 * w / vg.Points(1))}
	return &figure{w: w, h: h, draw: d.plot(nb).Draw}, nil
}

// timeSequenceData reads one connection's series from the model.
func timeSequenceData(m *model, conn int, opts Options) (*tsData, error) {
	pkts := m.connPackets(conn)
	if len(pkts) == 0 {
		return nil, fmt.Errorf("conn %d sent no packet: %w", conn, ErrNoData)
	}
	// The client sent the first SYN; the data sender is the end that sent
	// the most payload (the client when neither did).
	client, server := pkts[0].host, ""
	for _, p := range pkts {
		if hasFlag(p.flags, 'S') && !hasFlag(p.flags, '.') {
			client = p.host
			break
		}
	}
	var bytesBy [2]int64
	for _, p := range pkts {
		if p.host == client {
			bytesBy[0] += p.plen
		} else {
			if server == "" {
				server = p.host
			}
			bytesBy[1] += p.plen
		}
	}
	d := &tsData{conn: conn, sender: client, receiver: server, lo: sim.MaxTime}
	if bytesBy[1] > bytesBy[0] {
		d.sender, d.receiver = server, client
	}
	// RFC 7323 §2.2: windows are scaled only when both SYNs carried the
	// option, and never in a SYN itself. The receiver's shift scales the
	// windows it advertises.
	var rcvWS, ws int
	var sndOK, rcvOK bool
	var isn int64 // the sender's initial sequence number, for SACK blocks
	for _, p := range pkts {
		if !hasFlag(p.flags, 'S') {
			continue
		}
		if p.host == d.sender && !sndOK {
			_, sndOK = optWScale(p.opts)
			isn = p.seq - p.rseq
		} else if p.host == d.receiver && !rcvOK {
			rcvWS, rcvOK = optWScale(p.opts)
		}
	}
	if sndOK && rcvOK {
		ws = rcvWS
	}
	span := func(t sim.Time) {
		d.lo, d.hi = min(d.lo, t), max(d.hi, t)
	}
	for _, p := range pkts {
		switch {
		case p.host == d.sender:
			t := p.start()
			if !inWindow(opts, t) {
				continue
			}
			span(t)
			end := p.rseq + p.plen
			if hasFlag(p.flags, 'S') {
				d.syn = append(d.syn, seqPoint{t, p.rseq})
				end++
			}
			if hasFlag(p.flags, 'F') {
				d.fin = append(d.fin, seqPoint{t, p.rseq + p.plen})
				end++
			}
			d.maxSeq = max(d.maxSeq, end)
			if p.plen > 0 {
				b := seqBar{t: t, lo: p.rseq, hi: p.rseq + p.plen}
				if p.retrans {
					d.retrans = append(d.retrans, b)
				} else {
					d.data = append(d.data, b)
				}
				if p.dropped {
					d.drops = append(d.drops, seqPoint{t, p.rseq + p.plen})
				}
			}
		case p.delivered && p.deliverHost == d.sender && hasFlag(p.flags, '.'):
			t := p.deliverT
			if !inWindow(opts, t) {
				continue
			}
			span(t)
			d.acks = append(d.acks, seqPoint{t, p.rack})
			win := p.win
			if !hasFlag(p.flags, 'S') {
				win <<= ws
			}
			d.window = append(d.window, seqPoint{t, p.rack + win})
			for _, blk := range optSACK(p.opts) {
				// The trace prints SACK blocks as on the wire (absolute);
				// blocks already relative are kept as they are.
				lo, hi := blk.start, blk.end
				if rl, rh := int64(uint32(lo-isn)), int64(uint32(hi-isn)); rl <= d.maxSeq+1 && rh <= d.maxSeq+1 {
					lo, hi = rl, rh
				}
				d.sacks = append(d.sacks, seqBar{t: t, lo: lo, hi: hi})
			}
		}
	}
	if d.lo == sim.MaxTime {
		return nil, fmt.Errorf("conn %d has nothing in the time window: %w", conn, ErrNoData)
	}
	if d.hi == d.lo {
		d.hi = d.lo + 1
	}
	return d, nil
}

// seqScale chooses a unit for the sequence axis.
func seqScale(maxSeq int64) (float64, string) {
	switch {
	case maxSeq >= 10_000_000:
		return 1e6, "MB"
	case maxSeq >= 10_000:
		return 1e3, "kB"
	}
	return 1, "bytes"
}

// plot draws the series, decimated to the bins.
func (d *tsData) plot(nb bins) *plot.Plot {
	u := unitFor(d.hi.Sub(d.lo))
	div, yunit := seqScale(d.maxSeq)
	p := newPlot(fmt.Sprintf("Time-sequence graph, connection %d (%s → %s)", d.conn, d.sender, d.receiver),
		fmt.Sprintf("time (%s)", u.name), fmt.Sprintf("relative sequence number (%s)", yunit))
	x := func(t sim.Time) float64 { return float64(t) / u.ns }
	y := func(v int64) float64 { return float64(v) / div }

	line := func(pts []seqPoint, ls draw.LineStyle, name string) {
		if len(pts) == 0 {
			return
		}
		pts = decimateLine(pts, nb)
		xys := make(plotter.XYs, len(pts))
		for i, pt := range pts {
			xys[i] = plotter.XY{X: x(pt.t), Y: y(pt.v)}
		}
		l := &plotter.Line{XYs: xys, LineStyle: ls, StepStyle: plotter.PostStep}
		p.Add(l)
		p.Legend.Add(name, l)
	}
	bars := func(bs []seqBar, ls draw.LineStyle, name string, caps bool) {
		if len(bs) == 0 {
			return
		}
		dec := decimateBars(bs, nb)
		bp := &barPlotter{bars: dec, x: x, y: y, style: ls, caps: caps && len(dec) == len(bs)}
		p.Add(bp)
		p.Legend.Add(name, legendThumb(ls))
	}
	marks := func(pts []seqPoint, gs draw.GlyphStyle, name string) {
		if len(pts) == 0 {
			return
		}
		pts = decimateMarks(pts, nb)
		xys := make(plotter.XYs, len(pts))
		for i, pt := range pts {
			xys[i] = plotter.XY{X: x(pt.t), Y: y(pt.v)}
		}
		s := &plotter.Scatter{XYs: xys, GlyphStyle: gs}
		p.Add(s)
		p.Legend.Add(name, s)
	}

	line(d.window, draw.LineStyle{Color: colWindow, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(2)}}, "ACK + window")
	line(d.acks, draw.LineStyle{Color: colAck, Width: vg.Points(1.2)}, "ACK")
	bars(d.sacks, draw.LineStyle{Color: colSACK, Width: vg.Points(2)}, "SACK block", false)
	bars(d.data, draw.LineStyle{Color: colorBlack, Width: vg.Points(1)}, "segment", true)
	bars(d.retrans, draw.LineStyle{Color: colRetrans, Width: vg.Points(1.6)}, "retransmission", true)
	marks(d.syn, draw.GlyphStyle{Color: colorBlack, Radius: vg.Points(3), Shape: draw.BoxGlyph{}}, "SYN")
	marks(d.fin, draw.GlyphStyle{Color: colorBlack, Radius: vg.Points(3), Shape: draw.RingGlyph{}}, "FIN")
	marks(d.drops, draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}, "dropped on the way")
	p.X.Min, p.X.Max = x(d.lo), x(d.hi)
	// The graph climbs from lower left to upper right: the upper left is
	// where the legend hides the least.
	p.Add(legendBackdrop{})
	return p
}

// barPlotter draws vertical bars, with short caps at both ends as tcptrace
// draws segments when they are few enough to be told apart.
type barPlotter struct {
	bars  []seqBar
	x     func(sim.Time) float64
	y     func(int64) float64
	style draw.LineStyle
	caps  bool
}

// Plot implements plot.Plotter.
func (b *barPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	capW := vg.Points(2)
	for _, bar := range b.bars {
		x := trX(b.x(bar.t))
		y1, y2 := trY(b.y(bar.lo)), trY(b.y(bar.hi))
		if y2-y1 < vg.Points(0.5) {
			y2 = y1 + vg.Points(0.5) // keep a tiny segment visible
		}
		c.StrokeLine2(b.style, x, y1, x, y2)
		if b.caps {
			c.StrokeLine2(b.style, x-capW, y1, x+capW, y1)
			c.StrokeLine2(b.style, x-capW, y2, x+capW, y2)
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *barPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	for i, bar := range b.bars {
		x, lo, hi := b.x(bar.t), b.y(bar.lo), b.y(bar.hi)
		if i == 0 {
			xmin, xmax, ymin, ymax = x, x, lo, hi
			continue
		}
		xmin, xmax = min(xmin, x), max(xmax, x)
		ymin, ymax = min(ymin, lo), max(ymax, hi)
	}
	return
}
