//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// TestRunInterrupted: SIGINT, SIGTERM and SIGHUP in the middle of a run
// keep the outputs so far, committed and marked "complete": false, and
// exit 128+N; the earlier run's files are replaced, no temporary remains.
func TestRunInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := cli(t, "run", "../../scenarios/request-response.yaml", "--out", out)
			require.Equal(t, exitOK, code, stderr)
			calls := 0
			testBeforeCheck = func() {
				if calls++; calls != 20 {
					return
				}
				// Send the real signal, and wait until it is caught, so
				// that the run sees it at this check.
				require.NoError(t, syscall.Kill(os.Getpid(), sig))
				for deadline := time.Now().Add(5 * time.Second); len(interruptCh) == 0 && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
			}
			defer func() { testBeforeCheck = nil }()
			code, stdout, stderr := cli(t, "run", "../../scenarios/bulk-transfer.yaml", "--out", out)
			require.Equal(t, 128+int(sig), code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stderr, "interrupted at ")
			assert.Contains(t, stderr, `marked "complete": false in manifest.json`)
			m := readManifest(t, out)
			assert.False(t, m.Complete)
			assert.Equal(t, "bulk-transfer", m.Scenario.Name)
			stopped, err := time.ParseDuration(m.StoppedAt)
			require.NoError(t, err)
			assert.Less(t, stopped, 5*time.Second)
			assert.Positive(t, stopped)
			// The partial trace is whole records up to the stop; no plots
			// were drawn, and none of the earlier run's remain.
			f, err := os.Open(filepath.Join(out, "trace.jsonl"))
			require.NoError(t, err)
			defer f.Close()
			n, all := uint64(0), uint64(0)
			require.NoError(t, sim.ReadJSONL(f, func(r *sim.Record) error {
				all++
				if sim.FingerprintKinds.Has(r.Kind()) {
					n++
				}
				return nil
			}))
			assert.Equal(t, m.TraceRecords, n, "the records the fingerprint covers")
			assert.Greater(t, all, n)
			assert.NoDirExists(t, filepath.Join(out, "plots"))
			assert.Equal(t, []string{"manifest.json", "pcap/client-eth0.pcap", "pcap/r1-eth0.pcap", "pcap/r1-eth1.pcap", "pcap/server-eth0.pcap", "summary.json", "trace.jsonl"}, files(t, out))
		})
	}
}

// TestBuildInterrupted: a signal while the network is being built stops
// the build at its next check, exits 130 with a message that says so, and
// leaves --out exactly as the earlier run left it (no partial outputs, no
// temporary folder).
func TestBuildInterrupted(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	before := tree(t, out)
	checks := 0
	testBeforeCheck = func() {
		if checks++; checks != 1 {
			return
		}
		// The first check is the build's, before the first host.
		require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
		for deadline := time.Now().Add(5 * time.Second); len(interruptCh) == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { testBeforeCheck = nil }()
	code, stdout, stderr := cli(t, "run", handshake, "--out", out)
	require.Equal(t, 130, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stderr, "netsim run: interrupt: stopped while building the hosts; nothing was written")
	assert.NotContains(t, stdout, "wrote ")
	assert.Equal(t, before, tree(t, out))
}

// TestLoadInterrupted: a stop signal while the scenario is still loading
// (a file of tens of megabytes takes seconds) ends netsim run at once,
// without waiting for the load, with exit 128+N and a message that says
// so, and leaves --out exactly as the earlier run left it. The loader
// here stands for a huge file: it does not return before the test ends.
func TestLoadInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := cli(t, "run", handshake, "--out", out)
			require.Equal(t, exitOK, code, stderr)
			before := tree(t, out)

			release := make(chan struct{})
			defer close(release)
			loadScenario = func(path string, sets []scenarios.Override) (*scenarios.Scenario, error) {
				require.NoError(t, syscall.Kill(os.Getpid(), sig))
				<-release // a load that outlasts the run
				return scenarios.LoadWith(path, sets)
			}
			defer func() { loadScenario = scenarios.LoadWith }()
			code, stdout, stderr := cli(t, "run", handshake, "--out", out)
			require.Equal(t, 128+int(sig), code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stderr, "netsim run: "+sig.String()+": stopped while loading "+handshake+"; nothing was written")
			assert.Empty(t, stdout)
			assert.Equal(t, before, tree(t, out))
			left, err := os.ReadDir(filepath.Dir(out))
			require.NoError(t, err)
			require.Len(t, left, 1, "no temporary folder beside --out")
		})
	}
}
