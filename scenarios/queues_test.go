package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// TestQueueDecoding: each discipline's keys land in its topology type,
// over its defaults, with the limit in packets or bytes.
func TestQueueDecoding(t *testing.T) {
	tests := []struct {
		yaml      string
		want      topology.QueueConfig
		packets   int
		bytes     units.ByteSize
		wantKind  QueueKind
		wantFault string
	}{
		{`{kind: droptail, limit: 1000}`, topology.DropTail{}, 1000, 0, QueueDropTail, "queue=1000"},
		{`{kind: red, limit: 1000, min_th: 5, max_th: 15, p_max: 10%, weight: 0.002, gentle: true, ecn: true}`,
			topology.RED{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002, Gentle: true, ECN: true}, 1000, 0, QueueRED, "queue=red/1000"},
		{`{kind: red, min_th: 30KB, max_th: 90KB, gentle: false}`,
			topology.RED{MinTh: 30000, MaxTh: 90000, InBytes: true, MaxP: 0.1, Weight: 0.002}, 1000, 0, QueueRED, "queue=red/1000"},
		{`{kind: codel, limit: 1000, target: 5ms, interval: 100ms, ecn: true}`,
			topology.CoDel{Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond, ECN: true}, 1000, 0, QueueCoDel, "queue=codel/1000"},
		{`{kind: codel}`, topology.DefaultCoDel(), 1000, 0, QueueCoDel, "queue=codel/1000"},
		{`{kind: fq-codel, limit: 10240, flows: 1024, quantum: 1514, target: 5ms, interval: 100ms, ecn: true}`,
			topology.DefaultFQCoDel(), 10240, 0, QueueFQCoDel, "queue=fq-codel/10240"},
		{`{kind: fq-codel, limit: 4MB, flows: 16, ecn: false}`,
			topology.FQCoDel{Flows: 16, Quantum: 1514, Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond}, 0, 4000000, QueueFQCoDel, "queue=fq-codel/4MB"},
		{`{kind: pie, limit: 1000, target: 15ms, tupdate: 15ms, ecn: false}`, topology.DefaultPIE(), 1000, 0, QueuePIE, "queue=pie/1000"},
		{`{kind: pie, alpha: 0.25, beta: 2, max_burst: 0s}`,
			topology.PIE{Target: 15 * time.Millisecond, TUpdate: 15 * time.Millisecond, Alpha: 0.25, Beta: 2}, 1000, 0, QueuePIE, "queue=pie/1000"},
		{`{kind: step, limit: 1000, threshold: 20, ecn: true}`, topology.Step{Threshold: 20, ECN: true}, 1000, 0, QueueStep, "queue=step/1000"},
		{`{kind: step, threshold: 30KB}`, topology.Step{Threshold: 30000, InBytes: true, ECN: true}, 1000, 0, QueueStep, "queue=step/1000"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			src := pairYAML("q", "", "", "    queue: "+tt.yaml+"\n")
			s, err := Parse("q.yaml", []byte(src))
			require.NoError(t, err)
			q := s.Links[0].Queue
			assert.Equal(t, tt.wantKind, q.Kind)
			assert.Equal(t, tt.want, q.Discipline)
			assert.Equal(t, tt.packets, q.LimitPackets)
			assert.Equal(t, tt.bytes, q.LimitBytes)
			c := s.Links[0].config()
			assert.Equal(t, tt.want, c.Queue)
			assert.Equal(t, tt.wantFault, LinkSet{Queue: &q}.describe())
			if tt.bytes > 0 {
				assert.Equal(t, -1, c.QueueLimitPackets, "a byte limit alone: no packet limit")
			}
			ch := LinkSet{Queue: &q}.change()
			assert.Equal(t, c.QueueLimitPackets, *ch.QueueLimitPackets, "a fault sets the limits the link would start with")
			assert.Equal(t, c.QueueLimitBytes, *ch.QueueLimitBytes)
		})
	}
}

// TestTCPECNSetting: tcp ecn is off, on or accept, Linux's tcp_ecn=2 by
// default, and a host's setting wins over the defaults.
func TestTCPECNSetting(t *testing.T) {
	s, err := Parse("e.yaml", []byte(pairYAML("e", "defaults:\n  tcp: {ecn: on}\n", ", tcp: {ecn: off}", "")))
	require.NoError(t, err)
	assert.Equal(t, tcp.ECNOff, s.Hosts[0].Effective.Config().ECN)
	assert.Equal(t, tcp.ECNOn, s.Hosts[1].Effective.Config().ECN)
	assert.Equal(t, tcp.ECNAccept, TCP{}.Config().ECN)
	_, err = Parse("e.yaml", []byte(pairYAML("e", "defaults:\n  tcp: {ecn: yes please}\n", "", "")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "e.yaml:5:14")
	assert.Contains(t, err.Error(), "one of: off, on, accept")
}

// TestSummarySojournAndMarks: sojourn times run from pkt.enqueue to pkt.tx
// of the same packet on the same link direction (nearest-rank
// percentiles); a packet dropped from the queue leaves no sample; marks
// and aqm drops are counted.
func TestSummarySojournAndMarks(t *testing.T) {
	const subj = "link/l/a>b"
	var recs []sim.Record
	rec := func(at int64, ev sim.Event) {
		recs = append(recs, sim.Record{T: sim.Time(at), Subject: subj, Event: ev})
	}
	// 100 packets, packet i waits i ms.
	for i := uint64(1); i <= 100; i++ {
		rec(0, &sim.PacketEnqueue{ID: i})
	}
	rec(0, &sim.PacketEnqueue{ID: 500})
	rec(0, &sim.PacketMark{ID: 7})
	rec(1, &sim.PacketDrop{ID: 500, Reason: sim.DropAQM})
	for i := uint64(1); i <= 100; i++ {
		rec(int64(i)*int64(time.Millisecond), &sim.PacketTx{ID: i})
	}
	sum := Summarize(recs)
	require.Len(t, sum.Links, 1)
	l := sum.Links[0]
	assert.Equal(t, int64(1), l.Marked)
	assert.Equal(t, map[string]int64{"aqm": 1}, l.Dropped)
	ms := int64(time.Millisecond)
	assert.Equal(t, SojournSummary{Samples: 100, Mean: 50.5 * float64(ms), P50: 50 * ms, P95: 95 * ms, P99: 99 * ms, Max: 100 * ms}, l.Sojourn)
}

// pairYAML is a one-second scenario named name: hosts a and b on one
// 10 Mbit/s link. defaults goes before the hosts, aExtra inside a's
// mapping, link after the link's bandwidth line.
func pairYAML(name, defaults, aExtra, link string) string {
	return "version: 1\nname: " + name + "\nduration: 1s\n" + defaults +
		"hosts:\n  a: {address: 10.0.0.1" + aExtra + "}\n  b: {address: 10.0.0.2}\n" +
		"links:\n  - between: [a, b]\n    bandwidth: 10Mbps\n" + link
}

// A threshold the queue never reaches is reported at the threshold when
// the file wrote it, else at the limit (RED's default min_th of 5 packets
// against limit: 3): the limit is what to change.
func TestThresholdAtLimitPosition(t *testing.T) {
	for _, c := range []struct{ queue, want string }{
		{`{kind: red, min_th: 3, max_th: 9, limit: 3}`, "q.yaml:10:32: links[0].queue.min_th: 3 packets is not below the queue's limit of 3 packets"},
		{`{kind: red, limit: 3}`, "q.yaml:10:31: links[0].queue.min_th: 5 packets is not below the queue's limit of 3 packets"},
		{`{kind: step, limit: 20, threshold: 20}`, "q.yaml:10:47: links[0].queue.threshold: 20 packets is not below the queue's limit of 20 packets"},
	} {
		_, err := Parse("q.yaml", []byte(pairYAML("q", "", "", "    queue: "+c.queue+"\n")))
		require.Error(t, err, c.queue)
		assert.Contains(t, err.Error(), c.want, c.queue)
	}
}
