package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/btree"
)

// ErrPast is returned when an event or a run limit is asked for before Now.
var ErrPast = errors.New("sim: time is in the past")

// EventID names a scheduled event so that it can be cancelled. The zero
// value names no event.
type EventID struct {
	at  Time
	seq uint64
}

// Time returns the time the event was scheduled for.
func (id EventID) Time() Time { return id.at }

// IsZero reports whether id names no event.
func (id EventID) IsZero() bool { return id.seq == 0 }

type event struct {
	at  Time
	seq uint64
	fn  func()
}

func eventLess(a, b event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// btreeDegree was chosen by the hold benchmark (BenchmarkHold): wide nodes
// keep the tree shallow and the pops cache-friendly.
const btreeDegree = 32

// Scheduler runs events in order of (time, scheduling sequence number), so
// events at the same instant run in the order they were scheduled. It is not
// safe for concurrent use: a simulation is single-threaded by design.
type Scheduler struct {
	q         *btree.BTreeG[event]
	now       Time
	seq       uint64
	processed uint64
	stopped   bool
}

// NewScheduler returns an empty scheduler at time 0.
func NewScheduler() *Scheduler {
	return &Scheduler{q: btree.NewG(btreeDegree, eventLess)}
}

// Now returns the current simulated time: the time of the running event, or
// where the last Run or RunUntil left the clock.
func (s *Scheduler) Now() Time { return s.now }

// Pending returns the number of scheduled events that have not run.
func (s *Scheduler) Pending() int { return s.q.Len() }

// Processed returns the number of events that have run.
func (s *Scheduler) Processed() uint64 { return s.processed }

// At schedules fn to run at time t. Scheduling before Now returns ErrPast and
// changes nothing.
func (s *Scheduler) At(t Time, fn func()) (EventID, error) {
	if t < s.now {
		return EventID{}, fmt.Errorf("schedule at %v, now %v: %w", t, s.now, ErrPast)
	}
	if fn == nil {
		return EventID{}, errors.New("sim: schedule of a nil function")
	}
	s.seq++
	e := event{at: t, seq: s.seq, fn: fn}
	s.q.ReplaceOrInsert(e)
	return EventID{at: t, seq: e.seq}, nil
}

// After schedules fn to run d after Now. A negative d returns ErrPast.
func (s *Scheduler) After(d time.Duration, fn func()) (EventID, error) {
	if d < 0 {
		return EventID{}, fmt.Errorf("schedule after %v: %w", d, ErrPast)
	}
	return s.At(s.now.Add(d), fn)
}

// Cancel removes a pending event in O(log n) and reports whether it was
// pending. Cancelling an event that already ran, was already cancelled, or
// the zero EventID is a no-op that returns false.
func (s *Scheduler) Cancel(id EventID) bool {
	if id.seq == 0 {
		return false
	}
	_, ok := s.q.Delete(event{at: id.at, seq: id.seq})
	return ok
}

// Stop makes Run or RunUntil return after the running event finishes.
// Pending events stay scheduled; a later Run continues with them.
func (s *Scheduler) Stop() { s.stopped = true }

// Run runs events until none is pending or Stop is called.
func (s *Scheduler) Run() {
	s.run(MaxTime)
}

// RunUntil runs every event scheduled at or before t, then sets the clock to
// t (unless Stop was called, which leaves the clock at the stopping event).
// A t before Now returns ErrPast and runs nothing.
func (s *Scheduler) RunUntil(t Time) error {
	if t < s.now {
		return fmt.Errorf("run until %v, now %v: %w", t, s.now, ErrPast)
	}
	if s.run(t) {
		s.now = t
	}
	return nil
}

// run reports whether it ended because no event remained at or before limit.
func (s *Scheduler) run(limit Time) bool {
	s.stopped = false
	for !s.stopped {
		e, ok := s.q.Min()
		if !ok || e.at > limit {
			return true
		}
		s.q.DeleteMin()
		s.now = e.at
		s.processed++
		e.fn()
	}
	return false
}
