package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readFile reads a file of an output folder.
func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return b
}

// readJSON decodes dir/name into a T.
func readJSON[T any](t *testing.T, dir, name string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(readFile(t, dir, name), &v), "%s", name)
	return v
}

// TestSameSeedSameBytes: two separate processes, same scenario and seed,
// give byte-identical traces and captures, whatever folder the scenario is
// run from; the hash printed last and kept in the manifest is the sha256
// of trace.jsonl.
func TestSameSeedSameBytes(t *testing.T) {
	t.Parallel()
	slow(t)
	for _, sc := range []string{"../scenarios/lossy-link.yaml", "../scenarios/request-response.yaml", "../scenarios/dumbbell.yaml", "../scenarios/voip-vs-bulk.yaml"} {
		t.Run(filepath.Base(sc), func(t *testing.T) {
			t.Parallel()
			a := run(t, sc)
			// The same file copied elsewhere and run by a relative path
			// from another working directory.
			elsewhere := t.TempDir()
			b, err := os.ReadFile(sc)
			require.NoError(t, err)
			require.NoError(t, os.MkdirAll(filepath.Join(elsewhere, "deep"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "deep", "copy.yaml"), b, 0o644))
			out := filepath.Join(t.TempDir(), "out")
			r := netsim(t, elsewhere, "run", "deep/copy.yaml", "--out", out)
			require.Equal(t, 0, r.code, r.stderr)

			ta, tb := readFile(t, a, "trace.jsonl"), readFile(t, out, "trace.jsonl")
			require.Equal(t, ta, tb, "trace.jsonl differs between two runs")
			pa, err := filepath.Glob(filepath.Join(a, "pcap", "*.pcap"))
			require.NoError(t, err)
			for _, p := range pa {
				assert.Equal(t, readFile(t, filepath.Dir(p), filepath.Base(p)),
					readFile(t, filepath.Join(out, "pcap"), filepath.Base(p)), "%s differs", filepath.Base(p))
			}

			// voip-vs-bulk writes flows.csv and figures of UDP flows and
			// pings: they are the same bytes too (PNG and SVG are; PDF
			// stamps its creation date).
			more, err := filepath.Glob(filepath.Join(a, "plots", "*.png"))
			require.NoError(t, err)
			if _, err := os.Stat(filepath.Join(a, "flows.csv")); err == nil {
				more = append(more, filepath.Join(a, "flows.csv"))
			}
			for _, p := range more {
				rel, err := filepath.Rel(a, p)
				require.NoError(t, err)
				assert.Equal(t, readFile(t, a, rel), readFile(t, out, rel), "%s differs", rel)
			}

			sum := sha256.Sum256(ta)
			hash := hex.EncodeToString(sum[:])
			assert.Regexp(t, regexp.MustCompile(`(?m)^seed \d+, trace sha256 `+hash+`$`), r.stdout, "the last lines name the trace hash")
			var m struct {
				TraceSHA256 string `json:"trace_sha256"`
			}
			require.NoError(t, json.Unmarshal(readFile(t, out, "manifest.json"), &m))
			assert.Equal(t, hash, m.TraceSHA256)
		})
	}
}

// TestSeedChangesALossyRun: another seed draws other losses.
func TestSeedChangesALossyRun(t *testing.T) {
	t.Parallel()
	slow(t)
	drops := func(dir string) []int64 {
		var at []int64
		for _, r := range readTrace(t, dir) {
			if r.Kind == "pkt.drop" && r.Reason == "loss" {
				at = append(at, r.T)
			}
		}
		return at
	}
	sc := "../scenarios/lossy-link.yaml"
	d7, d8 := drops(run(t, sc, "--seed", "7")), drops(run(t, sc, "--seed", "8"))
	require.NotEmpty(t, d7)
	require.NotEmpty(t, d8)
	assert.NotEqual(t, d7, d8, "seed 7 and seed 8 lose the same packets at the same times")
	assert.Equal(t, d7, drops(run(t, sc)), "the scenario's own seed is 7")
}

// TestCheckDeterminism: --check-determinism passes on every example and
// records its verdict in the manifest.
func TestCheckDeterminism(t *testing.T) {
	t.Parallel()
	for _, sc := range []string{"../scenarios/lossy-link.yaml", "../scenarios/partition.yaml"} {
		t.Run(filepath.Base(sc), func(t *testing.T) {
			t.Parallel()
			dir := run(t, sc, "--check-determinism")
			var m map[string]any
			require.NoError(t, json.Unmarshal(readFile(t, dir, "manifest.json"), &m))
			assert.Contains(t, m, "determinism")
		})
	}
}

// TestTraceOffSameHash: outputs.trace false skips the file (and its
// sha256), but the run, its fingerprint and its summary stay the same.
func TestTraceOffSameHash(t *testing.T) {
	t.Parallel()
	slow(t)
	sc := "../scenarios/lossy-link.yaml"
	on := run(t, sc)
	off := run(t, variant(t, sc, "outputs:\n", "outputs:\n  trace: false\n"))
	_, err := os.Stat(filepath.Join(off, "trace.jsonl"))
	assert.True(t, os.IsNotExist(err), "trace: false writes no trace.jsonl")
	hash := func(dir string) string {
		var m struct {
			Fingerprint string `json:"fingerprint"`
		}
		require.NoError(t, json.Unmarshal(readFile(t, dir, "manifest.json"), &m))
		return m.Fingerprint
	}
	assert.Equal(t, hash(on), hash(off))
	assert.Equal(t, readFile(t, on, "summary.json"), readFile(t, off, "summary.json"))
}
