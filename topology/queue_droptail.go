package topology

import "github.com/netsimlab/netsim/sim"

// DropTail is the FIFO that refuses a packet when admitting it would
// exceed the limit (ns-3's DropTailQueue, Linux pfifo/bfifo). It never
// marks: it has no congestion signal before the queue is full.
type DropTail struct{}

// Kind returns "droptail".
func (DropTail) Kind() string { return "droptail" }

// DefaultLimit is ns-3's DropTailQueue default, 100 packets.
func (DropTail) DefaultLimit() int { return DefaultQueueLimitPackets }

// Validate accepts every DropTail (it has no parameters).
func (DropTail) Validate() error { return nil }

// NewQueue returns an empty drop-tail queue.
func (DropTail) NewQueue(env QueueEnv) Queue {
	return &dropTail{limitedFIFO: limitedFIFO{limit: env.Limit}}
}

type dropTail struct {
	limitedFIFO
}

func (d *dropTail) Enqueue(now sim.Time, p *Packet) Verdict {
	if d.full(p) {
		return DroppedFull
	}
	d.q.pushEntry(p, now)
	return Queued
}
