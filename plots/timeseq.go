package plots

import (
	"fmt"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

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
	d, err := m.timeSequenceData(conn, opts)
	if err != nil {
		return nil, err
	}
	w := figureWidth(opts)
	nb := bins{lo: d.lo, hi: d.hi, n: int(2 * w / vg.Points(1))}
	return onePanel(w, d.plot(nb)), nil
}

// tsConn gathers one connection's time-sequence series as the records go
// by, from both ends: which end is the data sender is known only at the
// end (the one that sent the most payload).
type tsConn struct {
	conn   int
	client string // the end that sent a SYN without ACK
	ends   []*tsEnd
}

// tsEnd is one end of a connection seen as the data sender: the segments
// it sent, and the ACKs, windows and SACK blocks that reached it.
type tsEnd struct {
	host            string
	payload         int64
	data, retrans   *barStream
	sacks           *barStream
	acks, window    *pointStream
	syn, fin, drops *pointStream
	lo, hi          sim.Time
	maxSeq          int64 // highest sequence end in the window
	hiSent          int64 // highest sequence end ever sent
	isn             int64 // the initial sequence number, for SACK blocks
	hasISN          bool
	ws              int // the window scale its SYN offered
	hasWS, sawSYN   bool
}

func (m *model) tsConnOf(c int) *tsConn {
	if i, ok := m.tsIdx[c]; ok {
		return m.ts[i]
	}
	m.tsIdx[c] = len(m.ts)
	tc := &tsConn{conn: c}
	m.ts = append(m.ts, tc)
	return tc
}

func (m *model) tsEndOf(tc *tsConn, host string) *tsEnd {
	for _, e := range tc.ends {
		if e.host == host {
			return e
		}
	}
	o := m.origin()
	e := &tsEnd{host: host, lo: sim.MaxTime,
		data: newBarStream(o, m.res), retrans: newBarStream(o, m.res), sacks: newBarStream(o, m.res),
		acks: newPointStream(o, false, m.res), window: newPointStream(o, false, m.res),
		syn: newPointStream(o, true, m.res), fin: newPointStream(o, true, m.res), drops: newPointStream(o, true, m.res)}
	tc.ends = append(tc.ends, e)
	return e
}

// peer returns the other end of the connection, nil when none was seen.
func (tc *tsConn) peer(e *tsEnd) *tsEnd {
	for _, o := range tc.ends {
		if o != e {
			return o
		}
	}
	return nil
}

// tsSend notes what a segment tells about its sender when it is sent: the
// payload, the ISN and the window scale of its SYN.
func (m *model) tsSend(p *packet) {
	tc := m.tsConnOf(p.conn)
	e := m.tsEndOf(tc, p.host)
	e.payload += p.plen
	end := p.rseq + p.plen
	if hasFlag(p.flags, 'S') {
		end++
		if !hasFlag(p.flags, '.') && tc.client == "" {
			tc.client = p.host
		}
		if !e.sawSYN {
			e.sawSYN = true
			e.ws, e.hasWS = optWScale(p.opts)
			e.isn, e.hasISN = p.seq-p.rseq, true
		}
	}
	if hasFlag(p.flags, 'F') {
		end++
	}
	e.hiSent = max(e.hiSent, end)
}

// tsDone adds a segment that arrived or was dropped: to its sender's
// segments, and, if it arrived carrying an ACK, to the ACK line, window
// and SACK blocks of the end it reached.
func (m *model) tsDone(p *packet) {
	tc := m.tsConnOf(p.conn)
	e := m.tsEndOf(tc, p.host)
	if t := p.start(); m.inScope(t) {
		e.span(t)
		end := p.rseq + p.plen
		if hasFlag(p.flags, 'S') {
			e.syn.add(t, p.rseq)
			end++
		}
		if hasFlag(p.flags, 'F') {
			e.fin.add(t, p.rseq+p.plen)
			end++
		}
		e.maxSeq = max(e.maxSeq, end)
		if p.plen > 0 {
			b := seqBar{t: t, lo: p.rseq, hi: p.rseq + p.plen}
			if p.retrans {
				e.retrans.add(b)
			} else {
				e.data.add(b)
			}
			if p.dropped {
				e.drops.add(t, p.rseq+p.plen)
			}
		}
	}
	if !p.delivered || !hasFlag(p.flags, '.') || !m.inScope(p.deliverT) {
		return
	}
	r := m.tsEndOf(tc, p.deliverHost)
	t := p.deliverT
	r.span(t)
	r.acks.add(t, p.rack)
	// RFC 7323 §2.2: windows are scaled only when both SYNs carried the
	// option, and never in a SYN itself. The advertiser's shift scales
	// the windows it advertises.
	win := p.win
	if !hasFlag(p.flags, 'S') && e.hasWS && r.hasWS {
		win <<= e.ws
	}
	r.window.add(t, p.rack+win)
	for _, blk := range optSACK(p.opts) {
		// The trace prints SACK blocks as on the wire (absolute): they are
		// made relative to the data sender's ISN whenever it is known and
		// the result lies within what it sent (blocks already relative are
		// kept as they are), whether or not that data is in the window.
		lo, hi := blk.start, blk.end
		if r.hasISN {
			// Unwrapped to 64 bits around the ACK, which a block lies
			// within 2 GiB of, so a flow past 4 GiB keeps counting.
			rl := p.rack + int64(int32(uint32(lo-r.isn)-uint32(p.rack)))
			rh := p.rack + int64(int32(uint32(hi-r.isn)-uint32(p.rack)))
			if rl >= 0 && rl <= r.hiSent+1 && rh <= r.hiSent+1 {
				lo, hi = rl, rh
			}
		}
		r.sacks.add(seqBar{t: t, lo: lo, hi: hi})
		r.maxSeq = max(r.maxSeq, min(hi, r.hiSent))
	}
}

func (e *tsEnd) span(t sim.Time) {
	e.lo, e.hi = min(e.lo, t), max(e.hi, t)
}

// timeSequenceData returns one connection's series from its data sender.
func (m *model) timeSequenceData(conn int, opts Options) (*tsData, error) {
	i, ok := m.tsIdx[conn]
	if !ok {
		return nil, fmt.Errorf("conn %d sent no packet: %w", conn, ErrNoData)
	}
	tc := m.ts[i]
	// The data sender is the end that sent the most payload (the client
	// when neither did).
	var s *tsEnd
	for _, e := range tc.ends {
		if s == nil || e.payload > s.payload || e.payload == s.payload && e.host == tc.client {
			s = e
		}
	}
	d := &tsData{conn: conn, sender: s.host, lo: s.lo, hi: s.hi, maxSeq: s.maxSeq,
		data: s.data.items(), retrans: s.retrans.items(), sacks: s.sacks.items(),
		acks: s.acks.points(), window: s.window.points(),
		syn: s.syn.points(), fin: s.fin.points(), drops: s.drops.points()}
	if r := tc.peer(s); r != nil {
		d.receiver = r.host
	}
	// The figure's own window may be narrower than what was collected.
	d.clip(opts)
	if d.lo == sim.MaxTime || d.lo > d.hi {
		return nil, fmt.Errorf("conn %d has nothing in the time window: %w", conn, ErrNoData)
	}
	if d.hi == d.lo {
		d.hi = d.lo + 1
	}
	return d, nil
}

// clip keeps what lies in the options' time window, and recomputes the
// span.
func (d *tsData) clip(opts Options) {
	if opts.From == 0 && opts.To == 0 {
		return
	}
	d.lo, d.hi = sim.MaxTime, 0
	span := func(t sim.Time) { d.lo, d.hi = min(d.lo, t), max(d.hi, t) }
	bars := func(bs []seqBar) []seqBar { return clipSeries(opts, bs, span) }
	pts := func(ps []seqPoint) []seqPoint { return clipSeries(opts, ps, span) }
	d.data, d.retrans, d.sacks = bars(d.data), bars(d.retrans), bars(d.sacks)
	d.acks, d.window, d.syn, d.fin, d.drops = pts(d.acks), pts(d.window), pts(d.syn), pts(d.fin), pts(d.drops)
}

// clipSeries returns the items of xs in the options' time window, calling
// span with the time of each.
func clipSeries[T interface{ at() sim.Time }](opts Options, xs []T, span func(sim.Time)) []T {
	var out []T
	for _, x := range xs {
		if t := x.at(); inWindow(opts, t) {
			out = append(out, x)
			span(t)
		}
	}
	return out
}

// seqScale chooses a unit for the sequence axis.
func seqScale(maxSeq int64) (float64, string) {
	return thousands(float64(maxSeq), 10, "bytes", "kB", "MB")
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
		l := &plotter.Line{XYs: xys(decimateLine(pts, nb), x, div), LineStyle: ls, StepStyle: plotter.PostStep}
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
		s := &plotter.Scatter{XYs: xys(decimateMarks(pts, nb), x, div), GlyphStyle: gs}
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
