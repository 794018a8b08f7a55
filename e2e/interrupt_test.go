//go:build unix

package e2e

import (
	"bufio"
	"errors"
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

	cmd := exec.Command(netsimBin, "run", scenario, "--out", out)
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
			if !signalled && strings.HasPrefix(sc.Text(), "netsim run: building ") {
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
	assert.Contains(t, said.String(), "netsim run: building 2000 hosts, 500 routers, 6000 links and 2 apps (Ctrl-C stops)")
	assert.Contains(t, said.String(), "netsim run: interrupt: stopped while building the ")
	assert.Contains(t, said.String(), "nothing was written")
	left, err := os.ReadDir(outs)
	require.NoError(t, err)
	assert.Empty(t, left, "no output folder and no temporary folder may remain")
}
