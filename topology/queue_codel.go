package topology

import (
	"fmt"
	"math"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// CoDel is Controlled Delay (RFC 8289; Linux sch_codel, codel_impl.h): it
// watches each packet's sojourn time at dequeue and, once the minimum has
// stayed above Target for Interval, drops (or marks) packets at
// intervals that shrink as Interval/√count, until the sojourn time falls
// below Target.
//
// This follows RFC 8289's pseudocode (§5), which is Linux's: the drop
// state resumes with the previous count when it re-enters soon (within 16
// intervals) after leaving; the queue is not "bad" while it holds at most
// one MTU (the RFC's MAXPACKET, Linux's params->mtu). The control law
// takes an exact square root where Linux keeps a Newton-iterated
// reciprocal square root (rec_inv_sqrt) in 16 bits: the times differ by
// well under 1%. With ECN the packet that would be dropped is marked CE
// if ECN-capable, and the drop loop stops there (Linux codel_dequeue),
// since marking does not shorten the queue.
type CoDel struct {
	// Target is the acceptable minimum sojourn time; Interval the window
	// it must persist over (about a worst-case RTT).
	Target, Interval time.Duration
	// ECN marks ECN-capable packets instead of dropping them.
	ECN bool
}

// DefaultCoDel returns RFC 8289's defaults: target 5 ms, interval 100 ms,
// ECN off (Linux codel's default).
func DefaultCoDel() CoDel {
	return CoDel{Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond}
}

// Kind returns "codel".
func (CoDel) Kind() string { return "codel" }

// DefaultLimit is Linux codel's 1000 packets.
func (CoDel) DefaultLimit() int { return 1000 }

// Validate checks 0 < target < interval.
func (c CoDel) Validate() error { return checkCoDel(c.Target, c.Interval) }

func checkCoDel(target, interval time.Duration) error {
	switch {
	case target <= 0:
		return badQueue(fmt.Sprintf("target %v", target), "more than 0, like 5ms")
	case interval <= 0:
		return badQueue(fmt.Sprintf("interval %v", interval), "more than 0, like 100ms")
	case target >= interval:
		return badQueue(fmt.Sprintf("target %v is not below interval %v", target, interval), "target < interval, like target 5ms, interval 100ms")
	}
	return nil
}

// NewQueue returns an empty CoDel queue.
func (c CoDel) NewQueue(env QueueEnv) Queue {
	return &codelQueue{params: newCodelParams(c.Target, c.Interval, c.ECN, env), limitedFIFO: limitedFIFO{limit: env.Limit}}
}

// codelParams are the parameters shared by every CoDel state of a queue.
type codelParams struct {
	target, interval time.Duration
	ecn              bool
	mtu              units.ByteSize
	events           QueueEvents
}

func newCodelParams(target, interval time.Duration, ecn bool, env QueueEnv) *codelParams {
	mtu := env.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	return &codelParams{target: target, interval: interval, ecn: ecn, mtu: units.ByteSize(mtu), events: env.Events}
}

// codelSource is the queue a CoDel state drains: the whole queue for
// CoDel, one flow's for FQ-CoDel. backlog is what the "at most one MTU"
// test reads (the whole queue's bytes in both, as Linux passes
// sch->qstats.backlog).
type codelSource interface {
	popEntry() (entry, bool)
	backlog() units.ByteSize
}

// codelVars is the state of RFC 8289's pseudocode.
type codelVars struct {
	firstAboveTime sim.Time // 0: not above target
	dropNext       sim.Time
	count          uint32
	lastCount      uint32
	dropping       bool
	// Drops and Marks count the signals this state gave.
	drops, marks uint64
}

// controlLaw returns t + interval/√count (RFC 8289 §5.6).
func (p *codelParams) controlLaw(t sim.Time, count uint32) sim.Time {
	return t.Add(time.Duration(float64(p.interval) / math.Sqrt(float64(count))))
}

// doDequeue pops the next packet and says whether the sojourn time has
// been above target for at least an interval (RFC 8289 §5.4).
func (v *codelVars) doDequeue(p *codelParams, now sim.Time, src codelSource) (entry, bool, bool) {
	e, ok := src.popEntry()
	if !ok {
		v.firstAboveTime = 0
		return e, false, false
	}
	sojourn := now.Sub(e.t)
	if sojourn < p.target || src.backlog() <= p.mtu {
		// Went below target: stay below for at least an interval.
		v.firstAboveTime = 0
		return e, true, false
	}
	if v.firstAboveTime == 0 {
		// Just went above from below: if it stays above for an
		// interval, it is time to drop.
		v.firstAboveTime = now.Add(p.interval)
		return e, true, false
	}
	return e, true, now >= v.firstAboveTime
}

// signal drops or marks e's packet; it reports whether it was marked (and
// so is to be sent).
func (v *codelVars) signal(p *codelParams, e entry) bool {
	if p.ecn && setCE(e.p.Data) {
		v.marks++
		p.events.QueueMark(e.p)
		return true
	}
	v.drops++
	p.events.QueueDrop(e.p, sim.DropAQM)
	return false
}

// dequeue is RFC 8289 §5.5's dequeue: the packet to send, if any.
func (v *codelVars) dequeue(p *codelParams, now sim.Time, src codelSource) (entry, bool) {
	e, ok, okToDrop := v.doDequeue(p, now, src)
	if !ok {
		v.dropping = false
		return e, false
	}
	if v.dropping {
		if !okToDrop {
			// Sojourn time below target: leave the dropping state.
			v.dropping = false
		}
		for v.dropping && now >= v.dropNext {
			// It is time for the next drop. Drop the current packet
			// and dequeue the next; schedule the next drop by the
			// control law.
			v.count++
			if v.signal(p, e) {
				v.dropNext = p.controlLaw(v.dropNext, v.count)
				return e, true
			}
			e, ok, okToDrop = v.doDequeue(p, now, src)
			if !ok {
				v.dropping = false
				return e, false
			}
			if !okToDrop {
				v.dropping = false
			} else {
				v.dropNext = p.controlLaw(v.dropNext, v.count)
			}
		}
		return e, true
	}
	if okToDrop {
		// Above target for an interval: enter the dropping state.
		marked := v.signal(p, e)
		if !marked {
			e, ok, _ = v.doDequeue(p, now, src)
		}
		v.dropping = true
		// If it went above target soon after it last went below, the
		// drop rate that controlled the queue then is a good start
		// (the Linux rule, RFC 8289 §5.5).
		delta := v.count - v.lastCount
		v.count = 1
		if delta > 1 && now.Sub(v.dropNext) < 16*p.interval {
			v.count = delta
		}
		v.dropNext = p.controlLaw(now, v.count)
		v.lastCount = v.count
		if !ok {
			return e, false
		}
	}
	return e, true
}

type codelQueue struct {
	params *codelParams
	vars   codelVars
	limitedFIFO
}

func (c *codelQueue) popEntry() (entry, bool) { return c.q.popEntry() }
func (c *codelQueue) backlog() units.ByteSize { return c.q.bytes }

func (c *codelQueue) Enqueue(now sim.Time, p *Packet) Verdict {
	if c.full(p) {
		return DroppedFull
	}
	c.q.pushEntry(p, now)
	return Queued
}

func (c *codelQueue) Dequeue(now sim.Time) (*Packet, sim.Time, bool) {
	e, ok := c.vars.dequeue(c.params, now, c)
	return e.p, e.t, ok
}
