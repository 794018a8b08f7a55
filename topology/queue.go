package topology

// packetRing is the FIFO of packets waiting for a direction's transmitter:
// a ring buffer that grows by doubling and never shrinks, so a steady flow
// allocates nothing.
type packetRing struct {
	buf  []*Packet
	head int
	n    int
}

func (r *packetRing) len() int { return r.n }

func (r *packetRing) push(p *Packet) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = p
	r.n++
}

func (r *packetRing) pop() *Packet {
	p := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return p
}

func (r *packetRing) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]*Packet, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}
