package topology

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// discard is a Sink that looks at every record and keeps none, as a
// streaming trace writer would.
type discard struct{ n int }

func (d *discard) Emit(r *sim.Record) { d.n += int(r.Kind()) }

// nop is an Endpoint that does nothing.
type nop struct{}

func (nop) Transmitted(*Packet) {}
func (nop) Deliver(*Packet)     {}

// flow sends count packets back to back through one direction of a 1 Gbps,
// 5 ms link, keeping the queue fed from the Transmitted callback the way a
// host's interface does: one packet waiting, one on the wire.
type flow struct {
	l    *Link
	pkts [2]Packet
	next int
	left int
}

func (f *flow) Transmitted(*Packet) {
	if f.left > 0 {
		f.left--
		p := &f.pkts[f.next]
		f.next ^= 1
		f.l.Send(0, p)
	}
}
func (f *flow) Deliver(*Packet) {}

func newFlow(tb testing.TB, trace sim.Sink, cfg LinkConfig) (*sim.Scheduler, *flow) {
	s := sim.NewScheduler()
	var ids IDs
	cfg.Name = "bench"
	l, err := NewLink(s, sim.NewStreams(1), trace, ids.Next, cfg, "a", "b")
	require.NoError(tb, err)
	f := &flow{l: l}
	for i := range f.pkts {
		f.pkts[i] = Packet{ID: uint64(i + 1), Data: make([]byte, 1500)}
	}
	l.Attach(0, f)
	l.Attach(1, nop{})
	return s, f
}

// run pushes n more packets through the flow's link.
func (f *flow) run(s *sim.Scheduler, n int) {
	f.left = n - 1
	f.l.Send(0, &f.pkts[f.next])
	f.next ^= 1
	s.Run()
}

// linkCase is one link configuration of the hot-path test and benchmark,
// with the sink its records go to (nil: tracing off).
type linkCase struct {
	name  string
	trace sim.Sink
	cfg   LinkConfig
}

func TestHotPathAllocatesNothing(t *testing.T) {
	cases := []linkCase{
		{"no trace", nil, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"trace", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"loss and jitter", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond,
			Loss: GilbertElliott{P: 0.01, R: 0.3, LossBad: 1}, Jitter: time.Millisecond}},
		{"fq-codel", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond, Queue: DefaultFQCoDel()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, f := newFlow(t, c.trace, c.cfg)
			f.run(s, 10000) // grow the ring and the heap first
			allocs := testing.AllocsPerRun(20, func() { f.run(s, 1000) })
			assert.Less(t, allocs/1000, 0.01, "allocations per packet")
		})
	}
}

// BenchmarkLinkPackets measures packets per second through one direction of
// one link (each packet: enqueue, transmission start, transmission end,
// arrival).
func BenchmarkLinkPackets(b *testing.B) {
	cases := []linkCase{
		{"plain", nil, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"traced", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"loss+jitter", nil, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond, Loss: Bernoulli(0.01), Jitter: time.Millisecond}},
		{"duplicate", nil, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond, Duplicate: 0.01}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s, f := newFlow(b, c.trace, c.cfg)
			b.ReportAllocs()
			b.ResetTimer()
			f.run(s, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}

// BenchmarkSchedulerBaseline is the floor the link benchmark is read
// against, measured in the same run: the same two scheduler events per
// packet that a link direction costs (transmission end and arrival, each
// through one reused sim.Timer, at 1500-byte spacing on 1 Gbps, arrivals
// 5 ms behind), with no link logic at all.
func BenchmarkSchedulerBaseline(b *testing.B) {
	s := sim.NewScheduler()
	const gap = 12 * time.Microsecond
	txLeft, rxLeft := 0, 0
	var tx, rx *sim.Timer
	tx = s.NewTimer(func() {
		if txLeft--; txLeft > 0 {
			_ = tx.Reset(s.Now().Add(gap))
		}
	})
	rx = s.NewTimer(func() {
		if rxLeft--; rxLeft > 0 {
			_ = rx.Reset(s.Now().Add(gap))
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	txLeft, rxLeft = b.N, b.N
	_ = tx.Reset(s.Now().Add(gap))
	_ = rx.Reset(s.Now().Add(gap + 5*time.Millisecond))
	s.Run()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	if txLeft != 0 || rxLeft != 0 {
		b.Fatalf("%d transmissions and %d arrivals left", txLeft, rxLeft)
	}
}

// queueBench is a discipline fed as a bottleneck is: one arrival and one
// departure per 1500-byte slot at 10 Mbit/s over a standing queue of 10
// packets (12 ms, above CoDel's and FQ-CoDel's 5 ms target), topped up
// when the discipline drops.
type queueBench struct {
	q      Queue
	pkts   []Packet
	next   int
	now    sim.Time
	drops  int
	marks  int
	flows  int
	refill int
}

func (b *queueBench) QueueDrop(*Packet, string) { b.drops++ }
func (b *queueBench) QueueMark(*Packet)         { b.marks++ }

// newQueueBench builds cfg's queue and 4096 ECT(0) TCP datagrams spread
// over flows source ports.
func newQueueBench(cfg QueueConfig, flows int) *queueBench {
	b := &queueBench{flows: flows, refill: 10}
	b.q = cfg.NewQueue(QueueEnv{Limit: Limit{Packets: 1000}, Rate: 10 * units.Mbps, MTU: 1500,
		Rand: sim.NewRand(1, "bench/queue"), Events: b})
	b.pkts = make([]Packet, 4096)
	for i := range b.pkts {
		d := make([]byte, 1500)
		d[0], d[1], d[9] = 0x45, ecnECT0, 6
		copy(d[12:20], []byte{10, 0, 0, 1, 10, 0, 1, 1})
		port := 1024 + i%flows
		d[20], d[21], d[23] = byte(port>>8), byte(port), 80
		b.pkts[i] = Packet{ID: uint64(i + 1), Data: d}
	}
	return b
}

func (b *queueBench) packet() *Packet {
	p := &b.pkts[b.next]
	p.Data[1] = ecnECT0 // undo a mark
	b.next = (b.next + 1) % len(b.pkts)
	return p
}

// step is one slot: an arrival, a departure, top-ups to the standing queue.
func (b *queueBench) step() {
	b.now = b.now.Add(1200 * time.Microsecond)
	b.q.Enqueue(b.now, b.packet())
	b.q.Dequeue(b.now)
	for n, _ := b.q.Len(); n < b.refill; n++ {
		b.q.Enqueue(b.now, b.packet())
	}
}

var benchQueues = []struct {
	name  string
	cfg   QueueConfig
	flows int
}{
	{"droptail", DropTail{}, 1},
	{"red", RED{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002, Gentle: true}, 1},
	{"red-ecn", RED{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002, Gentle: true, ECN: true}, 1},
	{"codel", DefaultCoDel(), 1},
	{"codel-ecn", CoDel{Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond, ECN: true}, 1},
	{"fq-codel", DefaultFQCoDel(), 1},
	{"fq-codel-1000-flows", DefaultFQCoDel(), 1000},
	{"pie", DefaultPIE(), 1},
	{"step-ecn", Step{Threshold: 5, ECN: true}, 1},
}

// TestQueueDisciplinesAllocateNothing: after warming up, enqueue and
// dequeue allocate nothing in any discipline.
func TestQueueDisciplinesAllocateNothing(t *testing.T) {
	for _, c := range benchQueues {
		t.Run(c.name, func(t *testing.T) {
			b := newQueueBench(c.cfg, c.flows)
			for range 20000 {
				b.step()
			}
			allocs := testing.AllocsPerRun(20, func() {
				for range 1000 {
					b.step()
				}
			})
			assert.Zero(t, allocs)
		})
	}
}

// BenchmarkQueueDisciplines measures the cost of one packet (an enqueue
// and a dequeue: ns/op is ns per packet) in each discipline, against
// drop-tail in the same run.
// Each discipline also reports its cost as a multiple of drop-tail's
// (x-droptail), which runs first: on a shared machine the ratio holds
// better than the nanoseconds.
func BenchmarkQueueDisciplines(b *testing.B) {
	var dropTail float64 // ns per packet
	for _, c := range benchQueues {
		b.Run(c.name, func(b *testing.B) {
			qb := newQueueBench(c.cfg, c.flows)
			for range 20000 {
				qb.step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				qb.step()
			}
			b.StopTimer()
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if c.name == "droptail" {
				dropTail = ns
			}
			if dropTail > 0 {
				b.ReportMetric(ns/dropTail, "x-droptail")
			}
		})
	}
}
