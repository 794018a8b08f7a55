package topology

import (
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// ring is a FIFO ring buffer that grows by doubling (from 4 entries: most
// links of a large network never hold more than a few packets) and never
// shrinks, so a steady flow allocates nothing. It holds the packets waiting for a
// direction's transmitter, and the packets in flight when they arrive in
// the order they left.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) len() int { return r.n }

func (r *ring[T]) push(x T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = x
	r.n++
}

// front returns the oldest element; the ring must not be empty.
func (r *ring[T]) front() *T { return &r.buf[r.head] }

func (r *ring[T]) pop() T {
	var zero T
	x := r.buf[r.head]
	r.buf[r.head] = zero // let the packet be collected
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	if r.n == 0 {
		// Empty: start again at the front, so that a link that holds a
		// packet or two at a time (an access link among a thousand)
		// reuses one cache line of its buffer instead of walking all
		// of them, each cold by its turn.
		r.head = 0
	}
	return x
}

func (r *ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 4
	}
	buf := make([]T, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}

// Verdict is what a queue discipline did with a packet offered to it.
type Verdict uint8

// The verdicts of Queue.Enqueue.
const (
	// Queued: the packet waits in the queue.
	Queued Verdict = iota
	// QueuedMarked: the packet waits in the queue, its IPv4 ECN field set
	// to CE (RFC 3168 §5) instead of being dropped.
	QueuedMarked
	// DroppedFull: the queue had no room (tail drop, reason "queue").
	DroppedFull
	// DroppedAQM: active queue management chose to drop the packet
	// (reason "aqm").
	DroppedAQM
)

// Limit bounds what a queue holds: packets, bytes (datagram lengths), or
// both; 0 means no limit of that kind.
type Limit struct {
	Packets int
	Bytes   units.ByteSize
}

// over reports whether holding n packets of b bytes exceeds l.
func (l Limit) over(n int, b units.ByteSize) bool {
	return (l.Packets > 0 && n > l.Packets) || (l.Bytes > 0 && b > l.Bytes)
}

// Queue is a queue discipline: the packets waiting for one link
// direction's transmitter. The link offers every packet that finds the
// transmitter busy to Enqueue, and calls Dequeue when the transmitter
// becomes free. A packet that finds the transmitter free and the queue
// empty goes straight onto the wire without entering the discipline (the
// one being serialized never counts, as in ns-3 and Linux qdiscs).
//
// A discipline reports the packets it drops or marks other than the one
// offered to Enqueue (CoDel drops at dequeue, FQ-CoDel drops from the
// fattest flow) through its QueueEvents, at the moment it does so.
type Queue interface {
	// Enqueue offers p at now and says what became of it.
	Enqueue(now sim.Time, p *Packet) Verdict
	// Dequeue removes the packet to transmit next and returns it with the
	// time it was enqueued; ok is false when the queue is empty.
	Dequeue(now sim.Time) (p *Packet, enqueued sim.Time, ok bool)
	// Len returns the packets and bytes held.
	Len() (int, units.ByteSize)
	// SetLimit changes the limit; packets already held stay.
	SetLimit(l Limit)
	// Drain removes every packet held, handing each to fn (the link going
	// down drops them).
	Drain(fn func(*Packet))
}

// QueueEvents receives what a discipline does to packets it already holds.
type QueueEvents interface {
	// QueueDrop: p, held by the queue, is dropped for reason (sim.DropAQM or
	// sim.DropQueue).
	QueueDrop(p *Packet, reason string)
	// QueueMark: p, held by the queue, had its ECN field set to CE.
	QueueMark(p *Packet)
}

// QueueEnv is what a discipline is built with.
type QueueEnv struct {
	// Limit is the link's queue limit.
	Limit Limit
	// Rate is the link's rate (0: infinitely fast) and MTU its MTU.
	Rate units.BitRate
	MTU  int
	// Rand is the direction's stream "link/<name>/<from>><to>/queue".
	Rand *sim.Rand
	// Events receives the drops and marks of held packets.
	Events QueueEvents
}

// QueueConfig is a queue discipline's parameters, as a scenario's link
// `queue` names them: one type per discipline, each in its own
// queue_<kind>.go file. Implementations must be comparable with == (Link.Set
// compares the new configuration with the current one).
type QueueConfig interface {
	// Kind is the discipline's name in a scenario ("droptail", "codel", ...).
	Kind() string
	// DefaultLimit is the limit in packets when the link sets none.
	DefaultLimit() int
	// Validate reports the first parameter out of range, with what is
	// allowed.
	Validate() error
	// NewQueue returns an empty queue with these parameters.
	NewQueue(env QueueEnv) Queue
}

// entry is a packet held by a queue with the time it was enqueued.
type entry struct {
	p *Packet
	t sim.Time
}

// limitedFIFO is the one FIFO with its limit that every single-queue
// discipline (drop-tail, RED, CoDel, PIE, step) keeps, with the Queue
// methods that are the same for all of them.
type limitedFIFO struct {
	q     fifo
	limit Limit
}

// full reports whether p would take the queue over its limit (the
// tail drop every discipline applies before its own rule).
func (f *limitedFIFO) full(p *Packet) bool {
	return f.limit.over(f.q.n+1, f.q.bytes+units.ByteSize(len(p.Data)))
}

func (f *limitedFIFO) Len() (int, units.ByteSize) { return f.q.n, f.q.bytes }
func (f *limitedFIFO) SetLimit(l Limit)           { f.limit = l }
func (f *limitedFIFO) Drain(fn func(*Packet))     { f.q.drain(fn) }

// Dequeue takes the oldest packet with its enqueue time: all of the
// dequeue of the disciplines whose rule acts at enqueue (drop-tail,
// step); RED, PIE and CoDel keep state at dequeue and have their own.
func (f *limitedFIFO) Dequeue(sim.Time) (*Packet, sim.Time, bool) {
	e, ok := f.q.popEntry()
	return e.p, e.t, ok
}

// fifo is a FIFO of entries with their byte count: the storage of every
// discipline but FQ-CoDel's per-flow lists (which are fifos too).
type fifo struct {
	ring[entry]
	bytes units.ByteSize
}

func (f *fifo) pushEntry(p *Packet, now sim.Time) {
	f.push(entry{p: p, t: now})
	f.bytes += units.ByteSize(len(p.Data))
}

func (f *fifo) popEntry() (entry, bool) {
	if f.n == 0 {
		return entry{}, false
	}
	e := f.pop()
	f.bytes -= units.ByteSize(len(e.p.Data))
	return e, true
}

func (f *fifo) drain(fn func(*Packet)) {
	for f.n > 0 {
		e, _ := f.popEntry()
		fn(e.p)
	}
}
