package plots

import (
	"errors"
	"fmt"
	"time"

	"github.com/netsimlab/netsim/third_party/gonumplot/vg"

	"github.com/netsimlab/netsim/sim"
)

// The plot kinds, as named by scenarios (outputs.plots) and `netsim plot
// --kind`.
const (
	KindSequence     = "sequence"
	KindTimeSequence = "time-sequence"
	KindCwnd         = "cwnd"
	KindThroughput   = "throughput"
	KindQueue        = "queue"
	// KindDelay is the one-way delay of each TCP or UDP flow over time,
	// with its RFC 3550 jitter below; KindDelayCDF the distribution of
	// those delays; KindPing the RTT of each ping echo.
	KindDelay    = "delay"
	KindDelayCDF = "delay-cdf"
	KindPing     = "ping"
	// KindRTT draws only the RTT panel of KindCwnd. It is accepted by Render
	// but not listed by Kinds, since KindCwnd already contains it.
	KindRTT = "rtt"
)

// Kinds returns the plot kinds a scenario may ask for, in a fixed order.
func Kinds() []string {
	return []string{KindSequence, KindTimeSequence, KindCwnd, KindThroughput, KindQueue, KindDelay, KindDelayCDF, KindPing}
}

// PerConn reports whether kind draws one connection per figure, so that a
// caller writing every connection names the files <kind>-<conn>.<format>.
// The other kinds draw every connection (or link) in one figure, and accept a
// connection filter.
func PerConn(kind string) bool {
	return kind == KindTimeSequence || kind == KindCwnd || kind == KindRTT
}

// Options choose what a figure shows. The zero value (apart from Kind) draws
// the whole run at the default size.
type Options struct {
	// Kind is one of Kinds (or KindRTT).
	Kind string
	// Conn restricts the figure to one connection id; 0 means every
	// connection. The per-connection kinds (see PerConn) draw the lowest
	// connection id when Conn is 0.
	Conn int
	// From and To bound the time shown; To = 0 means the end of the run.
	From, To sim.Time
	// CompressTime shortens idle gaps on the sequence diagram's time axis so
	// that microsecond exchanges and second-long timeouts fit in one figure.
	// Each shortened gap is marked on the figure with its real length.
	CompressTime bool
	// NodeOrder is the scenario's nodes in the order it declares them:
	// lifelines the network puts at one place (a dumbbell's receivers)
	// follow it, and natural name order for nodes it does not list (nil:
	// natural name order for all).
	NodeOrder []string
	// ShowRouters draws router lifelines on the sequence diagram, and the
	// packets hop by hop.
	ShowRouters bool
	// Window is the throughput averaging window; 0 chooses about a
	// fiftieth of the time shown, rounded up to 1, 2 or 5 times a power of
	// ten.
	Window time.Duration
	// MaxPackets is the most packets a sequence diagram draws (the first
	// ones in the window); 0 means defaultSeqPackets for a whole run, and
	// up to maxSeqPackets when To bounds the window. The title says when
	// packets were left out.
	MaxPackets int
	// Width and Height are the figure size; 0 chooses a size that suits the
	// kind (a single-column paper figure is about 3.5 inches wide; these
	// defaults are drawn to be scaled down to it).
	Width, Height vg.Length
	// Title, XLabel and YLabel replace the figure's own title and axis
	// labels when not empty (in a figure of two panels, the title and the
	// y label are the upper panel's; the x label is both panels').
	Title, XLabel, YLabel string
	// FontSize is the size of axis labels and titles in points; ticks,
	// legends and notes scale with it. 0 means 12 points.
	FontSize vg.Length
}

// maxFontSize is the largest FontSize accepted.
const maxFontSize = 72

// validate checks the options that do not depend on the records.
func (o Options) validate() error {
	if o.Width < 0 || o.Height < 0 || o.Width > maxSide || o.Height > maxSide {
		return fmt.Errorf("figure size %v x %v points is out of range (0 for the default, up to %v): %w", float64(o.Width), float64(o.Height), float64(maxSide), ErrBadSize)
	}
	if o.FontSize < 0 || o.FontSize > maxFontSize {
		return fmt.Errorf("font size %v points is out of range (0 for the default 12, up to %d): %w", float64(o.FontSize), maxFontSize, ErrBadSize)
	}
	if o.MaxPackets < 0 {
		return fmt.Errorf("%d packets: want 0 (the default) or more: %w", o.MaxPackets, ErrNoData)
	}
	if o.To != 0 && o.To < o.From {
		return fmt.Errorf("time window ends (%v) before it starts (%v): %w", o.To, o.From, ErrNoData)
	}
	return nil
}

// Errors callers can branch on with errors.Is.
var (
	// ErrUnknownKind: Options.Kind is not a kind this package draws.
	ErrUnknownKind = errors.New("unknown plot kind")
	// ErrUnknownFormat: the output format (file extension) is not png, svg
	// or pdf.
	ErrUnknownFormat = errors.New("unknown plot format")
	// ErrBadSize: Options.Width or Height is negative or too large.
	ErrBadSize = errors.New("bad figure size")
	// ErrNoData: the records hold nothing the kind can draw (no TCP
	// connection for a time-sequence graph, no such Conn, no queue records,
	// an empty time window).
	ErrNoData = errors.New("nothing to plot")
)
