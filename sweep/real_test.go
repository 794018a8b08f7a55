package sweep

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// TestRealSweep runs a small sweep through the simulator itself, with one
// and with two workers.
func TestRealSweep(t *testing.T) {
	s, err := Load("testdata/small.yaml")
	require.NoError(t, err)
	p, err := Expand(s)
	require.NoError(t, err)
	require.Len(t, p.Runs, 12)
	one, two := t.TempDir(), t.TempDir()
	rep, err := Execute(context.Background(), p, Options{Out: one, Workers: 1})
	require.NoError(t, err)
	require.Zero(t, rep.Failed)
	_, err = Execute(context.Background(), p, Options{Out: two, Workers: 2})
	require.NoError(t, err)
	for _, f := range []string{ResultsFile, AggregateFile} {
		assert.Equal(t, readFile(t, filepath.Join(one, f)), readFile(t, filepath.Join(two, f)), f)
	}

	lossy := 0
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		assert.Equal(t, StatusOK, r.Status)
		assert.Len(t, r.TraceSHA256, 64)
		assert.False(t, seen[r.TraceSHA256], "every run has its own trace")
		seen[r.TraceSHA256] = true
		assert.Greater(t, r.Metrics[ColGoodput], 1e6, "two 200 KB flows over 10 Mbit/s")
		assert.Less(t, r.Metrics[ColGoodput], 10e6)
		assert.Contains(t, r.Metrics, ColCompletion)
		assert.Contains(t, r.Metrics, "goodput_bps_conn2")
		assert.InDelta(t, 0.75, r.Metrics[ColFairness], 0.25)
		assert.Positive(t, r.Metrics[ColQueuePeak])
		if r.Params[0] == "1%" && r.Metrics[ColRetransmits] > 0 {
			lossy++
		}
	}
	assert.Positive(t, lossy, "1% loss makes retransmissions")

	// A run of the same point and seed in-process again gives the same
	// trace: the recorded hash replays.
	res, err := InProcess{}.Run(context.Background(), RunSpec{File: "x.yaml", Scenario: p.Points[1].Scenario, Seed: 2})
	require.NoError(t, err)
	assert.Equal(t, rep.Rows[4].TraceSHA256, res.TraceSHA256)
	assert.True(t, strings.HasSuffix(rep.Rows[4].Replay, "--seed 2"))
}

func TestInProcessCancelled(t *testing.T) {
	s, err := Load("testdata/small.yaml")
	require.NoError(t, err)
	p, err := Expand(s)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = InProcess{}.Run(ctx, RunSpec{File: "x.yaml", Scenario: p.Points[0].Scenario, Seed: 1})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestInProcessStreams: a sweep run keeps no records, its summary,
// expectation results and completion times stream from the typed records;
// they equal what the whole recorded trace gives, on the example scenarios
// and this package's test scenario.
func TestInProcessStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example scenario twice")
	}
	paths, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	require.NoError(t, err)
	paths = append(paths, filepath.Join("testdata", "base.yaml"))
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			res, err := InProcess{}.Run(context.Background(), RunSpec{File: path, Scenario: data, Seed: 3})
			require.NoError(t, err)

			s, err := scenarios.Parse(path, data)
			require.NoError(t, err)
			all := &sim.Recorder{}
			jsonl := sim.NewJSONLWriter(io.Discard)
			w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: 3, Trace: sim.Tee{all, jsonl}})
			require.NoError(t, err)
			end, err := w.Run(0, nil)
			require.NoError(t, err)
			failed := 0
			for _, r := range scenarios.Check(s, all.Records, end) {
				if !r.OK {
					failed++
				}
			}
			assert.Equal(t, scenarios.Summarize(all.Records), res.Summary)
			assert.Equal(t, completions(all.Records), res.Completion)
			assert.Equal(t, failed, res.ExpectFailed)
			assert.Equal(t, jsonl.Sum(), res.TraceSHA256)
		})
	}
}
