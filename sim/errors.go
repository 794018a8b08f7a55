package sim

import "errors"

// Errors returned for a caller's misuse of the engine. They are wrapped with
// the offending values; test for them with errors.Is. A call that returns
// one of them changes nothing.
var (
	// ErrPast is returned when an event, a timer or a run limit is asked
	// for before Now, or with a negative delay.
	ErrPast = errors.New("sim: time is in the past")
	// ErrNilFunc is returned when asked to schedule a nil function, or to
	// arm a timer made with a nil function.
	ErrNilFunc = errors.New("sim: nil event function")
	// ErrTimeOverflow is returned when Now plus a delay is beyond MaxTime.
	ErrTimeOverflow = errors.New("sim: time beyond MaxTime")
	// ErrRunning is returned by RunUntil when called from inside an event:
	// runs do not nest.
	ErrRunning = errors.New("sim: scheduler is already running")
	// ErrNoScheduler is returned when arming a Timer that was not made by
	// Scheduler.NewTimer (the zero Timer).
	ErrNoScheduler = errors.New("sim: timer has no scheduler")
)
