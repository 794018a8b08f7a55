package scenarios

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// overflowBase is a valid scenario with traffic on the wire at 1s, when
// its fault applies; the cases below push its values past what the
// validator accepts.
const overflowBase = `version: 1
name: overflow
duration: 2s
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
links:
  - between: [client, server]
    bandwidth: 10Mbps
    delay: 5ms
apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: client, to: server:80, bytes: 10MB, start: 100ms}
faults:
  - {at: 1s, link: client-server, set: {delay: 10ms}}
`

// TestOverflowSaturates builds and runs scenarios whose times the
// validator refuses (issue 16: each panicked the run with a wrapped,
// negative time): the engine's saturating time arithmetic, the second
// line of defence, must run them to the end without a panic.
func TestOverflowSaturates(t *testing.T) {
	huge := time.Duration(math.MaxInt64)
	cases := []struct {
		name  string
		edit  func(s *Scenario)
		until sim.Time
	}{
		{"link delay", func(s *Scenario) { s.Links[0].Delay = huge }, 0},
		{"link delay near max", func(s *Scenario) { s.Links[0].Delay = huge - time.Second }, 0},
		{"jitter", func(s *Scenario) { s.Links[0].Delay, s.Links[0].Jitter = huge/2+1, huge/2+1 }, 0},
		{"overhead at 1 bps", func(s *Scenario) {
			s.Links[0].Bandwidth, s.Links[0].Overhead = 1, units.ByteSize(math.MaxInt64/16)
		}, 0},
		{"fault's new delay", func(s *Scenario) { d := huge; s.Faults[0].Set.Delay = &d }, 0},
		{"fault's new jitter", func(s *Scenario) { d := huge; s.Faults[0].Set.Jitter = &d }, 0},
		{"until at the end of time", func(s *Scenario) {}, sim.MaxTime},
		{"until near the end of time", func(s *Scenario) {}, sim.MaxTime - 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, progress := range []func(sim.Time) bool{nil, func(sim.Time) bool { return true }} {
				s, err := Parse("overflow.yaml", []byte(overflowBase))
				require.NoError(t, err)
				c.edit(s)
				w, err := Build(s, BuildOptions{Seed: 1, Trace: sim.NewJSONLWriter(io.Discard)})
				require.NoError(t, err)
				until := c.until
				if until == 0 {
					until = sim.FromDuration(s.Duration)
				}
				end, err := w.Run(until, progress)
				require.NoError(t, err)
				assert.Equal(t, until, end)
			}
		})
	}
}
