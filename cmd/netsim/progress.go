package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/netsimlab/netsim/sim"
)

// progressDelay is how long a run must last (in wall time) before progress
// is reported: short runs print nothing.
const progressDelay = 2 * time.Second

// progressLineEvery is the least wall time between two progress lines when
// stderr is not a terminal (a log file, CI, a batch job): enough to show
// that a long run is alive, too few to flood the log.
const progressLineEvery = 10 * time.Second

// progressBar reports simulated time over the run's end, events per second
// and an ETA on stderr: on a terminal as one line redrawn ten times a
// second, elsewhere as a plain line at most every progressLineEvery. It
// reads the wall clock, which is allowed in the CLI only (architecture
// rule 3), never touches the simulation, and writes only to stderr, never
// into the run's files, which stay deterministic.
type progressBar struct {
	w      io.Writer
	tty    bool
	clock  func() time.Time
	start  time.Time
	last   time.Time
	total  sim.Time
	events func() uint64
	shown  bool
}

// newProgressBar returns a progress reporter on w.
func newProgressBar(w io.Writer, total sim.Time, events func() uint64) *progressBar {
	return newProgressBarClock(w, isTerminal(w), total, events, time.Now)
}

// newProgressBarClock is newProgressBar with the terminal test and the
// clock given, for tests.
func newProgressBarClock(w io.Writer, tty bool, total sim.Time, events func() uint64, clock func() time.Time) *progressBar {
	now := clock()
	return &progressBar{w: w, tty: tty, clock: clock, start: now, last: now, total: total, events: events}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update reports progress at simulated time now, once the run has lasted
// progressDelay: on a terminal at most ten times a second, elsewhere at
// most every progressLineEvery.
func (p *progressBar) update(now sim.Time) {
	if p == nil {
		return
	}
	wall := p.clock()
	every := 100 * time.Millisecond
	if !p.tty {
		every = progressLineEvery
		if !p.shown {
			// The first line comes once the run has lasted progressDelay.
			every = progressDelay
		}
	}
	if wall.Sub(p.start) < progressDelay || wall.Sub(p.last) < every {
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
	if !p.tty {
		fmt.Fprintf(p.w, "netsim run: simulated %s of %s (%.0f%%), %s events/s, ETA %s\n",
			now.Duration(), p.total.Duration(), frac*100, humanCount(rate), eta)
		return
	}
	const width = 30
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %s / %s  %3.0f%%  %s events/s  ETA %s  ",
		strings.Repeat("=", n), strings.Repeat(" ", width-n), now, p.total, frac*100, humanCount(rate), eta)
}

// done erases the bar from a terminal.
func (p *progressBar) done() {
	if p == nil || !p.shown || !p.tty {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}

// humanCount prints 1234567 as "1.23M".
func humanCount(v float64) string {
	x, prefix := siPrefix(v)
	switch prefix {
	case "":
		return fmt.Sprintf("%.0f", x)
	case "k":
		return fmt.Sprintf("%.1fk", x)
	}
	return fmt.Sprintf("%.2f%s", x, prefix)
}

// siPrefix scales v to the largest of k, M and G it reaches, and names
// the prefix ("" below 1000).
func siPrefix(v float64) (float64, string) {
	switch {
	case v >= 1e9:
		return v / 1e9, "G"
	case v >= 1e6:
		return v / 1e6, "M"
	case v >= 1e3:
		return v / 1e3, "k"
	}
	return v, ""
}
