package topology_test

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// events records what a discipline does to packets it holds.
type events struct {
	drops []event
	marks []event
	now   sim.Time
}

type event struct {
	at     sim.Time
	id     uint64
	reason string
}

func (e *events) QueueDrop(p *topology.Packet, reason string) {
	e.drops = append(e.drops, event{e.now, p.ID, reason})
}
func (e *events) QueueMark(p *topology.Packet) { e.marks = append(e.marks, event{e.now, p.ID, ""}) }

// datagram returns a TCP/IPv4 datagram of size bytes from port sport with
// ECN field ecn, built by nodes/ipv4 (so a mark is checked against the
// real header code).
func datagram(t testing.TB, id uint64, size int, sport uint16, ecn uint8) *topology.Packet {
	h := ipv4.New(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), ipv4.ProtoTCP)
	h.ECN = ecn
	payload := make([]byte, size-ipv4.HeaderLen)
	payload[0], payload[1] = byte(sport>>8), byte(sport)
	payload[3] = 80
	b, err := h.AppendTo(nil, payload)
	require.NoError(t, err)
	return &topology.Packet{ID: id, Data: b}
}

// ecnOf decodes p's header (checksum verified) and returns its ECN field.
func ecnOf(t testing.TB, p *topology.Packet) uint8 {
	h, _, err := ipv4.Decode(p.Data)
	require.NoError(t, err)
	return h.ECN
}

func newQueue(cfg topology.QueueConfig, limit topology.Limit, ev *events) topology.Queue {
	return cfg.NewQueue(topology.QueueEnv{Limit: limit, Rate: 10 * units.Mbps, MTU: 1500,
		Rand: sim.NewRand(1, "test/queue"), Events: ev})
}

func TestQueueKindsAndValidation(t *testing.T) {
	tests := []struct {
		cfg     topology.QueueConfig
		kind    string
		limit   int
		wantErr string
	}{
		{topology.DropTail{}, "droptail", 100, ""},
		{topology.DefaultRED(), "red", 1000, ""},
		{topology.DefaultCoDel(), "codel", 1000, ""},
		{topology.DefaultFQCoDel(), "fq-codel", 10240, ""},
		{topology.DefaultPIE(), "pie", 1000, ""},
		{topology.Step{Threshold: 20, ECN: true}, "step", 1000, ""},
		{topology.RED{MinTh: 15, MaxTh: 15, MaxP: 0.1, Weight: 0.002}, "red", 1000, "min_th 15 is not below max_th 15"},
		{topology.RED{MinTh: 5, MaxTh: 15, MaxP: 0, Weight: 0.002}, "red", 1000, "p_max"},
		{topology.RED{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 2}, "red", 1000, "weight"},
		{topology.CoDel{Target: 100 * time.Millisecond, Interval: 100 * time.Millisecond}, "codel", 1000, "target 100ms is not below interval 100ms"},
		{topology.FQCoDel{Flows: 0, Quantum: 1514, Target: time.Millisecond, Interval: time.Second}, "fq-codel", 10240, "flows 0"},
		{topology.PIE{Target: 0, TUpdate: time.Millisecond}, "pie", 1000, "target 0s"},
		{topology.Step{Threshold: 0}, "step", 1000, "threshold 0"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.kind, tt.cfg.Kind())
		assert.Equal(t, tt.limit, tt.cfg.DefaultLimit())
		err := tt.cfg.Validate()
		if tt.wantErr == "" {
			assert.NoError(t, err, tt.kind)
			continue
		}
		require.Error(t, err, tt.wantErr)
		assert.ErrorIs(t, err, topology.ErrQueueConfig)
		assert.Contains(t, err.Error(), tt.wantErr)
	}
}

// TestQueueLimits: every discipline tail-drops ("queue") at its packet
// or byte limit and keeps FIFO order within a flow.
func TestQueueLimits(t *testing.T) {
	cfgs := []topology.QueueConfig{topology.DropTail{}, topology.DefaultRED(), topology.DefaultCoDel(),
		topology.DefaultFQCoDel(), topology.DefaultPIE(), topology.Step{Threshold: 1000}}
	for _, cfg := range cfgs {
		for _, lim := range []topology.Limit{{Packets: 3}, {Bytes: 3000}} {
			ev := &events{}
			q := newQueue(cfg, lim, ev)
			var verdicts []topology.Verdict
			for i := range 5 {
				verdicts = append(verdicts, q.Enqueue(0, datagram(t, uint64(i+1), 1000, 1, ipv4.ECNNotECT)))
			}
			n, b := q.Len()
			if cfg.Kind() == "fq-codel" {
				// FQ-CoDel admits, then drops half the fattest flow's
				// bytes from its head.
				assert.NotEmpty(t, ev.drops, "%s %+v", cfg.Kind(), lim)
				for _, d := range ev.drops {
					assert.Equal(t, sim.DropQueue, d.reason)
				}
				assert.LessOrEqual(t, n, 3)
				continue
			}
			assert.Equal(t, []topology.Verdict{topology.Queued, topology.Queued, topology.Queued, topology.DroppedFull, topology.DroppedFull}, verdicts, "%s %+v", cfg.Kind(), lim)
			assert.Equal(t, 3, n)
			assert.Equal(t, units.ByteSize(3000), b)
			for i := range 3 {
				p, at, ok := q.Dequeue(sim.Time(time.Millisecond))
				require.True(t, ok)
				assert.Equal(t, uint64(i+1), p.ID)
				assert.Equal(t, sim.Time(0), at)
			}
			_, _, ok := q.Dequeue(sim.Time(time.Millisecond))
			assert.False(t, ok)
		}
	}
}

// TestCoDelControlLaw: under a persistent queue (every packet waits
// longer than target), CoDel enters the dropping state one interval
// after the sojourn time first exceeded target and then drops at
// intervals of interval/√count (RFC 8289 §5.6).
func TestCoDelControlLaw(t *testing.T) {
	cfg := topology.DefaultCoDel()
	ev := &events{}
	q := newQueue(cfg, topology.Limit{Packets: 100000}, ev)
	const service = time.Millisecond // one packet leaves per ms
	id := uint64(0)
	// A standing queue of 20 packets: each waits 20 ms > 5 ms target.
	for range 20 {
		id++
		q.Enqueue(0, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
	}
	for now := sim.Time(service); now < sim.Time(2*time.Second); now = now.Add(service) {
		id++
		ev.now = now
		q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
		_, _, ok := q.Dequeue(now)
		require.True(t, ok)
		if n, _ := q.Len(); n < 20 {
			// Keep the queue standing: refill what was dropped.
			id++
			q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
		}
	}
	require.Greater(t, len(ev.drops), 10)
	// The first drop: an interval after the first dequeue at or above
	// target (the packet enqueued at 0 and dequeued at 5 ms).
	assert.Equal(t, sim.Time(cfg.Target+cfg.Interval), ev.drops[0].at)
	// Drop k+1 is scheduled interval/√k after drop k's schedule; drops
	// happen at the first dequeue at or after it (dequeues are 1 ms apart).
	sched := float64(ev.drops[0].at)
	for i := 1; i < len(ev.drops); i++ {
		sched += float64(cfg.Interval) / math.Sqrt(float64(i))
		got := float64(ev.drops[i].at)
		assert.GreaterOrEqual(t, got, sched, "drop %d", i+1)
		assert.Less(t, got, sched+float64(service), "drop %d", i+1)
		assert.Equal(t, sim.DropAQM, ev.drops[i].reason)
	}
}

// TestCoDelLeavesDroppingBelowTarget: once the sojourn time is below
// target, CoDel stops dropping.
func TestCoDelLeavesDroppingBelowTarget(t *testing.T) {
	ev := &events{}
	q := newQueue(topology.DefaultCoDel(), topology.Limit{}, ev)
	for i := range 10 {
		q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1, ipv4.ECNNotECT))
	}
	// Dequeued 1 ms after arrival: 1 ms < 5 ms target, never a drop.
	for i := range 10 {
		_, _, ok := q.Dequeue(sim.Time(time.Duration(i+1) * time.Millisecond))
		require.True(t, ok)
	}
	assert.Empty(t, ev.drops)
}

// TestCoDelMarksECT: with ECN, CoDel marks the ECN-capable packet it
// would drop (and sends it), and still drops Not-ECT packets.
func TestCoDelMarksECT(t *testing.T) {
	for _, ecn := range []uint8{ipv4.ECNECT0, ipv4.ECNNotECT} {
		cfg := topology.DefaultCoDel()
		cfg.ECN = true
		ev := &events{}
		q := newQueue(cfg, topology.Limit{}, ev)
		for i := range 400 {
			q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1, ecn))
		}
		var sent []*topology.Packet
		for i := range 300 {
			now := sim.Time(time.Duration(i+1) * time.Millisecond)
			ev.now = now
			if p, _, ok := q.Dequeue(now); ok {
				sent = append(sent, p)
			}
		}
		if ecn == ipv4.ECNECT0 {
			assert.Empty(t, ev.drops)
			require.NotEmpty(t, ev.marks)
			marked := 0
			for _, p := range sent {
				if ecnOf(t, p) == ipv4.ECNCE {
					marked++
				}
			}
			assert.Equal(t, len(ev.marks), marked)
		} else {
			assert.Empty(t, ev.marks)
			assert.NotEmpty(t, ev.drops)
		}
	}
}

// TestREDAverage: under a standing queue of q packets the EWMA converges
// to q; between min_th and max_th packets are marked with a probability
// near p_max·(avg-min)/(max-min) (uniformly spaced, so a bit more); with
// gentle mode avg above max_th still lets packets in; without it every
// arrival above max_th is marked.
func TestREDAverage(t *testing.T) {
	tests := []struct {
		name     string
		standing int
		gentle   bool
		lo, hi   float64 // share of arrivals marked
	}{
		{"below min_th", 4, true, 0, 0},
		{"midway", 10, true, 0.05, 0.12},
		// pb = 0.1 + 0.9·(20-15)/15 = 0.4; uniform spacing marks one of
		// every 1 or 2 arrivals (pa = 2/3, then 1): 3/4 of them.
		{"gentle above max_th", 20, true, 0.7, 0.8},
		{"not gentle above max_th", 20, false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := topology.DefaultRED()
			cfg.ECN, cfg.Gentle = true, tt.gentle
			q := newQueue(cfg, topology.Limit{Packets: 1000}, &events{})
			id := uint64(0)
			for range tt.standing {
				id++
				q.Enqueue(0, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
			}
			marked, n := 0, 0
			for i := range 20000 {
				now := sim.Time(time.Duration(i) * time.Microsecond)
				id++
				v := q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNECT0))
				require.NotEqual(t, topology.DroppedAQM, v)
				if i > 5000 { // after the EWMA converged
					n++
					if v == topology.QueuedMarked {
						marked++
					}
				}
				q.Dequeue(now)
			}
			share := float64(marked) / float64(n)
			assert.GreaterOrEqual(t, share, tt.lo)
			assert.LessOrEqual(t, share, tt.hi)
			type avg interface{ Avg() float64 }
			assert.InDelta(t, float64(tt.standing), q.(avg).Avg(), 0.5)
		})
	}
}

// TestREDDropsNotECT: without ECN capability RED drops ("aqm").
func TestREDDropsNotECT(t *testing.T) {
	cfg := topology.DefaultRED()
	cfg.Gentle, cfg.ECN = false, true
	q := newQueue(cfg, topology.Limit{Packets: 1000}, &events{})
	for i := range 100 {
		q.Enqueue(0, datagram(t, uint64(i), 1500, 1, ipv4.ECNNotECT))
	}
	var v topology.Verdict
	for i := range 5000 {
		v = q.Enqueue(0, datagram(t, uint64(1000+i), 1500, 1, ipv4.ECNNotECT))
	}
	assert.Equal(t, topology.DroppedAQM, v)
}

// TestFQCoDelSparseFlow: a sparse flow's packet goes out ahead of a bulk
// flow's backlog (new-flows list), and two backlogged flows share bytes
// equally by DRR.
func TestFQCoDelSparseFlow(t *testing.T) {
	q := newQueue(topology.DefaultFQCoDel(), topology.Limit{Packets: 10240}, &events{})
	for i := range 100 {
		q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1000, ipv4.ECNNotECT))
	}
	// The bulk flow spends its quantum and moves to the old list.
	for i := range 3 {
		p, _, _ := q.Dequeue(0)
		assert.Equal(t, uint64(i+1), p.ID)
	}
	q.Enqueue(0, datagram(t, 999, 100, 2000, ipv4.ECNNotECT))
	p, _, _ := q.Dequeue(0)
	assert.Equal(t, uint64(999), p.ID, "the sparse packet goes next")

	q = newQueue(topology.DefaultFQCoDel(), topology.Limit{Packets: 10240}, &events{})
	for i := range 200 {
		q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1000, ipv4.ECNNotECT))
		q.Enqueue(0, datagram(t, uint64(1000+i), 500, 3000, ipv4.ECNNotECT))
	}
	bytes := map[uint16]int{}
	for range 200 {
		p, _, ok := q.Dequeue(0)
		require.True(t, ok)
		bytes[uint16(p.Data[20])<<8|uint16(p.Data[21])] += len(p.Data)
	}
	assert.InDelta(t, 1, float64(bytes[1000])/float64(bytes[3000]), 0.05, "%v", bytes)
}

// TestFQCoDelDropsFattest: over the limit, the flow with the most bytes
// loses packets from its head; the other flow keeps its own.
func TestFQCoDelDropsFattest(t *testing.T) {
	ev := &events{}
	q := newQueue(topology.DefaultFQCoDel(), topology.Limit{Packets: 10}, ev)
	q.Enqueue(0, datagram(t, 500, 1500, 2000, ipv4.ECNNotECT))
	for i := range 10 {
		assert.Equal(t, topology.Queued, q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1000, ipv4.ECNNotECT)))
	}
	require.NotEmpty(t, ev.drops)
	assert.Equal(t, uint64(1), ev.drops[0].id, "dropped from the head of the fat flow")
	for _, d := range ev.drops {
		assert.NotEqual(t, uint64(500), d.id)
	}
}

// pieWith50 returns a default PIE queue holding 50 packets, enqueued at
// time 0 with IDs 1 to 50, and the last ID used.
func pieWith50(t *testing.T) (topology.Queue, uint64) {
	t.Helper()
	q := newQueue(topology.DefaultPIE(), topology.Limit{Packets: 100000}, &events{})
	id := uint64(0)
	for range 50 {
		id++
		q.Enqueue(0, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
	}
	return q, id
}

// pieProb is PIE's drop probability, which the tests read.
type pieProb interface{ Prob() float64 }

// TestPIE: with a queue delay above target the drop probability grows
// after the burst allowance and early drops start; with the queue empty
// it decays back to zero.
func TestPIE(t *testing.T) {
	q, id := pieWith50(t)
	drops := 0
	// One arrival and one departure per ms: the 50 packets standing wait
	// 50 ms > 15 ms target.
	for i := range 3000 {
		now := sim.Time(time.Duration(i+1) * time.Millisecond)
		id++
		if q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT)) == topology.DroppedAQM {
			drops++
			id++
			q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
		}
		q.Dequeue(now)
		if i == 100 {
			assert.Zero(t, drops, "no early drop within the 150 ms burst allowance")
		}
	}
	assert.Greater(t, q.(pieProb).Prob(), 0.01)
	assert.Greater(t, drops, 10)
	for {
		if _, _, ok := q.Dequeue(sim.Time(3001 * time.Millisecond)); !ok {
			break
		}
	}
	q.Enqueue(sim.Time(20*time.Second), datagram(t, id+1, 1500, 1, ipv4.ECNNotECT))
	assert.Less(t, q.(pieProb).Prob(), 0.0001)
}

// TestStep: an arrival finding K or more packets is marked when
// ECN-capable, dropped when not.
func TestStep(t *testing.T) {
	q := newQueue(topology.Step{Threshold: 3, ECN: true}, topology.Limit{Packets: 100}, &events{})
	var got []topology.Verdict
	for i := range 5 {
		got = append(got, q.Enqueue(0, datagram(t, uint64(i+1), 1500, 1, ipv4.ECNECT0)))
	}
	got = append(got, q.Enqueue(0, datagram(t, 9, 1500, 1, ipv4.ECNNotECT)))
	assert.Equal(t, []topology.Verdict{topology.Queued, topology.Queued, topology.Queued,
		topology.QueuedMarked, topology.QueuedMarked, topology.DroppedAQM}, got)
	for i := range 5 {
		p, _, _ := q.Dequeue(0)
		want := uint8(ipv4.ECNECT0)
		if i >= 3 {
			want = ipv4.ECNCE
		}
		assert.Equal(t, want, ecnOf(t, p), "packet %d", i+1)
	}
}

// TestPIEUpdatesWithoutDelaySample: an update that finds the last queue
// delay 0 (the queue emptied) but packets waiting again still applies the
// controller's step, here a decrease; only the 98% decay is skipped
// (Linux's pie_calculate_probability, whose update_prob gates the decay
// alone; RFC 8033 §4.2 has no such gate).
func TestPIEUpdatesWithoutDelaySample(t *testing.T) {
	q, id := pieWith50(t)
	// A standing queue of 50 ms raises the probability.
	now := sim.Time(0)
	for i := range 600 {
		now = sim.Time(time.Duration(i+1) * time.Millisecond)
		id++
		q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
		q.Dequeue(now)
	}
	// Empty the queue (the last departure measures 0), then one arrival.
	for {
		if _, _, ok := q.Dequeue(now); !ok {
			break
		}
	}
	id++
	q.Enqueue(now, datagram(t, id, 1500, 1, ipv4.ECNNotECT))
	before := q.(pieProb).Prob()
	require.Greater(t, before, 0.01)
	// The next update sees qdelay 0 below the 15 ms target and below the
	// previous delay: the step alpha*(0-target) + beta*(0-old) is negative.
	id++
	q.Enqueue(now.Add(15*time.Millisecond), datagram(t, id, 1500, 1, ipv4.ECNNotECT))
	assert.Less(t, q.(pieProb).Prob(), before)
}
