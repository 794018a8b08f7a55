package topology

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// forwarder is a minimal store-and-forward node: it sends every packet it
// receives on toward the packet's destination by the routes, and records
// the arrivals addressed to it.
type forwarder struct {
	name   string
	s      *sim.Scheduler
	routes *Routes
	dst    map[uint64]string // packet ID -> destination node
	got    map[uint64]sim.Time
}

// port is one interface of a forwarder: the Endpoint a link sees.
type port struct{ f *forwarder }

func (port) Transmitted(*Packet) {}
func (p port) Deliver(pk *Packet) {
	f := p.f
	to := f.dst[pk.ID]
	if to == f.name {
		f.got[pk.ID] = f.s.Now()
		return
	}
	f.send(pk, to)
}

func (f *forwarder) send(pk *Packet, to string) {
	h, ok := f.routes.Lookup(f.name, to)
	if !ok {
		panic("no route from " + f.name + " to " + to)
	}
	h.Link.Send(h.Side, pk)
}

// TestStoreAndForwardOverADumbbell sends packets between hosts of a
// dumbbell through routers that forward by Routes, and checks each arrival
// against store-and-forward physics computed hop by hop: at every link a
// packet leaves when it has fully arrived and the transmitter is free.
func TestStoreAndForwardOverADumbbell(t *testing.T) {
	access := LinkConfig{Rate: 100 * units.Mbps, Delay: time.Millisecond, QueueLimitPackets: -1}
	bottleneck := LinkConfig{Rate: 10 * units.Mbps, Delay: 20 * time.Millisecond, QueueLimitPackets: -1}
	g, s, _ := build(t, Dumbbell(2, access, bottleneck))
	routes := g.Routes()
	dst := map[uint64]string{}
	nodes := map[string]*forwarder{}
	for _, n := range g.Nodes() {
		nodes[n] = &forwarder{name: n, s: s, routes: routes, dst: dst, got: map[uint64]sim.Time{}}
	}
	for _, l := range g.Links() {
		for side := 0; side < 2; side++ {
			l.Attach(side, port{nodes[l.Node(side)]})
		}
	}
	type flow struct{ from, to string }
	flows := []flow{{"left1", "right1"}, {"left2", "right2"}, {"right1", "left2"}}
	const perFlow, size = 20, 1500
	var ids IDs
	type packet struct {
		id   uint64
		f    flow
		at   sim.Time
		size int
	}
	var sent []packet
	for i := 0; i < perFlow; i++ {
		for _, f := range flows {
			id := ids.Next()
			dst[id] = f.to
			at := sim.Time(i) * sim.Time(100*time.Microsecond)
			sent = append(sent, packet{id, f, at, size})
			_, err := s.At(at, func() { nodes[f.from].send(&Packet{ID: id, Data: make([]byte, size)}, f.to) })
			require.NoError(t, err)
		}
	}
	s.Run()

	// Reference: walk each packet's path hop by hop in sending order; every
	// link direction is a FIFO whose transmitter frees at `free`. Packets of
	// different flows meet only on the bottleneck, where the left-to-right
	// flows arrive from different access links: process hops in order of
	// time with a small event loop over (time, packet) pairs.
	type pos struct {
		at  sim.Time
		seq int
		idx int // into sent
		hop int // index into path
	}
	paths := make([][]string, len(sent))
	for i, p := range sent {
		path, ok := routes.Path(p.f.from, p.f.to)
		require.True(t, ok)
		paths[i] = path
	}
	free := map[string]sim.Time{}
	var queue []pos
	for i, p := range sent {
		queue = append(queue, pos{p.at, i, i, 0})
	}
	want := map[uint64]sim.Time{}
	seq := len(sent)
	for len(queue) > 0 {
		// Pop the earliest (time, seq).
		m := 0
		for i := range queue {
			if queue[i].at < queue[m].at || queue[i].at == queue[m].at && queue[i].seq < queue[m].seq {
				m = i
			}
		}
		cur := queue[m]
		queue = append(queue[:m], queue[m+1:]...)
		path := paths[cur.idx]
		if cur.hop == len(path)-1 {
			want[sent[cur.idx].id] = cur.at
			continue
		}
		h, _ := routes.Lookup(path[cur.hop], sent[cur.idx].f.to)
		key := h.Link.Name() + "/" + path[cur.hop]
		start := max(cur.at, free[key])
		cfg := h.Link.Config()
		free[key] = start.Add(cfg.Rate.TxTime(units.ByteSize(sent[cur.idx].size)))
		seq++
		queue = append(queue, pos{free[key].Add(cfg.Delay), seq, cur.idx, cur.hop + 1})
	}
	got := map[uint64]sim.Time{}
	for _, f := range nodes {
		for id, at := range f.got {
			got[id] = at
		}
	}
	assert.Equal(t, want, got)
	bn, _ := g.Link("bottleneck")
	assert.Equal(t, uint64(2*perFlow), bn.Stats(0).Delivered)
	assert.Equal(t, uint64(perFlow), bn.Stats(1).Delivered)
	assert.Positive(t, bn.Stats(0).QueuePeakPackets, "the bottleneck queues")
}
