package sweep

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// TestRTTMetrics: the mean of 100 samples of 1..100 ms is 50.5 ms, their
// 99th percentile 99 ms (within the histogram's 0.4%); goodput_sum_bps
// adds the flows.
func TestRTTMetrics(t *testing.T) {
	rtt := &RTTStats{}
	for i := 1; i <= 100; i++ {
		rtt.Emit(&sim.Record{Event: &sim.TCPRTT{Conn: 1, Sample: time.Duration(i) * time.Millisecond}})
	}
	rtt.Emit(&sim.Record{Event: &sim.App{}}) // not an RTT sample
	res := Result{RTT: rtt, Summary: scenarios.Summary{Conns: []scenarios.ConnSummary{{ID: 1, Flow: scenarios.Flow{ThroughputBps: 3e6}}, {ID: 2, Flow: scenarios.Flow{ThroughputBps: 1e6}}}}}
	m := Measure(res, []string{MetricRTT, MetricRTTP99, MetricGoodputSum, MetricGoodput})
	assert.InDelta(t, 50.5, m[ColRTTMean], 1e-9)
	assert.InEpsilon(t, 99, m[ColRTTP99], 0.004)
	assert.Equal(t, 4e6, m[ColGoodputSum])
	assert.Equal(t, 2e6, m[ColGoodput], "the mean per flow beside the sum")
	// No samples: no value rather than a made-up one.
	m = Measure(Result{RTT: &RTTStats{}}, []string{MetricRTT, MetricRTTP99})
	assert.NotContains(t, m, ColRTTMean)
	assert.NotContains(t, m, ColRTTP99)
	assert.True(t, math.IsNaN((&RTTStats{}).Quantile(0.99)))
}
