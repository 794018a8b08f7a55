package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/sim"
)

// TestProgressLines: when stderr is not a terminal, progress is plain
// lines, the first after two seconds of wall time and then at most one
// every ten seconds, whatever the number of updates. The clock is a fake
// one: the test does not depend on how fast it runs.
func TestProgressLines(t *testing.T) {
	var w bytes.Buffer
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	events := uint64(0)
	p := newProgressBarClock(&w, false, sim.FromDuration(30*time.Second), func() uint64 { return events }, func() time.Time { return wall })
	// 25 s of wall time in steps of 500 ms, simulating 600 ms per step:
	// lines at 2 s, 12 s and 22 s of wall time.
	for i := 1; i <= 50; i++ {
		wall = wall.Add(500 * time.Millisecond)
		events += 1000
		p.update(sim.FromDuration(time.Duration(i) * 600 * time.Millisecond))
	}
	p.done()
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	assert.Equal(t, []string{
		"netsim run: simulated 2.4s of 30s (8%), 2.0k events/s, ETA 23s",
		"netsim run: simulated 14.4s of 30s (48%), 2.0k events/s, ETA 13s",
		"netsim run: simulated 26.4s of 30s (88%), 2.0k events/s, ETA 3s",
	}, lines)
	assert.NotContains(t, w.String(), "\r", "no terminal control in a log")
}

// TestProgressQuiet: a run shorter than two seconds of wall time reports
// nothing, on a terminal or not.
func TestProgressQuiet(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var w bytes.Buffer
		wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		p := newProgressBarClock(&w, tty, sim.FromDuration(time.Second), func() uint64 { return 1 }, func() time.Time { return wall })
		for i := 0; i < 10; i++ {
			wall = wall.Add(100 * time.Millisecond)
			p.update(sim.FromDuration(time.Duration(i) * 100 * time.Millisecond))
		}
		p.done()
		assert.Empty(t, w.String(), "tty %v", tty)
	}
}

// TestSIFormats: counts and rates share the k/M/G ladder but keep their
// own precision and unit.
func TestSIFormats(t *testing.T) {
	tests := []struct {
		v           float64
		count, rate string
	}{
		{999, "999", "999 bit/s"},
		{1000, "1.0k", "1.00 kbit/s"},
		{1234567, "1.23M", "1.23 Mbit/s"},
		{9.87e9, "9.87G", "9.87 Gbit/s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.count, humanCount(tt.v), "humanCount(%v)", tt.v)
		assert.Equal(t, tt.rate, throughput(tt.v), "throughput(%v)", tt.v)
	}
}
