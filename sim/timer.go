package sim

// Timer is a reusable one-shot timer bound to a scheduler and a callback.
// Re-arming cancels the previous expiry in O(log n) and allocates nothing,
// so it can be reset on every ACK of a bulk transfer.
type Timer struct {
	s    *Scheduler
	fn   func()
	fire func()
	id   EventID
}

// NewTimer returns a stopped timer that calls fn when it expires.
func (s *Scheduler) NewTimer(fn func()) *Timer {
	t := &Timer{s: s, fn: fn}
	t.fire = t.expire
	return t
}

func (t *Timer) expire() {
	t.id = EventID{}
	t.fn()
}

// Reset arms the timer to expire at time at, replacing any earlier expiry.
// A time before Now returns ErrPast and leaves the timer stopped.
func (t *Timer) Reset(at Time) error {
	t.Stop()
	id, err := t.s.At(at, t.fire)
	if err != nil {
		return err
	}
	t.id = id
	return nil
}

// Stop disarms the timer and reports whether it was armed.
func (t *Timer) Stop() bool {
	if t.id.IsZero() {
		return false
	}
	ok := t.s.Cancel(t.id)
	t.id = EventID{}
	return ok
}

// Armed reports whether the timer will fire.
func (t *Timer) Armed() bool { return !t.id.IsZero() }

// When returns the expiry of an armed timer, and false if it is stopped.
func (t *Timer) When() (Time, bool) { return t.id.at, !t.id.IsZero() }
