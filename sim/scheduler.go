package sim

import (
	"fmt"
	"math/bits"
	"time"
)

// EventID names a scheduled event so that it can be cancelled. The zero
// value names no event. IDs are comparable values; an ID names one event of
// one scheduler forever (sequence numbers are never reused).
type EventID struct {
	s    *Scheduler
	at   Time
	seq  uint64
	slot int32 // where the event's function is kept while it is pending
}

// Time returns the time the event was scheduled for.
func (id EventID) Time() Time { return id.at }

// IsZero reports whether id names no event.
func (id EventID) IsZero() bool { return id.seq == 0 }

// entry is one element of the queue: the event's key and the slot that
// holds its function. Keys live in the heap itself, so that ordering the
// heap reads nothing else.
type entry struct {
	at   Time
	seq  uint64
	slot int32
}

// before orders events by time, then by scheduling sequence number, so
// that ties run first-scheduled first (architecture.md, determinism rule 2).
// (time, sequence) is a total order: any correct priority queue runs the
// events in the same order.
func (a *entry) before(b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// slot holds a pending event's function (or its Timer) and its position
// in the heap, so that an EventID finds its event in O(1) to cancel or
// move it. seq is the sequence number of the event in the slot (0 when
// the slot is free): an EventID whose seq differs names an event that
// already ran or was cancelled.
type slot struct {
	fn func()
	// t is the timer whose expiry the event is (fn is then nil): the
	// scheduler calls the timer's handler itself, without a closure of
	// its own to read.
	t   *Timer
	seq uint64
	// pos is the entry's position: i in the near heap, or ^i (below
	// zero) in the far one.
	pos int32
}

// arity is the heap's number of children per node. A 4-ary heap is half
// as deep as a binary one, and a node's four 24-byte children span one or
// two cache lines; measured with BenchmarkHoldRatio, it beats both the
// binary heap and the B-tree this scheduler used before at every N from
// 1e3 to 1e6.
const arity = 4

// Scheduler runs events in order of (time, scheduling sequence number), so
// events at the same instant run in the order they were scheduled. The
// queue is two indexed 4-ary min-heaps: the near heap holds the events
// due up to farBound, the far heap those due after it (a
// connection's retransmission, delayed-ACK, keepalive and TIME-WAIT
// timers, tens of milliseconds to minutes away). Events move from the
// far heap to the near one as the clock comes within horizon of them,
// so that the events of every packet (a link's, due within a few
// milliseconds) sift through a heap of the few events due soon rather
// than through every timer of a thousand connections. The running event
// is always the near heap's earliest, which is earlier than every far
// event: the order is the total order of (time, sequence number), the
// same whichever heap held an event. Scheduling, cancelling, re-arming
// a Timer earlier and running an event are O(log n), re-arming a Timer
// later is O(1) (its entry catches up when it reaches the root: see
// reschedule), and none allocates in steady state (the heaps and slots
// are reused; they grow to the largest number of events pending at
// once).
//
// A Scheduler is not safe for concurrent use: a simulation is
// single-threaded by design. The zero value is not usable; call
// NewScheduler.
type Scheduler struct {
	near  queueHeap
	far   queueHeap
	slots []slot
	free  []int32 // slots of events that ran or were cancelled
	// farBound: every near entry's key is at or before it, and every far
	// entry's after it. It only grows (refill, push).
	farBound Time
	// refillAt is farBound less half the horizon: from then on, refill
	// moves farBound on.
	refillAt Time
	// horizon is how far ahead of the clock refill keeps farBound.
	horizon Time
	// spent says near.e[0] is the event running now, kept in place while
	// it runs: the first event it schedules replaces it (one sift instead
	// of a removal and an insertion, for the timers that re-arm
	// themselves on every packet), else it is removed when it returns.
	// Its key is below every other, so it never moves meanwhile.
	spent     bool
	now       Time
	seq       uint64
	processed uint64
	running   bool
	stopped   bool
	// halted: the last Run or RunUntil returned because an event called
	// Stop (Stopped).
	halted bool
}

// farHorizon is how far ahead of the clock an event must be due to wait
// in the far heap: beyond a link's propagation delay and serialization
// on a LAN or a datacenter path (the events of every packet), below a
// delayed ACK (40 ms) or a retransmission timeout (200 ms or more), which
// a thousand connections keep pending and mostly re-arm or cancel before
// they expire.
const farHorizon = Time(4 * time.Millisecond)

// NewScheduler returns an empty scheduler at time 0.
func NewScheduler() *Scheduler {
	return &Scheduler{far: queueHeap{mask: -1}, horizon: farHorizon}
}

// Now returns the current simulated time: the time of the running event, or
// where the last Run or RunUntil left the clock.
func (s *Scheduler) Now() Time { return s.now }

// Pending returns the number of scheduled events that have not run.
func (s *Scheduler) Pending() int {
	n := len(s.near.e) + len(s.far.e)
	if s.spent {
		return n - 1
	}
	return n
}

// Processed returns the number of events that have run.
func (s *Scheduler) Processed() uint64 { return s.processed }

// Running reports whether the scheduler is inside Run or RunUntil, that is,
// whether the caller is an event.
func (s *Scheduler) Running() bool { return s.running }

// Next returns the time of the earliest pending event, and false if none is
// pending.
func (s *Scheduler) Next() (Time, bool) {
	if s.spent {
		// Called from the running event: its entry leaves now rather
		// than at the first event it schedules.
		s.spent = false
		s.near.remove(s.slots, 0)
	}
	for {
		s.refill()
		if len(s.near.e) == 0 {
			return 0, false
		}
		if !s.stale(0) {
			return s.near.e[0].at, true
		}
		s.settle()
	}
}

// stale reports whether the near entry at position i holds an earlier
// key than its event's: a timer re-armed later, whose entry stays where
// it was until it reaches the root (reschedule).
func (s *Scheduler) stale(i int) bool {
	e := &s.near.e[i]
	return s.slots[e.slot].seq != e.seq
}

// settle gives the stale entry at the near root its timer's key and
// sifts it down, or moves it to the far heap if the key is due there:
// the lazy half of a re-arm (reschedule). The key is the one the re-arm
// drew, sequence number included, so the timer runs exactly where an
// eager re-arm would have put it.
func (s *Scheduler) settle() {
	e := &s.near.e[0]
	sl := &s.slots[e.slot]
	e.at, e.seq = sl.t.at, sl.seq
	if e.at > s.farBound {
		moved := *e
		s.near.remove(s.slots, 0)
		s.far.push(s.slots, moved)
		return
	}
	s.near.down(s.slots, 0)
}

// ahead returns the time a horizon after t, or MaxTime.
func (s *Scheduler) ahead(t Time) Time {
	return t + min(s.horizon, MaxTime-t)
}

// refill keeps the near heap's root the earliest pending event. When the
// near heap is empty, or the clock has come within half the horizon of
// farBound, farBound moves to a horizon after the clock (or after the
// earliest far event, when none is due sooner) and the far events due by
// then move to the near heap.
func (s *Scheduler) refill() {
	if len(s.far.e) == 0 || len(s.near.e) > 0 && s.now < s.refillAt {
		return
	}
	s.setBound(max(s.farBound, s.ahead(s.now)))
	for {
		s.drain()
		if len(s.near.e) > 0 || len(s.far.e) == 0 {
			return
		}
		// Nothing due within the horizon: go on to the earliest far
		// event, which is after farBound.
		s.setBound(s.ahead(s.far.e[0].at))
	}
}

// setBound moves farBound to b, which is not before it; the caller moves
// the far events due by b to the near heap (drain) unless there is none.
func (s *Scheduler) setBound(b Time) {
	s.farBound = b
	s.refillAt = b - s.horizon/2
}

// drain moves the far events due by farBound to the near heap. A far
// entry of a timer re-armed later takes its new key on the way (settle),
// and stays far if that is after farBound.
func (s *Scheduler) drain() {
	for len(s.far.e) > 0 && s.far.e[0].at <= s.farBound {
		e := s.far.e[0]
		s.far.remove(s.slots, 0)
		if sl := &s.slots[e.slot]; sl.seq != e.seq {
			e.at, e.seq = sl.t.at, sl.seq
			if e.at > s.farBound {
				s.far.push(s.slots, e)
				continue
			}
		}
		s.near.push(s.slots, e)
	}
}

// At schedules fn to run at time t and returns the event's ID. An event at
// Now, scheduled from inside an event, runs after every event already
// scheduled for Now. Scheduling before Now returns ErrPast and a nil fn
// ErrNilFunc; either changes nothing.
func (s *Scheduler) At(t Time, fn func()) (EventID, error) {
	if t < s.now {
		return EventID{}, fmt.Errorf("schedule at %v, now %v: %w", t, s.now, ErrPast)
	}
	if fn == nil {
		return EventID{}, fmt.Errorf("schedule at %v: %w", t, ErrNilFunc)
	}
	return s.push(t, fn, nil), nil
}

// push schedules fn, or the expiry of timer tm, at t, which the caller
// checked.
func (s *Scheduler) push(t Time, fn func(), tm *Timer) EventID {
	s.seq++
	var k int32
	if n := len(s.free); n > 0 {
		k = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		k = int32(len(s.slots))
		s.slots = append(s.slots, slot{})
	}
	e := entry{at: t, seq: s.seq, slot: k}
	s.slots[k] = slot{fn: fn, t: tm, seq: s.seq}
	if t > s.farBound {
		if len(s.far.e) == 0 {
			// Nothing is far: farBound may move ahead of the clock
			// at no cost, so that an event due soon is not sent far
			// and back.
			s.setBound(max(s.farBound, s.ahead(s.now)))
		}
		if t > s.farBound {
			s.far.push(s.slots, e)
			return EventID{s: s, at: t, seq: s.seq, slot: k}
		}
	}
	switch {
	case s.spent:
		// The running event's place: the new key is above it, so
		// sifting down from the root puts it right.
		s.spent = false
		s.near.put(s.slots, 0, e)
		s.near.down(s.slots, 0)
	default:
		s.near.push(s.slots, e)
	}
	return EventID{s: s, at: t, seq: s.seq, slot: k}
}

// After schedules fn to run d after Now. A negative d returns ErrPast, a
// time beyond MaxTime ErrTimeOverflow, a nil fn ErrNilFunc; any of them
// changes nothing.
func (s *Scheduler) After(d time.Duration, fn func()) (EventID, error) {
	if d < 0 {
		return EventID{}, fmt.Errorf("schedule after %v: %w", d, ErrPast)
	}
	if Time(d) > MaxTime-s.now {
		return EventID{}, fmt.Errorf("schedule after %v, now %v: %w", d, s.now, ErrTimeOverflow)
	}
	return s.At(s.now+Time(d), fn)
}

// pending returns the slot of the event id names if it is still pending,
// and nil otherwise.
func (s *Scheduler) pending(id EventID) *slot {
	if id.seq == 0 || id.s != s || int(id.slot) >= len(s.slots) {
		return nil
	}
	if sl := &s.slots[id.slot]; sl.seq == id.seq {
		return sl
	}
	return nil
}

// Cancel removes a pending event in O(log n) and reports whether it was
// pending. Cancelling an event that already ran or was already cancelled,
// the zero EventID, or an ID from another scheduler is a no-op that returns
// false.
func (s *Scheduler) Cancel(id EventID) bool {
	sl := s.pending(id)
	if sl == nil {
		return false
	}
	s.heapOf(sl).remove(s.slots, sl.index())
	s.release(id.slot)
	return true
}

// reschedule moves the pending expiry id of timer tm to time t (at or
// after Now) with a new sequence number, exactly as cancelling it and
// scheduling it at t would order it. An id no longer pending schedules
// the expiry anew.
//
// A move to a later time is lazy, as Linux's sk_reset_timer only moves a
// timer's expiry: the entry keeps its place and its old key, which is
// below the new one, and the timer holds the new key (its time, and the
// sequence number drawn now, as an eager move would draw it). When the
// entry reaches the root, run gives it the new key and sifts it down
// (settle) instead of running it. Events therefore run in the same order
// as if every re-arm had moved the entry at once, but a timer re-armed on
// every ACK (the retransmission timer) touches the heap once per expiry
// instead of once per ACK. A move to an earlier time sifts the entry up
// at once.
func (s *Scheduler) reschedule(id EventID, t Time, tm *Timer) EventID {
	sl := s.pending(id)
	if sl == nil {
		return s.push(t, nil, tm)
	}
	s.seq++
	sl.seq = s.seq
	if t < id.at {
		// The entry's key is at most the old expiry's: it may be above
		// the new one.
		h, i := s.heapOf(sl), sl.index()
		if e := &h.e[i]; t < e.at {
			e.at, e.seq = t, s.seq
			if h == &s.far && t <= s.farBound {
				moved := *e
				h.remove(s.slots, i)
				s.near.push(s.slots, moved)
			} else {
				h.up(s.slots, i)
			}
		}
	}
	// Else the entry holds a key below the new one (the same time and an
	// older sequence number at least): it stays, stale, until settled.
	return EventID{s: s, at: t, seq: s.seq, slot: id.slot}
}

// release frees slot k for a later event.
func (s *Scheduler) release(k int32) {
	s.slots[k] = slot{}
	s.free = append(s.free, k)
}

// queueHeap is an indexed 4-ary min-heap of entries: each entry's slot holds
// its position (slot.pos), so that an EventID finds it in O(1).
type queueHeap struct {
	e []entry
	// mask is XORed into the positions stored in the slots: 0 for the
	// near heap, -1 for the far one (whose positions are then ^i, below
	// zero).
	mask int32
}

// heapOf returns the heap that holds the pending event of sl.
func (s *Scheduler) heapOf(sl *slot) *queueHeap {
	if sl.pos < 0 {
		return &s.far
	}
	return &s.near
}

// index returns the position of sl's entry in its heap.
func (sl *slot) index() int {
	if sl.pos < 0 {
		return int(^sl.pos)
	}
	return int(sl.pos)
}

// push adds e to the heap.
func (h *queueHeap) push(slots []slot, e entry) {
	i := len(h.e)
	h.e = append(h.e, e)
	h.up(slots, i)
}

// remove takes the entry at position i out of the heap.
func (h *queueHeap) remove(slots []slot, i int) {
	last := len(h.e) - 1
	if i != last {
		h.put(slots, i, h.e[last])
	}
	h.e = h.e[:last]
	if i < last {
		if i > 0 && h.e[i].before(&h.e[(i-1)/arity]) {
			h.up(slots, i)
		} else {
			h.down(slots, i)
		}
	}
}

// put stores e at position i and records the position in its slot.
func (h *queueHeap) put(slots []slot, i int, e entry) {
	h.e[i] = e
	slots[e.slot].pos = int32(i) ^ h.mask
}

// up moves the entry at i toward the root until its parent is earlier.
func (h *queueHeap) up(slots []slot, i int) {
	e := h.e[i]
	for i > 0 {
		p := (i - 1) / arity
		if !e.before(&h.e[p]) {
			break
		}
		h.put(slots, i, h.e[p])
		i = p
	}
	h.put(slots, i, e)
}

// down moves the entry at i toward the leaves until no child is earlier.
func (h *queueHeap) down(slots []slot, i int) {
	e := h.e[i]
	for {
		m := h.earliestChild(i)
		if m < 0 || !h.e[m].before(&e) {
			break
		}
		h.put(slots, i, h.e[m])
		i = m
	}
	h.put(slots, i, e)
}

// tournamentMax is the largest heap whose nodes pick their earliest child
// by a tournament (earliestChild): 1.5 MB of entries, which the second
// level cache holds.
const tournamentMax = 1 << 16

// earliestChild returns the position of the earliest child of position
// i, or -1 for a leaf. In a heap that the caches hold, a node with all
// four children picks the earliest by a tournament without branches
// (earlier): which child is earliest is as good as random when a
// thousand flows' events interleave, and a mispredicted branch per
// comparison cost more than the comparisons. A larger heap waits for
// memory at every level, and there the branches win: the processor
// follows the predicted child and loads the next level meanwhile, where
// the tournament's answer must come first (BenchmarkHoldRatio at 1e6
// events: 1.27-1.56 of the plain heap's time with the tournament, 0.86-1.16
// without, 1.01-1.12 with this limit; docs/performance.md).
func (h *queueHeap) earliestChild(i int) int {
	es := h.e
	c := arity*i + 1
	if c+arity <= len(es) && len(es) <= tournamentMax {
		q := es[c : c+arity : c+arity]
		a := c + int(earlier(&q[1], &q[0]))
		b := c + 2 + int(earlier(&q[3], &q[2]))
		return a + int(earlier(&es[b], &es[a]))*(b-a)
	}
	if c >= len(es) {
		return -1
	}
	m := c
	for j := c + 1; j < c+arity && j < len(es); j++ {
		if es[j].before(&es[m]) {
			m = j
		}
	}
	return m
}

// earlier is a.before(b) as 1 or 0, computed without a branch: (at,
// seq) compared as one 128-bit number, the borrow of a - b. Times in the
// queue are never negative (nothing is scheduled before time 0), so
// they compare as unsigned numbers.
func earlier(a, b *entry) uint64 {
	_, borrow := bits.Sub64(a.seq, b.seq, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// Stop makes the Run or RunUntil in progress return once the running event
// finishes. Pending events stay scheduled; a later Run continues with them.
// Called outside a run, Stop does nothing.
func (s *Scheduler) Stop() {
	if s.running {
		s.stopped = true
	}
}

// Run runs events in order until none is pending or an event calls Stop.
// The clock is left at the last event run. Called from inside an event,
// Run does nothing: runs do not nest.
func (s *Scheduler) Run() {
	if s.running {
		return
	}
	s.halted = !s.run(MaxTime)
}

// Stopped reports whether the last Run or RunUntil returned because an
// event called Stop, rather than because no event was left due: a caller
// that runs in steps (RunUntil) tells so a Stop at the very end of a step,
// where the clock says nothing.
func (s *Scheduler) Stopped() bool { return s.halted }

// RunUntil runs every event scheduled at or before t, including events
// those events schedule at or before t, then sets the clock to t. If an
// event calls Stop, RunUntil returns at once and leaves the clock at that
// event. A t before Now returns ErrPast, and a call from inside an event
// ErrRunning; either runs nothing.
func (s *Scheduler) RunUntil(t Time) error {
	if s.running {
		return fmt.Errorf("run until %v: %w", t, ErrRunning)
	}
	if t < s.now {
		return fmt.Errorf("run until %v, now %v: %w", t, s.now, ErrPast)
	}
	s.halted = !s.run(t)
	if !s.halted {
		s.now = t
	}
	return nil
}

// run runs events up to limit and reports whether it ended because no
// event remained at or before limit (rather than by Stop).
func (s *Scheduler) run(limit Time) bool {
	s.running, s.stopped = true, false
	defer func() {
		if s.spent { // an event panicked
			s.spent = false
			s.near.remove(s.slots, 0)
		}
		s.running, s.stopped = false, false
	}()
	for !s.stopped {
		if len(s.far.e) > 0 && (len(s.near.e) == 0 || s.now >= s.refillAt) {
			s.refill()
		}
		if len(s.near.e) == 0 || s.near.e[0].at > limit {
			return true
		}
		e := s.near.e[0]
		sl := &s.slots[e.slot]
		if sl.seq != e.seq {
			// A timer re-armed later: its entry takes the new key and
			// goes down to it (reschedule); nothing runs.
			s.settle()
			continue
		}
		fn, tm := sl.fn, sl.t
		s.release(e.slot)
		s.spent = true
		s.now = e.at
		s.processed++
		if tm != nil {
			tm.expire()
		} else {
			fn()
		}
		if s.spent {
			s.spent = false
			s.near.remove(s.slots, 0)
		}
	}
	return false
}
