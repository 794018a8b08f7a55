// Package handoff is the double buffering of the consumers beside a
// simulation run (sim.JSONLWriter, sim.Async, the command line's file
// writers): the caller fills one buffer while a worker goroutine
// consumes the other. A buffer is handed over only after the one before
// it is consumed, so at most one is in flight and two exist; handing a
// buffer over and waiting are the only synchronization (channels), so
// the worker sees each buffer whole, in order, and what it touches is
// the caller's again after Wait. The worker starts with the first buffer
// and runs until Stop, so that handing a buffer over allocates nothing.
package handoff

// Worker consumes the buffers handed to it on a goroutine of its own.
type Worker[T any] struct {
	consume func(T)
	spare   T // the buffer consumed last, when hasSpare
	// inFlight is the buffer being consumed, when busy.
	inFlight       T
	busy, hasSpare bool
	work           chan T        // to the goroutine; nil when none runs
	done           chan struct{} // receives once when inFlight is consumed
}

// New returns a Worker that passes each buffer to consume.
func New[T any](consume func(T)) *Worker[T] {
	return &Worker[T]{consume: consume, done: make(chan struct{}, 1)}
}

// Hand waits for the buffer in flight, hands b to the worker and returns
// the buffer to fill next: the one consumed last, or ok false when there
// is none yet (the caller makes one).
func (w *Worker[T]) Hand(b T) (next T, ok bool) {
	w.Wait()
	next, ok = w.spare, w.hasSpare
	var zero T
	w.spare, w.hasSpare = zero, false
	w.inFlight, w.busy = b, true
	if w.work == nil {
		w.work = make(chan T, 1)
		go w.run(w.work)
	}
	w.work <- b
	return next, ok
}

// run consumes the buffers handed to it until work is closed.
func (w *Worker[T]) run(work <-chan T) {
	for b := range work {
		w.consume(b)
		w.done <- struct{}{}
	}
}

// Wait waits for the buffer in flight, if any, to be consumed. After it,
// whatever consume touches is the caller's until the next Hand.
func (w *Worker[T]) Wait() {
	if !w.busy {
		return
	}
	<-w.done
	var zero T
	w.spare, w.hasSpare, w.inFlight, w.busy = w.inFlight, true, zero, false
}

// Stop waits for the buffer in flight and ends the goroutine; the next
// Hand starts another.
func (w *Worker[T]) Stop() {
	w.Wait()
	if w.work != nil {
		close(w.work)
		w.work = nil
	}
}
