package topology

import "github.com/netsimlab/netsim/units"

// Drops counts the packets a link direction dropped, by reason (the
// sim.Drop* reasons of the trace).
type Drops struct {
	Queue uint64 // "queue": the drop-tail queue was full
	Loss  uint64 // "loss": the loss model chose the packet
	Down  uint64 // "down": the link was down, or went down with it queued or in flight
	MTU   uint64 // "mtu": larger than the link MTU
}

// Total returns the number of packets dropped for any reason.
func (d Drops) Total() uint64 { return d.Queue + d.Loss + d.Down + d.MTU }

// DirStats are the counters of one link direction.
type DirStats struct {
	// Sent counts packets handed to Link.Send, SentBytes their bytes.
	Sent      uint64
	SentBytes units.ByteSize
	// Transmitted counts packets whose first bit left (Endpoint.Transmitted).
	Transmitted      uint64
	TransmittedBytes units.ByteSize
	// Delivered counts packets handed to the far endpoint, duplicates
	// included; DeliveredBytes their bytes.
	Delivered      uint64
	DeliveredBytes units.ByteSize
	// Dropped counts drops by reason.
	Dropped Drops
	// Duplicated counts copies made; Corrupted packets delivered with a
	// flipped bit.
	Duplicated uint64
	Corrupted  uint64
	// QueuePeakPackets and QueuePeakBytes are the most packets and bytes
	// that waited in the queue at once (the packet on the wire excluded).
	QueuePeakPackets int
	QueuePeakBytes   units.ByteSize
}
