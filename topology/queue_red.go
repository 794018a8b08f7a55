package topology

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// ErrQueueConfig is wrapped by every error about a queue discipline's
// parameters.
var ErrQueueConfig = errors.New("invalid queue parameters")

// QueueParamError is a queue parameter out of range: what is wrong and
// what is allowed. It wraps ErrQueueConfig.
type QueueParamError struct {
	What, Allowed string
}

// Error implements error.
func (e *QueueParamError) Error() string {
	return e.What + ": " + ErrQueueConfig.Error() + " (" + e.Allowed + ")"
}

// Unwrap returns ErrQueueConfig.
func (e *QueueParamError) Unwrap() error { return ErrQueueConfig }

// badQueue returns an error naming what is wrong and what is allowed.
func badQueue(what string, allowed string) error {
	return &QueueParamError{What: what, Allowed: allowed}
}

// RED is Random Early Detection (Floyd & Jacobson 1993, "Random Early
// Detection Gateways for Congestion Avoidance"; Linux sch_red): an
// exponentially weighted moving average of the queue length decides, on
// each arrival, whether to mark or drop it early.
//
// Where the paper and Linux differ:
//   - the mark probability follows the paper's uniform spacing
//     pa = pb / (1 - count·pb); Linux's red_mark_probability draws the
//     same spacing as a random threshold qR compared with count·(avg-min),
//     the paper's other form of the same rule;
//   - the average decays over idle time as the paper's
//     avg = (1-w)^m·avg, m the idle time over one MTU's transmission time,
//     computed exactly where Linux reads a lookup table (Stab);
//   - gentle mode (Floyd 2000, "Recommendation on using the gentle_
//     variant of RED") is not in Linux's sch_red, which marks or drops
//     every arrival above max_th; it is ns-3's RedQueueDisc default, and
//     ours: between max_th and 2·max_th the probability rises linearly from
//     p_max to 1;
//   - with ECN, an arrival above max_th (above 2·max_th when gentle) is
//     marked if ECN-capable, as Linux does without its harddrop flag.
//
// Thresholds count packets, or bytes when InBytes is set (Linux's RED is
// byte-based).
type RED struct {
	// MinTh and MaxTh are the thresholds of the average queue.
	MinTh, MaxTh int64
	// InBytes says the thresholds (and the average) are in bytes.
	InBytes bool
	// MaxP is the mark probability at max_th (the paper's max_p).
	MaxP units.Ratio
	// Weight is the EWMA weight w_q of each new sample.
	Weight float64
	// Gentle turns on gentle mode.
	Gentle bool
	// ECN marks ECN-capable packets instead of dropping them.
	ECN bool
}

// DefaultRED returns RED with min_th 5, max_th 15 packets, p_max 10% and
// gentle mode (Floyd's recommendations for gentle RED), weight 0.002 (the
// paper's w_q), ECN off.
func DefaultRED() RED {
	return RED{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002, Gentle: true}
}

// Kind returns "red".
func (RED) Kind() string { return "red" }

// DefaultLimit is 1000 packets.
func (RED) DefaultLimit() int { return 1000 }

// Validate checks 0 <= min_th < max_th, 0 < p_max <= 1, 0 < weight <= 1.
func (r RED) Validate() error {
	switch {
	case r.MinTh < 0:
		return badQueue(fmt.Sprintf("min_th %d", r.MinTh), "0 or more")
	case r.MinTh >= r.MaxTh:
		return badQueue(fmt.Sprintf("min_th %d is not below max_th %d", r.MinTh, r.MaxTh), "min_th < max_th")
	case r.MaxP <= 0 || r.MaxP > 1:
		return badQueue(fmt.Sprintf("p_max %v", r.MaxP), "more than 0% and at most 100%")
	case !(r.Weight > 0 && r.Weight <= 1):
		return badQueue(fmt.Sprintf("weight %v", r.Weight), "more than 0 and at most 1, like 0.002")
	}
	return nil
}

// NewQueue returns an empty RED queue.
func (r RED) NewQueue(env QueueEnv) Queue {
	q := &red{cfg: r, limitedFIFO: limitedFIFO{limit: env.Limit}, rand: env.Rand, count: -1}
	mtu := env.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	q.slot = env.Rate.TxTime(units.ByteSize(mtu))
	return q
}

type red struct {
	cfg RED
	limitedFIFO
	rand  *sim.Rand
	slot  time.Duration // transmission time of one MTU: the idle-time unit
	avg   float64
	count int // packets since the last mark or drop; -1 below min_th
	// idleSince is when the queue last emptied (valid when idle).
	idleSince sim.Time
	idle      bool
}

// Avg returns the average queue (packets or bytes as configured).
func (q *red) Avg() float64 { return q.avg }

func (q *red) Enqueue(now sim.Time, p *Packet) Verdict {
	q.updateAvg(now)
	v := q.decide(p)
	if v == DroppedAQM {
		return v
	}
	if q.full(p) {
		return DroppedFull
	}
	q.q.pushEntry(p, now)
	q.idle = false
	return v
}

// updateAvg takes the arrival's sample of the queue (F&J §11's algorithm).
func (q *red) updateAvg(now sim.Time) {
	w := q.cfg.Weight
	if q.idle && q.q.n == 0 {
		// m: packets the link could have sent while idle.
		if q.slot > 0 {
			m := float64(now.Sub(q.idleSince)) / float64(q.slot)
			q.avg *= math.Pow(1-w, m)
		} else {
			q.avg = 0
		}
		q.idle = false
		return
	}
	cur := float64(q.q.n)
	if q.cfg.InBytes {
		cur = float64(q.q.bytes)
	}
	q.avg += w * (cur - q.avg)
}

// decide returns Queued, QueuedMarked or DroppedAQM for the arrival.
func (q *red) decide(p *Packet) Verdict {
	minTh, maxTh := float64(q.cfg.MinTh), float64(q.cfg.MaxTh)
	maxP := float64(q.cfg.MaxP)
	var pb float64
	switch {
	case q.avg < minTh:
		q.count = -1
		return Queued
	case q.avg < maxTh:
		pb = maxP * (q.avg - minTh) / (maxTh - minTh)
	case q.cfg.Gentle && q.avg < 2*maxTh:
		pb = maxP + (1-maxP)*(q.avg-maxTh)/maxTh
	default:
		q.count = 0
		return congest(q.cfg.ECN, p)
	}
	q.count++
	pa := 1.0
	if d := 1 - float64(q.count)*pb; d > 0 {
		pa = pb / d
	}
	if q.rand.Bernoulli(pa) {
		q.count = 0
		return congest(q.cfg.ECN, p)
	}
	return Queued
}

func (q *red) Dequeue(now sim.Time) (*Packet, sim.Time, bool) {
	e, ok := q.q.popEntry()
	if ok && q.q.n == 0 {
		q.idle, q.idleSince = true, now
	}
	return e.p, e.t, ok
}
