package sweep

import (
	"context"
	"fmt"
	"io"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// RunSpec is one simulation to carry out.
type RunSpec struct {
	// File names the scenario in errors (the point's file in the sweep's
	// output folder).
	File     string
	Scenario []byte
	Seed     uint64
}

// Runner carries out one simulation. Execute calls it from several
// goroutines at once, so an implementation must not share mutable state
// between calls.
type Runner interface {
	Run(ctx context.Context, spec RunSpec) (Result, error)
}

// RunnerFunc adapts a function to a Runner.
type RunnerFunc func(ctx context.Context, spec RunSpec) (Result, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, spec RunSpec) (Result, error) { return f(ctx, spec) }

// InProcess runs a simulation in the calling goroutine with the scenarios
// package, as netsim run does: the same scenario and seed give the same
// trace sha256. Each run is single-threaded and shares nothing with others.
type InProcess struct{}

// sliceCount is how many slices of simulated time a run is cut into so that
// a cancelled context stops it early; slicing does not change event order.
const sliceCount = 64

// Run parses, builds and simulates spec for the scenario's duration.
func (InProcess) Run(ctx context.Context, spec RunSpec) (Result, error) {
	s, err := scenarios.Parse(spec.File, spec.Scenario)
	if err != nil {
		return Result{}, err
	}
	jsonl := sim.NewJSONLWriter(io.Discard)
	defer func() { _ = jsonl.Err() }() // a cancelled run leaves no buffer in flight
	summary, checker, done := scenarios.NewSummarizer(), scenarios.NewChecker(s), newCompletionSink()
	rtt := &RTTStats{}
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: spec.Seed, Trace: sim.Tee{jsonl, summary, checker, done, rtt}})
	if err != nil {
		return Result{}, err
	}
	until := sim.FromDuration(s.Duration)
	step := max(until/sliceCount, 1)
	var end sim.Time
	for t := sim.Time(0); t < until; {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		t = min(t+step, until)
		end, err = w.Run(t, nil)
		if err != nil {
			return Result{}, err
		}
	}
	if err := jsonl.Flush(); err != nil {
		return Result{}, fmt.Errorf("trace: %w", err)
	}
	failed := 0
	for _, r := range checker.Results(end) {
		if !r.OK {
			failed++
		}
	}
	return Result{
		Summary:      summary.Summary(),
		Completion:   done.out,
		RTT:          rtt,
		TraceSHA256:  jsonl.Sum(),
		ExpectFailed: failed,
		Events:       w.Events(),
	}, nil
}
