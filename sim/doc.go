// Package sim is netsim's discrete-event engine: virtual time (Time, integer
// nanoseconds), a scheduler that runs events in (time, scheduling order),
// reusable timers, named deterministic random streams and the trace.
//
// Nothing in a simulation runs outside an event, and nothing in this package
// reads the wall clock, starts a goroutine or draws from a global random
// source: the same inputs always give the same order of events.
package sim
