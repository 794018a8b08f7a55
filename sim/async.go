package sim

// Async is a Sink that passes copies of the records it is given to
// another sink on a goroutine of its own, so that a sink that only sums
// up a run (a summary, a fingerprint, a trace file) runs beside the
// simulation instead of on its thread. The records are copied into
// batches (their events by value, into arrays of their types: no
// allocation once the batches exist) and each full batch is passed on
// while the run fills another (up to batchesInFlight wait): the wrapped
// sink receives every record, in order, one at a time, as it would on
// the simulation's thread, only later. The goroutine decides nothing the simulation reads:
// the wrapped sink must not be read, nor change what a producer builds
// (a Selective set), until Wait returns. Nothing of the simulation runs
// on it, so a run is as deterministic as with the sink called directly.
type Async struct {
	s Sink
	q batchQueue
}

// NewAsync returns an Async passing records on to s.
func NewAsync(s Sink) *Async {
	a := &Async{s: s}
	a.q = newBatchQueue(a.pass)
	return a
}

// Emit copies r for the wrapped sink. A nil r, or one without an event,
// is ignored.
func (a *Async) Emit(r *Record) {
	if r == nil || r.Event == nil {
		return
	}
	a.q.add(r)
}

// pass gives b's records to the wrapped sink and empties b.
func (a *Async) pass(b *recordBatch) {
	for i := range b.recs {
		a.s.Emit(&b.recs[i])
	}
	b.reset()
}

// Wait waits for the batches in flight, ends the goroutine and passes the
// records not handed over yet, on the caller's goroutine. After it the wrapped sink has
// received every record emitted, and is the caller's to read until the
// next Emit. Call it on every path before reading or discarding the
// wrapped sink.
func (a *Async) Wait() {
	a.q.stop()
	a.pass(a.q.batch)
}
