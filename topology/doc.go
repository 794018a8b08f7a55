// Package topology models netsim's network: full-duplex point-to-point links
// (rate, propagation delay, MTU, a queue discipline (drop-tail, RED,
// CoDel, FQ-CoDel, PIE, step marking; see Queue), loss, jitter,
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
// Rate and Delay are those in force at t0: a fault that changes them
// mid-serialization applies from the next packet (ns-3's point-to-point
// channel schedules the arrival when transmission starts), so pkt.tx can
// trace t2 before jitter as its arrive field.
//
// A packet waiting in the queue counts toward the queue limit; the one
// being serialized does not (as in ns-3 and Linux qdiscs). The loss model
// decides a packet's fate when its last bit leaves (it still occupied the
// wire); jitter is drawn from [0, Jitter] and added to Delay.
//
// Trace records (subject "link/<name>/<from>><to>", kinds of sim/kinds.go):
// pkt.enqueue when Send accepts a packet (qlen 0 when it goes straight
// onto the wire), pkt.tx when its first bit leaves, pkt.rx when its last
// bit arrives, pkt.drop with the reason (queue, aqm, loss, down, mtu),
// pkt.mark when a queue sets a datagram's ECN field to CE, pkt.dup
// for a copy, link.state when the link goes up or down. With a nil Sink no
// record is built; with one, a single record per direction is reused, so
// the per-packet path allocates nothing unless a packet is duplicated or
// corrupted.
//
// Nothing here starts a goroutine, reads the wall clock or ranges over a map
// on a simulation path: the same seed gives the same events.
package topology
