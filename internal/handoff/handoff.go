// Package handoff is the double buffering of the consumers beside a
// simulation run (sim.JSONLWriter, sim.Async, the command line's file
// writers): the caller fills one buffer while a worker goroutine
// consumes the other. A buffer is handed over only after the one before
// it is consumed, so at most one is in flight and two exist; handing a
// buffer over and waiting are the only synchronization (channels), so
// the worker sees each buffer whole, in order, and what it touches is
// the caller's again after Wait. The worker starts with the first buffer
// and runs until Stop, so that handing a buffer over allocates nothing.
// A panic while consuming is caught on the worker and raised again on
// the caller's goroutine by its next Hand, Wait or Stop, with the
// worker's stack, so that a bug in a consumer reaches the caller's
// recover (netsim's "internal error" report) instead of ending the
// process.
package handoff

import (
	"fmt"
	"runtime/debug"
)

// Worker consumes the buffers handed to it on a goroutine of its own.
type Worker[T any] struct {
	consume func(T)
	spare   T // the buffer consumed last, when hasSpare
	// inFlight is the buffer being consumed, when busy.
	inFlight       T
	busy, hasSpare bool
	work           chan T        // to the goroutine; nil when none runs
	done           chan struct{} // receives once when inFlight is consumed
	panicked       string        // a panic of consume and its stack, to raise again
}

// New returns a Worker that passes each buffer to consume.
func New[T any](consume func(T)) *Worker[T] {
	return &Worker[T]{consume: consume, done: make(chan struct{}, 1)}
}

// Hand waits for the buffer in flight, hands b to the worker and returns
// the buffer to fill next: the one consumed last, or ok false when there
// is none (none consumed yet, or consume panicked on the last one): the
// caller makes one.
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
		w.consumeOne(b)
		w.done <- struct{}{}
	}
}

// consumeOne consumes b, catching a panic for Wait to raise again.
func (w *Worker[T]) consumeOne(b T) {
	defer func() {
		if v := recover(); v != nil {
			w.panicked = fmt.Sprintf("%v\n\n(on a worker goroutine beside the run)\n%s", v, debug.Stack())
		}
	}()
	w.consume(b)
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
	if p := w.panicked; p != "" {
		// consume stopped part way, so the buffer may still hold what it
		// did not consume (a sim.recordBatch is emptied only at the end
		// of consume): it is dropped rather than handed back, lest a
		// caller that recovers fill it again after stale contents.
		w.spare, w.hasSpare = zero, false
		w.panicked = ""
		panic(p)
	}
}

// Stop waits for the buffer in flight and ends the goroutine; the next
// Hand starts another. The goroutine ends even when Wait raises a panic
// of consume again, so that it is not left waiting for work forever.
func (w *Worker[T]) Stop() {
	defer func() {
		if w.work != nil {
			close(w.work)
			w.work = nil
		}
	}()
	w.Wait()
}
