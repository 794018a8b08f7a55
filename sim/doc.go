// Package sim is netsim's discrete-event engine: virtual time (Time, integer
// nanoseconds), a scheduler that runs events in (time, scheduling order),
// reusable timers, named deterministic random streams and the trace.
//
// Nothing in a simulation runs outside an event, and nothing in this package
// reads the wall clock or draws from a global random source: the same
// inputs always give the same order of events, and the same records give
// the same trace.jsonl bytes (JSONLWriter) and hash. The only goroutines
// are those of the sinks that sum a run up beside it (JSONLWriter's
// worker, Async): they see copies of finished records, in order, and
// nothing they do reaches the simulation.
//
// The trace is typed: each kind of record (kinds.go) is one Go type
// (PacketSend, TCPState, App, ...; trace_events.go) that producers fill
// and readers switch on, so a field renamed on one side fails to compile
// on the other. A Record carries one of them to a Sink. The sinks here
// are JSONLWriter (trace.jsonl and its sha256, encoded by hand, no
// allocation, on a worker goroutine), Fingerprint (a running 64-bit hash
// of the typed records, a few nanoseconds each, which identifies a run
// whether or not its trace is written), Recorder (in memory), Tee, and
// Async (another sink, fed on a goroutine beside the run). ReadJSONL parses a trace back
// into the same types; its errors name the line and column.
//
// Misuse returns an error and changes nothing (ErrPast, ErrNilFunc,
// ErrTimeOverflow, ErrRunning, ErrNoScheduler); cancelling or stopping
// something that is not pending is a documented no-op.
package sim
