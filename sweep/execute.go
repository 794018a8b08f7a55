package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/internal/capped"
)

// ErrVersion is wrapped by Execute's error when the output folder holds
// complete runs of another netsim version: resuming would mix the results
// of two builds, whose traces (and so metrics) may differ.
var ErrVersion = errors.New("the sweep folder holds runs of another netsim version")

// ErrInterrupted is returned by Execute when its context ended before every
// run finished. The finished runs are recorded: the same call resumes.
var ErrInterrupted = errors.New("sweep interrupted")

// Options are the run-time choices of Execute.
type Options struct {
	// Out is the output folder (created if missing).
	Out string
	// Workers is how many runs go at once; below 1 means one per CPU.
	Workers int
	// Shard restricts the sweep to one shard's runs; the zero value runs all.
	Shard Shard
	// Runner carries out each run; nil means InProcess.
	Runner Runner
	// Version is the netsim version, recorded in sweep.json and in every
	// run record; complete runs of another version are not reused but
	// refused (ErrVersion).
	Version string
	// Progress, when not nil, is called from Execute's goroutine after the
	// skipped runs are counted and after each run finishes.
	Progress func(Progress)
}

// Progress is how far a sweep has got.
type Progress struct {
	Total   int // runs in this shard
	Skipped int // complete runs found from an earlier attempt
	Done    int // runs finished now (Failed included)
	Failed  int
	// Last is the run that just finished; nil for the first call.
	Last *Row
}

// Report is what Execute did.
type Report struct {
	Progress
	// Rows are the shard's runs in plan order, as written to results.csv.
	Rows []Row
}

// Execute runs the plan's runs of o.Shard into o.Out: it writes sweep.json
// and points/<id>.yaml, skips runs already recorded complete (status ok,
// same scenario, same metrics) in runs/<id>.json, runs the others on
// o.Workers goroutines, records each as it finishes, then writes
// results.csv and aggregate.csv. A run that fails is recorded with its
// error; it is tried again on the next Execute.
func Execute(ctx context.Context, p *Plan, o Options) (*Report, error) {
	runner := o.Runner
	if runner == nil {
		runner = InProcess{}
	}
	workers := o.Workers
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	if o.Out == "" {
		return nil, errors.New("sweep: no output folder (Options.Out)")
	}
	if err := checkNotRunDir(o.Out); err != nil {
		return nil, err
	}
	if err := checkSameSweep(o.Out, p.Sweep.Name, o.Shard); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	unlock, err := lockDir(o.Out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := checkVersions(p, o); err != nil {
		return nil, err
	}
	if err := prepare(p, o); err != nil {
		return nil, err
	}
	rep := &Report{}
	rows := make([]Row, 0, len(p.Runs))
	var todo []int // indexes into rows
	for _, run := range p.Runs {
		if !o.Shard.Has(run.ID) {
			continue
		}
		pt := &p.Points[run.Point]
		row := Row{RunID: run.ID, Point: pt.ID, Seed: run.Seed, Replay: ReplayCommand(pt.ID, run.Seed),
			ScenarioSHA256: pt.ScenarioSHA256}
		for _, v := range pt.Values {
			row.Params = append(row.Params, v.Text)
		}
		if prev, ok := readRecord(o.Out, run.ID); ok && reusable(prev, row, p.Sweep.Metrics) && prev.NetsimVersion == o.Version {
			row.Status, row.ExpectFailed, row.Metrics, row.TraceSHA256 = prev.Status, prev.ExpectFailed, prev.Metrics, prev.TraceSHA256
			rep.Skipped++
		} else {
			todo = append(todo, len(rows))
		}
		rows = append(rows, row)
	}
	rep.Total = len(rows)
	if o.Progress != nil {
		o.Progress(rep.Progress)
	}

	type done struct {
		i   int
		row Row
		err error // the context ended: the run is not complete
	}
	jobs := make(chan int)
	results := make(chan done)
	var wg sync.WaitGroup
	for range min(workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				row, err := carryOut(ctx, runner, p, rows[i])
				results <- done{i, row, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range todo {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	// Every result is taken until the workers are gone, so that no
	// goroutine outlives the call; after the context ends, workers stop
	// within a slice of simulated time and report the end as an error.
	var firstErr error
	finished := 0
	for d := range results {
		if d.err != nil {
			continue
		}
		finished++
		rows[d.i] = d.row
		if err := writeJSON(recordPath(o.Out, d.row.RunID), recordOf(d.row, p.Sweep.Metrics, o.Version)); err != nil && firstErr == nil {
			firstErr = err
		}
		rep.Done++
		if d.row.Status != StatusOK {
			rep.Failed++
		}
		if o.Progress != nil {
			r := d.row
			prog := rep.Progress
			prog.Last = &r
			o.Progress(prog)
		}
	}
	if finished < len(todo) {
		return rep, fmt.Errorf("%w: %d of %d runs complete; run the same command again to resume", ErrInterrupted, rep.Skipped+rep.Done, rep.Total)
	}
	if firstErr != nil {
		return rep, firstErr
	}
	for i := range rows {
		rows[i].ScenarioSHA256 = ""
	}
	rep.Rows = rows
	m := p.Manifest(o.Shard)
	m.NetsimVersion = o.Version
	if err := writeTables(o.Out, m, rows); err != nil {
		return rep, err
	}
	return rep, nil
}

// prepare creates the output folder, sweep.json and the points' scenarios.
func prepare(p *Plan, o Options) error {
	for _, d := range []string{o.Out, filepath.Join(o.Out, runsDir), filepath.Join(o.Out, "points")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("output folder: %w", err)
		}
	}
	// A sweep killed while writing leaves temporary files behind: they
	// never held a complete record.
	if stale, err := filepath.Glob(filepath.Join(o.Out, runsDir, atomicfile.TempPattern)); err == nil {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	m := p.Manifest(o.Shard)
	m.NetsimVersion = o.Version
	if err := writeJSON(filepath.Join(o.Out, ManifestFile), m); err != nil {
		return err
	}
	for _, pt := range p.Points {
		path := filepath.Join(o.Out, PointFile(pt.ID))
		if old, err := capped.ReadFile(path, maxInputBytes); err == nil && slices.Equal(old, pt.Scenario) {
			continue
		}
		if err := atomicfile.Write(path, pt.Scenario); err != nil {
			return err
		}
	}
	return nil
}

// carryOut runs one run. A runner error becomes a failed row; a panic in
// the simulator too (one bad run must not lose a night of others); only
// the end of ctx is returned as an error.
func carryOut(ctx context.Context, runner Runner, p *Plan, row Row) (out Row, err error) {
	pt := &p.Points[slices.IndexFunc(p.Points, func(x Point) bool { return x.ID == row.Point })]
	defer func() {
		if r := recover(); r != nil {
			out, err = row, nil
			out.Status, out.Error = StatusFailed, fmt.Sprintf("panic: %v", r)
		}
	}()
	res, rerr := runner.Run(ctx, RunSpec{File: PointFile(pt.ID), Scenario: pt.Scenario, Seed: row.Seed})
	if rerr != nil && ctx.Err() != nil {
		return row, ctx.Err()
	}
	if rerr != nil {
		row.Status, row.Error = StatusFailed, rerr.Error()
		return row, nil
	}
	row.Status = StatusOK
	row.Metrics = Measure(res, p.Sweep.Metrics)
	row.TraceSHA256 = res.TraceSHA256
	row.ExpectFailed = res.ExpectFailed
	return row, nil
}

// record is a run's file in runs/: its row, the metrics it measured and
// the netsim version that ran it (the row has the scenario's sha256).
type record struct {
	Row
	MetricSet     []string `json:"metric_set"`
	NetsimVersion string   `json:"netsim_version"`
}

func recordOf(r Row, metrics []string, version string) record {
	return record{Row: r, MetricSet: metrics, NetsimVersion: version}
}

// checkVersions refuses to resume into a folder whose complete runs (those
// that would otherwise be reused) another netsim version ran.
func checkVersions(p *Plan, o Options) error {
	var other []string
	first := ""
	for _, run := range p.Runs {
		if !o.Shard.Has(run.ID) {
			continue
		}
		prev, ok := readRecord(o.Out, run.ID)
		if !ok || prev.Status != StatusOK || prev.NetsimVersion == o.Version {
			continue
		}
		v := prev.NetsimVersion
		if v == "" {
			v = "(an older netsim that did not record it)"
		}
		if !slices.Contains(other, v) {
			other = append(other, v)
		}
		if first == "" {
			first = recordPath(o.Out, run.ID)
		}
	}
	if len(other) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s holds complete runs of netsim %s (like %s), and this is netsim %s: resuming would mix their results; give another --out, or remove %s to run them all again",
		ErrVersion, o.Out, strings.Join(other, ", "), first, o.Version, filepath.Join(o.Out, runsDir))
}

func recordPath(out, id string) string { return filepath.Join(out, runsDir, id+".json") }

func readRecord(out, id string) (record, bool) {
	data, err := capped.ReadFile(recordPath(out, id), maxRecordBytes)
	if err != nil {
		return record{}, false
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return record{}, false
	}
	return r, true
}

// reusable reports whether an earlier record answers for the run now
// planned: complete, of the same scenario text, seed and metrics.
func reusable(prev record, want Row, metrics []string) bool {
	return prev.RunID == want.RunID && prev.Status == StatusOK && prev.Seed == want.Seed &&
		prev.ScenarioSHA256 == want.ScenarioSHA256 && slices.Equal(prev.MetricSet, metrics)
}
