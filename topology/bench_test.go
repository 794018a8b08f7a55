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

func TestHotPathAllocatesNothing(t *testing.T) {
	cases := []struct {
		name  string
		trace sim.Sink
		cfg   LinkConfig
	}{
		{"no trace", nil, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"trace", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond}},
		{"loss and jitter", &discard{}, LinkConfig{Rate: units.Gbps, Delay: 5 * time.Millisecond,
			Loss: GilbertElliott{P: 0.01, R: 0.3, LossBad: 1}, Jitter: time.Millisecond}},
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
	cases := []struct {
		name  string
		trace sim.Sink
		cfg   LinkConfig
	}{
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
