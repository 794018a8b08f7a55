package plots

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/sim"
)

// pingSeries is one ping app's echoes toward one address, from its app
// records: a send per echo request (count: the icmp_seq), a reply per
// answer (count, latency: the RTT), and an error per request the host
// refused (call sendto) or an ICMP error answered (call recvmsg).
type pingSeries struct {
	// subject is the app's records' subject; host is its host's name.
	subject, host, to string
	// pending holds the requests not answered yet, by icmp_seq (16 bits on
	// the wire, so at most 65536); what is left at the end was lost, as
	// ping(8) counts it.
	pending  map[int64]sim.Time
	rtt      *pointStream // each RTT, at the time its request left
	lost     *pointStream // each unanswered request, at the time it left
	sent     int64
	received int64
	// errors counts the requests the host refused and the ICMP errors
	// that answered requests, as ping(8)'s "+N errors"; errnos names
	// them, each once, in the order they came.
	errors int64
	errnos []string
	top    int64
	closed bool
}

// noteError counts an error of errno.
func (ps *pingSeries) noteError(errno string) {
	ps.errors++
	for _, e := range ps.errnos {
		if e == errno {
			return
		}
	}
	ps.errnos = append(ps.errnos, errno)
}

// pingKey names a ping series: the app's subject and the address pinged.
func pingKey(subject, to string) string { return subject + " " + to }

// addPing reads a ping app's send, reply or error record.
func (m *model) addPing(r *sim.Record, e *sim.App) {
	if !strings.HasSuffix(r.Subject, "/ping") {
		return
	}
	refused := e.Event == sim.AppError && e.Call == "sendto"
	switch {
	case e.Event == sim.AppError && e.Call == "recvmsg":
		m.addPingICMPError(r, e)
		return
	case e.Event != sim.AppSend && e.Event != sim.AppReply && !refused:
		return
	}
	to := e.To.Addr()
	if e.Event == sim.AppReply {
		to = e.Peer.Addr()
	}
	key := pingKey(r.Subject, addrText(to))
	i, ok := m.pingIdx[key]
	if !ok {
		if e.Event == sim.AppReply {
			return
		}
		host, _ := strings.CutPrefix(strings.TrimSuffix(r.Subject, "/ping"), "app/")
		i = len(m.pings)
		m.pingIdx[key] = i
		o := m.origin()
		m.pings = append(m.pings, &pingSeries{subject: r.Subject, host: host, to: addrText(to), pending: make(map[int64]sim.Time),
			rtt: newPointStream(o, false, m.res), lost: newPointStream(o, true, m.res)})
	}
	ps := m.pings[i]
	seq := e.Count & 0xffff
	if e.Event != sim.AppReply {
		// icmp_seq wraps at 65536: a request still unanswered when its
		// number comes round again is lost (ping(8) could not match its
		// reply either), which bounds what is held.
		if old, ok := ps.pending[seq]; ok {
			ps.lost.add(old, 0)
			ps.sent++
		}
		switch {
		case !m.inScope(r.T):
			delete(ps.pending, seq)
		case refused:
			// A request the host refused (EMSGSIZE above the path MTU,
			// ENETUNREACH): ping(8) counts it as transmitted, lost,
			// and an error.
			delete(ps.pending, seq)
			ps.lost.add(r.T, 0)
			ps.sent++
			ps.noteError(e.Errno)
		default:
			ps.pending[seq] = r.T
		}
		return
	}
	at, ok := ps.pending[seq]
	if !ok {
		return // a request outside the window, or a duplicate reply
	}
	delete(ps.pending, seq)
	rtt := int64(e.Latency)
	ps.received++
	ps.sent++
	ps.rtt.add(at, rtt)
	ps.top = max(ps.top, rtt)
}

// addPingICMPError counts an ICMP error that answered a request of a
// ping app, in the series of that app and its record's target (to)
// waiting for that request (icmp_seq): two ping apps of one host toward
// two targets share a subject, and both may wait for the same icmp_seq.
// A record without its target (a trace of an older netsim) goes to the
// first series of the app waiting for it. The request stays lost, as in
// ping(8).
func (m *model) addPingICMPError(r *sim.Record, e *sim.App) {
	seq := e.Count & 0xffff
	if e.Has&sim.AppHasTo != 0 {
		if i, ok := m.pingIdx[pingKey(r.Subject, addrText(e.To.Addr()))]; ok {
			if ps := m.pings[i]; hasPending(ps, seq) {
				ps.noteError(e.Errno)
			}
		}
		return
	}
	for _, ps := range m.pings {
		if hasPending(ps, seq) && ps.subject == r.Subject {
			ps.noteError(e.Errno)
			return
		}
	}
}

// hasPending reports whether ps waits for the reply to request seq.
func hasPending(ps *pingSeries, seq int64) bool {
	_, ok := ps.pending[seq]
	return ok
}

// closePings counts the requests still unanswered at the end as lost.
func (m *model) closePings() {
	for _, ps := range m.pings {
		if ps.closed {
			continue
		}
		ps.closed = true
		left := make([]sim.Time, 0, len(ps.pending))
		for _, t := range ps.pending {
			left = append(left, t)
		}
		sort.Slice(left, func(i, j int) bool { return left[i] < left[j] })
		for _, t := range left {
			ps.lost.add(t, 0)
			ps.sent++
		}
		clear(ps.pending)
	}
}

// pingFigure draws the round-trip time of each echo of each ping app
// against the time its request left, as ping(8) prints them, with the
// requests that got no answer by the end of the run as crosses on the
// time axis. The legend sums each up as ping(8) does.
func pingFigure(m *model, opts Options) (*figure, error) {
	var shown []*pingSeries
	for _, ps := range m.pings {
		if ps.sent > 0 {
			shown = append(shown, ps)
		}
	}
	if len(shown) == 0 {
		return nil, fmt.Errorf("no ping requests in the time window: %w", ErrNoData)
	}
	lo, hi := figureSpan(m, opts)
	w := figureWidth(opts)
	tu := unitFor(hi.Sub(lo))
	x := func(t sim.Time) float64 { return float64(t) / tu.ns }
	var top int64
	for _, ps := range shown {
		top = max(top, ps.top)
	}
	ru := unitFor(time.Duration(top))
	p := newPlot("Ping round-trip times", fmt.Sprintf("time the request left (%s)", tu.name), fmt.Sprintf("RTT (%s)", ru.name))
	nb := bins{lo: lo, hi: hi, n: int(2 * w / vg.Points(1))}
	lostStyle := draw.GlyphStyle{Color: colDrop, Radius: vg.Points(3.5), Shape: draw.CrossGlyph{}}
	var lostIn []int // the series with crosses
	for i, ps := range shown {
		name := ps.host + " → " + ps.to
		if h := m.hostOf[ps.to]; h != "" {
			name = fmt.Sprintf("%s → %s (%s)", ps.host, h, ps.to)
		}
		name += fmt.Sprintf(": %d sent, %d received", ps.sent, ps.received)
		if ps.errors > 0 {
			// ping(8)'s summary line: "+5 errors".
			name += fmt.Sprintf(", +%d errors (%s)", ps.errors, strings.Join(ps.errnos, ", "))
		}
		pts := decimateLine(ps.rtt.points(), nb)
		if len(pts) > 0 {
			l := &plotter.Line{XYs: xys(pts, x, ru.ns), LineStyle: seriesLine(i)}
			p.Add(l)
			if len(pts) < sparseSeries {
				// Few echoes: mark each, so that a line between two
				// pings does not read as measured in between.
				s := &plotter.Scatter{XYs: l.XYs, GlyphStyle: seriesGlyph(i)}
				p.Add(s)
				p.Legend.Add(name, l, s)
			} else {
				p.Legend.Add(name, l)
			}
		} else {
			p.Legend.Add(name)
		}
		if addLost(p, decimateMarks(ps.lost.points(), nb), i, lostStyle, x, 1) {
			lostIn = append(lostIn, i)
		}
	}
	if len(lostIn) > 0 {
		p.Legend.Add("no reply", lostThumb(lostStyle, lostIn))
	}
	p.X.Min, p.X.Max = x(lo), x(hi)
	fitLegendY(p, float64(max(top, 1))/ru.ns, len(shown)+1)
	return onePanel(w, p), nil
}
