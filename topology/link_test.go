package topology

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// send is a packet of n bytes sent at a time.
type send struct {
	at time.Duration
	n  int
}

// event is what a test endpoint saw: a transmission or a delivery of a
// packet at a time.
type event struct {
	T    sim.Time
	What string // "tx" or "rx"
	ID   uint64
}

// recorder is an Endpoint that remembers every call.
type recorder struct {
	s      *sim.Scheduler
	events []event
	got    []*Packet
}

func (r *recorder) Transmitted(p *Packet) { r.events = append(r.events, event{r.s.Now(), "tx", p.ID}) }
func (r *recorder) Deliver(p *Packet) {
	r.events = append(r.events, event{r.s.Now(), "rx", p.ID})
	r.got = append(r.got, p)
}

// rig is a link between "a" and "b" with recorders at both ends.
type rig struct {
	s     *sim.Scheduler
	ids   IDs
	trace sim.Recorder
	l     *Link
	a, b  *recorder
}

func newRig(t testing.TB, cfg LinkConfig, seed uint64) *rig {
	t.Helper()
	r := &rig{s: sim.NewScheduler()}
	if cfg.Name == "" {
		cfg.Name = "l"
	}
	l, err := NewLink(r.s, sim.NewStreams(seed), &r.trace, r.ids.Next, cfg, "a", "b")
	require.NoError(t, err)
	r.l = l
	r.a, r.b = &recorder{s: r.s}, &recorder{s: r.s}
	l.Attach(0, r.a)
	l.Attach(1, r.b)
	return r
}

// packet returns a new packet of n bytes whose bytes are its ID's low byte.
func (r *rig) packet(n int) *Packet {
	p := &Packet{ID: r.ids.Next(), Data: make([]byte, n)}
	for i := range p.Data {
		p.Data[i] = byte(p.ID)
	}
	return p
}

// sendAt sends a packet of n bytes from side at time at.
func (r *rig) sendAt(t testing.TB, at time.Duration, side, n int) {
	t.Helper()
	_, err := r.s.At(sim.FromDuration(at), func() { r.l.Send(side, r.packet(n)) })
	require.NoError(t, err)
}

func TestPhysicsExactToTheNanosecond(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name  string
		cfg   LinkConfig
		sends []send
		want  []event // at side a (tx) and b (rx), merged by time then a before b
	}{
		{
			name:  "one packet 10Mbps 5ms",
			cfg:   LinkConfig{Rate: 10 * units.Mbps, Delay: 5 * ms},
			sends: []send{{0, 1500}},
			// 1500*8/10e6 = 1.2ms serialization, then 5ms.
			want: []event{{0, "tx", 1}, {sim.Time(6_200_000), "rx", 1}},
		},
		{
			name:  "ceil of a non-integer serialization time",
			cfg:   LinkConfig{Rate: 3 * units.Mbps, Delay: 1},
			sends: []send{{0, 1}},
			// 8 bits / 3e6 = 2666.67ns -> 2667ns, + 1ns.
			want: []event{{0, "tx", 1}, {2668, "rx", 1}},
		},
		{
			name:  "back to back: the second waits for the transmitter",
			cfg:   LinkConfig{Rate: 1 * units.Gbps, Delay: 10 * time.Microsecond},
			sends: []send{{0, 1000}, {0, 500}, {100, 40}},
			// 8000ns, 4000ns, 320ns serializations.
			want: []event{{0, "tx", 1}, {8000, "tx", 2}, {12000, "tx", 3},
				{18000, "rx", 1}, {22000, "rx", 2}, {22320, "rx", 3}},
		},
		{
			name:  "overhead counts for serialization",
			cfg:   LinkConfig{Rate: 8 * units.Mbps, Delay: 0, Overhead: 38},
			sends: []send{{0, 62}},
			// 100 bytes at 1 byte/us.
			want: []event{{0, "tx", 1}, {100_000, "rx", 1}},
		},
		{
			name:  "idle gap: the next packet starts when sent",
			cfg:   LinkConfig{Rate: 8 * units.Mbps, Delay: 2 * ms},
			sends: []send{{0, 100}, {ms, 100}},
			want:  []event{{0, "tx", 1}, {sim.Time(ms), "tx", 2}, {2_100_000, "rx", 1}, {3_100_000, "rx", 2}},
		},
		{
			name:  "infinite rate: delay only",
			cfg:   LinkConfig{Delay: 3 * ms},
			sends: []send{{0, 1500}, {0, 1500}},
			want:  []event{{0, "tx", 1}, {0, "tx", 2}, {sim.Time(3 * ms), "rx", 1}, {sim.Time(3 * ms), "rx", 2}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.cfg, 1)
			for _, s := range c.sends {
				r.sendAt(t, s.at, 0, s.n)
			}
			r.s.Run()
			got := append(append([]event(nil), r.a.events...), r.b.events...)
			assert.Equal(t, c.want, got)
			st := r.l.Stats(0)
			assert.Equal(t, uint64(len(c.sends)), st.Delivered)
			assert.Zero(t, st.Dropped.Total())
		})
	}
}
