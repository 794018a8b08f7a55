package scenarios

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/sim"
)

// Result is the outcome of one expectation.
type Result struct {
	Expect Expect
	// Pos is where the expectation is written.
	Pos Pos
	OK  bool
	// NotReached is a failed expectation whose deadline (its by, or the
	// scenario's duration) is after the end of a run stopped early
	// (--until, an interrupt): it may yet have held, so it is neither ok
	// nor FAILED.
	NotReached bool
	// Detail says what was measured, e.g. "established at 0.110240000s,
	// 10.24ms after the first SYN".
	Detail string
}

// String returns "FILE:LINE:COL: expect established client -> server:80: ok (detail)".
func (r Result) String(file string) string {
	verdict := "ok"
	switch {
	case r.NotReached:
		verdict = "not reached"
	case !r.OK:
		verdict = "FAILED"
	}
	return fmt.Sprintf("%s:%d:%d: expect %s: %s (%s)", file, r.Pos.Line, r.Pos.Col, r.Expect.describe(), verdict, r.Detail)
}

func (x Expect) describe() string {
	switch x.Kind {
	case ExpectEstablished:
		s := fmt.Sprintf("established %s -> %s", x.From, x.To)
		if x.Within > 0 {
			s += " within " + x.Within.String()
		}
		return s
	case ExpectDelivered:
		s := fmt.Sprintf("delivered %v to %s", x.Bytes, x.To)
		if x.From != "" {
			s += " from " + x.From
		}
		if x.By > 0 {
			s += " by " + x.By.String()
		}
		return s
	}
	return string(x.Kind)
}

// connEnds is what the trace says about one connection's ends.
type connEnds struct {
	client, server     netip.AddrPort
	synAt, establAt    sim.Time
	haveSyn, haveEstab bool
}

// Checker evaluates the expectations of a scenario while the records
// stream by: it is a sim.Sink, so a long run need not keep its records.
type Checker struct {
	s     *Scenario
	addr  map[string]netip.Addr
	conns map[uint64]*connEnds
	order []uint64
	// delivered counts, per expectation, the bytes that count for it.
	delivered []deliveredAcc
	// countsReads: some expectation is a delivered one, so the
	// applications' reads count; without one, the checker skips the app
	// records (about one per data packet of a bulk transfer).
	countsReads bool
}

type deliveredAcc struct {
	got       int64
	reached   bool
	reachedAt sim.Time
}

// NewChecker returns a Checker of the expectations of s.
func NewChecker(s *Scenario) *Checker {
	c := &Checker{s: s, addr: make(map[string]netip.Addr, len(s.Hosts)), conns: map[uint64]*connEnds{},
		delivered: make([]deliveredAcc, len(s.Expect))}
	for _, h := range s.Hosts {
		c.addr[h.Name] = h.Address
	}
	for _, x := range s.Expect {
		c.countsReads = c.countsReads || x.Kind == ExpectDelivered
	}
	return c
}

// Check evaluates every expectation of s against a run's trace records;
// end is when the run stopped (the deadline of expectations without one).
func Check(s *Scenario, recs []sim.Record, end sim.Time) []Result {
	c := NewChecker(s)
	for i := range recs {
		c.Emit(&recs[i])
	}
	return c.Results(end)
}

// CheckKinds are the kinds of record a Checker reads.
const CheckKinds = 1<<sim.KindTCPState | 1<<sim.KindApp

// Kinds returns CheckKinds (sim.Selective).
func (c *Checker) Kinds() *sim.KindSet {
	k := sim.KindSet(CheckKinds)
	return &k
}

// Emit takes one record (sim.Sink); it keeps nothing of r.
func (c *Checker) Emit(r *sim.Record) {
	switch e := r.Event.(type) {
	case *sim.TCPState:
		ce, ok := c.conns[e.Conn]
		if !ok {
			ce = &connEnds{}
			c.conns[e.Conn] = ce
			c.order = append(c.order, e.Conn)
		}
		if e.Side == "client" {
			ce.client, ce.server = e.Local, e.Remote
			if !ce.haveSyn {
				ce.synAt, ce.haveSyn = r.T, true
			}
			if e.To == "ESTABLISHED" && !ce.haveEstab {
				ce.establAt, ce.haveEstab = r.T, true
			}
		} else if !ce.client.IsValid() {
			ce.client, ce.server = e.Remote, e.Local
		}
	case *sim.App:
		if !c.countsReads || e.Event != sim.AppRecv {
			return
		}
		ce, ok := c.conns[e.Conn]
		if !ok {
			return
		}
		host := hostOf(r.Subject)
		for i, x := range c.s.Expect {
			// Only what the applications of the receiving host read
			// counts: the client's reads of responses are the other
			// direction.
			if x.Kind != ExpectDelivered || host != x.To.Host || x.By > 0 && r.T > sim.FromDuration(x.By) {
				continue
			}
			if ce.server != netip.AddrPortFrom(c.addr[x.To.Host], x.To.Port) {
				continue
			}
			if x.From != "" && ce.client.Addr() != c.addr[x.From] {
				continue
			}
			d := &c.delivered[i]
			d.got += e.Bytes
			if !d.reached && d.got >= int64(x.Bytes) {
				d.reached, d.reachedAt = true, r.T
			}
		}
	}
}

// Results returns the outcome of every expectation, in file order, for a
// run that stopped at end.
func (c *Checker) Results(end sim.Time) []Result {
	out := make([]Result, 0, len(c.s.Expect))
	for i, x := range c.s.Expect {
		res := Result{Expect: x, Pos: c.s.pos.at(fmt.Sprintf("expect[%d]", i))}
		deadline := sim.FromDuration(c.s.Duration)
		final := false // a failure that no longer run can undo
		switch x.Kind {
		case ExpectEstablished:
			to := netip.AddrPortFrom(c.addr[x.To.Host], x.To.Port)
			res.OK, final, res.Detail = checkEstablished(x, c.addr[x.From], to, c.conns, c.order, end)
		case ExpectDelivered:
			// A run stopped early (--until) has only counted up to its end.
			by := end
			if x.By > 0 && sim.FromDuration(x.By) < end {
				by = sim.FromDuration(x.By)
			}
			if x.By > 0 {
				deadline = sim.FromDuration(x.By)
			}
			d := c.delivered[i]
			if d.reached || x.Bytes == 0 {
				res.OK, res.Detail = true, fmt.Sprintf("%d bytes delivered by %v; the first %d by %v", d.got, by, int64(x.Bytes), d.reachedAt)
			} else {
				res.Detail = fmt.Sprintf("only %d of %d bytes delivered by %v", d.got, int64(x.Bytes), by)
			}
		}
		if !res.OK && !final && end < deadline {
			res.NotReached = true
			res.Detail += fmt.Sprintf("; the run stopped before the deadline, %v", deadline)
		}
		out = append(out, res)
	}
	return out
}

// checkEstablished says whether a connection from from to to was
// established (within x.Within of its first SYN); final is a failure a
// longer run cannot undo (a connection established too slowly).
func checkEstablished(x Expect, from netip.Addr, to netip.AddrPort, conns map[uint64]*connEnds, order []uint64, end sim.Time) (ok, final bool, detail string) {
	tried := 0
	var best time.Duration = -1
	for _, id := range order {
		c := conns[id]
		if c.client.Addr() != from || c.server != to || !c.haveSyn {
			continue
		}
		tried++
		if !c.haveEstab {
			continue
		}
		took := c.establAt.Sub(c.synAt)
		if x.Within > 0 && took > x.Within {
			if best < 0 || took < best {
				best = took
			}
			continue
		}
		return true, false, fmt.Sprintf("connection %d established at %v, %v after its first SYN", id, c.establAt, took)
	}
	switch {
	case tried == 0:
		return false, false, fmt.Sprintf("no connection from %s to %s was attempted by %v", from, to, end)
	case best >= 0:
		return false, true, fmt.Sprintf("the fastest connection took %v", best)
	}
	return false, false, fmt.Sprintf("%d connection(s) attempted, none established by %v", tried, end)
}
