package plots

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/sim"
)

// maxSide is the largest figure side accepted: 100 inches, 15000 pixels
// in PNG.
const maxSide = 100 * vg.Inch

// pngDPI is the resolution of PNG output: enough for print at the default
// size, small enough for a README.
const pngDPI = 150

// figure is a drawing ready to be put on a canvas of its size.
type figure struct {
	w, h vg.Length
	draw func(dc draw.Canvas)
}

// Render draws the figure opts asks for from recs into the file at path,
// in the format its extension names (.png, .svg or .pdf). The file is
// written whole or not at all. Its errors start with "plots:" once and do
// not name path: the caller does (it may be a temporary file).
func Render(recs []sim.Record, opts Options, path string) error {
	ext := filepath.Ext(path)
	format, err := formatName(ext)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	var buf bytes.Buffer
	if err := RenderTo(recs, opts, format, &buf); err != nil {
		return err // it says plots: already
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}

// RenderTo draws the figure opts asks for from recs to w in format ("png",
// "svg" or "pdf"; a leading dot is allowed). The same records and options
// give the same SVG bytes.
func RenderTo(recs []sim.Record, opts Options, format string, w io.Writer) error {
	format, err := formatName(format)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	fig, err := buildFigure(recs, opts)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	c := newCanvas(format, fig.w, fig.h)
	fig.draw(draw.New(c))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("plots: write %s %s: %w", opts.Kind, format, err)
	}
	return nil
}

// buildFigure dispatches on the kind.
func buildFigure(recs []sim.Record, opts Options) (*figure, error) {
	m := buildModel(recs)
	if opts.Conn != 0 && !m.hasConn(opts.Conn) {
		return nil, fmt.Errorf("%s: conn %d is not in the trace (have %v): %w", opts.Kind, opts.Conn, m.conns, ErrNoData)
	}
	if opts.Width < 0 || opts.Height < 0 || opts.Width > maxSide || opts.Height > maxSide {
		return nil, fmt.Errorf("%s: figure size %v x %v points is out of range (0 for the default, up to %v): %w", opts.Kind, float64(opts.Width), float64(opts.Height), float64(maxSide), ErrBadSize)
	}
	if opts.To != 0 && opts.To < opts.From {
		return nil, fmt.Errorf("%s: time window ends (%v) before it starts (%v): %w", opts.Kind, opts.To, opts.From, ErrNoData)
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
	default:
		return nil, fmt.Errorf("%w %q (want one of %s)", ErrUnknownKind, opts.Kind, strings.Join(append(Kinds(), KindRTT), ", "))
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
	return fig, nil
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
