package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// withTrace returns the scenario file at path rewritten with outputs.trace
// set to on (and no pcap, plots or expectations changed).
func withTrace(t *testing.T, path string, on bool) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^  trace: (true|false)\n`)
	data = re.ReplaceAll(data, nil)
	val := "false"
	if on {
		val = "true"
	}
	if bytes.Contains(data, []byte("\noutputs:\n")) {
		data = bytes.Replace(data, []byte("\noutputs:\n"), []byte("\noutputs:\n  trace: "+val+"\n"), 1)
	} else {
		data = append(data, []byte("\noutputs:\n  trace: "+val+"\n")...)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	require.NoError(t, os.WriteFile(out, data, 0o644))
	return out
}

// TestTraceOffSameResults: for every example scenario, a run with the
// trace off (where no record is encoded or sha256-hashed) writes the same
// summary.json, the same expectation results and the same fingerprint as
// a run with the trace on; and the summary and expectations recomputed
// from trace.jsonl alone are the same again. Without -long each run
// stops at quickTraceOffUntil: between them, the first 2 s of the
// examples write every kind of record their whole runs write (bufferbloat's
// drops come later, lossy-link's in time); the whole runs are the long
// check.
func TestTraceOffSameResults(t *testing.T) {
	const quickTraceOffUntil = 2 * time.Second
	paths, err := filepath.Glob("../../scenarios/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := scenarios.Load(path)
			require.NoError(t, err)
			until := s.Duration
			var args []string
			if !testflags.Long() && until > quickTraceOffUntil {
				until = quickTraceOffUntil
				args = []string{"--until", until.String()}
			}
			type result struct {
				summary  []byte
				manifest manifest
			}
			run := func(on bool) result {
				out := filepath.Join(t.TempDir(), "out")
				code, _, stderr := cli(t, append([]string{"run", withTrace(t, path, on), "--out", out}, args...)...)
				require.Contains(t, []int{exitOK, exitFailed}, code, stderr)
				var r result
				r.summary, err = os.ReadFile(filepath.Join(out, "summary.json"))
				require.NoError(t, err)
				mj, err := os.ReadFile(filepath.Join(out, "manifest.json"))
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(mj, &r.manifest))
				if on {
					// The summary of the records read back from the file.
					f, err := os.Open(filepath.Join(out, "trace.jsonl"))
					require.NoError(t, err)
					defer f.Close()
					sum, check, fp := scenarios.NewSummarizer(), scenarios.NewChecker(s), sim.NewFingerprint()
					require.NoError(t, sim.ReadJSONL(f, func(rec *sim.Record) error {
						sum.Emit(rec)
						check.Emit(rec)
						fp.Emit(rec)
						return nil
					}))
					fromFile, err := indentJSON(sum.Summary())
					require.NoError(t, err)
					assert.Equal(t, string(r.summary), string(fromFile), "summary.json from the records read back")
					assert.Equal(t, r.manifest.Fingerprint, fp.Sum(), "fingerprint of the records read back")
					assert.Equal(t, r.manifest.TraceRecords, fp.Records())
					for i, x := range check.Results(sim.FromDuration(until)) {
						assert.Equal(t, r.manifest.Expectations[i].OK, x.OK)
						assert.Equal(t, r.manifest.Expectations[i].Detail, x.Detail)
					}
				}
				return r
			}
			on, off := run(true), run(false)
			assert.Equal(t, string(on.summary), string(off.summary), "summary.json")
			require.Len(t, off.manifest.Expectations, len(on.manifest.Expectations))
			for i, x := range on.manifest.Expectations {
				assert.Equal(t, x.OK, off.manifest.Expectations[i].OK)
				assert.Equal(t, x.Detail, off.manifest.Expectations[i].Detail)
			}
			assert.Equal(t, on.manifest.Fingerprint, off.manifest.Fingerprint)
			assert.Equal(t, on.manifest.TraceRecords, off.manifest.TraceRecords)
			assert.Len(t, on.manifest.TraceSHA256, 64)
			assert.Empty(t, off.manifest.TraceSHA256)
		})
	}
}

// TestCheckDeterminismTraceOff: with the trace off, --check-determinism
// compares the two runs' fingerprints: the same run passes, two runs that
// differ (by seed, through the test seam) fail.
func TestCheckDeterminismTraceOff(t *testing.T) {
	path := withTrace(t, handshake, false)
	for _, offset := range []uint64{0, 1} {
		secondRunSeedOffset = offset
		out := t.TempDir()
		code, stdout, stderr := cli(t, "run", path, "--out", out, "--check-determinism")
		secondRunSeedOffset = 0
		m := readManifest(t, out)
		require.NotNil(t, m.Determinism)
		assert.Empty(t, m.Determinism.TraceSHA256, "no trace, no trace hash")
		require.Len(t, m.Determinism.Fingerprint, 2)
		assert.Equal(t, m.Fingerprint, m.Determinism.Fingerprint[0])
		if offset == 0 {
			assert.Equal(t, exitOK, code, stderr)
			assert.True(t, m.Determinism.Same)
			assert.Equal(t, m.Determinism.Fingerprint[0], m.Determinism.Fingerprint[1])
			assert.Contains(t, stdout, "determinism: two runs gave the same trace")
		} else {
			assert.Equal(t, exitFailed, code, stderr)
			assert.False(t, m.Determinism.Same)
			assert.NotEqual(t, m.Determinism.Fingerprint[0], m.Determinism.Fingerprint[1])
			assert.Contains(t, stdout, "determinism: FAILED")
		}
	}
}
