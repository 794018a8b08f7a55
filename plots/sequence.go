package plots

import (
	"fmt"
	"math"
	"sort"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/internal/lifelines"
	"github.com/netsimlab/netsim/sim"
)

// Sequence diagram limits: beyond maxLabelledArrows packets the arrows go
// unlabelled (the labels would overprint one another; a time window or a
// connection filter brings them back), and the figure stops growing.
const (
	maxLabelledArrows = 150
	maxSeqPackets     = 2000
	// defaultSeqPackets is what a diagram of a whole run draws: enough for
	// a handshake, the first round trips of data and a close, few enough
	// that every label reads (a window with To draws up to maxSeqPackets).
	defaultSeqPackets = 30
	arrowPitch        = vg.Length(0.28 * vg.Inch)
	maxSeqHeight      = 30 * vg.Inch
	headRoom          = vg.Length(0.7 * vg.Inch) // host names
	footRoom          = vg.Length(0.8 * vg.Inch) // the legend
	lifePad           = vg.Length(0.15 * vg.Inch)
)

// seqArrow is one packet (or one hop of it) in data coordinates: x is a
// column, y a time-axis position.
type seqArrow struct {
	x1, y1, x2, y2 float64
	label          string
	retrans        bool
	dropped        bool // ends in a cross instead of a head
}

// seqState is a TCP state name written on a lifeline.
type seqState struct {
	col  int
	y    float64
	text string
}

// seqColumn is a lifeline.
type seqColumn struct {
	name, addr string
	router     bool
}

// seqDiagram is the plotter that draws the diagram.
type seqDiagram struct {
	cols        []seqColumn
	arrows      []seqArrow
	states      []seqState
	breaks      []timeBreak
	axis        *timeAxis
	yTop, yBot  float64 // lifeline ends
	labelArrows bool
	scale       float64 // font sizes relative to the defaults; 0 means 1
	labelStyle  draw.TextStyle
	stateStyle  draw.TextStyle
	hostStyle   draw.TextStyle
	breakStyle  draw.TextStyle
	normalLine  draw.LineStyle
	retransLine draw.LineStyle
	lifeLine    draw.LineStyle
	dropGlyph   draw.GlyphStyle
}

// sequenceFigure builds the sequence diagram.
func sequenceFigure(m *model, opts Options) (*figure, error) {
	// The collector kept the first packets in its window; the figure's
	// own window and connection may be narrower.
	var pkts []*packet
	for _, p := range m.seq.pkts {
		if opts.Conn != 0 && (!p.tcp || p.conn != opts.Conn) || !inWindow(opts, p.start()) {
			continue
		}
		pkts = append(pkts, p)
	}
	total, cut := m.seq.total, sim.MaxTime
	if len(pkts) < len(m.seq.pkts) {
		total = len(pkts)
	}
	if limit := seqLimit(opts); len(pkts) > limit {
		pkts = pkts[:limit]
	}
	if total > len(pkts) && len(pkts) > 0 {
		cut = pkts[len(pkts)-1].start()
	}
	var states []stateChange
	for _, s := range m.states {
		if (opts.Conn == 0 || s.conn == opts.Conn) && inWindow(opts, s.t) && s.t <= cut {
			states = append(states, s)
		}
	}
	if len(pkts) == 0 && len(states) == 0 {
		return nil, fmt.Errorf("no packet or state change to draw: %w", ErrNoData)
	}

	cols, colIdx := seqColumns(m, pkts, states, opts.ShowRouters, lifelines.Declared(opts.NodeOrder))

	// The time span, and what is busy for compression.
	lo, hi := sim.MaxTime, sim.Time(0)
	span := func(t sim.Time) {
		lo, hi = min(lo, t), max(hi, t)
	}
	var busy []interval
	var lats []sim.Time
	for _, p := range pkts {
		end := p.deliverT
		if !p.delivered {
			end = p.dropT
		} else {
			lats = append(lats, p.deliverT-p.start())
		}
		span(p.start())
		span(end)
		busy = append(busy, interval{p.start(), end})
	}
	for _, s := range states {
		span(s.t)
		busy = append(busy, interval{s.t, s.t})
	}
	if opts.From != 0 {
		lo = opts.From
	}
	// A packet sent before --to may arrive after it: the axis runs on to
	// its arrival so that its arrow ends in the figure, not off its edge.
	if opts.To != 0 {
		hi = max(hi, opts.To)
	}
	if hi <= lo {
		hi = lo + 1
	}
	var axis *timeAxis
	if opts.CompressTime {
		axis = newCompressedTimeAxis(lo, hi, busy, compressGap(lats, hi-lo))
	} else {
		axis = newTimeAxis(lo, hi)
	}

	d := &seqDiagram{cols: cols, axis: axis, breaks: axis.breaks}
	lat := directionLatencies(pkts)
	for _, p := range pkts {
		d.arrows = append(d.arrows, packetArrows(m, p, axis, colIdx, opts.ShowRouters, lat)...)
	}
	d.labelArrows = len(d.arrows) <= maxLabelledArrows
	for _, s := range states {
		if c, ok := colIdx[s.host]; ok {
			d.states = append(d.states, seqState{col: c, y: axis.pos(s.t), text: s.to})
		}
	}

	h := vg.Length(len(d.arrows))*arrowPitch + 2*vg.Inch
	h = min(max(h, defaultHeight), maxSeqHeight)
	w := max(defaultWidth, vg.Length(len(cols))*1.6*vg.Inch)
	title := "Packet exchange"
	if opts.Conn != 0 {
		title = fmt.Sprintf("Packet exchange, connection %d", opts.Conn)
	}
	if total > len(pkts) {
		title += fmt.Sprintf(" (first %d of %d packets)", len(pkts), total)
	}
	if opts.FontSize > 0 {
		d.scale = float64(opts.FontSize / labelSize)
	}
	p := newPlot(title, "", axis.label())
	p.HideX()
	p.X.Min, p.X.Max = -0.65, float64(len(cols)-1)+0.65
	top, bot := axis.pos(lo), axis.pos(hi)
	ext := bot - top
	if ext <= 0 {
		ext = 1
	}
	// Room is measured in inches of the data area (about an inch shorter
	// than the figure): above the first event, the host names and a bit of
	// lifeline; below the last, a bit of lifeline and the legend. The time
	// axis runs downward.
	area := h - vg.Inch
	frac := func(l vg.Length) float64 { return float64(l / area) }
	whole := ext / (1 - frac(headRoom+footRoom+2*lifePad))
	d.yTop, d.yBot = top-frac(lifePad)*whole, bot+frac(lifePad)*whole
	p.Y.Min, p.Y.Max = d.yTop-frac(headRoom)*whole, d.yBot+frac(footRoom)*whole
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Y.Tick.Marker = axis.ticker()
	d.styles()
	p.Add(d)
	d.legend(p)
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Points(6)
	p.Add(legendBackdrop{})
	return &figure{w: w, h: h, draw: p.Draw, panels: []*plot.Plot{p}, seq: d}, nil
}

// compressGap is the length an idle gap is shortened to: twice the median
// one-way latency, so that a gap still reads as longer than any exchange.
func compressGap(lats []sim.Time, span sim.Time) sim.Time {
	if len(lats) == 0 {
		return max(span/20, 1)
	}
	s := append([]sim.Time(nil), lats...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return max(2*s[len(s)/2], 1000)
}

// seqColumns orders the lifelines (hosts, and routers when asked) along
// the network: with S the first sender and F its first peer, a router's
// place is its hop distance from S minus its distance from F, and a host
// hanging off a single router takes that router's place (any other node
// its own), so S's side is on the left, F's on the right and the routers
// in between, hosts before their router on S's half and after it on F's.
// Ties are in the scenario's declared order, then natural name order
// (lifelines.Order, as in netsim view), not the order packets came in: a
// dumbbell's receivers read sink-1, sink-2, sink-3, sink-4.
func seqColumns(m *model, pkts []*packet, states []stateChange, routers bool, tie lifelines.Order) ([]seqColumn, map[string]int) {
	var order []string
	in := make(map[string]bool)
	add := func(name string) {
		if name != "" && !in[name] {
			in[name] = true
			order = append(order, name)
		}
	}
	for _, p := range pkts {
		add(p.host)
		if p.delivered {
			add(p.deliverHost)
		} else if h, ok := m.hostOf[p.dst]; ok {
			add(h)
		}
		if routers {
			for _, h := range p.hops {
				add(h.from)
				add(h.to)
			}
		}
	}
	for _, s := range states {
		add(s.host)
	}
	if len(order) > 1 {
		adj := m.adjacency()
		from := distances(adj, order[0])
		peer := order[1]
		for _, p := range pkts {
			if p.host == order[0] && p.delivered {
				peer = p.deliverHost
				break
			}
		}
		to := distances(adj, peer)
		type placed struct {
			name string
			key  int
			tie  int
		}
		ps := make([]placed, len(order))
		place := func(n string) (int, bool) {
			df, ok1 := from[n]
			dt, ok2 := to[n]
			return df - dt, ok1 && ok2
		}
		for i, n := range order {
			// tie: hosts on S's half, then routers, then hosts on F's
			key, ok := place(n)
			tie := 1
			if !m.isRouter(n) {
				tie = 0
				if key > 0 {
					tie = 2
				}
				if r := soleNeighbour(adj, n); r != "" && m.isRouter(r) {
					if k, rok := place(r); rok && ok {
						key = k
					}
				}
			}
			if !ok {
				key = 1 << 20 // not connected: rightmost
			}
			ps[i] = placed{n, key, tie}
		}
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].key != ps[j].key {
				return ps[i].key < ps[j].key
			}
			if ps[i].tie != ps[j].tie {
				return ps[i].tie < ps[j].tie
			}
			return tie.Less(ps[i].name, ps[j].name)
		})
		for i := range ps {
			order[i] = ps[i].name
		}
	}
	cols := make([]seqColumn, len(order))
	idx := make(map[string]int, len(order))
	for i, n := range order {
		idx[n] = i
		cols[i] = seqColumn{name: n}
		if j, ok := m.nodeIdx[n]; ok {
			cols[i].addr = m.nodes[j].addr
			cols[i].router = m.nodes[j].router
		}
	}
	return cols, idx
}

// soleNeighbour returns the one node n is linked to, or "" when it has none
// or several.
func soleNeighbour(adj map[string][]string, n string) string {
	one := ""
	for _, nb := range adj[n] {
		if one != "" && nb != one {
			return ""
		}
		one = nb
	}
	return one
}

// distances returns the hop count from start to every node it reaches.
func distances(adj map[string][]string, start string) map[string]int {
	dist := map[string]int{start: 0}
	queue := []string{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, nb := range adj[n] {
			if _, ok := dist[nb]; !ok {
				dist[nb] = dist[n] + 1
				queue = append(queue, nb)
			}
		}
	}
	return dist
}

// dirKey names a direction between two hosts.
type dirKey struct{ from, to string }

// directionLatencies returns the median one-way latency of delivered
// packets per direction, for placing a drop along its arrow.
func directionLatencies(pkts []*packet) map[dirKey]sim.Time {
	all := make(map[dirKey][]sim.Time)
	var keys []dirKey
	for _, p := range pkts {
		if !p.delivered {
			continue
		}
		k := dirKey{p.host, p.deliverHost}
		if _, ok := all[k]; !ok {
			keys = append(keys, k)
		}
		all[k] = append(all[k], p.deliverT-p.start())
	}
	out := make(map[dirKey]sim.Time, len(keys))
	for _, k := range keys {
		s := all[k]
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		out[k] = s[len(s)/2]
	}
	return out
}

// packetArrows returns the arrows of one packet: one from sender to
// receiver, or one per hop when routers are drawn.
func packetArrows(m *model, p *packet, axis *timeAxis, col map[string]int, routers bool, lat map[dirKey]sim.Time) []seqArrow {
	label := textbookLabel(p)
	x1, ok := col[p.host]
	if !ok {
		return nil
	}
	if routers && len(p.hops) > 0 {
		return hopArrows(m, p, axis, col, label)
	}
	if p.delivered {
		x2, ok := col[p.deliverHost]
		if !ok {
			return nil
		}
		return []seqArrow{{x1: float64(x1), y1: axis.pos(p.start()), x2: float64(x2), y2: axis.pos(p.deliverT), label: label, retrans: p.retrans}}
	}
	// Dropped: the cross sits at the drop time, along the way to the
	// destination as far as the usual latency suggests.
	dest, known := m.hostOf[p.dst]
	x2 := float64(x1) + 0.5
	if x1 == len(col)-1 && x1 > 0 {
		x2 = float64(x1) - 0.5
	}
	if c, ok := col[dest]; known && ok {
		x2 = float64(c)
	}
	frac := 0.5
	if name, _, ok := nodeName(p.dropAt); ok {
		switch name {
		case p.host:
			frac = 0.05
		case dest:
			frac = 1
		}
	} else if l, ok := lat[dirKey{p.host, dest}]; ok && l > 0 {
		frac = min(max(float64(p.dropT-p.start())/float64(l), 0.05), 0.95)
	}
	xd := float64(x1) + frac*(x2-float64(x1))
	return []seqArrow{{x1: float64(x1), y1: axis.pos(p.start()), x2: xd, y2: axis.pos(p.dropT), label: label, retrans: p.retrans, dropped: true}}
}

// hopArrows draws a packet hop by hop through routers.
func hopArrows(m *model, p *packet, axis *timeAxis, col map[string]int, label string) []seqArrow {
	var out []seqArrow
	for i, h := range p.hops {
		a, ok1 := col[h.from]
		b, ok2 := col[h.to]
		if !ok1 || !ok2 {
			continue
		}
		ar := seqArrow{x1: float64(a), y1: axis.pos(h.tx), x2: float64(b), retrans: p.retrans}
		if i == 0 {
			ar.label = label
		}
		switch {
		case h.hasRx:
			ar.y2 = axis.pos(h.rx)
		case p.dropped:
			frac := 0.5
			if _, from, _, ok := linkDir(p.dropAt); ok && from == h.from {
				ld := m.links[m.linkIdx[p.dropAt]]
				if ld.latN > 0 {
					frac = min(max(float64(p.dropT-h.tx)/(float64(ld.latSum)/float64(ld.latN)), 0.05), 0.95)
				}
			}
			ar.x2 = float64(a) + frac*float64(b-a)
			ar.y2 = axis.pos(p.dropT)
			ar.dropped = true
		default:
			continue
		}
		out = append(out, ar)
	}
	if p.dropped && (len(out) == 0 || !out[len(out)-1].dropped) {
		// Dropped before leaving a node (a full queue, no route, TTL): a
		// cross on that node's lifeline, a little towards where it was going.
		at, dx := "", 0.0
		if _, from, to, ok := linkDir(p.dropAt); ok {
			at = from
			if a, b := col[from], col[to]; b > a {
				dx = 0.1
			} else if b < a {
				dx = -0.1
			}
		} else if name, _, ok := nodeName(p.dropAt); ok {
			at = name
		}
		if c, ok := col[at]; ok {
			y := axis.pos(p.dropT)
			ar := seqArrow{x1: float64(c), y1: y, x2: float64(c) + dx, y2: y, retrans: p.retrans, dropped: true}
			if len(out) == 0 {
				ar.label = label
			}
			out = append(out, ar)
		}
	}
	return out
}

func (d *seqDiagram) styles() {
	k := vg.Length(1)
	if d.scale > 0 {
		k = vg.Length(d.scale)
	}
	d.labelStyle = textStyle(noteSize*k, colorBlack, "")
	d.labelStyle.XAlign, d.labelStyle.YAlign = draw.XCenter, draw.YBottom
	d.stateStyle = textStyle(8*k, colState, "Sans")
	d.hostStyle = textStyle(labelSize*k, colorBlack, "")
	d.hostStyle.XAlign, d.hostStyle.YAlign = draw.XCenter, draw.YBottom
	d.breakStyle = textStyle(8*k, colBreak, "")
	d.breakStyle.YAlign = draw.YCenter
	d.normalLine = draw.LineStyle{Color: colorBlack, Width: vg.Points(1)}
	d.retransLine = draw.LineStyle{Color: colRetrans, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(2)}}
	d.lifeLine = draw.LineStyle{Color: colLife, Width: vg.Points(1)}
	d.dropGlyph = draw.GlyphStyle{Color: colDrop, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
}

func (d *seqDiagram) legend(p *plot.Plot) {
	var re, dr bool
	for _, a := range d.arrows {
		re = re || a.retrans
		dr = dr || a.dropped
	}
	p.Legend.Add("packet", legendThumb(d.normalLine))
	if re {
		p.Legend.Add("retransmission", legendThumb(d.retransLine))
	}
	if dr {
		gs := d.dropGlyph
		gs.Radius = vg.Points(3)
		p.Legend.Add("dropped", glyphThumb(gs))
	}
}

// Plot implements plot.Plotter.
func (d *seqDiagram) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// Text already placed, so that arrow labels can keep out of its way.
	var placed []textBox
	place := func(st draw.TextStyle, pt vg.Point, txt string) {
		r := st.Rectangle(txt).Add(pt)
		placed = append(placed, textBox{
			c:  vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2},
			hw: (r.Max.X - r.Min.X) / 2, hh: (r.Max.Y - r.Min.Y) / 2, cos: 1,
		})
		c.FillText(st, pt, txt)
	}
	// Breaks first, under everything.
	dash := draw.LineStyle{Color: colBreak, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	for _, br := range d.breaks {
		y1, y2 := trY(d.axis.pos(br.start)), trY(d.axis.pos(br.end))
		for _, y := range []vg.Length{y1, y2} {
			c.StrokeLine2(dash, c.Min.X, y, c.Max.X, y)
		}
		place(d.breakStyle, vg.Point{X: c.Min.X + vg.Points(3), Y: (y1 + y2) / 2}, breakText(br))
	}
	for i, col := range d.cols {
		x := trX(float64(i))
		c.StrokeLine2(d.lifeLine, x, trY(d.yTop), x, trY(d.yBot))
		name := col.name
		if col.addr != "" {
			name += "\n" + col.addr
		}
		place(d.hostStyle, vg.Point{X: x, Y: trY(d.yTop) + vg.Points(3)}, name)
	}
	// States that change at (nearly) the same instant on one lifeline are
	// written one under another, not on top of one another.
	type stateText struct {
		col  int
		y    vg.Length
		text string
	}
	var texts []stateText
	near := d.stateStyle.Height("X")
	for _, s := range d.states {
		y := trY(s.y)
		merged := false
		for i := len(texts) - 1; i >= 0; i-- {
			if t := &texts[i]; t.col == s.col && t.y-y < near && y-t.y < near {
				t.text += "\n" + s.text
				merged = true
				break
			}
		}
		if !merged {
			texts = append(texts, stateText{col: s.col, y: y, text: s.text})
		}
	}
	for _, s := range texts {
		x, y := trX(float64(s.col)), s.y
		c.StrokeLine2(draw.LineStyle{Color: colState, Width: vg.Points(2)}, x-vg.Points(3), y, x+vg.Points(3), y)
		st := d.stateStyle
		// The first line is centred on the change; the others hang below.
		// The text goes right of the lifeline (left of the first one),
		// on the other side when it would run off the figure there, and
		// is pushed inside the figure when neither side has room (a
		// narrow --width).
		st.YAlign = draw.YTop
		w := st.Width(s.text)
		right, left := x+vg.Points(5), x-vg.Points(5)-w
		fitsRight, fitsLeft := right+w <= c.Max.X, left >= c.Min.X
		pt := vg.Point{X: right, Y: y + near/2}
		switch {
		case s.col == 0 && len(d.cols) > 1 && fitsLeft || !fitsRight && fitsLeft:
			st.XAlign = draw.XRight // lines of several states align on the lifeline
			pt.X = left + w
		case !fitsRight:
			pt.X = max(c.Max.X-w, c.Min.X)
		}
		place(st, pt, s.text)
	}
	// Every arrow's segment first: a label must not lie across another
	// arrow (in a burst, arrows run side by side a few points apart).
	segs := make([][2]vg.Point, len(d.arrows))
	for i, a := range d.arrows {
		segs[i] = [2]vg.Point{{X: trX(a.x1), Y: trY(a.y1)}, {X: trX(a.x2), Y: trY(a.y2)}}
	}
	for i, a := range d.arrows {
		from, to := segs[i][0], segs[i][1]
		d.drawArrow(c, a, from, to)
		if d.labelArrows && a.label != "" {
			placed = d.labelArrow(c, a, from, to, placed, segs, i)
		}
	}
}

func (d *seqDiagram) drawArrow(c draw.Canvas, a seqArrow, from, to vg.Point) {
	ls := d.normalLine
	if a.retrans {
		ls = d.retransLine
	}
	// A packet still on its way at the end of the time window is cut at
	// the edge of the figure, without a head.
	c.StrokeLines(ls, c.ClipLinesY([]vg.Point{from, to})...)
	if !c.ContainsY(to.Y) {
		return
	}
	dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
	if a.dropped {
		c.DrawGlyph(d.dropGlyph, to)
		return
	}
	if dx == 0 && dy == 0 {
		return
	}
	angle := math.Atan2(dy, dx)
	head := ls
	head.Dashes = nil
	const spread = 0.4
	l := float64(vg.Points(7))
	for _, s := range []float64{-spread, spread} {
		back := angle + math.Pi + s
		c.StrokeLine2(head, to.X, to.Y, to.X+vg.Length(l*math.Cos(back)), to.Y+vg.Length(l*math.Sin(back)))
	}
}

// labelCandidates are where along an arrow (as a fraction from its start)
// and on which side a label may go, in order of preference.
var labelCandidates = []struct {
	at   float64
	side float64
}{{0.5, 1}, {0.5, -1}, {0.32, 1}, {0.68, 1}, {0.32, -1}, {0.68, -1}, {0.4, 1}, {0.6, 1}, {0.4, -1}, {0.6, -1},
	{0.18, 1}, {0.82, 1}, {0.18, -1}, {0.82, -1}, {0.5, 2.2}, {0.5, -2.2}, {0.3, 2.2}, {0.7, -2.2}}

// textBox is the rectangle a text occupies: centre, half width and half
// height along its own axes, and the cosine and sine of its rotation.
type textBox struct {
	c        vg.Point
	hw, hh   vg.Length
	cos, sin float64
}

// overlaps reports whether two boxes overlap, by the separating axis
// theorem: two rectangles are apart exactly when one of their four edge
// directions separates their projections.
func (b textBox) overlaps(o textBox) bool {
	dx, dy := float64(o.c.X-b.c.X), float64(o.c.Y-b.c.Y)
	for _, ax := range [][2]float64{{b.cos, b.sin}, {-b.sin, b.cos}, {o.cos, o.sin}, {-o.sin, o.cos}} {
		r := func(t textBox) float64 {
			return float64(t.hw)*math.Abs(t.cos*ax[0]+t.sin*ax[1]) + float64(t.hh)*math.Abs(-t.sin*ax[0]+t.cos*ax[1])
		}
		if math.Abs(dx*ax[0]+dy*ax[1]) >= r(b)+r(o) {
			return false
		}
	}
	return true
}

// labelArrow writes an arrow's label upright along it, at the first
// candidate place that overlaps no text already placed and lies wholly
// inside the figure, and returns placed with the label added. When every
// place overlaps another text or lies across another arrow (a burst of
// packets leaving at once) or runs off the figure, the label is left out
// rather than printed into a pile, struck through or clipped: a time
// window spreads the burst and brings it back.
func (d *seqDiagram) labelArrow(c draw.Canvas, a seqArrow, from, to vg.Point, placed []textBox, segs [][2]vg.Point, self int) []textBox {
	dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
	rot := math.Atan2(dy, dx)
	if rot > math.Pi/2 {
		rot -= math.Pi
	} else if rot < -math.Pi/2 {
		rot += math.Pi
	}
	st := d.labelStyle
	if a.retrans {
		st.Color = colRetrans
	}
	st.Rotation = rot
	st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
	w, h := st.Width(a.label), st.Height(a.label)
	sin, cos := math.Sin(rot), math.Cos(rot)
	off := float64(h/2 + vg.Points(1))
	var best textBox
	bestHits := -1
	for _, cand := range labelCandidates {
		// The normal (-sin, cos) points to the upper side of upright text.
		box := textBox{
			c: vg.Point{
				X: from.X + vg.Length(cand.at*dx-cand.side*off*sin),
				Y: from.Y + vg.Length(cand.at*dy+cand.side*off*cos),
			},
			hw: w/2 + vg.Points(1), hh: h / 2, cos: cos, sin: sin,
		}
		if !box.inside(c) {
			continue
		}
		hits := countOverlaps(box, placed)
		for j, sg := range segs {
			if j != self && box.crosses(sg[0], sg[1]) {
				hits++
			}
		}
		if bestHits < 0 || hits < bestHits {
			best, bestHits = box, hits
		}
		if hits == 0 {
			break
		}
	}
	if bestHits != 0 {
		return placed
	}
	c.FillText(st, best.c, a.label)
	return append(placed, best)
}

// crosses reports whether the segment from a to b passes through the box:
// in the box's own axes it is clipped against [-hw, hw] × [-hh, hh]
// (Liang–Barsky).
func (b textBox) crosses(a, e vg.Point) bool {
	local := func(p vg.Point) (float64, float64) {
		dx, dy := float64(p.X-b.c.X), float64(p.Y-b.c.Y)
		return dx*b.cos + dy*b.sin, -dx*b.sin + dy*b.cos
	}
	x0, y0 := local(a)
	x1, y1 := local(e)
	t0, t1 := 0.0, 1.0
	dx, dy := x1-x0, y1-y0
	for _, pq := range [][2]float64{{-dx, x0 + float64(b.hw)}, {dx, float64(b.hw) - x0}, {-dy, y0 + float64(b.hh)}, {dy, float64(b.hh) - y0}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// inside reports whether the box lies wholly within the canvas.
func (b textBox) inside(c draw.Canvas) bool {
	for _, k := range [][2]float64{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
		x := b.c.X + vg.Length(k[0]*float64(b.hw)*b.cos-k[1]*float64(b.hh)*b.sin)
		y := b.c.Y + vg.Length(k[0]*float64(b.hw)*b.sin+k[1]*float64(b.hh)*b.cos)
		if !c.Contains(vg.Point{X: x, Y: y}) {
			return false
		}
	}
	return true
}

// countOverlaps returns how many of bs overlap b.
func countOverlaps(b textBox, bs []textBox) int {
	n := 0
	for _, o := range bs {
		if b.overlaps(o) {
			n++
		}
	}
	return n
}
