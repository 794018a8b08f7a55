package sim

import (
	"container/heap"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The hold workload (ns-3's bench-scheduler, Vaucher and Duval's classic
// priority-queue benchmark): keep n events pending; each step pops the
// earliest and schedules one new event at now + a random delay. Both the
// scheduler and the container/heap baseline draw their delays from the same
// fixed-seed table, so the two measure the queue, not the generator.

// holdSizes are the numbers of pending events the issue asks for.
var holdSizes = []int{1_000, 100_000, 1_000_000}

// holdDelayMask sizes the delay table: 64Ki entries, cycled.
const holdDelayMask = 1<<16 - 1

// holdDelays returns a fixed-seed table of exponential delays with a mean of
// 1ms, at least 1ns each (ns-3's hold model uses an exponential increment).
func holdDelays() []Time {
	r := rand.New(rand.NewPCG(1, 2))
	d := make([]Time, holdDelayMask+1)
	for i := range d {
		d[i] = Time(r.ExpFloat64()*float64(time.Millisecond)) + 1
	}
	return d
}

// holdQueue is one queue under the hold workload: fill schedules n events,
// run pops, runs and replaces k events.
type holdQueue interface {
	fill(n int)
	run(k int)
	pending() int
}

// holdSched drives the Scheduler.
type holdSched struct {
	s         *Scheduler
	delays    []Time
	i         int
	remaining int
	step      func()
	err       error
}

func newHoldSched() *holdSched {
	h := &holdSched{s: NewScheduler(), delays: holdDelays()}
	// One func value is reused for every event: the benchmark measures the
	// queue, not closure allocation.
	h.step = func() {
		if _, err := h.s.At(h.s.Now()+h.delays[h.i&holdDelayMask], h.step); err != nil {
			h.err = err
		}
		h.i++
		if h.remaining--; h.remaining == 0 {
			h.s.Stop()
		}
	}
	return h
}

func (h *holdSched) fill(n int) {
	for k := 0; k < n; k++ {
		if _, err := h.s.At(h.s.Now()+h.delays[h.i&holdDelayMask], h.step); err != nil {
			h.err = err
		}
		h.i++
	}
}

func (h *holdSched) run(k int) {
	h.remaining = k
	h.s.Run()
}

func (h *holdSched) pending() int { return h.s.Pending() }

// heapEvent and eventHeap are the baseline: a plain binary heap from
// container/heap over a slice of event values, ordered like the scheduler.
type heapEvent struct {
	at  Time
	seq uint64
	fn  func()
}

type eventHeap []heapEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push and Pop satisfy heap.Interface. The hold loop does not call them:
// boxing a heapEvent into an interface allocates, so the baseline appends
// and truncates the slice itself and restores order with heap.Fix, the
// fastest allocation-free way to use container/heap. The baseline cannot
// cancel an event; the scheduler can, in O(log n).
func (h *eventHeap) Push(x any) { *h = append(*h, x.(heapEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// holdHeap is the baseline scheduler: the same loop as Scheduler.run.
type holdHeap struct {
	h         eventHeap
	now       Time
	seq       uint64
	stopped   bool
	delays    []Time
	i         int
	remaining int
	step      func()
}

func newHoldHeap() *holdHeap {
	h := &holdHeap{delays: holdDelays()}
	h.step = func() {
		h.at(h.now+h.delays[h.i&holdDelayMask], h.step)
		h.i++
		if h.remaining--; h.remaining == 0 {
			h.stopped = true
		}
	}
	return h
}

func (h *holdHeap) at(t Time, fn func()) {
	h.seq++
	h.h = append(h.h, heapEvent{at: t, seq: h.seq, fn: fn})
	heap.Fix(&h.h, len(h.h)-1)
}

func (h *holdHeap) fill(n int) {
	h.h = slices.Grow(h.h, n+1)
	for k := 0; k < n; k++ {
		h.at(h.now+h.delays[h.i&holdDelayMask], h.step)
		h.i++
	}
}

func (h *holdHeap) run(k int) {
	h.remaining = k
	h.stopped = false
	for !h.stopped && len(h.h) > 0 {
		e := h.h[0]
		last := len(h.h) - 1
		h.h[0] = h.h[last]
		h.h[last] = heapEvent{}
		h.h = h.h[:last]
		if last > 0 {
			heap.Fix(&h.h, 0)
		}
		h.now = e.at
		e.fn()
	}
}

func (h *holdHeap) pending() int { return len(h.h) }

// warmHold fills q with n events and runs n steps, so that the queue's
// shape (and the scheduler's slots) is in steady state before timing.
func warmHold(q holdQueue, n int) {
	q.fill(n)
	q.run(n)
}

// benchHold times b.N steps of the hold workload on q.
func benchHold(b *testing.B, q holdQueue, n int) {
	warmHold(q, n)
	b.ReportAllocs()
	b.ResetTimer()
	q.run(b.N)
	b.StopTimer()
	if q.pending() != n {
		b.Fatalf("pending %d, want %d", q.pending(), n)
	}
	if h, ok := q.(*holdSched); ok && h.err != nil {
		b.Fatal(h.err)
	}
}

// BenchmarkHold measures ns/event and allocs/event of the scheduler and of
// the container/heap baseline on the hold workload (one op = one event
// popped, run and replaced).
func BenchmarkHold(b *testing.B) {
	for _, n := range holdSizes {
		name := "N=" + strconv.Itoa(n)
		b.Run("sched/"+name, func(b *testing.B) { benchHold(b, newHoldSched(), n) })
		b.Run("heap/"+name, func(b *testing.B) { benchHold(b, newHoldHeap(), n) })
	}
}

// holdChunk is the number of events each queue runs in turn in
// BenchmarkHoldRatio: long enough to time, short enough that both queues
// see the same load from the rest of the machine.
const holdChunk = 20_000

// BenchmarkHoldRatio runs the hold workload on the scheduler and on the
// heap baseline side by side, alternating chunks of holdChunk events, and
// reports each one's ns/event and their ratio (sched/heap). Interleaving
// makes the ratio robust on a shared machine, where separate benchmarks
// minutes apart see different loads. One op is one event on each queue.
func BenchmarkHoldRatio(b *testing.B) {
	for _, n := range holdSizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			bt, hp := newHoldSched(), newHoldHeap()
			warmHold(bt, n)
			warmHold(hp, n)
			b.ReportAllocs()
			b.ResetTimer()
			var tb, th time.Duration
			for done := 0; done < b.N; {
				k := min(holdChunk, b.N-done)
				// Alternate which queue goes first so that neither always
				// runs right after the other's cache misses.
				first, second, tf, ts := holdQueue(bt), holdQueue(hp), &tb, &th
				if (done/holdChunk)%2 == 1 {
					first, second, tf, ts = hp, bt, &th, &tb
				}
				t0 := time.Now()
				first.run(k)
				t1 := time.Now()
				second.run(k)
				t2 := time.Now()
				*tf += t1.Sub(t0)
				*ts += t2.Sub(t1)
				done += k
			}
			b.StopTimer()
			if bt.err != nil {
				b.Fatal(bt.err)
			}
			b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "sched-ns/event")
			b.ReportMetric(float64(th.Nanoseconds())/float64(b.N), "heap-ns/event")
			b.ReportMetric(float64(tb)/float64(th), "sched/heap")
		})
	}
}

// BenchmarkTimerReset measures re-arming a timer, as TCP does on every ACK
// of a bulk transfer, with 1000 other events pending.
func BenchmarkTimerReset(b *testing.B) {
	s := NewScheduler()
	nop := func() {}
	for k := 0; k < 1000; k++ {
		if _, err := s.At(Time(k)*Time(time.Microsecond), nop); err != nil {
			b.Fatal(err)
		}
	}
	t := s.NewTimer(nop)
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		if err := t.Reset(Time(k%4096) * Time(time.Microsecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONLEmit measures writing the records of every kind, one of
// each per iteration.
func BenchmarkJSONLEmit(b *testing.B) {
	w := NewJSONLWriter(io.Discard)
	recs := append([]Record(nil), everyKind...)
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		for i := range recs {
			recs[i].T = Time(k)
			w.Emit(&recs[i])
		}
	}
	b.StopTimer()
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFingerprint measures the fingerprint of the records of every
// kind, one of each per iteration.
func BenchmarkFingerprint(b *testing.B) {
	f := NewFingerprint()
	recs := append([]Record(nil), everyKind...)
	b.ReportAllocs()
	for k := 0; k < b.N; k++ {
		for i := range recs {
			recs[i].T = Time(k)
			f.Emit(&recs[i])
		}
	}
}

// BenchmarkAppendJSONL measures encoding the records of a bulk transfer's
// data packet (send, enqueue, transmit, arrival, delivery) as JSONL lines,
// without the sha256 and the write of BenchmarkJSONLEmit.
func BenchmarkAppendJSONL(b *testing.B) {
	var recs []Record
	for _, r := range everyKind {
		switch r.Kind() {
		case KindPacketSend, KindPacketEnqueue, KindPacketTx, KindPacketRx, KindPacketDeliver:
			recs = append(recs, r)
		}
	}
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	for k := 0; b.Loop(); k++ {
		buf = buf[:0]
		for i := range recs {
			recs[i].T = Time(1_234_567_890 + 12_000*k) // a time a second into a run
			buf = AppendJSONL(buf, &recs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// bulkRecords returns the records a bulk transfer makes for two data
// packets and the ACK of both, in the order and with the subjects (one
// string per producer, as the producers keep them) of a 1 Gbps run.
func bulkRecords() []Record {
	client, server := "host/client", "host/server"
	up, down := "link/lan/client>server", "link/lan/server>client"
	sink := "app/server/sink"
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	ts := rawOpts(1, 1, 8, 10, 0x77, 0x6a, 0x1b, 0x03, 0x07, 0xe6, 0x8d, 0x5e)
	var recs []Record
	t := Time(1_234_567_890)
	add := func(dt Time, subject string, e Event) {
		t += dt
		recs = append(recs, Record{T: t, Subject: subject, Event: e})
	}
	for i := range 2 {
		id := uint64(100_000 + 3*i)
		rseq := uint64(1_000_000_000 + 1448*i)
		add(0, client, &PacketSend{ID: id, Iface: "eth0", Len: 1500, Src: a, Dst: b, Proto: 6, SPort: 49152, DPort: 5001,
			Flags: TCPFlagACK, Seq: uint32(rseq + 12345), Ack: 987654, RSeq: rseq, RAck: 1, Win: 501, PLen: 1448, Opts: ts, Conn: 1})
		add(0, up, &PacketEnqueue{ID: id, Len: 1500, QLen: 1843, QBytes: 2764500})
		add(12_000, up, &PacketTx{ID: id, Len: 1500, QLen: 1842, QBytes: 2763000, Arrive: t + 5_024_000})
		add(5_024_000, up, &PacketRx{ID: id, Len: 1500})
		add(0, server, &PacketDeliver{ID: id, Iface: "eth0", Len: 1500, Conn: 1})
		add(0, sink, &App{Event: AppRecv, Has: AppHasConn | AppHasBytes | AppHasTotal, Conn: 1, Bytes: 1448, Total: int64(rseq) + 1448})
	}
	add(0, server, &PacketSend{ID: 100_006, Iface: "eth0", Len: 52, Src: b, Dst: a, Proto: 6, SPort: 5001, DPort: 49152,
		Flags: TCPFlagACK, Seq: 987654, Ack: 1_000_012_345 + 2896, RSeq: 1, RAck: 1_000_002_896, Win: 24567, Opts: ts, Conn: 1})
	add(0, down, &PacketEnqueue{ID: 100_006, Len: 52})
	add(0, down, &PacketTx{ID: 100_006, Len: 52, Arrive: t + 5_000_416})
	add(5_000_416, down, &PacketRx{ID: 100_006, Len: 52})
	add(0, client, &PacketDeliver{ID: 100_006, Iface: "eth0", Len: 52, Conn: 1})
	add(0, client, &TCPRTT{Conn: 1, Side: "client", Sample: 32_456_789, SRTT: 32_000_123, RTTVar: 1_234_567, RTO: 232_000_123})
	add(0, client, &TCPCwnd{Conn: 1, Side: "client", Cwnd: 4_123_456, Ssthresh: 3_987_654, Reason: "ack"})
	add(0, client, &TCPRate{Conn: 1, Side: "client", Delivered: 2_896_000, Interval: 32_456_789, Rate: 713_456_789,
		RTT: 32_456_789, Inflight: 4_000_000, Lost: 0})
	return recs
}

// BenchmarkFingerprintBulk measures the fingerprint of a bulk transfer's
// records (bulkRecords), per record.
func BenchmarkFingerprintBulk(b *testing.B) {
	f := NewFingerprint()
	recs := bulkRecords()
	for b.Loop() {
		for i := range recs {
			f.Emit(&recs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// BenchmarkJSONLBulk measures writing a bulk transfer's records
// (bulkRecords) as JSONL, per record, sha256 included.
func BenchmarkJSONLBulk(b *testing.B) {
	w := NewJSONLWriter(io.Discard)
	recs := bulkRecords()
	for b.Loop() {
		for i := range recs {
			w.Emit(&recs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendJSONLBulk measures encoding a bulk transfer's records
// (bulkRecords) as JSONL, per record, without the head cache, the sha256
// and the write.
func BenchmarkAppendJSONLBulk(b *testing.B) {
	recs := bulkRecords()
	buf := make([]byte, 0, 64<<10)
	for b.Loop() {
		buf = buf[:0]
		for i := range recs {
			buf = AppendJSONL(buf, &recs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
