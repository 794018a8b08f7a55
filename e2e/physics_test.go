package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linkParams is one link as its scenario writes it, for arithmetic done
// here rather than by netsim.
type linkParams struct {
	bps      int64
	delay    time.Duration
	overhead int64
}

// serialization is the contract's rule: ceil((IPv4 length + overhead) *
// 8e9 / rate) nanoseconds, in integers.
func (l linkParams) serialization(ipLen int64) int64 {
	bits := (ipLen + l.overhead) * 8
	return (bits*int64(time.Second) + l.bps - 1) / l.bps
}

// linkName is the link of a subject "link/<name>/<from>><to>".
func linkName(subject string) string {
	parts := strings.Split(subject, "/")
	if len(parts) != 3 || parts[0] != "link" {
		return ""
	}
	return parts[1]
}

// direction splits "link/<name>/<from>><to>" into its two node names.
func direction(subject string) (from, to string) {
	parts := strings.Split(subject, "/")
	if len(parts) != 3 {
		return "", ""
	}
	from, to, _ = strings.Cut(parts[2], ">")
	return from, to
}

// physicsReport is what checkPhysics saw, so a test can insist the
// scenario exercised what it meant to.
type physicsReport struct {
	transmissions int // pkt.tx records checked
	queued        int // of those, how many waited behind another packet
	hops          int // enqueues that followed a forwarding router
	// pkt.tx records whose arrive field is not when the last bit arrived
	arriveMismatches []string
}

// checkPhysics replays every link direction as a FIFO server with the
// scenario's rates and delays and requires each pkt.tx, its arrive field,
// each pkt.rx and each pkt.deliver at exactly the nanosecond that
// arithmetic gives; a router forwards in zero time (store and forward:
// the next hop starts only after the last bit arrived).
func checkPhysics(t *testing.T, recs []rec, links map[string]linkParams) physicsReport {
	t.Helper()
	return checkPhysicsAt(t, recs, func(link string, _ int64) (linkParams, bool) {
		l, ok := links[link]
		return l, ok
	})
}

// checkPhysicsAt is checkPhysics for links whose parameters change during
// the run: params gives a link's parameters for a packet whose first bit
// leaves at the given time.
func checkPhysicsAt(t *testing.T, recs []rec, params func(link string, at int64) (linkParams, bool)) physicsReport {
	t.Helper()
	type queued struct {
		id, t, len int64
	}
	fifo := map[string][]queued{}   // link direction -> waiting packets
	busyUntil := map[string]int64{} // link direction -> end of the current serialization
	ready := map[int64]int64{}      // packet id -> when it last arrived somewhere (sent or received)
	arrive := map[int64]int64{}     // packet id -> expected pkt.rx time
	forwarded := map[int64]bool{}   // packet id -> a router just forwarded it
	down := map[string]int64{}      // link direction -> when it last came back up
	var rep physicsReport
	for i, r := range recs {
		where := fmt.Sprintf("trace record %d (%s %s id %d at %d)", i+1, r.Kind, r.Subject, r.ID, r.T)
		switch r.Kind {
		case "pkt.send":
			ready[r.ID] = r.T
		case "pkt.drop":
			// A queued packet dropped (its link went down) leaves the FIFO.
			q := fifo[r.Subject]
			for j := range q {
				if q[j].id == r.ID {
					fifo[r.Subject] = append(q[:j:j], q[j+1:]...)
					break
				}
			}
		case "link.state":
			if r.Up {
				down[r.Subject] = r.T
			}
		case "pkt.forward":
			require.Equal(t, ready[r.ID], r.T, "%s: a router forwards in zero time", where)
			forwarded[r.ID] = true
		case "pkt.enqueue":
			require.Contains(t, ready, r.ID, where)
			require.Equal(t, ready[r.ID], r.T, "%s: enqueued when it arrived or was sent", where)
			fifo[r.Subject] = append(fifo[r.Subject], queued{r.ID, r.T, r.Len})
			if forwarded[r.ID] {
				rep.hops++
				forwarded[r.ID] = false
			}
		case "pkt.tx":
			l, ok := params(linkName(r.Subject), r.T)
			require.True(t, ok, "%s: link not in the test's table", where)
			q := fifo[r.Subject]
			require.NotEmpty(t, q, "%s: transmitted with nothing queued", where)
			head := q[0]
			fifo[r.Subject] = q[1:]
			require.Equal(t, head.id, r.ID, "%s: FIFO order", where)
			start := max(head.t, busyUntil[r.Subject])
			if r.T > start && down[r.Subject] > start {
				// The link came back up after a down time that cut a
				// serialization short: it starts afresh.
				start = max(head.t, down[r.Subject])
			}
			if start > head.t {
				rep.queued++
			}
			ser := l.serialization(r.Len)
			require.Equal(t, start, r.T, "%s: first bit leaves at max(enqueue %d, link free %d)", where, head.t, busyUntil[r.Subject])
			busyUntil[r.Subject] = start + ser
			// Propagation starts when the last bit leaves, with the
			// delay the link had when the first bit left (ns-3's
			// point-to-point channel: a packet on the wire keeps its
			// timing), so pkt.tx can trace a true arrive.
			want := start + ser + int64(l.delay)
			if want != r.Arrive {
				rep.arriveMismatches = append(rep.arriveMismatches, where)
			}
			arrive[r.ID] = want
			rep.transmissions++
		case "pkt.rx":
			require.Equal(t, arrive[r.ID], r.T, "%s: last bit arrives at tx + serialization + delay", where)
			ready[r.ID] = r.T
		case "pkt.deliver":
			require.Equal(t, ready[r.ID], r.T, "%s: delivered when its last bit arrived", where)
		}
	}
	return rep
}

// checkPcapTimes requires every capture of the run to hold, in order, the
// packets the trace says crossed that interface: outgoing ones stamped
// when their first bit left (pkt.tx), incoming ones when their last bit
// arrived (pkt.rx), each with the traced length and valid IPv4 and TCP
// checksums unless the link corrupted it on purpose. It returns, per
// capture file name, which records are corrupt copies.
func checkPcapTimes(t *testing.T, dir string, recs []rec) map[string][]bool {
	t.Helper()
	// Which link each node's interface is on: the link a packet was
	// enqueued on right after a host sent it or a router forwarded it
	// through that interface.
	ifaceLink := map[string]string{} // "node-iface" -> link
	pendingIface := map[int64]string{}
	for _, r := range recs {
		switch r.Kind {
		case "pkt.send", "pkt.forward":
			node := strings.SplitN(r.Subject, "/", 2)[1]
			pendingIface[r.ID] = node + "-" + r.Iface
		case "pkt.enqueue", "pkt.drop":
			if k, ok := pendingIface[r.ID]; ok && linkName(r.Subject) != "" {
				ifaceLink[k] = linkName(r.Subject)
				delete(pendingIface, r.ID)
			}
		}
	}
	require.NotEmpty(t, ifaceLink)
	corrupt := map[string][]bool{}
	for key, link := range ifaceLink {
		node := key[:strings.LastIndex(key, "-")]
		type want struct {
			t, len  int64
			out     bool
			corrupt bool
		}
		var wants []want
		for _, r := range recs {
			if linkName(r.Subject) != link {
				continue
			}
			from, to := direction(r.Subject)
			switch {
			case r.Kind == "pkt.tx" && from == node:
				wants = append(wants, want{r.T, r.Len, true, false})
			case r.Kind == "pkt.rx" && to == node:
				wants = append(wants, want{r.T, r.Len, false, r.Corrupt})
			}
		}
		pkts := readPcap(t, filepath.Join(dir, "pcap", key+".pcap"))
		require.Len(t, pkts, len(wants), "%s.pcap: one record per packet that crossed the interface", key)
		for i, w := range wants {
			p := pkts[i]
			dirn := "incoming (last bit arrives)"
			if w.out {
				dirn = "outgoing (first bit leaves)"
			}
			assert.Equal(t, w.t, p.ts, "%s.pcap record %d: %s timestamp", key, i+1, dirn)
			assert.Equal(t, int(w.len), p.origLen, "%s.pcap record %d: length", key, i+1)
			if w.corrupt {
				assert.NotEmpty(t, verifyIPv4TCP(p.data), "%s.pcap record %d: the trace says the link corrupted it", key, i+1)
			} else {
				assert.Empty(t, verifyIPv4TCP(p.data), "%s.pcap record %d", key, i+1)
			}
			corrupt[key+".pcap"] = append(corrupt[key+".pcap"], w.corrupt)
		}
	}
	return corrupt
}

func TestPhysicsToTheNanosecond(t *testing.T) {
	t.Parallel()
	slow(t)
	tests := []struct {
		scenario string
		links    map[string]linkParams
		// what the scenario must exercise for the check to mean something
		minQueued, minHops int
	}{
		{
			scenario: "testdata/physics-chain.yaml",
			links: map[string]linkParams{
				"first":  {bps: 100e6, delay: time.Millisecond, overhead: 38},
				"middle": {bps: 7e6, delay: 3 * time.Millisecond, overhead: 7},
				"last":   {bps: 33e6, delay: 250 * time.Microsecond},
			},
			minQueued: 10, minHops: 40,
		},
		{
			scenario: "../scenarios/handshake.yaml",
			links:    map[string]linkParams{"lan": {bps: 100e6, delay: 5 * time.Millisecond}},
		},
		{
			scenario: "../scenarios/bulk-transfer.yaml",
			links: map[string]linkParams{
				"access":     {bps: 100e6, delay: time.Millisecond},
				"bottleneck": {bps: 10e6, delay: 20 * time.Millisecond},
			},
			minQueued: 100, minHops: 1000,
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.scenario), func(t *testing.T) {
			t.Parallel()
			dir := run(t, tt.scenario)
			recs := readTrace(t, dir)
			rep := checkPhysics(t, recs, tt.links)
			assert.Empty(t, rep.arriveMismatches, "pkt.tx arrive = tx + serialization + delay")
			assert.Positive(t, rep.transmissions)
			assert.GreaterOrEqual(t, rep.queued, tt.minQueued, "packets that waited in a queue")
			assert.GreaterOrEqual(t, rep.hops, tt.minHops, "packets forwarded by a router")
			assert.NotEmpty(t, checkPcapTimes(t, dir, recs))
		})
	}
}

// TestPhysicsHandArithmetic pins a few numbers worked out by hand, so the
// FIFO replay above is not the only witness.
func TestPhysicsHandArithmetic(t *testing.T) {
	t.Parallel()
	dir := run(t, "testdata/physics-chain.yaml")
	recs := readTrace(t, dir)
	// The SYN: a 60-byte datagram (20 IPv4 + 40 TCP with options) sent at
	// 10 ms. Hop 1: (60+38)*8 bits at 100 Mbit/s = 7840 ns, + 1 ms.
	// Hop 2: (60+7)*8 at 7 Mbit/s = 536 bits -> ceil(76571.43) = 76572 ns,
	// + 3 ms. Hop 3: 480 bits at 33 Mbit/s -> ceil(14545.45) = 14546 ns,
	// + 250 us.
	syn := filter(recs, func(r rec) bool { return r.ID == 1 })
	var got []string
	for _, r := range syn {
		if r.Kind == "pkt.tx" || r.Kind == "pkt.rx" || r.Kind == "pkt.deliver" {
			got = append(got, fmt.Sprintf("%s %s %d", r.Kind, r.Subject, r.T))
		}
	}
	t0 := int64(10e6)
	h1 := t0 + 7840 + 1e6
	h2 := h1 + 76572 + 3e6
	h3 := h2 + 14546 + 250e3
	assert.Equal(t, []string{
		fmt.Sprintf("pkt.tx link/first/client>r1 %d", t0),
		fmt.Sprintf("pkt.rx link/first/client>r1 %d", h1),
		fmt.Sprintf("pkt.tx link/middle/r1>r2 %d", h1),
		fmt.Sprintf("pkt.rx link/middle/r1>r2 %d", h2),
		fmt.Sprintf("pkt.tx link/last/r2>server %d", h2),
		fmt.Sprintf("pkt.rx link/last/r2>server %d", h3),
		fmt.Sprintf("pkt.deliver host/server %d", h3),
	}, got)
}

// TestPhysicsUnderFaults: a fault that sets a link's rate and delay applies
// to every packet whose first bit leaves after it (one already on the wire
// keeps the old ones); a link that goes down drops what it holds and
// starts afresh when it comes back up; a byte-limited queue never holds
// more than its limit.
func TestPhysicsUnderFaults(t *testing.T) {
	t.Parallel()
	dir := run(t, "testdata/fault-physics.yaml")
	recs := readTrace(t, dir)
	ms := int64(time.Millisecond)
	rep := checkPhysicsAt(t, recs, func(link string, at int64) (linkParams, bool) {
		switch {
		case link == "access":
			return linkParams{bps: 100e6, delay: time.Millisecond}, true
		case link != "wan":
			return linkParams{}, false
		case at >= 2000*ms:
			return linkParams{bps: 20e6, delay: 30 * time.Millisecond}, true
		case at >= 500*ms:
			return linkParams{bps: 3e6, delay: 30 * time.Millisecond}, true
		}
		return linkParams{bps: 10e6, delay: 10 * time.Millisecond}, true
	})
	assert.Greater(t, rep.queued, 100)
	t.Run("arrive field when the delay changes mid-serialization", func(t *testing.T) {
		assert.Empty(t, rep.arriveMismatches)
	})
	var downDrops int
	for _, r := range recs {
		switch {
		case r.Kind == "pkt.enqueue" && linkName(r.Subject) == "wan":
			// qbytes counts the packets waiting, the new one included.
			assert.LessOrEqual(t, r.Qbytes, int64(64*1024), "64KiB queue at %d", r.T)
		case r.Kind == "pkt.drop" && r.Reason == "down":
			downDrops++
			assert.True(t, r.T >= 1500*ms && r.T < 1700*ms, "dropped as down at %d, outside the down time", r.T)
		case r.Kind == "pkt.rx" && linkName(r.Subject) == "wan":
			assert.False(t, r.T > 1500*ms && r.T < 1700*ms, "a packet arrived over a down link at %d", r.T)
		}
	}
	assert.Positive(t, downDrops)
}

// TestRoutersDecrementTTL: each router on the way takes one off the TTL
// (and so must rewrite the header checksum, which checkPcapTimes verifies
// on every router capture): 64 from the host, 62 after two routers.
func TestRoutersDecrementTTL(t *testing.T) {
	t.Parallel()
	dir := run(t, "testdata/physics-chain.yaml")
	want := map[string]map[string]byte{ // capture -> source address -> TTL
		"client-eth0": {"10.1.0.1": 64, "10.3.0.1": 62},
		"r1-eth1":     {"10.1.0.1": 63, "10.3.0.1": 63},
		"server-eth0": {"10.1.0.1": 62, "10.3.0.1": 64},
	}
	for capture, ttls := range want {
		pkts := readPcap(t, filepath.Join(dir, "pcap", capture+".pcap"))
		require.NotEmpty(t, pkts)
		for i, p := range pkts {
			require.GreaterOrEqual(t, len(p.data), 20)
			src := fmt.Sprintf("%d.%d.%d.%d", p.data[12], p.data[13], p.data[14], p.data[15])
			assert.Equal(t, ttls[src], p.data[8], "%s record %d from %s", capture, i+1, src)
		}
	}
}
