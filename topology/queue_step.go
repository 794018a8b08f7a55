package topology

import (
	"fmt"

	"github.com/netsimlab/netsim/sim"
)

// Step marks on the instantaneous queue: an arrival that finds Threshold
// or more packets (or bytes) waiting is marked CE, as DCTCP's paper
// (Alizadeh et al. 2010, §3.1, the threshold K) and datacenter switches
// do; a packet that is not ECN-capable, or every one with ECN off, is
// dropped instead (reason "aqm").
type Step struct {
	// Threshold is K, in packets, or bytes when InBytes is set.
	Threshold int64
	InBytes   bool
	// ECN marks ECN-capable packets instead of dropping them.
	ECN bool
}

// Kind returns "step".
func (Step) Kind() string { return "step" }

// DefaultLimit is 1000 packets.
func (Step) DefaultLimit() int { return 1000 }

// Validate checks threshold >= 1.
func (s Step) Validate() error {
	if s.Threshold < 1 {
		return badQueue(fmt.Sprintf("threshold %d", s.Threshold), "1 or more packets or bytes")
	}
	return nil
}

// NewQueue returns an empty step-marking queue.
func (s Step) NewQueue(env QueueEnv) Queue {
	return &step{cfg: s, limitedFIFO: limitedFIFO{limit: env.Limit}}
}

type step struct {
	cfg Step
	limitedFIFO
}

func (q *step) Enqueue(now sim.Time, p *Packet) Verdict {
	if q.full(p) {
		return DroppedFull
	}
	held := int64(q.q.n)
	if q.cfg.InBytes {
		held = int64(q.q.bytes)
	}
	v := Queued
	if held >= q.cfg.Threshold {
		if v = congest(q.cfg.ECN, p); v == DroppedAQM {
			return v
		}
	}
	q.q.pushEntry(p, now)
	return v
}
