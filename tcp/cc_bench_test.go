package tcp

import (
	"math"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The bottleneck of the congestion control benchmark: 100 Mbit/s, 10 ms
// each way (a BDP of 167 full-sized packets), a drop-tail queue of 100
// packets that marks ECN-capable packets CE above 20 (a step queue, so
// that DCTCP sees marks and the loss-based algorithms see drops).
const (
	ccBenchRate  = 100e6 // bit/s
	ccBenchDelay = 10 * time.Millisecond
	ccBenchLimit = 100 // packets
	ccBenchK     = 20  // packets
	// ccBenchWire is the bytes a data segment occupies on the link
	// (payload plus IPv4 and TCP headers with timestamps).
	ccBenchHeaders = 52
	ccBenchRing    = 4096 // packets in flight each way, at most
)

// ringPkt is a segment on the benchmark's wire.
type ringPkt struct {
	at      time.Duration
	h       Header
	n       int
	ce      bool
	payload [1500]byte
}

// pktRing is a FIFO of segments in arrival order, allocated once.
type pktRing struct {
	pkts      []ringPkt
	head, len int
}

func (r *pktRing) push(tb testing.TB, at time.Duration, h *Header, p []byte, ce bool) {
	if r.len == len(r.pkts) {
		tb.Fatalf("benchmark wire full: %d packets in flight", r.len)
	}
	q := &r.pkts[(r.head+r.len)%len(r.pkts)]
	r.len++
	q.at, q.h, q.n, q.ce = at, *h, copy(q.payload[:], p), ce
}

func (r *pktRing) front() *ringPkt { return &r.pkts[r.head] }

func (r *pktRing) pop() {
	r.head = (r.head + 1) % len(r.pkts)
	r.len--
}

// ccRig moves a bulk stream from A to B through the bottleneck with the
// named congestion control at both ends, event by event, as the
// simulator would: segments, timers (delayed ACKs, pacing, RTO) and the
// applications. One data segment delivered to B is one benchmark op:
// what it costs is both state machines' work for it and its ACK, the
// congestion control's included, plus this small harness.
type ccRig struct {
	tb         testing.TB
	a, b       *Conn
	now        time.Duration
	fwd, rev   pktRing
	linkFree   time.Duration // when the bottleneck has sent what it holds
	segs       int           // data segments delivered to B
	drops      int
	chunk, buf []byte
	sendA      func(h *Header, p []byte, ect bool)
	sendB      func(h *Header, p []byte, ect bool)
	drain      func(*Event)
}

func newCCRig(tb testing.TB, congestion string) *ccRig {
	cfg := DefaultConfig()
	cfg.Congestion = congestion
	cfg.SendBuffer = 4 << 20
	cfg.RecvBuffer = 4 << 20
	a, err := NewConn(cfg, epA, epB, 1000, 1)
	require.NoError(tb, err)
	b, err := NewConn(cfg, epB, epA, 900000, 2)
	require.NoError(tb, err)
	r := &ccRig{tb: tb, a: a, b: b, chunk: make([]byte, 64<<10), buf: make([]byte, 64<<10),
		fwd: pktRing{pkts: make([]ringPkt, ccBenchRing)}, rev: pktRing{pkts: make([]ringPkt, ccBenchRing)}}
	r.sendA = r.toBottleneck
	r.sendB = func(h *Header, p []byte, _ bool) { r.rev.push(r.tb, r.now+ccBenchDelay, h, p, false) }
	r.drain = func(*Event) {}
	require.NoError(tb, b.Listen(0))
	require.NoError(tb, a.Connect(0))
	for r.now < 3*time.Second { // past slow start, into the steady state
		r.step()
	}
	require.Equal(tb, Established, a.State())
	return r
}

// toBottleneck queues a segment of A's at the bottleneck: dropped when
// the queue holds ccBenchLimit packets, marked CE above ccBenchK when
// ECN-capable.
func (r *ccRig) toBottleneck(h *Header, p []byte, ect bool) {
	tx := time.Duration(float64(len(p)+ccBenchHeaders) * 8 / ccBenchRate * float64(time.Second))
	full := time.Duration(float64(1500) * 8 / ccBenchRate * float64(time.Second))
	queued := 0
	if r.linkFree > r.now {
		queued = int((r.linkFree - r.now) / full)
	}
	if queued >= ccBenchLimit {
		r.drops++
		return
	}
	r.linkFree = max(r.linkFree, r.now) + tx
	r.fwd.push(r.tb, r.linkFree+ccBenchDelay, h, p, ect && queued > ccBenchK)
}

// step advances to the next arrival or timer and plays it.
func (r *ccRig) step() {
	next, ok := time.Duration(0), false
	consider := func(t time.Duration, on bool) {
		if on && (!ok || t < next) {
			next, ok = t, true
		}
	}
	if r.fwd.len > 0 {
		consider(r.fwd.front().at, true)
	}
	if r.rev.len > 0 {
		consider(r.rev.front().at, true)
	}
	consider(r.a.Deadline())
	consider(r.b.Deadline())
	if ok {
		r.now = max(r.now, next)
	}
	for r.fwd.len > 0 && r.fwd.front().at <= r.now {
		q := r.fwd.front()
		if q.n > 0 {
			r.segs++
		}
		r.b.InputECN(r.now, &q.h, q.payload[:q.n], q.ce)
		r.fwd.pop()
	}
	for r.rev.len > 0 && r.rev.front().at <= r.now {
		q := r.rev.front()
		r.a.InputECN(r.now, &q.h, q.payload[:q.n], q.ce)
		r.rev.pop()
	}
	if d, on := r.a.Deadline(); on && d <= r.now {
		r.a.Tick(r.now)
	}
	if d, on := r.b.Deadline(); on && d <= r.now {
		r.b.Tick(r.now)
	}
	for r.a.Writable() > 0 {
		if _, err := r.a.Write(r.now, r.chunk); err != nil {
			break
		}
	}
	for r.b.Readable() > 0 {
		_, _ = r.b.Read(r.now, r.buf)
	}
	r.a.SegmentsECN(r.sendA)
	r.b.SegmentsECN(r.sendB)
	r.a.Events(r.drain)
	r.b.Events(r.drain)
}

// run plays until n more data segments reached B.
func (r *ccRig) run(n int) {
	for end := r.segs + n; r.segs < end; {
		r.step()
	}
}

// BenchmarkCongestion: one op is one data segment through the
// bottleneck rig with each congestion control (both Conns, the ACK and
// the harness); allocs/op are per segment in the steady state.
func BenchmarkCongestion(b *testing.B) {
	for _, name := range CongestionNames() {
		b.Run(name, func(b *testing.B) {
			r := newCCRig(b, name)
			b.ReportAllocs()
			b.ResetTimer()
			r.run(b.N)
		})
	}
}

// ccChunk is how many segments each algorithm moves in its turn of
// BenchmarkCongestionRatio: long enough to time, short enough that all
// see the same load from the rest of the machine.
const ccChunk = 2000

// BenchmarkCongestionRatio runs every congestion control's rig in turn,
// chunks of ccChunk segments each, rotating which goes first, and
// reports each one's ns per segment and its ratio to NewReno's and
// CUBIC's measured in the same run: the figures docs/performance.md
// gives. One op is one segment on each rig.
func BenchmarkCongestionRatio(b *testing.B) {
	names := CongestionNames()
	rigs := make([]*ccRig, len(names))
	for i, n := range names {
		rigs[i] = newCCRig(b, n)
	}
	spent := make([]time.Duration, len(names))
	b.ResetTimer()
	for done, turn := 0, 0; done < b.N; turn++ {
		k := min(ccChunk, b.N-done)
		for j := range rigs {
			i := (j + turn) % len(rigs)
			t0 := time.Now()
			rigs[i].run(k)
			spent[i] += time.Since(t0)
		}
		done += k
	}
	b.StopTimer()
	idx := func(name string) int {
		for i, n := range names {
			if n == name {
				return i
			}
		}
		b.Fatalf("no %s", name)
		return 0
	}
	newreno, cubic := spent[idx(CongestionNewReno)], spent[idx(CongestionCubic)]
	for i, n := range names {
		b.ReportMetric(float64(spent[i].Nanoseconds())/float64(b.N), n+"-ns/seg")
		b.ReportMetric(float64(spent[i])/float64(newreno), n+"/newreno")
		b.ReportMetric(float64(spent[i])/float64(cubic), n+"/cubic")
	}
}

// TestCongestionRigAllocatesNothing holds the zero-allocation target for
// every congestion control in the steady state of the bottleneck rig
// (drops, marks, recovery and pacing included).
func TestCongestionRigAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("3 s of a 100 Mbit/s transfer per congestion control: skipped in -short mode")
	}
	for _, name := range CongestionNames() {
		t.Run(name, func(t *testing.T) {
			r := newCCRig(t, name)
			before := r.segs
			// Runs of 4000 events, so that the count is of all their
			// allocations: AllocsPerRun divides in integers, and a run per
			// event would pass with an allocation on every ACK (one event
			// in two or three). No garbage collection meanwhile: it would
			// empty the pool the connection's queues come from. The
			// count is the process's, so the fewest of three runs is
			// taken: on a loaded machine the runtime or the test harness
			// may allocate once in a run, where an allocation of the
			// connection's comes back in every one.
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			allocs := math.Inf(1)
			for range 3 {
				allocs = min(allocs, testing.AllocsPerRun(1, func() {
					for range 4000 {
						r.step()
					}
				}))
			}
			require.Greater(t, r.segs-before, 1000, "data moved")
			require.Zero(t, allocs, "allocations in 4000 events")
		})
	}
}
