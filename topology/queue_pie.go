package topology

import (
	"fmt"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// PIE is Proportional Integral controller Enhanced (RFC 8033; Linux
// sch_pie): every TUpdate a drop probability moves by
// alpha·(qdelay-target) + beta·(qdelay-qdelay_old), scaled down while it
// is small (RFC 8033 §4.2); arrivals are dropped (or marked) early with
// that probability, except during the initial burst allowance, while the
// delay is low and the probability small, or while fewer than two MTUs
// wait.
//
// Where RFC 8033 and Linux differ or leave a choice:
//   - the queue delay is the sojourn time of the last packet dequeued (0
//     once the queue is empty), Linux's default (dq_rate_estimator off),
//     rather than the RFC's departure-rate estimate;
//   - drops are derandomized as Linux's pie_drop_early does (RFC 8033
//     §5.1's optional derandomization): no drop while the accumulated
//     probability is below 0.85, always one at 8.5;
//   - with ECN, an ECN-capable packet is marked instead of dropped only
//     while the probability is at most 10% (RFC 8033 §5.1, Linux);
//   - an update that finds the delay 0 with packets waiting still takes
//     its step; only the decay below is skipped (Linux's update_prob; RFC
//     8033 has no such test);
//   - the probability decays by 2% per update when the delay has been 0
//     twice (RFC 8033 §4.2) where Linux takes 1/64; the burst allowance
//     drains by TUpdate at each update (RFC 8033 §4.2) where Linux
//     drains it by the time between dequeues;
//   - the periodic update is computed when the next packet arrives or
//     leaves, for every period that ended since: nothing in the queue
//     changes in between, so this is the timer's result without a timer.
type PIE struct {
	// Target is the queue delay PIE aims for; TUpdate the update period.
	Target, TUpdate time.Duration
	// MaxBurst is the burst allowance: no early drop for this long after
	// the queue was last uncongested.
	MaxBurst time.Duration
	// Alpha and Beta are the controller's gains (per second).
	Alpha, Beta float64
	// ECN marks ECN-capable packets instead of dropping them.
	ECN bool
}

// DefaultPIE returns RFC 8033's and Linux's defaults: target 15 ms,
// tupdate 15 ms, max burst 150 ms, alpha 0.125, beta 1.25, ECN off.
func DefaultPIE() PIE {
	return PIE{Target: 15 * time.Millisecond, TUpdate: 15 * time.Millisecond, MaxBurst: 150 * time.Millisecond, Alpha: 0.125, Beta: 1.25}
}

// Kind returns "pie".
func (PIE) Kind() string { return "pie" }

// DefaultLimit is Linux pie's 1000 packets.
func (PIE) DefaultLimit() int { return 1000 }

// Validate checks target, tupdate > 0, max_burst >= 0, 0 <= alpha,
// beta <= 32 (Linux's range).
func (p PIE) Validate() error {
	switch {
	case p.Target <= 0:
		return badQueue(fmt.Sprintf("target %v", p.Target), "more than 0, like 15ms")
	case p.TUpdate <= 0:
		return badQueue(fmt.Sprintf("tupdate %v", p.TUpdate), "more than 0, like 15ms")
	case p.MaxBurst < 0:
		return badQueue(fmt.Sprintf("max_burst %v", p.MaxBurst), "0 or more, like 150ms")
	case !(p.Alpha >= 0 && p.Alpha <= 32):
		return badQueue(fmt.Sprintf("alpha %v", p.Alpha), "0 to 32, like 0.125")
	case !(p.Beta >= 0 && p.Beta <= 32):
		return badQueue(fmt.Sprintf("beta %v", p.Beta), "0 to 32, like 1.25")
	}
	return nil
}

// NewQueue returns an empty PIE queue.
func (p PIE) NewQueue(env QueueEnv) Queue {
	mtu := env.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	return &pie{cfg: p, limitedFIFO: limitedFIFO{limit: env.Limit}, rand: env.Rand, mtu: units.ByteSize(mtu), burst: p.MaxBurst, nextUpdate: sim.Time(p.TUpdate)}
}

type pie struct {
	cfg PIE
	limitedFIFO
	rand *sim.Rand
	mtu  units.ByteSize

	prob       float64
	accuProb   float64
	qdelay     time.Duration
	qdelayOld  time.Duration
	burst      time.Duration
	nextUpdate sim.Time
}

// Prob returns the drop probability.
func (q *pie) Prob() float64 { return q.prob }

// catchUp runs the updates of every period that ended by now.
func (q *pie) catchUp(now sim.Time) {
	for q.nextUpdate <= now {
		q.update()
		q.nextUpdate = q.nextUpdate.Add(q.cfg.TUpdate)
		if q.prob == 0 && q.qdelay == 0 && q.qdelayOld == 0 && q.burst == q.cfg.MaxBurst && q.nextUpdate <= now {
			// Idle and settled: the remaining updates change
			// nothing; skip to the first period after now.
			k := now.Sub(q.nextUpdate)/q.cfg.TUpdate + 1
			q.nextUpdate = q.nextUpdate.Add(k * q.cfg.TUpdate)
		}
	}
}

// update is RFC 8033 §4.2's calculate_drop_prob (Linux
// pie_calculate_probability).
func (q *pie) update() {
	qdelay, target := q.qdelay, q.cfg.Target
	updateProb := !(qdelay == 0 && q.q.bytes != 0)
	alpha, beta := q.cfg.Alpha, q.cfg.Beta
	// Smaller steps while the probability is small (RFC 8033 §4.2).
	if q.prob < 0.1 {
		alpha, beta = alpha/2, beta/2
		for limit := 0.01; q.prob < limit && limit >= 0.000001; limit /= 10 {
			alpha, beta = alpha/4, beta/4
		}
	}
	delta := alpha*(qdelay-target).Seconds() + beta*(qdelay-q.qdelayOld).Seconds()
	// At most 2% at a time once the probability is 10% or more.
	if delta > 0.02 && q.prob >= 0.1 {
		delta = 0.02
	}
	// Rise fast at very high delays.
	if qdelay > 250*time.Millisecond {
		delta += 0.02
	}
	q.prob = min(max(q.prob+delta, 0), 1)
	// Linux's update_prob gates only the decay: a delay of 0 with packets
	// waiting again is too small a backlog to call the queue gone, but
	// the step above still applies (pie_calculate_probability).
	if updateProb && qdelay == 0 && q.qdelayOld == 0 {
		q.prob *= 0.98
	}
	q.burst = max(q.burst-q.cfg.TUpdate, 0)
	if q.prob == 0 && qdelay < target/2 && q.qdelayOld < target/2 {
		q.burst = q.cfg.MaxBurst
		q.accuProb = 0
	}
	q.qdelayOld = qdelay
}

// dropEarly is Linux's pie_drop_early (RFC 8033 §4.1 drop_early with
// §5.1's derandomization).
func (q *pie) dropEarly() bool {
	switch {
	case q.burst > 0:
		return false
	case q.qdelay < q.cfg.Target/2 && q.prob < 0.2:
		return false
	case q.q.bytes < 2*q.mtu:
		return false
	}
	if q.prob == 0 {
		q.accuProb = 0
	} else {
		q.accuProb += q.prob
	}
	switch {
	case q.accuProb < 0.85:
		return false
	case q.accuProb >= 8.5:
		return true
	}
	if q.rand.Float64() < q.prob {
		q.accuProb = 0
		return true
	}
	return false
}

func (q *pie) Enqueue(now sim.Time, p *Packet) Verdict {
	q.catchUp(now)
	if q.full(p) {
		q.accuProb = 0
		return DroppedFull
	}
	v := Queued
	if q.dropEarly() {
		if !(q.cfg.ECN && q.prob <= 0.1 && setCE(p.Data)) {
			q.accuProb = 0
			return DroppedAQM
		}
		v = QueuedMarked
	}
	q.q.pushEntry(p, now)
	return v
}

func (q *pie) Dequeue(now sim.Time) (*Packet, sim.Time, bool) {
	q.catchUp(now)
	e, ok := q.q.popEntry()
	if !ok {
		return nil, 0, false
	}
	q.qdelay = now.Sub(e.t)
	if q.q.n == 0 {
		q.qdelay = 0
	}
	return e.p, e.t, true
}
