package scenarios

import (
	"fmt"
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

// FuzzExtremeTimes builds and runs a small scenario with arbitrary link
// delay, jitter, overhead and bandwidth, a fault that sets another delay,
// and an arbitrary stop time, twice: as text through the validator (when
// it accepts the values, the run must work) and with the values put
// straight into the scenario, past the validator (the engine must
// saturate). Simulated time is bounded (at most 20ms), and so is the
// traffic, so each input is cheap. No path may panic.
func FuzzExtremeTimes(f *testing.F) {
	f.Add(uint64(5e6), uint64(0), uint64(0), uint64(10e6), uint64(10e6), uint64(20e6))
	f.Add(uint64(math.MaxInt64), uint64(0), uint64(0), uint64(10e6), uint64(0), uint64(20e6))
	f.Add(uint64(math.MaxInt64/2+1), uint64(math.MaxInt64/2+1), uint64(0), uint64(1e9), uint64(1), uint64(1))
	f.Add(uint64(0), uint64(0), uint64(math.MaxInt64/16), uint64(1), uint64(0), uint64(math.MaxInt64))
	f.Add(uint64(1), uint64(1), uint64(1), uint64(1), uint64(math.MaxInt64), uint64(math.MaxInt64-1))
	f.Add(uint64(MaxTime), uint64(0), uint64(0), uint64(1e6), uint64(MaxTime), uint64(MaxTime))
	f.Fuzz(func(t *testing.T, delay, jitter, overhead, rate, faultDelay, until uint64) {
		clamp := func(v uint64) int64 { return int64(min(v, math.MaxInt64)) }
		d, j, o, r, fd := clamp(delay), clamp(jitter), clamp(overhead), max(clamp(rate), 1), clamp(faultDelay)
		stop := sim.Time(clamp(until)%int64(20*time.Millisecond) + 1)
		run := func(s *Scenario) {
			w, err := Build(s, BuildOptions{Seed: 1, Trace: sim.NewJSONLWriter(io.Discard)})
			if err != nil {
				return
			}
			end, err := w.Run(stop, func(sim.Time) bool { return true })
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if end != stop {
				t.Fatalf("run ended at %v, want %v", end, stop)
			}
		}
		text := fmt.Sprintf(`version: 1
name: extreme
duration: 20ms
hosts:
  a: {}
  b: {}
links:
  - between: [a, b]
    bandwidth: %d
    delay: %dns
    jitter: %dns
    overhead: %d
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 20KB}
faults:
  - {at: 5ms, link: a-b, set: {delay: %dns}}
`, r, d, j, o, fd)
		if s, err := Parse("extreme.yaml", []byte(text)); err == nil {
			run(s)
		}
		s, err := Parse("extreme.yaml", []byte(overflowBase))
		if err != nil {
			t.Fatal(err)
		}
		l := &s.Links[0]
		l.Delay, l.Jitter, l.Overhead, l.Bandwidth = time.Duration(d), time.Duration(j), units.ByteSize(o), units.BitRate(r)
		nd := time.Duration(fd)
		s.Faults[0].Set.Delay = &nd
		s.Apps[1].Bytes = 20_000
		run(s)
	})
}
