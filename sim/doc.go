// Package sim is netsim's discrete-event engine: virtual time (Time, integer
// nanoseconds), a scheduler that runs events in (time, scheduling order),
// reusable timers, named deterministic random streams and the trace.
//
// Nothing in a simulation runs outside an event, and nothing in this package
// reads the wall clock, starts a goroutine or draws from a global random
// source: the same inputs always give the same order of events, and the same
// records give the same trace.jsonl bytes (JSONLWriter) and hash.
//
// Misuse returns an error and changes nothing (ErrPast, ErrNilFunc,
// ErrTimeOverflow, ErrRunning, ErrNoScheduler); cancelling or stopping
// something that is not pending is a documented no-op. The trace is read
// back with ReadJSONL, whose errors name the line and column.
package sim
