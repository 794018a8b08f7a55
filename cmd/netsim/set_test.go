package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
)

// TestSetIsRecorded: netsim run --set replaces scenario keys (units
// written as people write them, with a space), and the overrides are in
// manifest.json and in the replay line, which reproduces the run (issue
// 21).
func TestSetIsRecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hs")
	sets := []string{"links[0].delay=20 ms", "links[0].bandwidth=10 Mbit/s"}
	code, stdout, stderr := cli(t, "run", handshake, "--out", out, "--set", sets[0], "--set", sets[1])
	require.Equal(t, exitOK, code, stderr)
	m := readManifest(t, out)
	assert.Equal(t, sets, m.Set)
	want := "replay: netsim run " + handshake + " --seed 1 --set 'links[0].delay=20 ms' --set 'links[0].bandwidth=10 Mbit/s'"
	assert.Contains(t, stdout, want+"\n")
	assert.Equal(t, strings.TrimPrefix(want, "replay: "), m.Replay)
	// The delay took: the client's RTT is about 40 ms, not 10.
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	var s scenarios.Summary
	require.NoError(t, json.Unmarshal(b, &s))
	require.NotEmpty(t, s.Conns)
	assert.GreaterOrEqual(t, s.Conns[0].RTT.Min, int64(40e6))
}
