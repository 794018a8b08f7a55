package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// TestEstimateOutput: the estimate is within a factor of 2 of what the
// example scenarios really write (and never below it), so the guard
// neither misses a big run nor refuses a small one.
func TestEstimateOutput(t *testing.T) {
	for _, name := range []string{"bulk-transfer", "dumbbell", "lossy-link", "request-response", "partition", "handshake"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "scenarios", name+".yaml")
			s, err := scenarios.Load(path)
			require.NoError(t, err)
			out := filepath.Join(t.TempDir(), "o")
			code, _, stderr := cli(t, "run", path, "--out", out)
			require.Contains(t, []int{exitOK, exitFailed}, code, stderr)
			real := 0.0
			filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".jsonl")) {
					real += float64(fi.Size())
				}
				return nil
			})
			est := estimateOutput(s, sim.FromDuration(s.Duration)).total()
			assert.GreaterOrEqual(t, est, real, "the estimate %s is below the real %s", humanBytes(est), humanBytes(real))
			if real > 1<<20 {
				assert.Less(t, est, 2*real, "the estimate %s is far above the real %s", humanBytes(est), humanBytes(real))
			}
		})
	}
}

// TestEstimateBottleneck: a long TCP transfer is bounded by the narrowest
// link of its path, not by every link busy for the whole run: 700 s of the
// bulk transfer over its 10 Mbit/s bottleneck write about 2 GB (a
// warning), where its 100 Mbit/s access link busy both ways would be 22
// GiB (refused).
func TestEstimateBottleneck(t *testing.T) {
	long := variant(t, "../../scenarios/bulk-transfer.yaml", "long.yaml", "bytes: 2MB", "bytes: 10GB", "duration: 5s", "duration: 700s")
	s, err := scenarios.Load(long)
	require.NoError(t, err)
	s.Outputs.PCAP = false
	est := estimateOutput(s, sim.FromDuration(s.Duration)).total()
	// 10 Mbit/s × 700 s = 875 MB of payload, over 2 links, with the slack.
	assert.InDelta(t, 875e6*2*outputSlack, est, 1e6)
	assert.Less(t, est, float64(diskLimitBytes))
}

// TestDiskGuard: a run estimated past the limit is refused before it
// writes anything, unless --force; past the warning size it is warned of.
func TestDiskGuard(t *testing.T) {
	const bulk = "../../scenarios/bulk-transfer.yaml"
	// 1 TB to send over the links for 100000 s: far past the limit.
	big := variant(t, bulk, "big.yaml", "bytes: 2MB", "bytes: 1000GB", "duration: 5s", "duration: 100000s")
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := cli(t, "run", big, "--out", out)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "this run may write about")
	assert.Contains(t, stderr, "more than the 20.0 GiB limit")
	assert.Contains(t, stderr, "--force")
	assert.NoDirExists(t, out)

	// --force lets it through (stopped early here: --until).
	s, err := scenarios.Load(big)
	require.NoError(t, err)
	var w bytes.Buffer
	require.NoError(t, diskGuard(s, sim.FromDuration(s.Duration), true, &w))
	assert.Contains(t, w.String(), "warning: this run may write about")

	// Between the warning and the limit: a warning only.
	mid := variant(t, bulk, "mid.yaml", "bytes: 2MB", "bytes: 1GB")
	s, err = scenarios.Load(mid)
	require.NoError(t, err)
	w.Reset()
	require.NoError(t, diskGuard(s, sim.FromDuration(s.Duration), false, &w))
	assert.Empty(t, w.String(), "5 s at 10 Mbit/s cannot carry 1 GB: the links bound the estimate")
	s.Duration *= 1000
	require.NoError(t, diskGuard(s, sim.FromDuration(s.Duration), false, &w))
	assert.Contains(t, w.String(), "warning: this run may write about")

	// No outputs, nothing to guard.
	s.Outputs.Trace, s.Outputs.PCAP = false, false
	assert.Zero(t, estimateOutput(s, sim.FromDuration(s.Duration)).total())
}

// A request-response app's requests and responses cross its bottleneck in
// opposite directions, so it is bounded by twice the bottleneck, not once
// (the estimate could be half of what such a run writes).
func TestEstimateRequestResponseBothWays(t *testing.T) {
	est := func(app string) float64 {
		return estimateOf(t, "version: 1\nname: rr\nduration: 100s\nhosts: {c: {}, s: {}}\nrouters: {r: {}}\n"+
			"links:\n  - {between: [c, r], bandwidth: 1Gbps}\n  - {between: [r, s], bandwidth: 1Gbps}\n"+
			"outputs: {pcap: false}\napps:\n"+app)
	}
	rr := est("  - {type: request-response, host: s, port: 80, request: 1GB, response: 1GB}\n" +
		"  - {type: request-response, host: c, to: s:80, request: 1GB, response: 1GB, count: 1000}\n")
	bulk := est("  - {type: sink, host: s, port: 80}\n  - {type: bulk-send, host: c, to: s:80, bytes: 10000GB}\n")
	assert.InDelta(t, 2, rr/bulk, 0.01, "both ways of a 1 Gbit/s path for 100 s, against one way")
}

// A rate-driven app sends from its start to its stop, not for the whole
// run: a 200 ms UDP source under --until 10h was estimated at 10 h of
// 1 Mbit/s over its path and refused (more than 20 GiB) a run that
// writes a few megabytes. A ping sends from its start.
func TestEstimateFollowsStartAndStop(t *testing.T) {
	est := func(app string) float64 {
		return estimateOf(t, "version: 1\nname: u\nduration: 36000s\nhosts: {c: {}, s: {}}\nrouters: {r: {}}\n"+
			"links:\n  - {between: [c, r], bandwidth: 1Gbps}\n  - {between: [r, s], bandwidth: 1Gbps}\n"+
			"apps:\n  - {type: udp-sink, host: s, port: 9}\n  - {type: sink, host: s, port: 80}\n"+app)
	}
	whole := est("  - {type: udp-send, host: c, to: s:9, rate: 1Mbps, size: 1000}\n")
	for _, tc := range []struct {
		app  string
		part float64 // of the whole run
	}{
		{"  - {type: udp-send, host: c, to: s:9, rate: 1Mbps, size: 1000, stop: 3600s}\n", 0.1},
		{"  - {type: udp-send, host: c, to: s:9, rate: 1Mbps, size: 1000, start: 32400s}\n", 0.1},
		{"  - {type: udp-send, host: c, to: s:9, rate: 1Mbps, size: 1000, start: {uniform: [18000s, 30000s]}}\n", 0.5},
		{"  - {type: on-off, host: c, to: s:80, rate: 1Mbps, on: 1s, off: 0s, start: 1800s, stop: 5400s}\n", 0.1},
	} {
		assert.InDelta(t, tc.part, est(tc.app)/whole, 0.01, tc.app)
	}
	ping := est("  - {type: ping, host: c, to: s, interval: 1ms}\n")
	assert.InDelta(t, 0.5, est("  - {type: ping, host: c, to: s, interval: 1ms, start: 18000s}\n")/ping, 0.01)
	assert.Less(t, est("  - {type: udp-send, host: c, to: s:9, rate: 1Mbps, size: 1000, stop: 200ms}\n"), float64(diskWarnBytes),
		"200 ms of 1 Mbit/s is no reason to warn")
}

// estimateOf is the output estimate of a scenario's whole run.
func estimateOf(t *testing.T, scenario string) float64 {
	t.Helper()
	s, err := scenarios.Parse("s.yaml", []byte(scenario))
	require.NoError(t, err)
	return estimateOutput(s, sim.FromDuration(s.Duration)).total()
}
