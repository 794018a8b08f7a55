package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sweep"
)

// TestInternalErrorExit3: a panic anywhere below the command line exits 3,
// not 2 like an invalid scenario, with one line asking for a report with
// the command that replays it (issue 16).
func TestInternalErrorExit3(t *testing.T) {
	testPanic = func(args []string) {
		if args[0] == "run" {
			panic("boom\nsecond line")
		}
	}
	defer func() { testPanic = nil }()
	out := filepath.Join(t.TempDir(), "out dir")
	code, stdout, stderr := cli(t, "run", handshake, "--out", out)
	assert.Equal(t, exitInternal, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	first, _, _ := strings.Cut(stderr, "\n")
	assert.Contains(t, first, "netsim: internal error (a bug in netsim")
	assert.Contains(t, first, "boom second line")
	assert.Contains(t, first, "please report it")
	assert.Contains(t, first, "netsim run "+handshake+" --out '"+out+"'")
	assert.Contains(t, stderr, "goroutine", "the stack follows for the report")
	// Other commands are unaffected.
	code, _, _ = cli(t, "--version")
	assert.Equal(t, exitOK, code)
	// The help lists every exit code.
	_, help, _ := cli(t, "--help")
	for _, c := range []string{"0    success", "1    an expect failed", "2    bad usage", "3    internal error", "130  interrupted"} {
		assert.Contains(t, help, c)
	}
}

// TestUntilTooLong: --until past the longest time a scenario may name is
// refused before anything runs (it overflowed the clock, issue 16).
func TestUntilTooLong(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := cli(t, "run", handshake, "--out", out, "--until", "2562047h47m16.854775807s")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--until 2562047h47m16.854775807s is too long (at most 100000h0m0s)")
	assert.NoDirExists(t, out)
}

// readManifest reads dir/manifest.json.
func readManifest(t *testing.T, dir string) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m manifest
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// files lists the files under dir, and the temporaries beside it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for rel := range tree(t, dir) {
		out = append(out, rel)
	}
	slices.Sort(out)
	return out
}

// TestRunReplacesEarlierRun: a second run into the same --out leaves none
// of the first run's pcaps and plots beside its results, and keeps the
// user's files (issue 16); a run whose expect fails commits its outputs.
func TestRunReplacesEarlierRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", "../../scenarios/request-response.yaml", "--out", out)
	require.Equal(t, exitOK, code, stderr)
	require.DirExists(t, filepath.Join(out, "plots"))
	require.FileExists(t, filepath.Join(out, "plots", "sequence.png"))
	require.NoError(t, os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644))

	code, _, stderr = cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"manifest.json", "notes.txt", "pcap/client-eth0.pcap", "pcap/server-eth0.pcap", "summary.json", "trace.jsonl"}, files(t, out))
	m := readManifest(t, out)
	assert.True(t, m.Complete)
	assert.Equal(t, "handshake", m.Scenario.Name)

	// An expect that fails (exit 1) still commits the run.
	data, err := os.ReadFile(handshake)
	require.NoError(t, err)
	failing := filepath.Join(t.TempDir(), "failing.yaml")
	require.NoError(t, os.WriteFile(failing, bytes.Replace(data, []byte("within: 50ms"), []byte("within: 1ms"), 1), 0o644))
	code, _, _ = cli(t, "run", failing, "--out", out, "--seed", "9")
	require.Equal(t, exitFailed, code)
	m = readManifest(t, out)
	assert.Equal(t, uint64(9), m.Seed)
	assert.False(t, m.Expectations[0].OK)
	assert.True(t, m.Complete)
}

// TestRunStopsAtWriteError: a write error (here a full disk, /dev/full)
// stops the run at the next check instead of simulating to the end, exits
// 2, and leaves the earlier outputs as they were.
func TestRunStopsAtWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	before := tree(t, out)
	// Files opened per write, so that the trace file can be swapped for
	// /dev/full under the run (TestOutDirWriteError covers held files).
	defer func(n int) { maxHeldOpen = n }(maxHeldOpen)
	maxHeldOpen = 0
	calls := 0
	testBeforeCheck = func() {
		if calls++; calls != 2 {
			return
		}
		tmp, err := filepath.Glob(filepath.Join(filepath.Dir(out), ".out"+tmpMark+"*"))
		require.NoError(t, err)
		require.Len(t, tmp, 1)
		trace := filepath.Join(tmp[0], "trace.jsonl")
		require.NoError(t, os.Remove(trace))
		require.NoError(t, os.Symlink("/dev/full", trace))
	}
	defer func() { testBeforeCheck = nil }()
	code, _, stderr = cli(t, "run", "../../scenarios/bulk-transfer.yaml", "--out", out)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no space left on device")
	assert.Less(t, calls, 100, "the run stopped soon after the error, not at its end")
	assert.Equal(t, before, tree(t, out))
}

// TestSweepMergeDefaultOut: `netsim sweep merge DIRS` without --out names
// its folder by the sweep in DIRS, not by a sweep.json in the current
// folder (issue 16: it read ./sweep.json and failed); the sweep records
// this netsim's version.
func TestSweepMergeDefaultOut(t *testing.T) {
	file := smallSweep(t)
	shard := filepath.Join(t.TempDir(), "all")
	code, _, stderr := sweepCLI(file, "--workers", "1", "--out", shard)
	require.Equal(t, exitOK, code, stderr)
	m, err := sweep.ReadManifest(shard)
	require.NoError(t, err)
	assert.Equal(t, version(), m.NetsimVersion)

	t.Chdir(t.TempDir())
	code, stdout, stderr := sweepCLI("merge", shard)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "wrote "+filepath.Join("out", "small", sweep.ResultsFile))
	assert.FileExists(t, filepath.Join("out", "small", sweep.AggregateFile))
}

// TestPlotMixedSweepFolder: netsim plot on a sweep folder whose
// aggregate.csv holds a value sweep.json lacks exits 2 with a clear
// error (it panicked with index -1).
func TestPlotMixedSweepFolder(t *testing.T) {
	file := smallSweep(t)
	dir := filepath.Join(t.TempDir(), "s")
	code, _, stderr := sweepCLI(file, "--workers", "1", "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	agg := filepath.Join(dir, sweep.AggregateFile)
	data, err := os.ReadFile(agg)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	extra := "eeeeeeeeeeee" + strings.Replace(lines[1][strings.Index(lines[1], ","):], "0%", "9%", 1)
	require.NoError(t, os.WriteFile(agg, append(data, []byte(extra+"\n")...), 0o644))
	code, _, stderr = cli(t, "plot", dir, "--x", "links[uplink].loss", "--series", "defaults.tcp.congestion", "-o", filepath.Join(t.TempDir(), "f.png"))
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "the folder mixes the results of two sweeps")
}

// TestInputCaps: every file netsim reads is capped, so that /dev/zero or
// a huge file is an error, not an out-of-memory: scenarios and drill
// scripts at 64 MiB, a trace line read back at 1 MiB.
func TestInputCaps(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	code, _, stderr := cli(t, "run", "/dev/zero", "--out", filepath.Join(t.TempDir(), "o"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "64 MiB")
	code, _, stderr = cli(t, "drill", "/dev/zero")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "larger than 64 MiB")

	dir := t.TempDir()
	long := append(bytes.Repeat([]byte(" "), maxTraceLine+1), '\n')
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trace.jsonl"), long, 0o644))
	code, _, stderr = cli(t, "plot", dir, "--kind", "sequence", "-o", filepath.Join(dir, "x.svg"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "longer than 1 MiB")

	// The cap counts bytes between newlines, across reads.
	r := capLines(strings.NewReader("abc\ndefg\nhi"), 3)
	got, err := io.ReadAll(r)
	assert.ErrorIs(t, err, errLineTooLong)
	assert.Equal(t, "abc\ndef", string(got))
	got, err = io.ReadAll(capLines(strings.NewReader("abc\ndef\n\nghi"), 3))
	assert.NoError(t, err)
	assert.Equal(t, "abc\ndef\n\nghi", string(got))
}
