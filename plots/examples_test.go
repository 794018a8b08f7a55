package plots_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// TestExampleScenarios draws every kind for every example scenario, from
// the records of a real run: no error (or, for a kind the run has nothing
// for, ErrNoData), and a figure of a plausible size.
func TestExampleScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example scenario and draws every kind: skipped in -short mode")
	}
	files, err := filepath.Glob("../scenarios/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			s, err := scenarios.Load(f)
			require.NoError(t, err)
			rec := &sim.Recorder{}
			w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: s.Seed, Trace: rec})
			require.NoError(t, err)
			_, err = w.Run(0, nil)
			require.NoError(t, err)
			conns := plots.Conns(rec.Records)
			t.Logf("%d records, %d packets, %d connections", len(rec.Records), plots.PacketCount(rec.Records), len(conns))
			require.NotEmpty(t, conns, "every example opens a connection")
			drawn := 0
			for _, kind := range plots.Kinds() {
				var buf bytes.Buffer
				err := plots.RenderTo(rec.Records, plots.Options{Kind: kind, CompressTime: true}, "svg", &buf)
				if errors.Is(err, plots.ErrNoData) {
					t.Logf("%s: %v", kind, err)
					continue
				}
				require.NoError(t, err, kind)
				drawn++
				assert.Greater(t, buf.Len(), 5_000, "%s: axes, labels and data", kind)
				assert.Less(t, buf.Len(), 4_000_000, "%s: decimation keeps figures small", kind)
			}
			assert.GreaterOrEqual(t, drawn, 3, "sequence, time-sequence and cwnd at least")
		})
	}
}
