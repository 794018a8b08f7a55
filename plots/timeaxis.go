package plots

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"

	"github.com/netsimlab/netsim/sim"
)

// timeAxis maps simulated time to a plot coordinate in display units,
// optionally shortening idle gaps: each break's real interval is drawn
// gapLen long. Up to the first break a coordinate is the time itself.
type timeAxis struct {
	unit    timeUnit
	lo, hi  sim.Time
	breaks  []timeBreak
	gapLen  sim.Time
	removed []sim.Time // removed[i]: time cut out by breaks before i
}

// timeBreak is a real interval drawn shortened.
type timeBreak struct{ start, end sim.Time }

// interval is a span of time during which something was happening.
type interval struct{ start, end sim.Time }

// newTimeAxis returns a linear axis over [lo, hi].
func newTimeAxis(lo, hi sim.Time) *timeAxis {
	return &timeAxis{unit: unitFor(hi.Sub(lo)), lo: lo, hi: hi}
}

// newCompressedTimeAxis returns an axis over [lo, hi] on which every idle
// gap (a stretch covered by no busy interval) longer than gap is drawn gap
// long.
func newCompressedTimeAxis(lo, hi sim.Time, busy []interval, gap sim.Time) *timeAxis {
	a := &timeAxis{lo: lo, hi: hi, gapLen: gap}
	sort.Slice(busy, func(i, j int) bool {
		if busy[i].start != busy[j].start {
			return busy[i].start < busy[j].start
		}
		return busy[i].end < busy[j].end
	})
	cursor := lo // everything before cursor is covered or already cut
	for _, b := range busy {
		if b.start > cursor && b.start-cursor > gap {
			a.breaks = append(a.breaks, timeBreak{start: cursor, end: b.start})
		}
		if b.end > cursor {
			cursor = b.end
		}
	}
	if hi > cursor && hi-cursor > gap {
		a.breaks = append(a.breaks, timeBreak{start: cursor, end: hi})
	}
	var cut sim.Time
	a.removed = make([]sim.Time, len(a.breaks))
	for i, br := range a.breaks {
		a.removed[i] = cut
		cut += br.end - br.start - gap
	}
	// Labels give absolute times, so the unit suits the largest one.
	a.unit = unitFor(time.Duration(hi))
	return a
}

// compressed reports whether the axis cuts any gap short.
func (a *timeAxis) compressed() bool { return len(a.breaks) > 0 }

// pos returns t's coordinate in display units.
func (a *timeAxis) pos(t sim.Time) float64 {
	c := t - a.lo
	// The last break that starts before t.
	i := sort.Search(len(a.breaks), func(i int) bool { return a.breaks[i].start >= t }) - 1
	if i >= 0 {
		br := a.breaks[i]
		c -= a.removed[i]
		if t >= br.end {
			c -= br.end - br.start - a.gapLen
		} else {
			// Inside a break: spread its real length over gapLen.
			in := float64(t - br.start)
			c -= t - br.start
			return (float64(a.lo) + float64(c) + in*float64(a.gapLen)/float64(br.end-br.start)) / a.unit.ns
		}
	}
	return (float64(a.lo) + float64(c)) / a.unit.ns
}

// label returns the axis label, which says when gaps were shortened.
func (a *timeAxis) label() string {
	if a.compressed() {
		return fmt.Sprintf("time (%s); idle gaps shortened, marked ≈", a.unit.name)
	}
	return fmt.Sprintf("time (%s)", a.unit.name)
}

// ticker returns the tick marks: real times in display units, placed at
// their compressed positions, each uncut stretch ticked on its own.
func (a *timeAxis) ticker() plot.Ticker {
	return plot.TickerFunc(func(vmin, vmax float64) []plot.Tick {
		if !a.compressed() {
			return niceTicks{}.Ticks(vmin, vmax)
		}
		var pieces []interval
		start := a.lo
		for _, br := range a.breaks {
			pieces = append(pieces, interval{start, br.start})
			start = br.end
		}
		pieces = append(pieces, interval{start, a.hi})
		span := a.pos(a.hi) - a.pos(a.lo)
		var ticks []plot.Tick
		lastMajor := -1e300
		for _, pc := range pieces {
			if pc.end <= pc.start {
				ticks = append(ticks, a.tickAt(pc.start, &lastMajor, span, float64(a.gapLen)/a.unit.ns))
				continue
			}
			lo := float64(pc.start) / a.unit.ns
			hi := float64(pc.end) / a.unit.ns
			raw := niceTicks{}.Ticks(lo, hi)
			step := hi - lo
			var prev *float64
			for i := range raw {
				if !raw[i].IsMinor() {
					if prev != nil {
						step = min(step, raw[i].Value-*prev)
					}
					prev = &raw[i].Value
				}
			}
			for _, t := range raw {
				real := sim.Time(math.Round(t.Value * a.unit.ns))
				if real < pc.start || real > pc.end {
					continue
				}
				if t.IsMinor() {
					ticks = append(ticks, plot.Tick{Value: a.pos(real)})
					continue
				}
				ticks = append(ticks, a.tickAt(real, &lastMajor, span, step))
			}
		}
		return ticks
	})
}

// tickAt returns a tick at real time t labelled to the precision of step
// (in display units), unless the previous labelled tick is too close, in
// which case the tick is unlabelled.
func (a *timeAxis) tickAt(t sim.Time, lastMajor *float64, span, step float64) plot.Tick {
	p := a.pos(t)
	if p-*lastMajor < span/20 {
		return plot.Tick{Value: p}
	}
	*lastMajor = p
	decimals := 0
	if step > 0 {
		decimals = max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	}
	return plot.Tick{Value: p, Label: trimZeros(strconv.FormatFloat(float64(t)/a.unit.ns, 'f', min(decimals, 9), 64))}
}

// formatUnits prints a tick value with no more digits than it needs.
func formatUnits(v float64) string {
	s := fmt.Sprintf("%.6g", v)
	if s == "-0" {
		return "0"
	}
	return s
}

// breakText describes a break's real length, e.g. "≈ 1.8 s idle".
func breakText(br timeBreak) string {
	d := br.end.Sub(br.start)
	u := unitFor(d)
	return fmt.Sprintf("≈ %s %s idle", formatUnits(float64(d)/u.ns), u.name)
}
