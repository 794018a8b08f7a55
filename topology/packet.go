package topology

// Packet is an IPv4 datagram in flight; Data holds its bytes. A link may
// copy it (duplication, corruption) but never changes Data of a packet it
// did not copy, and hands the receiver the very Packet the sender gave it
// when it made no copy.
type Packet struct {
	// ID names the packet in the trace: a run-wide counter. Copies made by
	// a link (duplicates) get their own ID.
	ID uint64
	// Data is the whole IPv4 datagram, header included.
	Data []byte
}

// Endpoint is what sits at one end of a link (an interface of a host or a
// router).
type Endpoint interface {
	// Transmitted is called when the first bit of p leaves this endpoint
	// onto the link (Now() is that time): captures record outgoing packets
	// here.
	Transmitted(p *Packet)
	// Deliver is called when the last bit of p arrives at this endpoint
	// (Now() is that time).
	Deliver(p *Packet)
}

// StateListener is optionally implemented by an Endpoint that wants to know
// when its link goes down or comes up (an interface losing carrier).
type StateListener interface {
	// LinkState is called after the link changed state.
	LinkState(up bool)
}

// IDs hands out run-wide packet IDs, starting at 1. Its zero value is ready
// to use; pass its Next method to NewLink when nothing else numbers
// packets.
type IDs struct {
	last uint64
}

// Next returns a new ID.
func (c *IDs) Next() uint64 {
	c.last++
	return c.last
}
