package sweep

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fake = RunnerFunc(fakeRun)

func execute(t *testing.T, p *Plan, o Options) *Report {
	t.Helper()
	if o.Runner == nil {
		o.Runner = fake
	}
	rep, err := Execute(context.Background(), p, o)
	require.NoError(t, err)
	return rep
}

func TestExecuteWritesTables(t *testing.T) {
	p := expand(t, gridSweep)
	out := t.TempDir()
	rep := execute(t, p, Options{Out: out, Workers: 2})
	assert.Equal(t, len(p.Runs), rep.Total)
	assert.Equal(t, len(p.Runs), rep.Done)
	results := readFile(t, filepath.Join(out, ResultsFile))
	lines := strings.Split(strings.TrimSpace(results), "\n")
	require.Len(t, lines, 1+len(p.Runs))
	assert.Equal(t, "run_id,point,links[uplink].loss,defaults.tcp.congestion,links[uplink].queue.limit,links[uplink].loss_ratio,seed,status,expect_failed,"+
		"goodput_bps,goodput_bps_conn1,goodput_bps_conn2,completion_s,completion_s_conn1,completion_s_conn2,"+
		"retransmits,retransmits_conn1,retransmits_conn2,queue_peak_packets,jain_fairness,trace_sha256,error,replay", lines[0])
	first := strings.Split(lines[1], ",")
	assert.Equal(t, p.Runs[0].ID, first[0])
	assert.Equal(t, []string{"0%", "newreno", "20", "0", "1", "ok"}, first[2:8], "the loss as text and as a ratio")
	assert.Equal(t, "netsim run points/"+p.Points[0].ID+".yaml --seed 1", first[len(first)-1])
	// Seed 4 leaves a flow incomplete: its mean completion is undefined.
	fourth := strings.Split(lines[4], ",")
	assert.Equal(t, "4", fourth[6])
	assert.Empty(t, fourth[12], "completion_s")
	assert.Empty(t, fourth[14], "completion_s_conn2")

	agg := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(out, AggregateFile))), "\n")
	assert.Equal(t, "point,links[uplink].loss,defaults.tcp.congestion,links[uplink].queue.limit,links[uplink].loss_ratio,metric,n,mean,stddev,ci95,ci95_low,ci95_high", agg[0])
	require.Len(t, agg, 1+len(p.Points)*11)
	assert.True(t, strings.HasPrefix(agg[1], p.Points[0].ID+",0%,newreno,20,0,goodput_bps,5,"), agg[1])
	assert.True(t, strings.HasPrefix(agg[4], p.Points[0].ID+",0%,newreno,20,0,completion_s,4,"), "n counts only the runs that define the metric: %s", agg[4])
	assert.True(t, slices.ContainsFunc(agg, func(l string) bool { return strings.Contains(l, ",2%,cubic,100,0.02,goodput_bps,") }), "2%% is 0.02 in links[uplink].loss_ratio")
	assert.FileExists(t, filepath.Join(out, PointFile(p.Points[0].ID)))
	assert.FileExists(t, filepath.Join(out, ManifestFile))
}

func TestWorkersGiveSameResults(t *testing.T) {
	p := expand(t, gridSweep)
	one, two, four := t.TempDir(), t.TempDir(), t.TempDir()
	execute(t, p, Options{Out: one, Workers: 1})
	execute(t, p, Options{Out: two, Workers: 2})
	execute(t, p, Options{Out: four, Workers: 4})
	for _, f := range []string{ResultsFile, AggregateFile} {
		assert.Equal(t, readFile(t, filepath.Join(one, f)), readFile(t, filepath.Join(two, f)), f)
		assert.Equal(t, readFile(t, filepath.Join(one, f)), readFile(t, filepath.Join(four, f)), f)
	}
}

func TestMergeOfShardsEqualsSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the grid sweep five times: skipped in -short mode")
	}
	p := expand(t, gridSweep)
	single := t.TempDir()
	execute(t, p, Options{Out: single, Workers: 2})
	for _, n := range []int{1, 2, 3, 7} {
		var dirs []string
		total := 0
		for k := range n {
			dir := t.TempDir()
			rep := execute(t, p, Options{Out: dir, Workers: 2, Shard: Shard{k, n}})
			total += rep.Total
			dirs = append(dirs, dir)
		}
		require.Equal(t, len(p.Runs), total, "N=%d: the shards ran every run once", n)
		merged := t.TempDir()
		rep, err := Merge(dirs, merged)
		require.NoError(t, err)
		assert.Equal(t, len(p.Runs), rep.Total)
		for _, f := range []string{ResultsFile, AggregateFile, ManifestFile, PointFile(p.Points[3].ID)} {
			assert.Equal(t, readFile(t, filepath.Join(single, f)), readFile(t, filepath.Join(merged, f)), "N=%d: %s", n, f)
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	p := expand(t, gridSweep)
	a, b := t.TempDir(), t.TempDir()
	execute(t, p, Options{Out: a, Shard: Shard{0, 2}})
	_, err := Merge([]string{a}, t.TempDir())
	require.ErrorIs(t, err, ErrMerge)
	assert.Contains(t, err.Error(), "runs are in none of the folders")

	_, err = Merge([]string{a, b}, t.TempDir())
	assert.Error(t, err, "b is not a sweep folder")

	other := expand(t, strings.Replace(gridSweep, "seeds: 1..5", "seeds: 1..6", 1))
	execute(t, other, Options{Out: b, Shard: Shard{1, 2}})
	_, err = Merge([]string{a, b}, t.TempDir())
	require.ErrorIs(t, err, ErrMerge)
	assert.Contains(t, err.Error(), "hold different sweeps")

	c := t.TempDir()
	require.NoError(t, prepare(p, Options{Out: c, Shard: Shard{1, 2}}))
	_, err = Merge([]string{a, c}, t.TempDir())
	require.ErrorIs(t, err, ErrMerge)
	assert.Contains(t, err.Error(), "has its shard (1/2) finished?")
}

func TestResumeAfterInterruption(t *testing.T) {
	p := expand(t, gridSweep)
	want := t.TempDir()
	execute(t, p, Options{Out: want, Workers: 2})

	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	// The runner is "killed" in the middle of its 25th run: that run and
	// every one not yet started must run again.
	killing := RunnerFunc(func(c context.Context, spec RunSpec) (Result, error) {
		if calls.Add(1) == 25 {
			cancel()
			<-c.Done()
			return Result{}, c.Err()
		}
		return fakeRun(c, spec)
	})
	rep, err := Execute(ctx, p, Options{Out: out, Workers: 2, Runner: killing})
	require.ErrorIs(t, err, ErrInterrupted)
	done := rep.Done
	assert.Less(t, done, len(p.Runs))
	assert.GreaterOrEqual(t, done, 23)
	assert.NoFileExists(t, filepath.Join(out, ResultsFile), "an interrupted sweep writes no tables")

	var again atomic.Int64
	counting := RunnerFunc(func(c context.Context, spec RunSpec) (Result, error) {
		again.Add(1)
		return fakeRun(c, spec)
	})
	rep = execute(t, p, Options{Out: out, Workers: 2, Runner: counting})
	assert.Equal(t, done, rep.Skipped, "the complete runs are skipped")
	assert.Equal(t, int64(len(p.Runs)-done), again.Load(), "only the others run")
	for _, f := range []string{ResultsFile, AggregateFile} {
		assert.Equal(t, readFile(t, filepath.Join(want, f)), readFile(t, filepath.Join(out, f)), f)
	}

	// A third call has nothing left to do.
	again.Store(0)
	rep = execute(t, p, Options{Out: out, Runner: counting})
	assert.Equal(t, int64(0), again.Load())
	assert.Equal(t, len(p.Runs), rep.Skipped)

	// A temporary file left by a kill is cleared away.
	stale := filepath.Join(out, runsDir, "."+p.Runs[3].ID+".json.123.tmp")
	require.NoError(t, os.WriteFile(stale, []byte(`{"run_id": "`), 0o644))
	execute(t, p, Options{Out: out, Runner: counting})
	assert.NoFileExists(t, stale)

	// A record cut short by a kill (or edited by hand) is not trusted.
	require.NoError(t, os.WriteFile(recordPath(out, p.Runs[7].ID), []byte(`{"run_id": "`+p.Runs[7].ID+`", "stat`), 0o644))
	rep = execute(t, p, Options{Out: out, Runner: counting})
	assert.Equal(t, int64(1), again.Load(), "the damaged record's run runs again")
	again.Store(0)

	// Changing the base scenario changes every point's text: nothing is
	// reused even though the IDs are the same.
	p.Points[0].Scenario = append(p.Points[0].Scenario, []byte("# changed\n")...)
	p.Points[0].ScenarioSHA256 = "changed"
	rep = execute(t, p, Options{Out: out, Runner: counting})
	assert.Equal(t, int64(5), again.Load(), "the 5 seeds of the changed point run again")
}

func TestFailedRunIsRecordedAndRetried(t *testing.T) {
	p := expand(t, gridSweep)
	out := t.TempDir()
	failing := RunnerFunc(func(c context.Context, spec RunSpec) (Result, error) {
		if spec.Seed == 3 && bytes.Contains(spec.Scenario, []byte("cubic")) {
			return Result{}, errors.New("cannot build the scenario: boom,\n\"quoted\"")
		}
		if spec.Seed == 5 {
			panic("simulator bug")
		}
		return fakeRun(c, spec)
	})
	rep := execute(t, p, Options{Out: out, Workers: 2, Runner: failing})
	assert.Equal(t, 8+16, rep.Failed)
	f := readFile(t, filepath.Join(out, ResultsFile))
	_, rows, err := ReadResults(strings.NewReader(f))
	require.NoError(t, err)
	var failed Row
	for _, r := range rows {
		if r.Seed == 3 && r.Params[1] == "cubic" {
			failed = r
			break
		}
	}
	assert.Equal(t, StatusFailed, failed.Status)
	assert.Equal(t, "cannot build the scenario: boom,; \"quoted\"", failed.Error)
	assert.Equal(t, "netsim run points/"+failed.Point+".yaml --seed 3", failed.Replay)
	assert.Empty(t, failed.Metrics)
	assert.Contains(t, f, "panic: simulator bug")

	rep = execute(t, p, Options{Out: out, Workers: 2})
	assert.Equal(t, len(p.Runs)-24, rep.Skipped, "failed runs are tried again on resume")
	assert.Equal(t, 0, rep.Failed)
}

func TestResultsRoundTrip(t *testing.T) {
	p := expand(t, gridSweep)
	out := t.TempDir()
	execute(t, p, Options{Out: out})
	text := readFile(t, filepath.Join(out, ResultsFile))
	params, rows, err := ReadResults(strings.NewReader(text))
	require.NoError(t, err)
	assert.Equal(t, p.Manifest(Shard{}).Params, params)
	var b bytes.Buffer
	require.NoError(t, WriteResults(&b, params, rows))
	assert.Equal(t, text, b.String())

	for _, bad := range []string{"", "a,b\n", "run_id,point,seed,status,expect_failed,trace_sha256,error,replay\nx,p,notanumber,ok,0,,,\n",
		"run_id,point,seed,status,expect_failed,goodput_bps,trace_sha256,error,replay\nx,p,1,ok,0,fast,,,\n"} {
		_, _, err := ReadResults(strings.NewReader(bad))
		assert.ErrorIs(t, err, ErrResults, bad)
	}
}
