package tcp

import "sync"

// queues is what a connection needs only while it is busy: the segments
// and events waiting for its owner (Segments, Events) and the rate sample
// of the ACK in hand. A connection takes one from queuePool when it
// queues something and gives it back as soon as its owner has drained
// it (lend), so an idle connection holds 8 bytes for it.
//
// Everything in it lives for one call (Input, Tick, Write, ...) and the
// owner's drain after it: the rate sample is built and used within the
// ACK's Input. So the connections of a simulation take turns with the
// same one or two queues, which stay in the processor's cache, where a
// queue of each busy connection was cold by its turn: with 1,000 flows
// through one bottleneck the first write of a segment, an event and a
// rate sample were five cache misses per packet (docs/performance.md).
//
// It is one allocation, with room for a call's usual segments and events
// in line, of a size no long-lived object has (TestQueuesSizeClass): the
// slices a busy connection used to grow (an Event is 272 bytes: 1, 2 and
// 4 of them fill Go's 288, 576 and 1,152-byte size classes) were freed
// when it fell idle, leaving holes in the pages they shared with the
// connections made at the same time, in the same size class: 100,000
// idle connections kept 2.5 KB resident each in such pages.
type queues struct {
	out    []outSeg
	events []Event
	ack    ackSample
	outBuf [queueInline]outSeg
	evBuf  [queueInline]Event
}

// queueInline is how many segments and events a connection queues
// without allocating: one call rarely makes more.
const queueInline = 4

// queuePool holds the queues idle connections gave back. Which queues a
// connection gets changes nothing it does: they come back empty.
var queuePool = sync.Pool{New: func() any {
	q := new(queues)
	q.out, q.events = q.outBuf[:0], q.evBuf[:0]
	return q
}}

// busy returns the connection's queues, taken from the pool if it has
// none, and counts the connection as busy (hold).
func (c *Conn) busy() *queues {
	c.hold()
	if c.q == nil {
		c.q = queuePool.Get().(*queues)
	}
	return c.q
}

// hold counts the connection as busy for trimming (trimmable) until
// trim: what the connection held its queues for before they were lent
// back after each drain, so that when the host offers Trim, and so its
// timers, are the same whichever queue holds the segments.
func (c *Conn) hold() { c.busySpell = true }

// lend gives queues that its owner has drained back to the pool, keeping
// what a burst grew them to (the next call of any connection reuses it
// without allocating). The connection stays busy for trimming (busySpell).
func (c *Conn) lend() {
	q := c.q
	if q == nil || len(q.out) > 0 || len(q.events) > 0 {
		return
	}
	c.q, c.ackRate = nil, nil
	queuePool.Put(q)
}

// pending returns the segments and events queued (none when the
// connection holds no queues).
func (c *Conn) pending() (segs, events int) {
	if c.q == nil {
		return 0, 0
	}
	return len(c.q.out), len(c.q.events)
}

// releaseQueues gives the connection's empty queues back to the pool
// and ends its busy spell (trim).
func (c *Conn) releaseQueues() {
	c.busySpell = false
	q := c.q
	if q == nil {
		return
	}
	c.q, c.ackRate = nil, nil
	// What a burst grew beyond the room in line is left to the collector.
	q.out, q.events = q.outBuf[:0], q.evBuf[:0]
	queuePool.Put(q)
}
