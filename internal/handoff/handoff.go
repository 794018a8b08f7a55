// Package handoff is the buffering of the consumers beside a simulation
// run (sim.JSONLWriter, sim.Async, the command line's file writers): the
// caller fills one buffer while a worker goroutine consumes the ones
// handed over before, up to a depth of buffers in flight (one for New:
// double buffering). Buffers are consumed whole, in the order handed
// over; handing a buffer over and waiting are the only synchronization
// (channels), so the worker sees each buffer whole, and what it touches
// is the caller's again after Wait. The worker starts with the first
// buffer and runs until Stop, so that handing a buffer over allocates
// nothing. A panic while consuming is caught on the worker and raised
// again on the caller's goroutine, with the worker's stack, by Wait, Stop
// or a later Hand (each takes back what the worker has finished, the
// next Hand at the latest once depth buffers are in flight), so that a
// bug in a consumer reaches the caller's recover (netsim's "internal
// error" report) instead of ending the process; the buffers handed over after the one that panicked are not
// consumed.
package handoff

import (
	"fmt"
	"runtime/debug"
)

// Worker consumes the buffers handed to it on a goroutine of its own.
type Worker[T any] struct {
	consume  func(T)
	depth    int
	inFlight int              // buffers handed over and not come back
	spares   []T              // buffers come back consumed, to fill next
	work     chan handed[T]   // to the goroutine; nil when none runs
	done     chan consumed[T] // each buffer handed over, once consumed
	// gen counts the panics raised on the caller's side; the worker skips
	// the buffers handed over in the generation of one that panicked,
	// and consumes those handed over after the caller has seen the panic.
	gen    uint64
	failed uint64 // the worker's: 1 + the generation that panicked, or 0
}

// handed is a buffer handed over in a generation.
type handed[T any] struct {
	b   T
	gen uint64
}

// consumed is a buffer come back from the worker: consumed whole, or with
// the panic of its consume and its stack, or skipped after the panic of
// one handed over before it.
type consumed[T any] struct {
	b        T
	panicked string
	skipped  bool
}

// New returns a Worker that passes each buffer to consume, one buffer in
// flight at a time (double buffering).
func New[T any](consume func(T)) *Worker[T] { return NewDepth(consume, 1) }

// NewDepth returns a Worker that passes each buffer to consume, with up to
// depth buffers in flight (at least one): the caller fills one more while
// they wait, so at most depth+1 exist.
func NewDepth[T any](consume func(T), depth int) *Worker[T] {
	depth = max(depth, 1)
	return &Worker[T]{consume: consume, depth: depth, spares: make([]T, 0, depth), done: make(chan consumed[T], depth)}
}

// Hand hands b to the worker, after waiting for a buffer in flight to be
// consumed when depth of them are, and returns the buffer to fill next:
// one consumed, or ok false when none has come back (none consumed yet,
// or consume panicked on the last one): the caller makes one.
func (w *Worker[T]) Hand(b T) (next T, ok bool) {
	if w.inFlight >= w.depth {
		w.raise(w.take(<-w.done))
	} else {
		select { // take back a consumed buffer, and raise its panic, if one is there
		case c := <-w.done:
			w.raise(w.take(c))
		default:
		}
	}
	if n := len(w.spares); n > 0 {
		var zero T
		next, ok, w.spares[n-1] = w.spares[n-1], true, zero
		w.spares = w.spares[:n-1]
	}
	if w.work == nil {
		w.work = make(chan handed[T], w.depth)
		go w.run(w.work)
	}
	w.inFlight++
	w.work <- handed[T]{b, w.gen}
	return next, ok
}

// InFlight returns the number of buffers handed over and not yet taken
// back on the caller's side (consumed or not): Hand waits while depth
// are.
func (w *Worker[T]) InFlight() int { return w.inFlight }

// take takes a buffer back from the worker, keeping it to fill next when
// it was consumed whole, and returns the panic of its consume. A buffer
// consume panicked on, or skipped, is dropped rather than handed back:
// it may still hold what was not consumed (a sim.recordBatch is emptied
// only at the end of consume), lest a caller that recovers fill it again
// after stale contents.
func (w *Worker[T]) take(c consumed[T]) (panicked string) {
	w.inFlight--
	if c.panicked == "" && !c.skipped {
		w.spares = append(w.spares, c.b)
	}
	return c.panicked
}

// raise raises a panic of consume again on the caller's goroutine, and
// starts a generation.
func (w *Worker[T]) raise(panicked string) {
	if panicked != "" {
		w.gen++
		panic(panicked)
	}
}

// run consumes the buffers handed to it until work is closed.
func (w *Worker[T]) run(work <-chan handed[T]) {
	for h := range work {
		if w.failed == h.gen+1 {
			w.done <- consumed[T]{b: h.b, skipped: true}
			continue
		}
		w.done <- consumed[T]{b: h.b, panicked: w.consumeOne(h)}
	}
}

// consumeOne consumes h's buffer and returns a panic of consume with its
// stack.
func (w *Worker[T]) consumeOne(h handed[T]) (panicked string) {
	defer func() {
		if v := recover(); v != nil {
			w.failed = h.gen + 1
			panicked = fmt.Sprintf("%v\n\n(on a worker goroutine beside the run)\n%s", v, debug.Stack())
		}
	}()
	w.consume(h.b)
	return ""
}

// Wait waits for the buffers in flight, if any, to be consumed. After it,
// whatever consume touches is the caller's until the next Hand.
func (w *Worker[T]) Wait() {
	var first string
	for w.inFlight > 0 {
		if p := w.take(<-w.done); first == "" {
			first = p
		}
	}
	w.raise(first)
}

// Stop waits for the buffers in flight and ends the goroutine; the next
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
