package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
)

// fakeRun stands in for a simulation: its result is a pure function of the
// scenario text and the seed, with one flow that never completes on seeds
// divisible by 4, so the tests exercise undefined metrics too.
func fakeRun(_ context.Context, spec RunSpec) (Result, error) {
	h := sha256.New()
	h.Write(spec.Scenario)
	fmt.Fprintf(h, "seed=%d", spec.Seed)
	sum := h.Sum(nil)
	u := func(i int) uint64 { return binary.BigEndian.Uint64(sum[i*8:]) }
	res := Result{TraceSHA256: fmt.Sprintf("%x", sum), Completion: map[uint64]time.Duration{}, ExpectFailed: int(u(3) % 2)}
	for id := uint64(1); id <= 2; id++ {
		c := scenarios.ConnSummary{ID: id}
		c.ThroughputBps = float64(u(int(id))%10_000_000) / 3
		c.Retransmits = int64(u(int(id)) % 17)
		res.Summary.Conns = append(res.Summary.Conns, c)
		if id == 1 || spec.Seed%4 != 0 {
			res.Completion[id] = time.Duration(u(0)%1e9) + time.Duration(id)*time.Millisecond
		}
	}
	res.Summary.Links = []scenarios.LinkSummary{{Link: "uplink", QueuePeak: int64(u(0) % 50)}}
	return res, nil
}

// loadSweep writes a sweep file next to a copy of testdata/base.yaml in a
// temporary folder and loads it.
func loadSweep(t *testing.T, text string) *Sweep {
	t.Helper()
	dir := t.TempDir()
	base, err := os.ReadFile("testdata/base.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "base.yaml"), base, 0o644))
	path := filepath.Join(dir, "sweep.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	s, err := Load(path)
	require.NoError(t, err)
	return s
}

func expand(t *testing.T, text string) *Plan {
	t.Helper()
	p, err := Expand(loadSweep(t, text))
	require.NoError(t, err)
	return p
}

const gridSweep = `version: 1
base: base.yaml
grid:
  links[uplink].loss: [0%, 0.5%, 1%, 2%]
  defaults.tcp.congestion: [newreno, cubic]
  links[uplink].queue.limit: [20, 100]
seeds: 1..5
`

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func itoa(i int) string { return strconv.Itoa(i) }

func fmtSscan(s string, v *float64) (int, error) { return fmt.Sscan(s, v) }
