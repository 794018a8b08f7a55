package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/plotter"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"

	"github.com/netsimlab/netsim/internal/atomicfile"
)

// SweepFigure is a metric of a sweep against one parameter: one line per
// series through the means, in a band that spans each point's confidence
// interval.
type SweepFigure struct {
	Title, XLabel, YLabel string
	// XTicks, when not nil, makes the x axis categorical: point X values are
	// indexes into XTicks (for parameters that are not numbers, such as a
	// congestion control).
	XTicks []string
	Series []SweepSeries
}

// SweepSeries is one line of a SweepFigure.
type SweepSeries struct {
	Name   string
	Points []SweepPoint
}

// SweepPoint is one grid point of a series: the mean and the bounds of its
// confidence interval. NaN bounds (one sample has no interval) draw the
// band through the mean.
type SweepPoint struct {
	X, Mean, Low, High float64
}

// bandAlpha is the opacity of a confidence band: light enough for bands of
// two series to overlap legibly.
const bandAlpha = 0x40

// RenderSweep draws fig into the file at path, in the format its extension
// names (.png, .svg or .pdf); the file is written whole or not at all.
func RenderSweep(fig SweepFigure, path string) error {
	format, err := formatName(filepath.Ext(path))
	if err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := RenderSweepTo(fig, format, &buf); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	return nil
}

// RenderSweepTo draws fig to w in format ("png", "svg" or "pdf"). Points are
// drawn in X order whatever order they come in.
func RenderSweepTo(fig SweepFigure, format string, w io.Writer) error {
	format, err := formatName(format)
	if err != nil {
		return err
	}
	p := newPlot(fig.Title, fig.XLabel, fig.YLabel)
	// On a categorical axis (congestion controls, queue kinds) nothing lies
	// between two categories: each point gets its own error bar, series
	// side by side around the category, and no line or band joins them.
	categorical := fig.XTicks != nil
	drawn := 0
	var top float64
	for i, s := range fig.Series {
		pts := slices.Clone(s.Points)
		pts = slices.DeleteFunc(pts, func(pt SweepPoint) bool { return math.IsNaN(pt.X) || math.IsNaN(pt.Mean) })
		if len(pts) == 0 {
			continue
		}
		slices.SortStableFunc(pts, func(a, b SweepPoint) int { return cmpFloat(a.X, b.X) })
		if categorical && len(fig.Series) > 1 {
			off := dodgeWidth * (float64(i) - float64(len(fig.Series)-1)/2) / float64(len(fig.Series))
			for j := range pts {
				pts[j].X += off
			}
		}
		mean := make(plotter.XYs, len(pts))
		band := make(plotter.XYs, 0, 2*len(pts))
		for j, pt := range pts {
			mean[j] = plotter.XY{X: pt.X, Y: pt.Mean}
			band = append(band, plotter.XY{X: pt.X, Y: orMean(pt.Low, pt.Mean)})
			top = max(top, orMean(pt.High, pt.Mean), pt.Mean)
		}
		for j := len(pts) - 1; j >= 0; j-- {
			band = append(band, plotter.XY{X: pts[j].X, Y: orMean(pts[j].High, pts[j].Mean)})
		}
		ls := seriesLine(i)
		thumbs := []plot.Thumbnailer{}
		if len(pts) > 1 && !categorical {
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return fmt.Errorf("sweep band of %s: %w", s.Name, err)
			}
			r, g, b, _ := ls.Color.RGBA()
			poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), bandAlpha}
			poly.LineStyle.Width = 0
			p.Add(poly)
			line, err := plotter.NewLine(mean)
			if err != nil {
				return fmt.Errorf("sweep line of %s: %w", s.Name, err)
			}
			line.LineStyle = ls
			p.Add(line)
			thumbs = append(thumbs, line)
		} else {
			// Points without a band between them: each interval is an
			// error bar.
			bar, err := plotter.NewYErrorBars(errorBars(pts))
			if err != nil {
				return fmt.Errorf("sweep interval of %s: %w", s.Name, err)
			}
			bar.LineStyle = draw.LineStyle{Color: ls.Color, Width: ls.Width}
			p.Add(bar)
		}
		marks, err := plotter.NewScatter(mean)
		if err != nil {
			return fmt.Errorf("sweep points of %s: %w", s.Name, err)
		}
		marks.GlyphStyle = seriesGlyph(i)
		p.Add(marks)
		if s.Name != "" {
			p.Legend.Add(s.Name, append(thumbs, marks)...)
		}
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("sweep %q: no point has a value: %w", fig.YLabel, ErrNoData)
	}
	if categorical {
		p.NominalX(fig.XTicks...)
		p.X.Label.Text = fig.XLabel
		p.X.Min, p.X.Max = -0.5, float64(len(fig.XTicks))-0.5
	} else if ticks := valueTicks(fig.Series); ticks != nil {
		// A grid has few x values: label exactly those.
		p.X.Tick.Marker = ticks
	}
	// The legend goes top right, over a white box: goodput and the like
	// fall as a parameter grows, so that corner is the emptiest.
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(6)
	// Head room above the highest interval, so that the legend sits above
	// the data rather than over it.
	if top > 0 {
		p.Y.Max = max(p.Y.Max, top*legendHeadroom(drawn))
	}
	p.Add(legendBackdrop{})
	c := newCanvas(format, defaultWidth, defaultHeight)
	p.Draw(draw.New(c))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write sweep %s: %w", format, err)
	}
	return nil
}

// maxValueTicks is the most distinct x values that get a tick each.
const maxValueTicks = 12

// valueTicks returns ticks at the series' x values, or nil when there are
// too many of them.
func valueTicks(series []SweepSeries) plot.ConstantTicks {
	var xs []float64
	for _, s := range series {
		for _, pt := range s.Points {
			if !math.IsNaN(pt.X) && !slices.Contains(xs, pt.X) {
				xs = append(xs, pt.X)
			}
		}
	}
	if len(xs) == 0 || len(xs) > maxValueTicks {
		return nil
	}
	slices.Sort(xs)
	ticks := make(plot.ConstantTicks, len(xs))
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return ticks
}

func orMean(bound, mean float64) float64 {
	if math.IsNaN(bound) || math.IsInf(bound, 0) {
		return mean
	}
	return bound
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dodgeWidth is the share of a category's width the series of a
// categorical sweep plot are spread over, side by side.
const dodgeWidth = 0.4

// errorBars are points' confidence intervals as plotter error bars.
type errorBars []SweepPoint

func (e errorBars) Len() int                    { return len(e) }
func (e errorBars) XY(i int) (float64, float64) { return e[i].X, e[i].Mean }
func (e errorBars) YError(i int) (low, high float64) {
	return e[i].Mean - orMean(e[i].Low, e[i].Mean), orMean(e[i].High, e[i].Mean) - e[i].Mean
}
