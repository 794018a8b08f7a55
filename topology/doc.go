// Package topology models netsim's network: full-duplex point-to-point links
// (rate, propagation delay, MTU, a drop-tail queue, loss, jitter,
// duplication, corruption, up/down), the graph of named nodes and links,
// deterministic shortest-path routes by propagation delay, partitions, and
// builders for common shapes (point-to-point, dumbbell, star, chain).
//
// A Link moves opaque IPv4 datagrams (Packet) between two Endpoints. Each
// direction has its own transmitter and queue and its own named random
// streams, so the two directions, and any two links, never share draws.
//
// The physics of one packet on one direction, in integer nanoseconds:
//
//	first bit leaves   t0 = when the transmitter becomes free   (Endpoint.Transmitted)
//	last bit leaves    t1 = t0 + Rate.TxTime(len(Data) + Overhead)
//	last bit arrives   t2 = t1 + Delay (+ jitter)               (Endpoint.Deliver)
//
// Nothing here starts a goroutine, reads the wall clock or ranges over a map
// on a simulation path: the same seed gives the same events.
package topology
