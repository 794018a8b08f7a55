package tcp

import "time"

// seqRange is the byte range [start, end) in sequence space.
type seqRange struct{ start, end Seq }

// scoreboard is the sender's record of SACKed data (RFC 6675 §3) and the
// highest retransmitted sequence number, HighRxt.
type scoreboard struct {
	blocks  []seqRange // disjoint, sorted, all above SND.UNA
	highRxt Seq
}

func (b *scoreboard) clear() { b.blocks = b.blocks[:0] }

// add records a SACK block after checking it against what was sent (RFC
// 2018 §3: a block outside [SND.UNA, SND.MAX] is ignored).
func (b *scoreboard) add(blk SACKBlock, una, sndMax Seq) {
	s, e := blk.Start, blk.End
	if !s.LessThan(e) || e.LessEq(una) || e.GreaterThan(sndMax) {
		return
	}
	if s.LessThan(una) {
		s = una
	}
	b.blocks = insertRange(b.blocks, seqRange{s, e})
}

// pruneBelow forgets what the cumulative ACK now covers.
func (b *scoreboard) pruneBelow(ack Seq) {
	i := 0
	for i < len(b.blocks) && b.blocks[i].end.LessEq(ack) {
		i++
	}
	if i > 0 {
		b.blocks = append(b.blocks[:0], b.blocks[i:]...)
	}
	if len(b.blocks) > 0 && b.blocks[0].start.LessThan(ack) {
		b.blocks[0].start = ack
	}
	if b.highRxt.LessThan(ack) {
		b.highRxt = ack
	}
}

// nextSacked returns the start of the first SACKed block after seq.
func (b *scoreboard) nextSacked(seq Seq) (Seq, bool) {
	for _, r := range b.blocks {
		if r.start.GreaterThan(seq) {
			return r.start, true
		}
	}
	return 0, false
}

// sackedAbove counts SACKed bytes and blocks above seq.
func (b *scoreboard) sackedAbove(seq Seq) (bytes, blocks int) {
	for i := len(b.blocks) - 1; i >= 0; i-- {
		r := b.blocks[i]
		if r.end.LessEq(seq) {
			break
		}
		bytes += int(r.end.Sub(Max(r.start, seq)))
		blocks++
	}
	return bytes, blocks
}

// sackedBelow counts SACKed bytes before seq.
func (b *scoreboard) sackedBelow(seq Seq) int {
	n := 0
	for _, r := range b.blocks {
		if !r.start.LessThan(seq) {
			break
		}
		n += int(Min(r.end, seq).Sub(r.start))
	}
	return n
}

// isLost is RFC 6675 §4 IsLost(seq): DupThresh discontiguous SACKed
// blocks above it, or more than (DupThresh-1)*SMSS SACKed bytes.
func (b *scoreboard) isLost(seq Seq, mss int) bool {
	bytes, blocks := b.sackedAbove(seq)
	return blocks >= defaultDupThresh || bytes > (defaultDupThresh-1)*mss
}

// insertRange adds r to a sorted list of disjoint ranges, merging overlaps
// and neighbours.
func insertRange(rs []seqRange, r seqRange) []seqRange {
	i := 0
	for i < len(rs) && rs[i].end.LessThan(r.start) {
		i++
	}
	j := i
	for j < len(rs) && rs[j].start.LessEq(r.end) {
		r.start = Min(r.start, rs[j].start)
		r.end = Max(r.end, rs[j].end)
		j++
	}
	if i == j {
		rs = append(rs, seqRange{})
		copy(rs[i+1:], rs[i:])
		rs[i] = r
		return rs
	}
	rs[i] = r
	return append(rs[:i+1], rs[j:]...)
}

// pipe is RFC 6675 §4 SetPipe: the sender's estimate of bytes in flight.
// An unSACKed byte counts once unless it is deemed lost, and once more if
// it was retransmitted (below HighRxt).
func (c *Conn) pipe() int {
	p := 0
	cur := c.sndUna
	hole := func(end Seq) {
		if !cur.LessThan(end) {
			return
		}
		n := int(end.Sub(cur))
		if !c.board.isLost(cur, c.sndMss) {
			p += n
		}
		if c.board.highRxt.GreaterThan(cur) {
			p += min(n, int(c.board.highRxt.Sub(cur)))
		}
	}
	for _, r := range c.board.blocks {
		hole(r.start)
		cur = Max(cur, r.end)
	}
	hole(c.sndMax)
	return p
}

// nextLostHole is RFC 6675 §4 NextSeg rule 1: the first unSACKed byte at
// or above HighRxt that IsLost, and how much of its hole fits a segment.
func (c *Conn) nextLostHole() (Seq, int, bool) {
	cur := c.sndUna
	for _, r := range c.board.blocks {
		s := Max(cur, c.board.highRxt)
		if s.LessThan(r.start) && c.board.isLost(s, c.sndMss) {
			return s, min(c.sndMss, int(r.start.Sub(s))), true
		}
		cur = Max(cur, r.end)
	}
	return 0, 0, false
}

// sackRetransmit resends lost holes while the pipe allows (RFC 6675 §5
// step C).
func (c *Conn) sackRetransmit(now time.Duration) {
	for c.cc.Cwnd()-c.pipe() >= c.sndMss {
		s, n, ok := c.nextLostHole()
		if !ok {
			return
		}
		sent := c.retransmit(now, s, n, "sack")
		if sent == 0 {
			return
		}
		c.board.highRxt = s.Add(uint32(sent))
	}
}

// sackBlocks returns the SACK blocks for our next ACK (RFC 2018 §4): the
// block holding the most recently received segment first, then the other
// recently reported ones.
func (c *Conn) sackBlocks() []SACKBlock {
	n := 0
	if c.dsackOn {
		// RFC 2883 §4: a D-SACK block, reporting duplicate data, goes
		// first, in the next ACK only.
		c.sackBuf[0] = SACKBlock{Start: c.dsack.start, End: c.dsack.end}
		c.dsackOn = false
		n = 1
	}
	keep := c.sackRecent[:0]
	for _, p := range c.sackRecent {
		idx := -1
		for i, r := range c.ooo {
			if !p.LessThan(r.start) && p.LessThan(r.end) {
				idx = i
				break
			}
		}
		if idx < 0 {
			continue
		}
		r := c.ooo[idx]
		dup := false
		for _, b := range c.sackBuf[:n] {
			if b.Start == r.start && b.End == r.end {
				dup = true
			}
		}
		if dup {
			continue
		}
		keep = append(keep, p)
		if n < MaxSACKBlocks {
			c.sackBuf[n] = SACKBlock{Start: r.start, End: r.end}
			n++
		}
	}
	c.sackRecent = keep
	// Blocks never reported as recent (after a merge) still belong on the
	// wire: fill from the highest down.
	for i := len(c.ooo) - 1; i >= 0 && n < MaxSACKBlocks; i-- {
		r := c.ooo[i]
		dup := false
		for _, b := range c.sackBuf[:n] {
			if b.Start == r.start && b.End == r.end {
				dup = true
			}
		}
		if !dup {
			c.sackBuf[n] = SACKBlock{Start: r.start, End: r.end}
			n++
		}
	}
	return c.sackBuf[:n]
}

// noteSackRecent puts seq at the front of the recency list.
func (c *Conn) noteSackRecent(seq Seq) {
	if len(c.sackRecent) < MaxSACKBlocks {
		c.sackRecent = append(c.sackRecent, 0)
	}
	copy(c.sackRecent[1:], c.sackRecent[:len(c.sackRecent)-1])
	c.sackRecent[0] = seq
}

// noteDSACK records duplicate data [s, e) for the next ACK (RFC 2883, as
// Linux does with tcp_dsack on).
func (c *Conn) noteDSACK(s, e Seq) {
	if c.sackOK {
		c.dsack, c.dsackOn = seqRange{s, e}, true
	}
}
