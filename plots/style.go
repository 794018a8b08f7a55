package plots

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/font"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/text"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"
)

// Paper defaults: figures are drawn about 6 inches wide so that, scaled to a
// 3.5-inch column, 12-point labels still read as 7 points. Series differ in
// colour (the Okabe-Ito palette, safe for colour-blind readers), in
// luminance and in dash pattern and marker, so that they survive greyscale
// printing.
const (
	defaultWidth  = 6 * vg.Inch
	defaultHeight = 4 * vg.Inch
	labelSize     = 12
	tickSize      = 10
	legendSize    = 10
	noteSize      = 9
)

// The series styles, in the order series are assigned them.
var seriesColors = []color.Color{
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{120, 120, 120, 255}, // grey
}

var seriesDashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(10), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2)},
	{vg.Points(1), vg.Points(3)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2), vg.Points(2), vg.Points(2)},
}

var seriesGlyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{}, draw.BoxGlyph{},
}

// Fixed colours with a meaning.
var (
	colRetrans = color.RGBA{213, 30, 0, 255}    // retransmissions: red
	colDrop    = color.RGBA{200, 0, 0, 255}     // drops
	colAck     = color.RGBA{0, 140, 60, 255}    // ACK line: green, as tcptrace
	colWindow  = color.RGBA{200, 160, 0, 255}   // receive window: yellow-brown
	colSACK    = color.RGBA{140, 60, 170, 255}  // SACK blocks: purple
	colState   = color.RGBA{0, 80, 150, 255}    // TCP state names
	colLife    = color.RGBA{150, 150, 150, 255} // lifelines
	colBreak   = color.RGBA{110, 110, 110, 255} // time-axis breaks
	colorBlack = color.RGBA{0, 0, 0, 255}
)

// seriesLine returns the line style of the i-th series.
func seriesLine(i int) draw.LineStyle {
	return draw.LineStyle{
		Color:  seriesColors[i%len(seriesColors)],
		Width:  vg.Points(1.5),
		Dashes: seriesDashes[i%len(seriesDashes)],
	}
}

// seriesGlyph returns the marker style of the i-th series.
func seriesGlyph(i int) draw.GlyphStyle {
	return draw.GlyphStyle{
		Color:  seriesColors[i%len(seriesColors)],
		Radius: vg.Points(2.5),
		Shape:  seriesGlyphs[i%len(seriesGlyphs)],
	}
}

// newPlot returns a plot with the paper defaults.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = labelSize
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = labelSize
		a.Tick.Label.Font.Size = tickSize
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.TextStyle.Font.Size = legendSize
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = -vg.Points(4)
	p.Legend.ThumbnailWidth = vg.Points(24)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	return p
}

// scaleFonts multiplies every font size of p by k.
func scaleFonts(p *plot.Plot, k float64) {
	p.Title.TextStyle.Font.Size *= vg.Length(k)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size *= vg.Length(k)
		a.Tick.Label.Font.Size *= vg.Length(k)
	}
	p.Legend.TextStyle.Font.Size *= vg.Length(k)
	p.Legend.ThumbnailWidth *= vg.Length(k)
}

// textStyle returns a text style of the given size and colour in the
// plot's font.
func textStyle(size vg.Length, c color.Color, variant font.Variant) text.Style {
	f := plot.DefaultFont
	if variant != "" {
		f.Variant = variant
	}
	return text.Style{
		Color:   c,
		Font:    font.From(f, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// timeUnit is a unit for a time axis.
type timeUnit struct {
	ns   float64
	name string
}

// unitFor returns a unit in which span reads as a number from about 2 to
// 2000.
func unitFor(span time.Duration) timeUnit {
	ns, name := thousands(float64(span), 2, "ns", "µs", "ms", "s")
	return timeUnit{ns, name}
}

// thousands chooses the unit an axis reads v in, among names, each a
// thousand times the one before (names[0] is v's own unit): the largest
// in which v is still least or more. It returns the unit's size in v's
// unit, to divide by, and its name. Every axis of the figures picks its
// unit this way, so that they all read alike.
func thousands(v, least float64, names ...string) (float64, string) {
	div, name := 1.0, names[0]
	for _, n := range names[1:] {
		if !(v >= least*div*1000) { // written so that NaN stays in names[0]
			break
		}
		div *= 1000
		name = n
	}
	return div, name
}

// niceDuration rounds d up to 1, 2 or 5 times a power of ten nanoseconds.
func niceDuration(d time.Duration) time.Duration {
	if d <= 1 {
		return 1
	}
	for p := time.Duration(1); ; p *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if m*p >= d {
				return m * p
			}
		}
		if p > time.Duration(1<<62)/10 {
			return d
		}
	}
}

// legendThumb returns a legend thumbnail for a line style.
func legendThumb(ls draw.LineStyle) plot.Thumbnailer {
	return &plotter.Line{LineStyle: ls}
}

// glyphThumb returns a legend thumbnail for a marker.
func glyphThumb(gs draw.GlyphStyle) plot.Thumbnailer {
	return &plotter.Scatter{GlyphStyle: gs}
}

// legendBackdrop is added as a figure's last plotter: it lays a nearly
// opaque white box where the legend is about to be drawn, so that the
// legend stays readable over dense data.
type legendBackdrop struct{}

// Plot implements plot.Plotter.
func (legendBackdrop) Plot(c draw.Canvas, p *plot.Plot) {
	l := &p.Legend
	size := l.Rectangle(c).Size()
	if size.X <= 0 || size.Y <= 0 {
		return
	}
	const margin = 4
	var r vg.Rectangle
	if l.Left {
		r.Min.X = c.Min.X + l.XOffs
		r.Max.X = r.Min.X + size.X
	} else {
		r.Max.X = c.Max.X + l.XOffs
		r.Min.X = r.Max.X - size.X
	}
	if l.Top {
		r.Max.Y = c.Max.Y + l.YOffs
		r.Min.Y = r.Max.Y - size.Y
	} else {
		r.Min.Y = c.Min.Y + l.YOffs
		r.Max.Y = r.Min.Y + size.Y
	}
	r.Min.X -= margin
	r.Min.Y -= margin
	r.Max.X += margin
	r.Max.Y += margin
	c.FillPolygon(color.NRGBA{R: 255, G: 255, B: 255, A: 225}, []vg.Point{
		r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y},
	})
}

// legendHeadroom is the factor to stretch a y range by so that a top
// legend of n entries sits above the data rather than over it.
func legendHeadroom(n int) float64 {
	return 1.08 + 0.06*float64(min(n, 10))
}

// fitLegendY sets the y range of p from 0 to top, stretched so that a top
// legend of rows entries sits above the data, and puts the legend's
// backdrop over the plot.
func fitLegendY(p *plot.Plot, top float64, rows int) {
	p.Y.Min = 0
	p.Y.Max = top * legendHeadroom(rows)
	p.Add(legendBackdrop{})
}

// niceTicks label 4 to 8 round values, 1, 2 or 5 times a power of ten
// apart (as gnuplot and matplotlib choose them), or 2.5 when no such step
// gives 4 labels, with an unlabelled minor tick halfway between; gonum's
// default puts 2 or 3 labels at odd values such as 250, 1000 and 1750.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo, 1)}}
	}
	step := niceStep(lo, hi)
	var ts []plot.Tick
	first := math.Ceil(lo/step*2-1e-9) / 2 // on the half-step grid
	for k := 0; k < 40; k++ {
		v := (first + float64(k)/2) * step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v/step-math.Round(v/step)) < 1e-6 {
			ts = append(ts, plot.Tick{Value: v, Label: formatTick(v, step)})
		} else {
			ts = append(ts, plot.Tick{Value: v})
		}
	}
	return ts
}

// niceStep returns the smallest step of 1, 2 or 5 times a power of ten
// that puts at most 7 labels on [lo, hi]; when that gives fewer than 4
// (the next smaller step would give 8 or more), the smallest of 2.5 times
// a power of ten that gives 4 to 8, as matplotlib's MaxNLocator allows.
func niceStep(lo, hi float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/8)))
	labels := func(step float64) int {
		return int(math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1)
	}
	smallest := func(ms []float64, least, most int) float64 {
		for _, m := range ms {
			if n := labels(m * mag); n <= most && n >= least {
				return m * mag
			}
		}
		return 0
	}
	step := smallest([]float64{1, 2, 5, 10, 20, 50, 100}, 0, 7)
	if labels(step) < 4 {
		if alt := smallest([]float64{2.5, 25}, 4, 8); alt != 0 {
			return alt
		}
	}
	return step
}

// formatTick prints v with as many decimals as step needs (2 for 0.25).
func formatTick(v, step float64) string {
	decimals := 0
	// Rounded to 12 digits first: 2.5 × 0.1 may come out as 0.25000000000000006.
	step12, _ := strconv.ParseFloat(strconv.FormatFloat(step, 'g', 12, 64), 64)
	if st := strconv.FormatFloat(step12, 'f', -1, 64); strings.Contains(st, ".") {
		decimals = len(st) - strings.Index(st, ".") - 1
	}
	if math.Abs(v) < step*1e-9 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', min(decimals, 9), 64)
}

// trimZeros removes trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}
