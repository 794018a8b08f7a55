package sim

import (
	"fmt"
	"time"
)

// Timer is a reusable one-shot timer bound to a scheduler and a callback.
// Re-arming allocates nothing, so it can be reset on every ACK of a bulk
// transfer: a move to a later time only records the new expiry (the
// queue catches up when the old one comes, see Scheduler), a move to an
// earlier one moves the entry in O(log n). Each Timer schedules
// at most one event at a time; Reset from inside its own callback arms it
// again.
//
// A Timer is made by NewTimer, or kept inside the struct it serves and
// made ready by InitTimer: a simulation with many connections and links
// then reads no separate timer nor closure when one expires, only the
// struct the handler works on (each such read is a cache miss when a
// thousand flows take turns).
type Timer struct {
	s *Scheduler
	h Handler
	// The pending event, as its EventID without the scheduler (s): a
	// Timer is 48 bytes, where a whole EventID made it 56 and took Go's
	// 64-byte size class (every TCP connection has one).
	at   Time
	seq  uint64 // 0: stopped
	slot int32
}

// Handler is what a timer made by InitTimer calls when it expires: Fire
// runs as the timer's event. A handler is usually a pointer to the struct
// that holds the timer (or a named pointer type converted from it, one per
// timer of that struct), so that storing it allocates nothing.
type Handler interface {
	Fire()
}

// funcHandler makes a function a Handler (NewTimer): a function value is
// a pointer, so the conversion allocates nothing.
type funcHandler func()

// Fire calls the function.
func (f funcHandler) Fire() { f() }

// id returns the timer's pending event (the zero EventID when stopped).
func (t *Timer) id() EventID {
	if t.seq == 0 {
		return EventID{}
	}
	return EventID{s: t.s, at: t.at, seq: t.seq, slot: t.slot}
}

// setID records id as the timer's pending event.
func (t *Timer) setID(id EventID) { t.at, t.seq, t.slot = id.at, id.seq, id.slot }

// NewTimer returns a stopped timer that calls fn when it expires. A nil fn
// makes every Reset fail with ErrNilFunc.
func (s *Scheduler) NewTimer(fn func()) *Timer {
	t := &Timer{s: s}
	if fn != nil {
		t.h = funcHandler(fn)
	}
	return t
}

// InitTimer makes *t a stopped timer of s that calls h.Fire when it
// expires, for a Timer kept inside the struct it serves rather than
// allocated by NewTimer. t must be stopped or zero, and must not be
// copied afterwards (the scheduler keeps its address while it is armed).
// A nil h makes every Reset fail with ErrNilFunc.
func (s *Scheduler) InitTimer(t *Timer, h Handler) {
	*t = Timer{s: s, h: h}
}

// expire runs the timer's event.
func (t *Timer) expire() {
	t.seq = 0
	t.h.Fire()
}

// Reset arms the timer to expire at time at, replacing any earlier expiry.
// A time before Now returns ErrPast, a timer without a function ErrNilFunc
// and the zero Timer ErrNoScheduler; on error the timer is unchanged.
func (t *Timer) Reset(at Time) error {
	switch {
	case t.s == nil:
		return fmt.Errorf("reset timer to %v: %w", at, ErrNoScheduler)
	case t.h == nil:
		return fmt.Errorf("reset timer to %v: %w", at, ErrNilFunc)
	case at < t.s.now:
		return fmt.Errorf("reset timer to %v, now %v: %w", at, t.s.now, ErrPast)
	}
	// One move in the queue, ordered as Stop then At would order it.
	t.setID(t.s.reschedule(t.id(), at, t))
	return nil
}

// ResetAfter arms the timer to expire d after Now, replacing any earlier
// expiry. A negative d returns ErrPast and a time beyond MaxTime
// ErrTimeOverflow; on error the timer is unchanged.
func (t *Timer) ResetAfter(d time.Duration) error {
	if t.s == nil {
		return fmt.Errorf("reset timer after %v: %w", d, ErrNoScheduler)
	}
	if d < 0 {
		return fmt.Errorf("reset timer after %v: %w", d, ErrPast)
	}
	if Time(d) > MaxTime-t.s.now {
		return fmt.Errorf("reset timer after %v, now %v: %w", d, t.s.now, ErrTimeOverflow)
	}
	return t.Reset(t.s.now + Time(d))
}

// Stop disarms the timer and reports whether it was armed. Stopping a
// stopped timer, or the zero Timer, is a no-op that returns false.
func (t *Timer) Stop() bool {
	if t.seq == 0 {
		return false
	}
	ok := t.s.Cancel(t.id())
	t.seq = 0
	return ok
}

// Armed reports whether the timer will fire.
func (t *Timer) Armed() bool { return t.seq != 0 }

// When returns the expiry of an armed timer, and false if it is stopped.
func (t *Timer) When() (Time, bool) {
	if t.seq == 0 {
		return 0, false
	}
	return t.at, true
}
