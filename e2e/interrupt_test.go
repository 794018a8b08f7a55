//go:build unix

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigFatTree is a generated k=20 fat-tree (2,000 hosts, 500 switches,
// 6,000 links) with ECMP and a transfer: its build takes seconds on the
// 2-core machine, long enough to be interrupted while it builds.
const bigFatTree = `version: 1
name: big-fat-tree
duration: 1s
topology:
  - {kind: fat-tree, k: 20, bandwidth: 10Gbps, delay: 1us}
routing: {ecmp: true}
apps:
  - {type: sink, host: ft-h1, port: 80}
  - {type: bulk-send, host: ft-h2000, to: ft-h1:80, bytes: 1MB}
`

// Ctrl-C while netsim builds a large scenario: the child stops at its next
// check, says it was interrupted while building, exits 130 and leaves
// nothing behind (no output folder, no temporary folder). The signal goes
// when the child says it is building; the only time bound is a generous
// one on the exit, so that a loaded machine cannot fail the test.
func TestInterruptWhileBuilding(t *testing.T) {
	if !long() {
		t.Skip("builds a 2,000-host fat-tree (seconds, 250 MB): run with -long")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte(bigFatTree), 0o644))
	outs := filepath.Join(dir, "outs")
	require.NoError(t, os.Mkdir(outs, 0o755))
	out := filepath.Join(outs, "big")

	said := interruptWhenSaid(t, scenario, out, "netsim run: building ")
	assert.Contains(t, said, "netsim run: building 2000 hosts, 500 routers, 6000 links and 2 apps (Ctrl-C stops)")
	assert.Contains(t, said, "netsim run: interrupt: stopped while building the ")
	assert.Contains(t, said, "nothing was written")
	left, err := os.ReadDir(outs)
	require.NoError(t, err)
	assert.Empty(t, left, "no output folder and no temporary folder may remain")
}

// interruptWhenSaid runs netsim run SCENARIO --out OUT, sends it SIGINT
// when a line of its stderr starts with prefix, requires exit 130 and
// returns all it wrote to stderr. The only time bound is a generous one on
// the exit, so that a loaded machine cannot fail the test.
func interruptWhenSaid(t *testing.T, scenario, out, prefix string) string {
	t.Helper()
	cmd := exec.Command(bin(t), "run", scenario, "--out", out)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	var said strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			said.WriteString(sc.Text() + "\n")
			if !signalled && strings.HasPrefix(sc.Text(), prefix) {
				signalled = true
				_ = cmd.Process.Signal(syscall.SIGINT)
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("netsim run did not stop within 2 minutes of Ctrl-C; stderr:\n%s", said.String())
	}
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "netsim run ended with %v; stderr:\n%s", err, said.String())
	assert.Equal(t, 130, exit.ExitCode(), said.String())
	return said.String()
}

// hugeScenario writes a valid scenario of about 20 MB (600,000 hosts, one
// link): loading and validating it takes seconds.
func hugeScenario(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nname: huge\nduration: 1s\nhosts:\n")
	const hosts = 600_000
	for i := range hosts {
		fmt.Fprintf(&b, "  h%d: {address: 10.%d.%d.%d}\n", i, i>>16&255, i>>8&255, i&255)
	}
	b.WriteString("links:\n  - {between: [h0, h1], bandwidth: 1Mbps}\n")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

// Ctrl-C while netsim loads a huge scenario file: the child does not wait
// for the load to finish; it says it was interrupted while loading, exits
// 130, and the output folder of an earlier run is left as it was, with
// no temporary folder beside it. The signal goes when the child says it
// is loading; the only time bound is a generous one on the exit.
func TestInterruptWhileLoading(t *testing.T) {
	if !long() {
		t.Skip("writes and loads a 20 MB scenario (seconds): run with -long")
	}
	dir := t.TempDir()
	scenario := filepath.Join(dir, "huge.yaml")
	hugeScenario(t, scenario)
	outs := filepath.Join(dir, "outs")
	require.NoError(t, os.Mkdir(outs, 0o755))
	out := filepath.Join(outs, "huge")
	require.NoError(t, os.Mkdir(out, 0o755))
	mine := filepath.Join(out, "notes.txt")
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))

	said := interruptWhenSaid(t, scenario, out, "netsim run: loading ")
	assert.Contains(t, said, "netsim run: interrupt: stopped while loading "+scenario+"; nothing was written")
	assert.NotContains(t, said, "warning", "stopped before the load's warnings")
	left, err := os.ReadDir(outs)
	require.NoError(t, err)
	require.Len(t, left, 1, "no temporary folder beside --out")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	b, err := os.ReadFile(mine)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b))
}
