package plots

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	plot "github.com/netsimlab/netsim/third_party/gonumplot"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/draw"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/vgimg"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/vgpdf"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg/vgsvg"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/sim"
)

// maxSide is the largest figure side accepted: 100 inches, 15000 pixels
// in PNG.
const maxSide = 100 * vg.Inch

// pngDPI is the resolution of PNG output: enough for print at the default
// size, small enough for a README.
const pngDPI = 150

// figure is a drawing ready to be put on a canvas of its size. panels
// are its plots, top first, for the caller's title, labels and font size
// (nil for a figure drawn by hand).
type figure struct {
	w, h   vg.Length
	draw   func(dc draw.Canvas)
	panels []*plot.Plot
	// seq is the sequence diagram drawn, nil for the other kinds.
	seq *seqDiagram
}

// Collector reads trace records as a run produces them (it is a sim.Sink)
// or as they are read back from trace.jsonl, and keeps only what its
// figures need: packets while they are in flight, the first packets of
// the sequence diagram, and every other series reduced to a few points per
// pixel column (see stream.go). Its memory does not grow with the length
// of the trace, so plotting a long 1 Gbit/s run costs about what plotting
// a short one does.
type Collector struct {
	m *model
}

// NewCollector returns a collector for figures of the given kinds (all
// when none are given), within scope: its From, To and Conn bound what is
// kept, its ShowRouters and MaxPackets shape the sequence diagram. The
// figures drawn from it may narrow the window further.
func NewCollector(scope Options, kinds ...string) *Collector {
	return &Collector{m: newModel(scope, kinds)}
}

// Emit reads one record; it implements sim.Sink. Records must come in
// simulated-time order; r may be reused once Emit returns.
func (c *Collector) Emit(r *sim.Record) {
	c.m.add(r)
}

// Conns returns the connection ids seen so far, in increasing order.
func (c *Collector) Conns() []int {
	out := append([]int(nil), c.m.conns...)
	sort.Ints(out)
	return out
}

// Render draws the figure opts asks for into the file at path, in the
// format its extension names (.png, .svg or .pdf). The file is written
// whole or not at all. Render and RenderTo come after the last record:
// the first of them ends the reading.
func (c *Collector) Render(opts Options, path string) error {
	format, err := formatName(filepath.Ext(path))
	if err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := c.RenderTo(opts, format, &buf); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	return nil
}

// RenderTo draws the figure opts asks for to w in format ("png", "svg" or
// "pdf"; a leading dot is allowed). The same records and options give the
// same SVG bytes.
func (c *Collector) RenderTo(opts Options, format string, w io.Writer) error {
	format, err := formatName(format)
	if err != nil {
		return err
	}
	c.m.finish()
	fig, err := buildFigure(c.m, opts)
	if err != nil {
		return err
	}
	cv := newCanvas(format, fig.w, fig.h)
	fig.draw(draw.New(cv))
	if _, err := cv.WriteTo(w); err != nil {
		return fmt.Errorf("write %s %s: %w", opts.Kind, format, err)
	}
	return nil
}

// Render draws the figure opts asks for from recs into the file at path,
// in the format its extension names (.png, .svg or .pdf). The file is
// written whole or not at all.
func Render(recs []sim.Record, opts Options, path string) error {
	return collect(recs, opts).Render(opts, path)
}

// RenderTo draws the figure opts asks for from recs to w in format ("png",
// "svg" or "pdf"; a leading dot is allowed). The same records and options
// give the same SVG bytes.
func RenderTo(recs []sim.Record, opts Options, format string, w io.Writer) error {
	return collect(recs, opts).RenderTo(opts, format, w)
}

// collect reads recs into a collector for the one figure opts asks for.
func collect(recs []sim.Record, opts Options) *Collector {
	c := NewCollector(opts, opts.Kind)
	for i := range recs {
		c.Emit(&recs[i])
	}
	return c
}

// buildFigure dispatches on the kind.
func buildFigure(m *model, opts Options) (*figure, error) {
	if !slices.Contains(append(Kinds(), KindRTT), opts.Kind) {
		return nil, fmt.Errorf("%w %q (want one of %s)", ErrUnknownKind, opts.Kind, strings.Join(append(Kinds(), KindRTT), ", "))
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Kind, err)
	}
	if !m.want.has(opts.Kind) {
		return nil, fmt.Errorf("%s: the records were not collected for this kind: %w", opts.Kind, ErrNoData)
	}
	if opts.Conn != 0 && !m.hasConn(opts.Conn) {
		return nil, fmt.Errorf("%s: conn %d is not in the trace (%s): %w", opts.Kind, opts.Conn, m.connsText(), ErrNoData)
	}
	var (
		fig *figure
		err error
	)
	switch opts.Kind {
	case KindSequence:
		fig, err = sequenceFigure(m, opts)
	case KindTimeSequence:
		fig, err = timeSequenceFigure(m, opts)
	case KindCwnd:
		fig, err = cwndFigure(m, opts, true)
	case KindRTT:
		fig, err = cwndFigure(m, opts, false)
	case KindThroughput:
		fig, err = throughputFigure(m, opts)
	case KindQueue:
		fig, err = queueFigure(m, opts)
	case KindDelay:
		fig, err = delayFigure(m, opts)
	case KindDelayCDF:
		fig, err = delayCDFFigure(m, opts)
	case KindPing:
		fig, err = pingFigure(m, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Kind, err)
	}
	if opts.Width > 0 {
		fig.w = opts.Width
	}
	if opts.Height > 0 {
		fig.h = opts.Height
	}
	fig.applyText(opts)
	return fig, nil
}

// applyText puts the caller's title, axis labels and font size on the
// figure's panels.
func (f *figure) applyText(opts Options) {
	if len(f.panels) == 0 {
		return
	}
	top := f.panels[0]
	if opts.Title != "" {
		top.Title.Text = opts.Title
	}
	if opts.YLabel != "" {
		top.Y.Label.Text = opts.YLabel
	}
	for _, p := range f.panels {
		if opts.XLabel != "" {
			p.X.Label.Text = opts.XLabel
		}
		if opts.FontSize > 0 {
			scaleFonts(p, float64(opts.FontSize/labelSize))
		}
	}
}

// CheckFile reports whether path names a file this package can draw into:
// its extension is .png, .svg or .pdf. The error wraps ErrUnknownFormat. A
// caller checks it before it reads a trace, which may take minutes.
func CheckFile(path string) error {
	_, err := formatName(filepath.Ext(path))
	return err
}

// formatName normalises an extension or format name to png, svg or pdf.
func formatName(s string) (string, error) {
	f := strings.ToLower(strings.TrimPrefix(s, "."))
	switch f {
	case "png", "svg", "pdf":
		return f, nil
	}
	if s == "" {
		return "", fmt.Errorf("%w: no file extension (want .png, .svg or .pdf)", ErrUnknownFormat)
	}
	return "", fmt.Errorf("%w %q (want .png, .svg or .pdf)", ErrUnknownFormat, s)
}

// newCanvas returns a canvas of the format; fonts are not embedded in SVG
// (viewers substitute a serif), which keeps files small and identical.
func newCanvas(format string, w, h vg.Length) vg.CanvasWriterTo {
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))}
	case "pdf":
		return vgpdf.New(w, h)
	}
	return vgsvg.New(w, h)
}

// inWindow reports whether t lies in the options' time window.
func inWindow(opts Options, t sim.Time) bool {
	return t >= opts.From && (opts.To == 0 || t <= opts.To)
}

// figureSpan is the time span a figure over time shows: the options'
// window, or the run.
func figureSpan(m *model, opts Options) (lo, hi sim.Time) {
	lo, hi = opts.From, opts.To
	if lo == 0 {
		lo = m.first
	}
	if hi == 0 {
		hi = m.last
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// figureWidth is the options' width, or the default.
func figureWidth(opts Options) vg.Length {
	if opts.Width > 0 {
		return opts.Width
	}
	return defaultWidth
}

// onePanel is a figure of one plot.
func onePanel(w vg.Length, p *plot.Plot) *figure {
	return &figure{w: w, h: defaultHeight, draw: p.Draw, panels: []*plot.Plot{p}}
}

// twoPanels is a figure of two plots of the same time axis, top above
// bottom, their axes aligned.
func twoPanels(w vg.Length, top, bottom *plot.Plot) *figure {
	return &figure{w: w, h: 2 * defaultHeight, panels: []*plot.Plot{top, bottom}, draw: func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
		top.Draw(cs[0][0])
		bottom.Draw(cs[1][0])
	}}
}
