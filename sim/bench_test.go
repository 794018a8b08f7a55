package sim

import (
	"container/heap"
	"io"
	"math/rand/v2"
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

// holdScheduler runs the hold workload on a Scheduler: it fills n events,
// warms the tree up with n steps so its shape is in steady state, then
// times b.N steps (one op = one event popped, run and replaced).
func holdScheduler(b *testing.B, n int) {
	delays := holdDelays()
	s := NewScheduler()
	var i, remaining int
	var step func()
	// One func value is reused for every event: the benchmark measures the
	// queue, not closure allocation.
	step = func() {
		if _, err := s.At(s.Now()+delays[i&holdDelayMask], step); err != nil {
			b.Fatal(err)
		}
		i++
		remaining--
		if remaining == 0 {
			s.Stop()
		}
	}
	for k := 0; k < n; k++ {
		if _, err := s.At(delays[i&holdDelayMask], step); err != nil {
			b.Fatal(err)
		}
		i++
	}
	remaining = n
	s.Run()
	b.ReportAllocs()
	b.ResetTimer()
	remaining = b.N
	s.Run()
	b.StopTimer()
	if s.Pending() != n {
		b.Fatalf("pending %d, want %d", s.Pending(), n)
	}
}

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
// fastest allocation-free way to use container/heap.
func (h *eventHeap) Push(x any) { *h = append(*h, x.(heapEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// heapSched is the baseline scheduler: the same loop as Scheduler.run.
type heapSched struct {
	h       eventHeap
	now     Time
	seq     uint64
	stopped bool
}

func (s *heapSched) at(t Time, fn func()) {
	s.seq++
	s.h = append(s.h, heapEvent{at: t, seq: s.seq, fn: fn})
	heap.Fix(&s.h, len(s.h)-1)
}

func (s *heapSched) run() {
	s.stopped = false
	for !s.stopped && len(s.h) > 0 {
		e := s.h[0]
		last := len(s.h) - 1
		s.h[0] = s.h[last]
		s.h[last] = heapEvent{}
		s.h = s.h[:last]
		if last > 0 {
			heap.Fix(&s.h, 0)
		}
		s.now = e.at
		e.fn()
	}
}

// holdHeap runs the hold workload on the container/heap baseline.
func holdHeap(b *testing.B, n int) {
	delays := holdDelays()
	s := &heapSched{h: make(eventHeap, 0, n+1)}
	var i, remaining int
	var step func()
	step = func() {
		s.at(s.now+delays[i&holdDelayMask], step)
		i++
		remaining--
		if remaining == 0 {
			s.stopped = true
		}
	}
	for k := 0; k < n; k++ {
		s.at(delays[i&holdDelayMask], step)
		i++
	}
	remaining = n
	s.run()
	b.ReportAllocs()
	b.ResetTimer()
	remaining = b.N
	s.run()
	b.StopTimer()
	if len(s.h) != n {
		b.Fatalf("pending %d, want %d", len(s.h), n)
	}
}

// BenchmarkHold measures ns/event and allocs/event of the scheduler and of
// the container/heap baseline on the hold workload, in one run so that the
// README can quote their ratio.
func BenchmarkHold(b *testing.B) {
	for _, n := range holdSizes {
		name := "N=" + strconv.Itoa(n)
		b.Run("btree/"+name, func(b *testing.B) { holdScheduler(b, n) })
		b.Run("heap/"+name, func(b *testing.B) { holdHeap(b, n) })
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

// BenchmarkJSONLEmit measures writing one typical packet record.
func BenchmarkJSONLEmit(b *testing.B) {
	w := NewJSONLWriter(io.Discard)
	r := &Record{Kind: KindPacketTx, Subject: "link/uplink/a>b", Fields: []Field{
		Int("id", 42), Int("len", 1500), Int("qlen", 3), Int("qbytes", 4500),
		Int("arrive", 120_000_000), Float("util", 0.25), Bool("ecn", false),
		String("note", "tab\there"),
	}}
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		r.T = Time(k)
		w.Emit(r)
	}
	b.StopTimer()
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}
