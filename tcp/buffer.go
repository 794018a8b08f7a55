package tcp

// sendBuffer holds the bytes the user wrote that the peer has not yet
// acknowledged, as one contiguous slice so that a segment's payload is a
// view into it (no copy per segment). Bytes are addressed by sequence
// number: buf[start] holds sequence number base.
type sendBuffer struct {
	buf        []byte
	start, end int
	base       Seq
	limit      int // the user-visible capacity (Config.SendBuffer)
}

func (b *sendBuffer) init(limit int, base Seq) {
	b.limit = limit
	b.base = base
	b.start, b.end = 0, 0
}

// len is the number of bytes held (written and not yet released).
func (b *sendBuffer) len() int { return b.end - b.start }

// endSeq is the sequence number after the last byte written.
func (b *sendBuffer) endSeq() Seq { return b.base.Add(uint32(b.len())) }

// write appends up to room bytes of p and returns how many it took.
func (b *sendBuffer) write(p []byte, room int) int {
	n := min(len(p), room)
	if n <= 0 {
		return 0
	}
	if b.buf == nil {
		// Twice the limit: the live bytes (at most limit) slide to the
		// front only after limit bytes were appended, so the copying is
		// amortized O(1) per byte written.
		b.buf = make([]byte, 2*b.limit)
	}
	if b.end+n > len(b.buf) {
		// Slide the live bytes to the front; views are only handed out
		// while draining the outbox, so none is live now.
		copy(b.buf, b.buf[b.start:b.end])
		b.end -= b.start
		b.start = 0
		if b.end+n > len(b.buf) {
			// Release was deferred behind an undrained outbox: grow.
			nb := make([]byte, b.end+n+b.limit/2)
			copy(nb, b.buf[:b.end])
			b.buf = nb
		}
	}
	copy(b.buf[b.end:], p[:n])
	b.end += n
	return n
}

// view returns the n bytes from sequence number s; the caller ensures they
// are held.
func (b *sendBuffer) view(s Seq, n int) []byte {
	off := b.start + int(s.Sub(b.base))
	return b.buf[off : off+n]
}

// releaseTo drops the bytes before s (acknowledged by the peer).
func (b *sendBuffer) releaseTo(s Seq) {
	d := int(s.Sub(b.base))
	if d <= 0 {
		return
	}
	d = min(d, b.len())
	b.start += d
	b.base = b.base.Add(uint32(d))
	if b.start == b.end {
		b.start, b.end = 0, 0
	}
}

// recvBuffer is the receive ring: n in-order bytes ready for the reader
// starting at head, followed by space where out-of-order bytes are written
// at their offset from RCV.NXT (RFC 9293 §3.10.7.4 seventh step: data
// beyond RCV.NXT is held for later delivery).
type recvBuffer struct {
	buf     []byte
	head, n int
	size    int
}

func (b *recvBuffer) init(size int) { b.size = size }

// free is the room after the in-order bytes.
func (b *recvBuffer) free() int { return b.size - b.n }

// writeAt stores p at off bytes past the in-order data. The caller clips p
// to free().
func (b *recvBuffer) writeAt(off int, p []byte) {
	if b.buf == nil {
		b.buf = make([]byte, b.size)
	}
	pos := (b.head + b.n + off) % b.size
	k := copy(b.buf[pos:], p)
	copy(b.buf, p[k:])
}

// commit makes k more bytes in order (readable).
func (b *recvBuffer) commit(k int) { b.n += k }

// read copies in-order bytes into p.
func (b *recvBuffer) read(p []byte) int {
	n := min(len(p), b.n)
	if n == 0 {
		return 0
	}
	k := copy(p[:n], b.buf[b.head:min(b.head+n, b.size)])
	copy(p[k:n], b.buf)
	b.head = (b.head + n) % b.size
	b.n -= n
	return n
}
