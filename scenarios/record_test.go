package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// recordRun builds s with seed 1, runs it to its end and returns every
// trace record and the time the run ended.
func recordRun(t *testing.T, s *Scenario) ([]sim.Record, sim.Time) {
	t.Helper()
	rec := &sim.Recorder{}
	w, err := Build(s, BuildOptions{Seed: 1, Trace: rec})
	require.NoError(t, err)
	end, err := w.Run(0, nil)
	require.NoError(t, err)
	return rec.Records, end
}
