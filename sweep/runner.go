package sweep

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

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
	rec := recordPool.Get().(*keptRecords)
	defer rec.release()
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: spec.Seed, Trace: sim.Tee{jsonl, rec}})
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
	for _, r := range scenarios.Check(s, rec.Records, end) {
		if !r.OK {
			failed++
		}
	}
	return Result{
		Summary:      scenarios.Summarize(rec.Records),
		Completion:   completions(rec.Records),
		TraceSHA256:  jsonl.Sum(),
		ExpectFailed: failed,
		Events:       w.Events(),
	}, nil
}

// keptKinds are the record kinds that scenarios.Summarize, scenarios.Check
// and completions read; a sweep keeps no others in memory (the trace hash
// still covers every record). TestKeptRecordsSuffice holds this list to
// what those functions use.
var keptKinds = map[string]bool{
	sim.KindTCPState: true, sim.KindPacketSend: true, sim.KindTCPRetransmit: true, sim.KindTCPRTT: true,
	sim.KindApp: true, sim.KindPacketTx: true, sim.KindPacketEnqueue: true, sim.KindPacketDrop: true,
}

// fieldChunk is how many fields keptRecords allocates at once.
const fieldChunk = 1 << 14

// keptRecords is a sim.Sink that copies the records of keptKinds, their
// fields into shared chunks: a sweep runs many simulations, and allocating
// per record made the garbage collector take a core of its own.
type keptRecords struct {
	Records []sim.Record
	chunks  [][]sim.Field // chunks[cur] is being filled; later ones are spare
	cur     int
}

// recordPool keeps the buffers of finished runs for the next: a run's
// records are not referenced once its Result is computed (the summary
// copies what it keeps), and fresh buffers every run cost a fifth of a
// sweep's time in copying and most of its garbage.
var recordPool = sync.Pool{New: func() any { return &keptRecords{} }}

func (k *keptRecords) release() {
	k.reset()
	recordPool.Put(k)
}

// reset empties k, keeping its buffers.
func (k *keptRecords) reset() {
	clear(k.Records)
	k.Records = k.Records[:0]
	for i := range k.chunks {
		k.chunks[i] = k.chunks[i][:0]
	}
	k.cur = 0
}

// Emit copies r when its kind is kept.
func (k *keptRecords) Emit(r *sim.Record) {
	if r == nil || !keptKinds[r.Kind] {
		return
	}
	if len(k.chunks) == 0 {
		k.chunks = append(k.chunks, make([]sim.Field, 0, fieldChunk))
	}
	if c := k.chunks[k.cur]; len(c)+len(r.Fields) > cap(c) {
		k.cur++
		if k.cur == len(k.chunks) || cap(k.chunks[k.cur]) < len(r.Fields) {
			k.chunks = slices.Insert(k.chunks, k.cur, make([]sim.Field, 0, max(fieldChunk, len(r.Fields))))
		}
	}
	c := k.chunks[k.cur]
	start := len(c)
	c = append(c, r.Fields...)
	k.chunks[k.cur] = c
	rec := *r
	rec.Fields = c[start:len(c):len(c)]
	k.Records = append(k.Records, rec)
}
