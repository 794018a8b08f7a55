package scenarios

import (
	"fmt"

	"github.com/netsimlab/netsim/internal/hugepage"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// ErrStopped is wrapped by the error of Run when its progress function
// asked it to stop before the end, and of Build when BuildOptions.Stop
// did (the CLI does so on an interrupt). It is nodes.ErrStopped: one
// sentinel for every step that can be cancelled.
var ErrStopped = nodes.ErrStopped

// progressSlices is how many slices of simulated time Run cuts a run into
// so that its caller can report progress between them, and Run decide
// between them whether to ask for huge pages (hugePages). Slicing with
// RunUntil does not change the order of events.
const progressSlices = 200

// Run simulates until the time until (the scenario's duration when 0) and
// returns the time the run stopped. progress, when not nil, is called
// between slices of simulated time with the current time; it must not
// touch the simulation, and returning false stops the run (ErrStopped).
// A time before the present is ErrPast and one equal to it runs the
// events due now, as the scheduler's RunUntil; an event that calls the
// scheduler's Stop ends the run there, with no error, as it ends
// RunUntil.
func (w *World) Run(until sim.Time, progress func(now sim.Time) bool) (sim.Time, error) {
	if until <= 0 {
		until = sim.FromDuration(w.Scenario.Duration)
	}
	sched := w.Net.Scheduler()
	if until <= sched.Now() {
		// No slice to run: as RunUntil (ErrPast, or the events due now),
		// with or without a progress function.
		if err := sched.RunUntil(until); err != nil {
			return sched.Now(), fmt.Errorf("run until %v: %w", until, err)
		}
		return sched.Now(), nil
	}
	w.hugePages()
	step := max(until/progressSlices, 1)
	for t := sched.Now(); t < until; {
		t = min(t.Add(step.Duration()), until) // saturating: until may be near MaxTime
		if err := sched.RunUntil(t); err != nil {
			return sched.Now(), fmt.Errorf("run until %v: %w", t, err)
		}
		if sched.Stopped() {
			// An event called Stop: RunUntil left the clock at it, and the
			// next slice must not go on as if the slice had ended (the
			// clock alone cannot tell a Stop at the slice's very end).
			return sched.Now(), nil
		}
		w.hugePages()
		if progress != nil && !progress(sched.Now()) && sched.Now() < until {
			return sched.Now(), fmt.Errorf("at %v: %w", sched.Now(), ErrStopped)
		}
	}
	return sched.Now(), nil
}

// Huge pages: a large world's memory in 4 KiB pages misses the TLB at
// nearly every object a packet touches (a flow's turn touches a dozen
// pages: its hosts, links, sockets and connections, each in spans of its
// own size; the TLB maps about 1,500), so Run asks for the world's memory
// in huge pages (hugepage.Collapse) once it has run long enough for that
// to pay (docs/performance.md, "Huge pages").
const (
	// hugePageHosts is the fewest hosts for which Run asks: fewer
	// flows' pages fit in the TLB as they are.
	hugePageHosts = 256
	// hugePageEventsPerMiB is how many events the world must have run,
	// per MiB the runtime has mapped, before Run asks: a collapse costs
	// up to about 2 ms per MiB on this project's VM, and 24,000 events
	// take about three times that, so a run too short to repay it (a
	// burst of short flows, a sweep's runs) never pays for it.
	hugePageEventsPerMiB = 24_000
)

// hugePages asks once, at the start of Run and between its slices, for
// the world's memory in huge pages when the world is large and has run
// long enough (hugePageHosts, hugePageEventsPerMiB). A hint, which
// changes no result.
func (w *World) hugePages() {
	if w.huge || len(w.Scenario.Hosts) < hugePageHosts || w.Events() < hugePageEventsPerMiB*(hugepage.MinMapped>>20) {
		return
	}
	if w.Events() < hugePageEventsPerMiB*(hugepage.Mapped()>>20) {
		return
	}
	// Asked once: a world whose runtime has not yet mapped enough for
	// Collapse asks again between later slices.
	w.huge = hugepage.Collapse()
}

// Events returns the number of events the world's scheduler has run.
func (w *World) Events() uint64 { return w.Net.Scheduler().Processed() }
