package tcp

import (
	"math/bits"
	"sync"

	"github.com/netsimlab/netsim/internal/pattern"
)

// Buffer memory follows the bytes held, as Linux charges a socket for the
// skbs it holds (sk_wmem_queued, sk_rmem_alloc) rather than for its
// limit. A buffer takes a block of minBufAlloc bytes or the next power of
// two that fits what it must hold, a block twice as large when it needs
// more, and gives its block back as soon as it drains (or, when the
// connection enters TIME-WAIT or CLOSED, if it is empty: Conn.setState).
// An idle connection therefore holds no buffer memory at all. Blocks go
// back to a pool per size, so a steady transfer that drains its buffers
// every round reuses them and allocates nothing. What a block held before
// is never read: bytes are always written before they are read.
const (
	minBufShift = 10 // minBufAlloc = 1 KiB
	minBufAlloc = 1 << minBufShift
	maxBufShift = 40
)

// blockPools[i] holds free blocks of 1<<i bytes, as *[]byte so that
// putting one back allocates nothing.
var blockPools [maxBufShift + 1]sync.Pool

// getBlock returns a block of at least n bytes (a power of two).
func getBlock(n int) *[]byte {
	shift := max(minBufShift, bits.Len(uint(n-1)))
	if p, ok := blockPools[shift].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 1<<shift)
	return &b
}

// putBlock gives a block back for reuse.
func putBlock(p *[]byte) {
	if p == nil {
		return
	}
	if shift := bits.Len(uint(len(*p))) - 1; shift >= minBufShift && shift <= maxBufShift && len(*p) == 1<<shift {
		blockPools[shift].Put(p)
	}
}

// sendBuffer holds the bytes the user wrote that the peer has not yet
// acknowledged, as one contiguous slice so that a segment's payload is a
// view into it (no copy per segment). Bytes are addressed by sequence
// number: buf[start] holds sequence number base.
//
// Bytes of netsim's pattern (internal/pattern: what the built-in apps
// send) are not copied at all: while the buffer holds only pattern bytes,
// it keeps their phase and count, and a segment's payload is a view into
// the pattern's table, which a packet can carry by reference. Anything
// else written behind them (other bytes, or pattern bytes out of phase)
// first turns what is held into bytes in a block.
type sendBuffer struct {
	block      *[]byte // buf's block, nil when empty
	buf        []byte
	start, end int
	base       Seq
	// pat says the bytes held are the pattern, from phase patPhase at
	// base; buf is then nil and start, end only count.
	pat      bool
	patPhase uint8
	limit    int // the user-visible capacity (Config.SendBuffer)
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
	if phase, ok := pattern.Phase(p); ok && b.writePattern(phase, n) {
		return n
	}
	if b.pat {
		b.materialize()
	}
	if b.end+n > len(b.buf) {
		// Views are only handed out while draining the outbox, so none
		// is live now: the bytes may move.
		live := b.end - b.start
		if live+n <= len(b.buf)/2 {
			// Slide the live bytes to the front. At least half the
			// buffer was released since the last slide, which pays for
			// copying the live bytes: amortized O(1) per byte written.
			copy(b.buf, b.buf[b.start:b.end])
		} else {
			// Take a block twice what is needed (a release deferred
			// behind an undrained outbox may hold more than the limit).
			nb := getBlock(2 * (live + n))
			copy(*nb, b.buf[b.start:b.end])
			putBlock(b.block)
			b.block, b.buf = nb, *nb
		}
		b.start, b.end = 0, live
	}
	copy(b.buf[b.end:], p[:n])
	b.end += n
	return n
}

// writePattern takes n pattern bytes from phase by their phase alone
// when the buffer is empty or holds pattern bytes they continue, and
// reports whether it did.
func (b *sendBuffer) writePattern(phase, n int) bool {
	switch {
	case b.len() == 0:
		b.release()
		b.pat, b.patPhase = true, uint8(phase)
	case !b.pat || (int(b.patPhase)+b.len())%pattern.Mod != phase:
		return false
	}
	b.end += n
	return true
}

// materialize turns the pattern bytes held into bytes in a block, so
// that other bytes can follow them.
func (b *sendBuffer) materialize() {
	live := b.len()
	b.pat = false
	if live == 0 {
		b.release()
		return
	}
	nb := getBlock(2 * live)
	pattern.Fill((*nb)[:live], int(b.patPhase))
	b.block, b.buf, b.start, b.end = nb, *nb, 0, live
}

// view returns the n bytes from sequence number s; the caller ensures they
// are held. Pattern bytes are a view into the pattern's table (n is at
// most a segment, below pattern.MaxChunk).
func (b *sendBuffer) view(s Seq, n int) []byte {
	if b.pat {
		return pattern.At(int64(b.patPhase)+int64(s.Sub(b.base)), n)
	}
	off := b.start + int(s.Sub(b.base))
	return b.buf[off : off+n]
}

// releaseTo drops the bytes before s (acknowledged by the peer). A buffer
// that drains gives its block back.
func (b *sendBuffer) releaseTo(s Seq) {
	d := int(s.Sub(b.base))
	if d <= 0 {
		return
	}
	d = min(d, b.len())
	b.start += d
	b.base = b.base.Add(uint32(d))
	if b.pat {
		b.patPhase = uint8((int(b.patPhase) + d) % pattern.Mod)
	}
	if b.start == b.end {
		b.release()
	}
}

// release gives the block back if nothing is held.
func (b *sendBuffer) release() {
	if b.len() == 0 {
		putBlock(b.block)
		b.block, b.buf, b.start, b.end = nil, nil, 0, 0
		b.pat = false
	}
}

// recvBuffer is the receive ring: n in-order bytes ready for the reader
// starting at head, followed by space where out-of-order bytes are written
// at their offset from RCV.NXT (RFC 9293 §3.10.7.4 seventh step: data
// beyond RCV.NXT is held for later delivery). The ring holds up to size
// bytes; its block grows with what it holds and goes back once the reader
// drained it.
//
// Like the send buffer, it keeps pattern bytes (internal/pattern) by
// their phase: while every byte written to it, in order or not, is the
// pattern in one phase (the pattern at head has phase patPhase), it holds
// no block at all, and Read fills the reader's buffer from the pattern.
// Anything else written turns what it holds into bytes first. With many
// connections this saves writing every segment into a buffer of its own
// that is cold by the next segment.
type recvBuffer struct {
	block *[]byte
	buf   []byte
	head  int
	// ext is how far past head bytes were written (in order or not):
	// nothing is held beyond head when it is 0.
	ext int
	// n and size come last: the sender reads them too, for the window it
	// offers (Conn's lines).
	n, size int
}

// A receive buffer keeps pattern bytes with no block (buf nil) and head
// set to the pattern's phase at head plus one; head is 0 in an empty
// buffer. (A field of its own would cost every connection a larger size
// class.)

// pat reports whether every byte held is the pattern, from phase
// patPhase() at head.
func (b *recvBuffer) pat() bool { return b.buf == nil && b.head > 0 }

// patPhase is the pattern's phase at head when pat().
func (b *recvBuffer) patPhase() int { return b.head - 1 }

// setPatPhase keeps the bytes held as the pattern from phase at head.
func (b *recvBuffer) setPatPhase(phase int) {
	b.head = (phase+pattern.Mod)%pattern.Mod + 1
}

func (b *recvBuffer) init(size int) { b.size = size }

// free is the room after the in-order bytes.
func (b *recvBuffer) free() int { return b.size - b.n }

// writeAt stores p at off bytes past the in-order data. The caller clips p
// to free().
func (b *recvBuffer) writeAt(off int, p []byte) {
	extent := b.n + off + len(p)
	if phase, ok := pattern.Phase(p); ok && b.writePattern(b.n+off, phase) {
		b.ext = max(b.ext, extent)
		return
	}
	if b.pat() {
		b.materialize()
	}
	if extent > len(b.buf) {
		b.grow(extent)
	}
	b.ext = max(b.ext, extent)
	pos := (b.head + b.n + off) % len(b.buf)
	k := copy(b.buf[pos:], p)
	copy(b.buf, p[k:])
}

// writePattern reports whether pattern bytes of the given phase, at pos
// bytes past head, can be kept by their phase: the buffer holds nothing,
// or only pattern bytes in the same phase.
func (b *recvBuffer) writePattern(pos, phase int) bool {
	switch {
	case b.n == 0 && b.ext <= 0:
		b.release()
		b.setPatPhase((phase - pos) % pattern.Mod)
		return true
	case b.pat():
		return (b.patPhase()+pos)%pattern.Mod == phase
	}
	return false
}

// materialize turns the pattern bytes held into bytes in a block (every
// position up to ext: the ones never written are never read).
func (b *recvBuffer) materialize() {
	phase := b.patPhase()
	b.head = 0
	if b.ext <= 0 {
		b.release()
		return
	}
	nb := getBlock(min(2*b.ext, max(b.size, b.ext)))
	pattern.Fill((*nb)[:b.ext], phase)
	b.block, b.buf, b.head = nb, *nb, 0
}

// grow makes the ring hold at least extent bytes past head, laying out
// what it holds from head at the start of the new block.
func (b *recvBuffer) grow(extent int) {
	nb := getBlock(min(2*extent, max(b.size, extent)))
	if len(b.buf) > 0 {
		k := copy(*nb, b.buf[b.head:])
		copy((*nb)[k:], b.buf[:b.head])
	}
	putBlock(b.block)
	b.block, b.buf, b.head = nb, *nb, 0
}

// commit makes k more bytes in order (readable).
func (b *recvBuffer) commit(k int) { b.n += k }

// read copies in-order bytes into p. A ring that drains, with nothing
// out of order held, gives its block back.
func (b *recvBuffer) read(p []byte) int {
	n := min(len(p), b.n)
	if n == 0 {
		return 0
	}
	if b.pat() {
		phase := b.patPhase()
		b.skipPattern(n)
		pattern.Fill(p[:n], phase)
		return n
	}
	k := copy(p[:n], b.buf[b.head:min(b.head+n, len(b.buf))])
	copy(p[k:n], b.buf)
	b.head = (b.head + n) % len(b.buf)
	b.n -= n
	b.ext -= n
	b.release()
	return n
}

// skipPattern takes up to max of the pattern bytes held (pat()) as read,
// without writing them anywhere, and returns how many: the phase at head
// before says what they were.
func (b *recvBuffer) skipPattern(max int) int {
	n := min(max, b.n)
	b.setPatPhase(b.patPhase() + n%pattern.Mod)
	b.n -= n
	b.ext -= n
	b.release()
	return n
}

// release gives the block back if nothing is held.
func (b *recvBuffer) release() {
	if b.n == 0 && b.ext <= 0 {
		putBlock(b.block)
		b.block, b.buf, b.head, b.ext = nil, nil, 0, 0
	}
}
