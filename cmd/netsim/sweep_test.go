package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sweep"
)

// sweepCLI runs sweepMain in-process.
func sweepCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := sweepMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

// smallSweep copies the sweep package's small test sweep into a folder and
// returns the sweep file's path.
func smallSweep(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"base.yaml", "small.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "sweep", "testdata", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	return filepath.Join(dir, "small.yaml")
}

func TestSweepCommand(t *testing.T) {
	file := smallSweep(t)
	single := filepath.Join(t.TempDir(), "single")
	code, stdout, stderr := sweepCLI(file, "--workers", "2", "--out", single)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "4 grid points × 3 seeds = 12 runs, shard all, 2 workers")
	assert.Contains(t, stdout, "12 runs: 12 run now, 0 complete from before, 0 failed")
	assert.NotContains(t, stderr, "\r", "no progress bar when stderr is not a terminal")
	// Without loss the seeds change nothing that matters: a warning says
	// the interval of 0 means no randomness; with 1% loss they do.
	assert.Equal(t, 2, strings.Count(stderr, "every seed gave the same metrics"), stderr)
	assert.Contains(t, stderr, "netsim sweep: warning: links[uplink].loss=0%, defaults.tcp.congestion=newreno: every seed gave the same metrics")
	assert.NotContains(t, stderr, "loss=1%")
	assert.Contains(t, stderr, filepath.Join(single, sweep.ManifestFile)+" lists these grid points under seedless_points")
	seedless := func(dir string) []string {
		m, err := sweep.ReadManifest(dir)
		require.NoError(t, err)
		return m.SeedlessPoints
	}
	require.Len(t, seedless(single), 2, "sweep.json records the warning")

	// Again: everything is reused.
	code, stdout, _ = sweepCLI(file, "--out", single)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "12 runs: 0 run now, 12 complete from before")

	// Shards on two "machines", then merge.
	var dirs []string
	for _, k := range []string{"0/2", "1/2"} {
		d := filepath.Join(t.TempDir(), "shard")
		code, _, stderr := sweepCLI(file, "--shard", k, "--workers", "1", "--out", d)
		require.Equal(t, exitOK, code, stderr)
		dirs = append(dirs, d)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	code, stdout, stderr = sweepCLI(append(append([]string{"merge"}, dirs...), "--out", merged)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "merged 2 folders: 12 runs, 0 failed")
	// Merge warns as the sweep does, naming each point by its parameters.
	assert.Contains(t, stderr, "netsim sweep: warning: links[uplink].loss=0%, defaults.tcp.congestion=newreno: every seed gave the same metrics")
	assert.NotContains(t, stderr, "warning: point ")
	for _, f := range []string{sweep.ResultsFile, sweep.AggregateFile} {
		a, err := os.ReadFile(filepath.Join(single, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(merged, f))
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), f)
	}
	assert.Equal(t, seedless(single), seedless(merged), "merge records the same points")

	// The replay command of a row gives the row's trace hash.
	f, err := os.Open(filepath.Join(single, sweep.ResultsFile))
	require.NoError(t, err)
	defer f.Close()
	_, rows, err := sweep.ReadResults(f)
	require.NoError(t, err)
	row := rows[7]
	args := strings.Fields(row.Replay)
	require.Equal(t, []string{"netsim", "run"}, args[:2])
	args[2] = filepath.Join(single, args[2])
	code, stdout, stderr = cli(t, append(args[1:], "--out", t.TempDir())...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "trace sha256 "+row.TraceSHA256)

	// A figure of the sweep.
	png := filepath.Join(t.TempDir(), "fig.png")
	var out, errb bytes.Buffer
	code = plotSweepMain([]string{merged, "--metric", "goodput", "--x", "links[uplink].loss", "--series", "defaults.tcp.congestion", "-o", png}, &out, &errb)
	require.Equal(t, exitOK, code, errb.String())
	assert.FileExists(t, png)
	assert.True(t, isSweepDir(merged))
	assert.False(t, isSweepDir(t.TempDir()))
	code = plotSweepMain([]string{merged, "--metric", "goodput"}, &out, &errb)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errb.String(), "--x is required: one of links[uplink].loss, defaults.tcp.congestion")

	// A run's flags on a sweep's folder were "flag provided but not
	// defined: -kind", of a flag netsim plot --help lists: it says what
	// each folder takes instead, as a sweep's flags on a run's folder do.
	for _, args := range [][]string{
		{"plot", merged, "--kind", "cwnd"},
		{"plot", "--from", "1s", merged, "--metric", "goodput", "--x", "links[uplink].loss"},
		{"plot", merged, "--routers", "--x", "links[uplink].loss"},
	} {
		code, stdout, stderr := cli(t, args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, "netsim plot: "+merged+" is a sweep's folder: --kind, --conn, --from, --to", "%v", args)
		assert.NotContains(t, stderr, "not defined", "%v", args)
		assert.Empty(t, stdout)
	}
}

func TestSweepCommandErrors(t *testing.T) {
	file := smallSweep(t)
	bad := filepath.Join(filepath.Dir(file), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nbase: base.yaml\ngrid:\n  links[uplink].loss: [1%, 150%]\nseeds: 1\n"), 0o644))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no file", nil, exitUsage, "want one sweep file, got 0"},
		{"bad shard", []string{file, "--shard", "2/2"}, exitUsage, "--shard: bad shard \"2/2\""},
		{"bad workers", []string{file, "--workers", "0"}, exitUsage, "--workers must be 1 or more"},
		{"missing file", []string{filepath.Join(filepath.Dir(file), "nope.yaml")}, exitUsage, "nope.yaml:1:1: cannot read the sweep file"},
		{"invalid point", []string{bad, "--out", t.TempDir()}, exitUsage, "bad.yaml:4:28: grid point links[uplink].loss=150%: the scenario is invalid"},
		{"merge nothing", []string{"merge"}, exitUsage, "want the shards' folders"},
		{"merge not a sweep", []string{"merge", t.TempDir(), "--out", t.TempDir()}, exitUsage, "is not a sweep folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := sweepCLI(tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
	// --help is what was asked for: on stdout, exit 0.
	code, stdout, stderr := sweepCLI("--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Usage: netsim sweep")
	assert.Empty(t, stderr)
}
