package sweep

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/scenarios"
)

// The rtt metric is each connection's mean RTT in ms and their mean;
// a connection without samples has no column and does not count.
func TestMeasureRTT(t *testing.T) {
	var s scenarios.Summary
	s.Conns = make([]scenarios.ConnSummary, 3)
	s.Conns[0].ID, s.Conns[0].RTT.Samples, s.Conns[0].RTT.Mean = 1, 10, 40e6
	s.Conns[1].ID, s.Conns[1].RTT.Samples, s.Conns[1].RTT.Mean = 2, 5, 60e6
	s.Conns[2].ID = 3
	got := Measure(Result{Summary: s}, []string{MetricRTT})
	assert.Equal(t, map[string]float64{"rtt_ms": 50, "rtt_ms_conn1": 40, "rtt_ms_conn2": 60}, got)
}
