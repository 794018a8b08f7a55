package scenarios

import (
	"fmt"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// ErrStopped is wrapped by the error of Run when its progress function
// asked it to stop before the end, and of Build when BuildOptions.Stop
// did (the CLI does so on an interrupt). It is nodes.ErrStopped: one
// sentinel for every step that can be cancelled.
var ErrStopped = nodes.ErrStopped

// progressSlices is how many slices of simulated time Run cuts a run into
// so that its caller can report progress between them. Slicing with
// RunUntil does not change the order of events.
const progressSlices = 200

// Run simulates until the time until (the scenario's duration when 0) and
// returns the time the run stopped. progress, when not nil, is called
// between slices of simulated time with the current time; it must not
// touch the simulation, and returning false stops the run (ErrStopped).
func (w *World) Run(until sim.Time, progress func(now sim.Time) bool) (sim.Time, error) {
	if until <= 0 {
		until = sim.FromDuration(w.Scenario.Duration)
	}
	sched := w.Net.Scheduler()
	if progress == nil {
		if err := sched.RunUntil(until); err != nil {
			return sched.Now(), fmt.Errorf("run until %v: %w", until, err)
		}
		return sched.Now(), nil
	}
	step := max(until/progressSlices, 1)
	for t := sched.Now(); t < until; {
		t = min(t.Add(step.Duration()), until) // saturating: until may be near MaxTime
		if err := sched.RunUntil(t); err != nil {
			return sched.Now(), fmt.Errorf("run until %v: %w", t, err)
		}
		if !progress(sched.Now()) && sched.Now() < until {
			return sched.Now(), fmt.Errorf("at %v: %w", sched.Now(), ErrStopped)
		}
	}
	return sched.Now(), nil
}

// Events returns the number of events the world's scheduler has run.
func (w *World) Events() uint64 { return w.Net.Scheduler().Processed() }
