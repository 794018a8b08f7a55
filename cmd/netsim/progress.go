package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/netsimlab/netsim/sim"
)

// progressDelay is how long a run must last (in wall time) before the
// progress bar appears: short runs print nothing.
const progressDelay = 2 * time.Second

// progressBar draws simulated time over the run's end, events per second
// and an ETA on one terminal line of stderr. It reads the wall clock, which
// is allowed in the CLI only (architecture rule 3), and never touches the
// simulation.
type progressBar struct {
	w      io.Writer
	start  time.Time
	last   time.Time
	total  sim.Time
	events func() uint64
	shown  bool
}

// newProgressBar returns a bar on w, or nil when w is not a terminal (a
// pipe or a file gets no progress output at all).
func newProgressBar(w io.Writer, total sim.Time, events func() uint64) *progressBar {
	if !isTerminal(w) {
		return nil
	}
	now := time.Now()
	return &progressBar{w: w, start: now, last: now, total: total, events: events}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update redraws the bar at most ten times a second, once the run has
// lasted progressDelay.
func (p *progressBar) update(now sim.Time) {
	if p == nil {
		return
	}
	wall := time.Now()
	if wall.Sub(p.start) < progressDelay || wall.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = wall, true
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(now)/float64(p.total), 1)
	}
	elapsed := wall.Sub(p.start)
	rate := float64(p.events()) / elapsed.Seconds()
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(elapsed)/frac) - elapsed).Round(time.Second).String()
	}
	const width = 30
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %s / %s  %3.0f%%  %s events/s  ETA %s  ",
		strings.Repeat("=", n), strings.Repeat(" ", width-n), now, p.total, frac*100, humanCount(rate), eta)
}

// done erases the bar.
func (p *progressBar) done() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}

// humanCount prints 1234567 as "1.23M".
func humanCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
