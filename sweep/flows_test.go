package sweep

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/scenarios"
)

// TestFlowMetrics: delay_p99, jitter and loss over all flows (the highest
// delay and jitter of a flow that received something, the loss of all
// packets together, over the packets received or lost: not those still in
// flight when the run ended), then per flow by its flows.csv number; a flow that
// received nothing has no delay or jitter column, and the columns sort
// after their family's all-flows column, by flow number.
func TestFlowMetrics(t *testing.T) {
	flows := []scenarios.FlowStats{
		{Flow: 1, Proto: "udp", TxPackets: 100, RxPackets: 95, LostPackets: 1, DelayP99: 14e6, Jitter: 35e3},
		{Flow: 2, Proto: "tcp", TxPackets: 300, RxPackets: 290, LostPackets: 10, DelayP99: 130e6, Jitter: 1e6},
		{Flow: 10, Proto: "udp", TxPackets: 5, LostPackets: 5},
	}
	m := Measure(Result{Summary: scenarios.Summary{Flows: flows}}, []string{MetricDelayP99, MetricJitter, MetricLoss})
	assert.Equal(t, map[string]float64{
		"delay_p99_ns": 130e6, "delay_p99_ns_flow1": 14e6, "delay_p99_ns_flow2": 130e6,
		"jitter_ns": 1e6, "jitter_ns_flow1": 35e3, "jitter_ns_flow2": 1e6,
		"loss_ratio": 16.0 / 401, "loss_ratio_flow1": 1.0 / 96, "loss_ratio_flow2": 10.0 / 300, "loss_ratio_flow10": 1,
	}, m)
	cols := []string{"loss_ratio_flow10", "jitter_ns_flow1", "loss_ratio_flow2", "delay_p99_ns_flow2", "loss_ratio", "delay_p99_ns", "delay_p99_ns_flow1"}
	sortColumns(cols)
	assert.Equal(t, []string{"delay_p99_ns", "delay_p99_ns_flow1", "delay_p99_ns_flow2", "jitter_ns_flow1", "loss_ratio", "loss_ratio_flow2", "loss_ratio_flow10"}, cols)
	// Asked for nothing of the kind: no column.
	assert.NotContains(t, Measure(Result{Summary: scenarios.Summary{Flows: flows}}, []string{MetricQueuePeak}), "jitter_ns_flow1")
}
