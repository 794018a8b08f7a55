// Package plots draws figures for papers, and a terminal sequence diagram,
// from the trace records of a netsim run ([]sim.Record).
//
// A plot never reaches into a live simulation: everything it shows is read
// from the records (the vocabulary is in sim/kinds.go), so a figure can be
// drawn during a run from an in-memory recorder or afterwards from
// trace.jsonl. The same records give the same SVG bytes: nothing here ranges
// over a map, reads a clock or draws a random number.
//
// The kinds (see Kinds) are:
//
//   - "sequence": a sequence diagram, one lifeline per host (and router,
//     with ShowRouters), one arrow per packet from the moment its first bit
//     left the sender to the moment the receiving host accepted it.
//   - "time-sequence": the tcptrace/Stevens time-sequence graph of one
//     connection, seen from its data sender.
//   - "cwnd": cwnd and ssthresh over time (upper panel) with RTT samples and
//     SRTT (lower panel, the "rtt" kind) in one file.
//   - "throughput": delivered payload per flow and their sum, averaged over
//     a window.
//   - "queue": queue occupancy per link direction, with drops marked.
//
// Render and RenderTo choose the output format (png, svg, pdf) from a file
// extension or a name; ASCII writes the terminal diagram.
package plots
