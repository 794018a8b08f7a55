package topology

import (
	"fmt"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// FQCoDel is Flow Queue CoDel (RFC 8290; Linux sch_fq_codel): packets are
// hashed by flow into Flows queues, each with its own CoDel state (shared
// parameters), served by deficit round robin with Quantum bytes per
// round; a queue that becomes active joins the new-flows list, which is
// served before the old-flows list, so sparse flows see almost no delay.
//
// Where RFC 8290 leaves a choice, this follows Linux: the hash is of the
// 5-tuple with a per-queue random seed (from the direction's "queue"
// stream, as Linux's perturbation), reduced to a bucket by multiply-shift
// (reciprocal_scale); when the queue is over its limit, packets are
// dropped from the head of the flow holding the most bytes, up to half of
// its backlog and at most 64 at a time (fq_codel_drop's drop_batch_size),
// with reason "queue"; CoDel's "at most one MTU" test reads the whole
// queue's backlog. A byte limit stands in for Linux's memory_limit
// (which counts buffer sizes, not datagram bytes). Quantum and the MTU
// count datagram bytes: Linux's 1514 is an Ethernet frame of a
// 1500-byte datagram.
type FQCoDel struct {
	// Flows is the number of flow queues (buckets).
	Flows int
	// Quantum is the bytes a flow may send per round.
	Quantum units.ByteSize
	// Target and Interval are CoDel's, per flow.
	Target, Interval time.Duration
	// ECN marks ECN-capable packets instead of dropping them.
	ECN bool
}

// DefaultFQCoDel returns Linux fq_codel's defaults: 1024 flows, quantum
// 1514 bytes, target 5 ms, interval 100 ms, ECN on.
func DefaultFQCoDel() FQCoDel {
	return FQCoDel{Flows: 1024, Quantum: 1514, Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond, ECN: true}
}

// Kind returns "fq-codel".
func (FQCoDel) Kind() string { return "fq-codel" }

// DefaultLimit is Linux fq_codel's 10240 packets.
func (FQCoDel) DefaultLimit() int { return 10240 }

// Validate checks 1 <= flows <= 65536, quantum >= 1 and 0 < target <
// interval.
func (f FQCoDel) Validate() error {
	switch {
	case f.Flows < 1 || f.Flows > 65536:
		return badQueue(fmt.Sprintf("flows %d", f.Flows), "1 to 65536")
	case f.Quantum < 1:
		return badQueue(fmt.Sprintf("quantum %v", f.Quantum), "at least 1 byte, like 1514")
	}
	return checkCoDel(f.Target, f.Interval)
}

// NewQueue returns an empty FQ-CoDel queue.
func (f FQCoDel) NewQueue(env QueueEnv) Queue {
	q := &fqCodel{
		cfg:    f,
		params: newCodelParams(f.Target, f.Interval, f.ECN, env),
		limit:  env.Limit,
		flows:  make([]fqFlow, f.Flows),
		events: env.Events,
	}
	if env.Rand != nil {
		q.seed = env.Rand.Uint64()
	}
	q.newFlows.init()
	q.oldFlows.init()
	for i := range q.flows {
		q.flows[i].q = q
		q.flows[i].prev, q.flows[i].next = -1, -1
	}
	return q
}

// fqFlow is one flow queue: its packets, its deficit, its CoDel state
// and its place in the new or old list.
type fqFlow struct {
	q          *fqCodel
	pkts       fifo
	deficit    int64
	vars       codelVars
	list       *fqList // nil: in no list
	prev, next int32
}

func (f *fqFlow) popEntry() (entry, bool) {
	e, ok := f.pkts.popEntry()
	if ok {
		f.q.n--
		f.q.bytes -= units.ByteSize(len(e.p.Data))
	}
	return e, ok
}

func (f *fqFlow) backlog() units.ByteSize { return f.q.bytes }

// fqList is a doubly linked list of flows by index.
type fqList struct{ head, tail int32 }

func (l *fqList) init()       { l.head, l.tail = -1, -1 }
func (l *fqList) empty() bool { return l.head < 0 }

type fqCodel struct {
	cfg      FQCoDel
	params   *codelParams
	limit    Limit
	events   QueueEvents
	seed     uint64
	flows    []fqFlow
	newFlows fqList
	oldFlows fqList
	n        int
	bytes    units.ByteSize
}

func (q *fqCodel) pushTail(l *fqList, i int32) {
	f := &q.flows[i]
	f.list, f.prev, f.next = l, l.tail, -1
	if l.tail >= 0 {
		q.flows[l.tail].next = i
	} else {
		l.head = i
	}
	l.tail = i
}

func (q *fqCodel) remove(i int32) {
	f := &q.flows[i]
	l := f.list
	if f.prev >= 0 {
		q.flows[f.prev].next = f.next
	} else {
		l.head = f.next
	}
	if f.next >= 0 {
		q.flows[f.next].prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.list, f.prev, f.next = nil, -1, -1
}

// bucket returns p's flow queue: the seeded hash scaled to [0, flows)
// (Linux reciprocal_scale).
func (q *fqCodel) bucket(p *Packet) int32 {
	h := uint32(flowHash(p.Data, q.seed))
	return int32(uint64(h) * uint64(len(q.flows)) >> 32)
}

func (q *fqCodel) Enqueue(now sim.Time, p *Packet) Verdict {
	i := q.bucket(p)
	f := &q.flows[i]
	f.pkts.pushEntry(p, now)
	q.n++
	q.bytes += units.ByteSize(len(p.Data))
	if f.list == nil {
		// RFC 8290 §4.1.2: a flow that was not active joins the new
		// flows with a full quantum.
		q.pushTail(&q.newFlows, i)
		f.deficit = int64(q.cfg.Quantum)
	}
	if !q.limit.over(q.n, q.bytes) {
		return Queued
	}
	if q.dropFattest(p) {
		return DroppedFull
	}
	return Queued
}

// dropFattest drops from the head of the flow with the most bytes until
// half of its backlog is gone, at most 64 packets (Linux fq_codel_drop;
// RFC 8290 §4.1.2). It reports whether
// the arriving packet p was among them (it is then not reported as an
// event: Enqueue's verdict says it).
func (q *fqCodel) dropFattest(p *Packet) bool {
	fat := 0
	var most units.ByteSize
	for i := range q.flows {
		if b := q.flows[i].pkts.bytes; b > most {
			fat, most = i, b
		}
	}
	f := &q.flows[fat]
	threshold := most / 2
	var dropped units.ByteSize
	own := false
	for i := 0; i < 64 && f.pkts.n > 0; i++ {
		e, _ := f.popEntry()
		dropped += units.ByteSize(len(e.p.Data))
		if e.p == p {
			own = true
		} else {
			q.events.QueueDrop(e.p, sim.DropQueue)
		}
		if dropped >= threshold {
			break
		}
	}
	return own
}

// Dequeue is RFC 8290 §4.2's scheduler (Linux fq_codel_dequeue).
func (q *fqCodel) Dequeue(now sim.Time) (*Packet, sim.Time, bool) {
	for {
		l := &q.newFlows
		if l.empty() {
			l = &q.oldFlows
			if l.empty() {
				return nil, 0, false
			}
		}
		i := l.head
		f := &q.flows[i]
		if f.deficit <= 0 {
			f.deficit += int64(q.cfg.Quantum)
			q.remove(i)
			q.pushTail(&q.oldFlows, i)
			continue
		}
		e, ok := f.vars.dequeue(q.params, now, f)
		if !ok {
			// An empty new flow goes to the old list so it cannot
			// come back as new at once; an empty old flow leaves.
			q.remove(i)
			if l == &q.newFlows && !q.oldFlows.empty() {
				q.pushTail(&q.oldFlows, i)
			}
			continue
		}
		f.deficit -= int64(len(e.p.Data))
		return e.p, e.t, true
	}
}

func (q *fqCodel) Len() (int, units.ByteSize) { return q.n, q.bytes }
func (q *fqCodel) SetLimit(l Limit)           { q.limit = l }

// Drain empties the flows in index order.
func (q *fqCodel) Drain(fn func(*Packet)) {
	for i := range q.flows {
		f := &q.flows[i]
		for {
			e, ok := f.popEntry()
			if !ok {
				break
			}
			fn(e.p)
		}
		if f.list != nil {
			q.remove(int32(i))
		}
		f.vars = codelVars{}
	}
}
