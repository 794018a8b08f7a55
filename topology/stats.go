package topology

import (
	"time"

	"github.com/netsimlab/netsim/units"
)

// Drops counts the packets a link direction dropped, by reason (the
// sim.Drop* reasons of the trace).
type Drops struct {
	Queue uint64 // "queue": the queue was full (tail drop, or FQ-CoDel's drop from the fattest flow)
	AQM   uint64 // "aqm": active queue management dropped it
	Loss  uint64 // "loss": the loss model chose the packet
	Down  uint64 // "down": the link was down, or went down with it queued or in flight
	MTU   uint64 // "mtu": larger than the link MTU
}

// Total returns the number of packets dropped for any reason.
func (d Drops) Total() uint64 { return d.Queue + d.AQM + d.Loss + d.Down + d.MTU }

// Sojourn sums the time packets spent in a queue, from enqueue until their
// first bit left (0 for a packet that found the transmitter free).
type Sojourn struct {
	Count uint64
	Total time.Duration
	Max   time.Duration
}

func (s *Sojourn) add(d time.Duration) {
	s.Count++
	s.Total += d
	s.Max = max(s.Max, d)
}

// Mean returns the mean sojourn time, 0 when no packet was counted.
func (s Sojourn) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Count)
}

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
	// Marked counts packets whose ECN field a queue set to CE.
	Marked uint64
	// Sojourn is the time transmitted packets spent in the queue.
	Sojourn Sojourn
	// QueuePeakPackets and QueuePeakBytes are the most packets and bytes
	// that waited in the queue at once (the packet on the wire excluded).
	QueuePeakPackets int
	QueuePeakBytes   units.ByteSize
}
