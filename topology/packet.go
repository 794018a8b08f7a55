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

	// payload, when set, holds the last len(payload) bytes of Data by
	// reference: the sender left them out (DeferPayload).
	payload []byte
	// fill, when set, writes the checksum the sender left out of Data
	// (DeferChecksum); trusted says Data is as the sending stack made it.
	fill    func(datagram, payload []byte)
	trusted bool
}

// DeferPayload marks the last len(payload) bytes of Data as not written
// yet: payload holds them by reference, and Complete copies them in when
// someone needs the bytes as they would be on a wire. Until then the
// receiver takes them from DeferredPayload, so that a payload is copied
// once, into the receiver's buffer, instead of into the packet and out
// of it again (a packet's bytes are cold by the time it arrives). payload
// must be bytes that nobody ever changes (netsim's pattern,
// internal/pattern): a packet may outlive its sender's buffer.
func (p *Packet) DeferPayload(payload []byte) { p.payload = payload }

// DeferredPayload returns the payload DeferPayload left out of Data (the
// last len of it), or nil when Data holds every byte.
func (p *Packet) DeferredPayload() []byte { return p.payload }

// DeferChecksum marks p as made by a simulated stack that left its
// transport checksum out: fill writes it into Data when someone needs the
// bytes as they would be on a wire (Complete). Until something changes the
// bytes (Corrupt), the receiver may trust them without verifying the
// checksum (Trusted): a simulated sender computes correct checksums, so
// summing every payload twice would prove nothing. fill is given the
// whole datagram and, when the payload was deferred (DeferPayload), that
// payload's reference, whose bytes the datagram's last bytes repeat (so
// that it may sum a payload it knows without reading it: netsim's
// pattern). fill must be a function that allocates nothing and keeps no
// reference to the bytes.
func (p *Packet) DeferChecksum(fill func(datagram, payload []byte)) {
	p.fill, p.trusted = fill, true
}

// Complete writes the payload DeferPayload and the checksum DeferChecksum
// left out, so that Data is the datagram as it would be on a wire:
// captures, taps and anything that reads the payload or changes the bytes
// call it first. It does nothing for a packet already complete.
func (p *Packet) Complete() {
	q := p.payload
	if q != nil {
		p.payload = nil
		copy(p.Data[len(p.Data)-len(q):], q)
	}
	if f := p.fill; f != nil {
		p.fill = nil
		f(p.Data, q)
	}
}

// AppendWire appends the datagram, as it would be on a wire, to dst and
// returns the extended slice, without writing the deferred payload into
// Data: the payload is copied from its reference into dst alone, so that
// the receiver still takes it from there (a capture that completed the
// packet cost its receiver a copy of the payload into the packet and a
// byte-wise check of it). A deferred checksum is computed on dst's copy
// and its header kept in Data, so that a second capture (the receiving
// interface's) does not compute it again and Complete has only the
// payload left to write. For a packet whose payload is in Data, it is
// Complete followed by append.
func (p *Packet) AppendWire(dst []byte) []byte {
	q := p.payload
	if q == nil {
		p.Complete()
		return append(dst, p.Data...)
	}
	hdr := p.Data[:len(p.Data)-len(q)]
	start := len(dst)
	dst = append(dst, hdr...)
	dst = append(dst, q...)
	if f := p.fill; f != nil {
		p.fill = nil
		f(dst[start:], q)
		copy(hdr, dst[start:])
	}
	return dst
}

// Trusted reports whether Data is, checksum aside, exactly what a
// simulated stack sent: no link corrupted it. A receiver may then skip
// verifying the transport checksum; it must verify every other packet.
func (p *Packet) Trusted() bool { return p.trusted }

// Corrupt flips one bit of Data (bit%8, counted from the least
// significant, of byte bit/8) after completing the checksum, and
// withdraws the trust: the receiver must verify the checksum, and finds
// it wrong, as a real receiver would.
func (p *Packet) Corrupt(bit int) {
	p.Complete()
	p.trusted = false
	p.Data[bit/8] ^= 1 << (bit % 8)
}

// Clone returns a copy of p with its own Data and the given ID, in the
// same state (payload and checksum pending, trusted) as p.
func (p *Packet) Clone(id uint64) *Packet {
	c := *p
	c.ID, c.Data = id, append([]byte(nil), p.Data...)
	return &c
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
