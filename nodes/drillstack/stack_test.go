package drillstack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/tcp/drill"
)

func defaultOptions() Options {
	return Options{Config: tcp.DefaultConfig(), Run: drill.DefaultRunConfig(), Seed: 1}
}

func runFile(t *testing.T, path string) error {
	t.Helper()
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err := drill.Parse(filepath.Base(path), src)
	require.NoError(t, err)
	return Run(s, defaultOptions())
}

// knownBugs lists scripts that fail through the host for a reason in
// netsim's TCP, not in the script: they stay, and are skipped with the
// reason until it is fixed.
var knownBugs = map[string]string{}

// TestTCPScripts plays the tcp package's own scripts through the whole
// host: sockets, IPv4 and demultiplexing must not change what tcp.Conn
// does on the wire.
func TestTCPScripts(t *testing.T) {
	files, err := filepath.Glob("../../tcp/testdata/*.pkt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if why, bug := knownBugs[filepath.Base(f)]; bug {
				require.Error(t, runFile(t, f), "it passes now: drop it from knownBugs")
				t.Skip("known TCP bug: " + why)
			}
			require.NoError(t, runFile(t, f))
		})
	}
}
