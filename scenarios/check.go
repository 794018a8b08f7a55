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
	// Detail says what was measured, e.g. "established at 0.110240000s,
	// 10.24ms after the first SYN".
	Detail string
}

// String returns "FILE:LINE:COL: expect established client -> server:80: ok (detail)".
func (r Result) String(file string) string {
	verdict := "ok"
	if !r.OK {
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

// Check evaluates every expectation of s against a run's trace records;
// end is when the run stopped (the deadline of expectations without one).
func Check(s *Scenario, recs []sim.Record, end sim.Time) []Result {
	addr := make(map[string]netip.Addr, len(s.Hosts))
	for _, h := range s.Hosts {
		addr[h.Name] = h.Address
	}
	conns := map[uint64]*connEnds{}
	var order []uint64
	get := func(id uint64) *connEnds {
		c, ok := conns[id]
		if !ok {
			c = &connEnds{}
			conns[id] = c
			order = append(order, id)
		}
		return c
	}
	for i := range recs {
		r := &recs[i]
		if r.Kind != sim.KindTCPState {
			continue
		}
		c := get(uint64(fInt(r, "conn")))
		local, _ := netip.ParseAddrPort(fStr(r, "local"))
		remote, _ := netip.ParseAddrPort(fStr(r, "remote"))
		if fStr(r, "side") == "client" {
			c.client, c.server = local, remote
			if !c.haveSyn {
				c.synAt, c.haveSyn = r.T, true
			}
			if fStr(r, "to") == "ESTABLISHED" && !c.haveEstab {
				c.establAt, c.haveEstab = r.T, true
			}
		} else if !c.client.IsValid() {
			c.client, c.server = remote, local
		}
	}

	out := make([]Result, 0, len(s.Expect))
	for i, x := range s.Expect {
		res := Result{Expect: x, Pos: s.pos[fmt.Sprintf("expect[%d]", i)]}
		to := netip.AddrPortFrom(addr[x.To.Host], x.To.Port)
		switch x.Kind {
		case ExpectEstablished:
			res.OK, res.Detail = checkEstablished(x, addr[x.From], to, conns, order, end)
		case ExpectDelivered:
			res.OK, res.Detail = checkDelivered(x, addr[x.From], to, conns, recs, end)
		}
		out = append(out, res)
	}
	return out
}

func checkEstablished(x Expect, from netip.Addr, to netip.AddrPort, conns map[uint64]*connEnds, order []uint64, end sim.Time) (bool, string) {
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
		return true, fmt.Sprintf("connection %d established at %v, %v after its first SYN", id, c.establAt, took)
	}
	switch {
	case tried == 0:
		return false, fmt.Sprintf("no connection from %s to %s was attempted by %v", from, to, end)
	case best >= 0:
		return false, fmt.Sprintf("the fastest connection took %v", best)
	}
	return false, fmt.Sprintf("%d connection(s) attempted, none established by %v", tried, end)
}

func checkDelivered(x Expect, from netip.Addr, to netip.AddrPort, conns map[uint64]*connEnds, recs []sim.Record, end sim.Time) (bool, string) {
	by := end
	if x.By > 0 {
		by = sim.FromDuration(x.By)
	}
	var got int64
	var reachedAt sim.Time
	reached := false
	for i := range recs {
		r := &recs[i]
		if r.T > by {
			break
		}
		// Only what the applications of the receiving host read counts:
		// the client's reads of responses are the other direction.
		if r.Kind != sim.KindApp || fStr(r, "event") != "recv" || hostOf(r.Subject) != x.To.Host {
			continue
		}
		c, ok := conns[uint64(fInt(r, "conn"))]
		if !ok || c.server != to || from.IsValid() && c.client.Addr() != from {
			continue
		}
		got += fInt(r, "bytes")
		if !reached && got >= int64(x.Bytes) {
			reached, reachedAt = true, r.T
		}
	}
	if reached || x.Bytes == 0 {
		return true, fmt.Sprintf("%d bytes delivered by %v; the first %d by %v", got, by, int64(x.Bytes), reachedAt)
	}
	return false, fmt.Sprintf("only %d of %d bytes delivered by %v", got, int64(x.Bytes), by)
}
