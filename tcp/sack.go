package tcp

import (
	"flag"
	"fmt"
	"sort"
	"testing"
	"time"
)

// scoreboard is the sender's record of SACKed data (RFC 6675 §3) and the
// highest retransmitted sequence number, HighRxt.
type scoreboard struct {
	blocks  []seqRange // disjoint, sorted, all above SND.UNA
	highRxt Seq
	// rescueRxt is RFC 6675 RescueRxt, the RecoveryPoint of the recovery
	// that sent the rescue retransmission (NextSeg rule 4), when
	// rescueSet.
	rescueRxt Seq
	rescueSet bool
	// trk is the record of SACK recovery's retransmissions, from the
	// first recovery on (nil before: a connection that never recovers
	// keeps 8 bytes for it, not 56).
	trk *rtxTrack
}

// rtxTrack is what SACK recovery records of its retransmissions.
type rtxTrack struct {
	// rtx lists the retransmissions of this recovery not yet known to be
	// delivered or lost, oldest first, for lost-retransmission detection.
	rtx []rtxRec
	// relost holds ranges whose retransmission was lost: they are not in
	// flight and go out again before anything else.
	relost []seqRange
	// timeouts is the RTO count when the recovery that owns highRxt and
	// rtx began: an RTO since then resends go-back-N, so they no longer
	// describe what is in flight.
	timeouts int
	// check has pipe compare each answer with the whole walk (pipeCheck).
	check bool
	// gen counts the changes to the SACKed blocks and to relost, so that
	// memo knows when they moved.
	gen uint64
	// memo is pipe's walk of the holes, kept between calls: here, with
	// what only recovery needs, since Conn's sender lines have no room.
	memo pipeMemo
}

// pipeMemo is the part of RFC 6675 SetPipe (Conn.pipe) that only the
// SACKed blocks and what IsLost reads decide: the holes below the highest
// SACKed byte, and the lost retransmissions still in flight. pipe runs for
// every segment sent in recovery (cwndAvail) and several times per ACK,
// and with a window of thousands of segments walking every hole each time
// took most of a run; the hole above the top block, which grows as data is
// sent, is added on every call.
type pipeMemo struct {
	ok bool
	// The inputs the value was computed from.
	gen             uint64
	una, highRxt    Seq
	lostEdge        Seq
	mss             int
	rackMode, reord bool
	// below is what the holes below the top SACKed block count; relost is
	// relostInFlight.
	below, relost int
}

// rtxRec is one retransmission during SACK recovery: the range resent and
// SND.MAX when it was sent (Linux's ack_seq in tcp_mark_lost_retrans).
type rtxRec struct {
	start, end Seq
	sndMaxAt   Seq
	at         time.Duration // when it was sent
}

// resetRtx forgets the retransmissions of an earlier recovery, at the
// start of one when timeouts RTOs have happened.
func (b *scoreboard) resetRtx(timeouts int) {
	t := b.track()
	t.rtx = t.rtx[:0]
	t.relost = t.relost[:0]
	t.timeouts = timeouts
	t.gen++
}

// track returns the retransmission record, made on first use.
func (b *scoreboard) track() *rtxTrack {
	if b.trk == nil {
		b.trk = &rtxTrack{check: pipeCheck()}
	}
	return b.trk
}

// noteRtx records a retransmission of [s, e) sent while SND.MAX was
// sndMax.
func (b *scoreboard) noteRtx(s, e, sndMax Seq, now time.Duration) {
	t := b.track()
	t.rtx = append(t.rtx, rtxRec{start: s, end: e, sndMaxAt: sndMax, at: now})
}

// markLostRetrans detects retransmissions that were themselves lost: one
// is deemed lost when data sent after it has been delivered while it has
// not, since the later data got through the same path. That is either
// new data first sent after it and now SACKed (Linux's
// tcp_mark_lost_retrans before RACK), or a later retransmission now
// acknowledged or SACKed (what RACK, RFC 8985 §6.2, concludes from send
// times when no reordering has been seen, Linux's reo_wnd of 0 during
// recovery). Without this rule (RFC 6675 has none) only the RTO repairs a
// retransmission that is dropped. The unSACKed part of each lost one
// moves to relost, to be resent. It reports whether it found any.
//
// A retransmission delivered sooner than minRTT after it was sent was
// most likely delivered by its original (RFC 8985 §6.2 step 2, Linux's
// tcp_rack_advance), so it does not show that earlier ones were lost.
//
// wait, when not zero (the path reorders), is how long a retransmission
// must have been out before it is deemed lost (RFC 8985 §6.2 step 5:
// RACK.rtt plus the reordering window): a younger one may only have been
// overtaken, and it and those sent after it are looked at again later.
// left is then how long the youngest of those that data sent after them
// has overtaken must still wait (0 when none must): RACK's reordering
// timer checks them again then (RFC 8985 §6.3; Linux's
// tcp_rack_detect_loss arms it for the longest such wait, over every
// segment, retransmissions included).
func (b *scoreboard) markLostRetrans(una Seq, now, minRTT, wait time.Duration) (found bool, left time.Duration) {
	t := b.trk
	if t == nil || len(t.rtx) == 0 {
		return false, 0
	}
	var top Seq // the highest SACKed byte, plus one
	if n := len(b.blocks); n > 0 {
		top = b.blocks[n-1].end
	} else {
		top = una
	}
	// last: the latest retransmission that has been delivered; every
	// earlier one was sent before it.
	last := -1
	for k := len(t.rtx) - 1; k >= 0; k-- {
		if r := t.rtx[k]; now-r.at >= minRTT && b.delivered(r, una) {
			last = k
			break
		}
	}
	// Retransmissions are recorded in the order they were sent, so SND.MAX
	// at each is non-decreasing: past the last delivered one, those that
	// later data has overtaken are a prefix of the list.
	overtaken := func(k int) bool { return k <= last || top.GreaterThan(t.rtx[k].sndMaxAt) }
	k := 0
	for ; k < len(t.rtx); k++ {
		r := t.rtx[k]
		if !overtaken(k) {
			break // nothing sent after it has been delivered yet
		}
		if wait > 0 && now-r.at < wait {
			// Too young, and so are all sent after it: the timer waits
			// for the youngest overtaken one not yet delivered.
			for j := k; j < len(t.rtx) && overtaken(j); j++ {
				if r := t.rtx[j]; !b.delivered(r, una) {
					left = wait - (now - r.at)
				}
			}
			break
		}
		for s := Max(r.start, una); s.LessThan(r.end); {
			if i, ok := rangeHolding(b.blocks, s); ok {
				s = b.blocks[i].end
				continue
			}
			e := r.end
			if next, ok := b.nextSacked(s); ok && next.LessThan(e) {
				e = next
			}
			t.relost = insertRange(t.relost, seqRange{s, e})
			t.gen++
			found = true
			s = e
		}
	}
	t.rtx = append(t.rtx[:0], t.rtx[k:]...)
	return found, left
}

// delivered reports whether all of r has been acknowledged or SACKed.
func (b *scoreboard) delivered(r rtxRec, una Seq) bool {
	s := Max(r.start, una)
	if !s.LessThan(r.end) {
		return true
	}
	i, ok := rangeHolding(b.blocks, s)
	return ok && b.blocks[i].end.GreaterEq(r.end)
}

// nextRelost is the first byte of a range whose retransmission was lost
// that is neither acknowledged nor SACKed, and how much of it fits a
// segment; it drops the ranges that have been delivered since. It notes
// a change for pipe's memo only when relost moved: sackRecover asks on
// every pass, and a range that waits for PRR's allowance is asked for
// again and again unchanged.
func (b *scoreboard) nextRelost(una Seq, mss int) (Seq, int, bool) {
	t := b.trk
	for t != nil && len(t.relost) > 0 {
		r := &t.relost[0]
		s := Max(r.start, una)
		for s.LessThan(r.end) {
			i, ok := rangeHolding(b.blocks, s)
			if !ok {
				break
			}
			s = b.blocks[i].end
		}
		if s != r.start {
			r.start = s
			t.gen++
		}
		if !r.start.LessThan(r.end) {
			t.relost = dropRanges(t.relost, 1)
			t.gen++
			continue
		}
		e := r.end
		if next, ok := b.nextSacked(r.start); ok && next.LessThan(e) {
			e = next
		}
		return r.start, min(mss, int(e.Sub(r.start))), true
	}
	return 0, 0, false
}

// relostInFlight counts the bytes of relost that pipe would count as
// retransmitted and in flight: those neither acknowledged nor SACKed.
func (b *scoreboard) relostInFlight(una Seq) int {
	if b.trk == nil {
		return 0
	}
	n := 0
	for _, r := range b.trk.relost {
		s := Max(r.start, una)
		if !s.LessThan(r.end) {
			continue
		}
		n += int(r.end.Sub(s)) - (b.sackedBelow(r.end) - b.sackedBelow(s))
	}
	return n
}

func (b *scoreboard) clear() {
	b.blocks = b.blocks[:0]
	b.changed()
}

// changed notes that the blocks or relost moved, for pipe's memo.
func (b *scoreboard) changed() {
	if b.trk != nil {
		b.trk.gen++
	}
}

// sackWholeSegments trims a SACK block to the segments it covers whole.
// Linux tags SACKed data by segment (tcp_match_skb_to_sack splits an skb
// only at MSS multiples, rounding the unSACKed part up), so a block that
// covers part of a segment SACKs none of it: the last byte of a segment
// SACKed alone leaves the sender in the Open state, with its tail loss
// probe still due. A segment a retransmission cut anew (Linux's
// tcp_fragment cuts the skb for it) may be SACKed by part, so a block
// edge inside one of those stands.
func (c *Conn) sackWholeSegments(blk SACKBlock) SACKBlock {
	if i := c.sentIndex(blk.Start); i < len(c.sent) {
		if s := &c.sent[i]; !s.recut && s.start.LessThan(blk.Start) {
			blk.Start = s.end
		}
	}
	if i := c.sentIndex(blk.End); i < len(c.sent) {
		if s := &c.sent[i]; !s.recut && s.start.LessThan(blk.End) {
			blk.End = s.start
		}
	}
	return blk
}

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
	b.changed()
}

// pruneBelow forgets what the cumulative ACK now covers.
func (b *scoreboard) pruneBelow(ack Seq) {
	i := sort.Search(len(b.blocks), func(k int) bool { return ack.LessThan(b.blocks[k].end) })
	b.blocks = dropRanges(b.blocks, i)
	if len(b.blocks) > 0 && b.blocks[0].start.LessThan(ack) {
		b.blocks[0].start = ack
	}
	b.changed()
	if b.highRxt.LessThan(ack) {
		b.highRxt = ack
	}
}

// nextSacked returns the start of the first SACKed block after seq.
func (b *scoreboard) nextSacked(seq Seq) (Seq, bool) {
	if i := b.firstAbove(seq); i < len(b.blocks) {
		return b.blocks[i].start, true
	}
	return 0, false
}

// firstAbove is the index of the first block that starts after seq.
func (b *scoreboard) firstAbove(seq Seq) int {
	return sort.Search(len(b.blocks), func(k int) bool { return b.blocks[k].start.GreaterThan(seq) })
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
// blocks above it, or more than (DupThresh-1)*SMSS SACKed bytes. It looks
// at no more than DupThresh blocks from the top, so that pipe stays
// linear in the number of holes however many there are.
func (b *scoreboard) isLost(seq Seq, mss int) bool {
	bytes := 0
	for i, blocks := len(b.blocks)-1, 1; i >= 0; i, blocks = i-1, blocks+1 {
		r := b.blocks[i]
		if r.end.LessEq(seq) {
			return false
		}
		bytes += int(r.end.Sub(Max(r.start, seq)))
		if blocks >= defaultDupThresh || bytes > (defaultDupThresh-1)*mss {
			return true
		}
	}
	return false
}

// isLost reports whether the unSACKed byte seq is deemed lost. During SACK
// recovery with Config.RACK: when RACK deemed it lost (rack.go), or, with
// no reordering seen, whose reordering window is then zero in recovery,
// once anything sent after it is delivered: original data below a SACKed
// block was sent before it. Otherwise RFC 6675 §4 IsLost.
func (c *Conn) isLost(seq Seq) bool {
	if c.inRecovery && c.cfg.RACK {
		if seq.LessThan(c.rack.lostEdge) {
			return true
		}
		if c.rack.reordSeen {
			return false // RACK's window is open: only what it deemed lost
		}
		n := len(c.board.blocks)
		return n > 0 && seq.LessThan(c.board.blocks[n-1].start)
	}
	return c.board.isLost(seq, c.sndMss)
}

// pipe is RFC 6675 §4 SetPipe: the sender's estimate of bytes in flight.
// An unSACKed byte counts once unless it is deemed lost, and once more if
// it was retransmitted (below HighRxt).
//
// The holes below the top SACKed block are counted once per change of
// what decides them (pipeMemo); the hole above it, which every send
// grows, on each call. pipeCheck has tests compare each answer with the
// whole walk, pipeWalk.
func (c *Conn) pipe() int {
	t := c.board.trk
	if t == nil {
		return c.pipeWalk() // no recovery yet: few blocks, if any
	}
	m := &t.memo
	rackMode := c.inRecovery && c.cfg.RACK
	if !m.ok || m.gen != t.gen || m.una != c.sndUna || m.highRxt != c.board.highRxt ||
		m.mss != c.sndMss || m.rackMode != rackMode || m.lostEdge != c.rack.lostEdge ||
		m.reord != c.rack.reordSeen {
		*m = pipeMemo{ok: true, gen: t.gen, una: c.sndUna, highRxt: c.board.highRxt, mss: c.sndMss,
			rackMode: rackMode, lostEdge: c.rack.lostEdge, reord: c.rack.reordSeen,
			relost: c.board.relostInFlight(c.sndUna)}
		m.below, _ = c.pipeHoles(len(c.board.blocks))
	}
	cur := c.sndUna
	if n := len(c.board.blocks); n > 0 {
		cur = Max(cur, c.board.blocks[n-1].end)
	}
	p := max(0, m.below+c.pipeHole(cur, c.sndMax)-m.relost)
	if t.check {
		if w := c.pipeWalk(); w != p {
			panic(fmt.Sprintf("tcp: pipe memo %d, walk %d", p, w))
		}
	}
	return p
}

// pipeCheck reports whether pipe is to compare its memo with pipeWalk on
// every call: in every test binary, not only this package's but those
// that run whole scenarios (scenarios, cmd/netsim, sweep, e2e), where
// recovery with thousands of holes happens; not while benchmarks run,
// whose figures are the memo's; never in netsim itself. It runs once per
// connection, when its first recovery makes the rtxTrack.
func pipeCheck() bool {
	if !testing.Testing() {
		return false
	}
	f := flag.Lookup("test.bench")
	return f == nil || f.Value.String() == ""
}

// pipeWalk is RFC 6675 §4 SetPipe computed from scratch, walking every
// hole.
func (c *Conn) pipeWalk() int {
	p, cur := c.pipeHoles(len(c.board.blocks))
	p += c.pipeHole(cur, c.sndMax)
	// A retransmission known to be lost has left the network (RFC 6675
	// §4 counts a retransmitted byte while it may still be in flight).
	return max(0, p-c.board.relostInFlight(c.sndUna))
}

// pipeHoles counts the holes below the first n SACKed blocks, and
// returns where the next hole starts.
func (c *Conn) pipeHoles(n int) (p int, cur Seq) {
	cur = c.sndUna
	for _, r := range c.board.blocks[:n] {
		p += c.pipeHole(cur, r.start)
		cur = Max(cur, r.end)
	}
	return p, cur
}

// pipeHole is what the unSACKed bytes [cur, end) add to pipe: each once
// unless deemed lost, and once more if retransmitted (below HighRxt).
func (c *Conn) pipeHole(cur, end Seq) int {
	if !cur.LessThan(end) {
		return 0
	}
	p := 0
	n := int(end.Sub(cur))
	if !c.isLost(cur) {
		p += n
	}
	if c.board.highRxt.GreaterThan(cur) {
		p += min(n, int(c.board.highRxt.Sub(cur)))
	}
	return p
}

// lostEdge is the end of the highest hole IsLost deems lost (SND.UNA when
// none is), so that an ACK that moves it up has marked new losses. Only
// the holes below the top DupThresh blocks need a look: every hole below
// those has DupThresh blocks above it and is lost.
func (c *Conn) lostEdge() Seq {
	b := &c.board
	for k := len(b.blocks) - 1; k >= 0 && k >= len(b.blocks)-defaultDupThresh; k-- {
		cur := c.sndUna
		if k > 0 {
			cur = b.blocks[k-1].end
		}
		if cur.LessThan(b.blocks[k].start) && c.isLost(cur) {
			return b.blocks[k].start
		}
	}
	return c.sndUna
}

// holeAboveHighRxt is the first unSACKed, not yet retransmitted byte
// below the highest SACKed one (RFC 6675 §4 NextSeg rules 1.a and 1.b:
// above HighRxt, below a SACKed block), how much of its hole fits a
// segment, and whether IsLost holds for it (rule 1.c). Retransmissions go
// up from HighRxt, so every byte above it was sent once only.
func (c *Conn) holeAboveHighRxt() (s Seq, n int, lost, ok bool) {
	b := &c.board
	i := b.firstAbove(b.highRxt)
	if i == len(b.blocks) {
		return 0, 0, false, false // no SACKed block above HighRxt, so no hole below one
	}
	s = Max(c.sndUna, b.highRxt)
	if i > 0 {
		s = Max(s, b.blocks[i-1].end)
	}
	if !s.LessThan(b.blocks[i].start) {
		return 0, 0, false, false
	}
	return s, min(c.curMss(), int(b.blocks[i].start.Sub(s))), c.isLost(s), true
}

// nextLostHole is RFC 6675 §4 NextSeg rule 1: the first unSACKed byte at
// or above HighRxt that IsLost, and how much of its hole fits a segment.
// Only the first hole at or above HighRxt can qualify: IsLost holds for
// a byte only if it holds for every byte below it, since fewer bytes and
// blocks are SACKed above a higher one.
func (c *Conn) nextLostHole() (Seq, int, bool) {
	s, n, lost, ok := c.holeAboveHighRxt()
	return s, n, ok && lost
}

// rescueSeg is RFC 6675 §4 NextSeg rule 4, the rescue retransmission: once
// per recovery (while RescueRxt is not above HighACK), the segment that
// ends at the highest outstanding unSACKed byte, so that a loss at the
// tail of the window with no new data to send still gets an ACK back
// before the RTO.
func (c *Conn) rescueSeg() (Seq, int, bool) {
	b := &c.board
	if !c.cfg.RescueRetransmit || b.rescueSet && c.sndUna.LessEq(b.rescueRxt) {
		return 0, 0, false
	}
	end := c.sndMax
	if c.finQueued && end.GreaterThan(c.finSeq) {
		end = c.finSeq // the FIN goes with the data that ends at it
	}
	for i := len(b.blocks) - 1; i >= 0 && b.blocks[i].end.GreaterEq(end); i-- {
		end = Min(end, b.blocks[i].start)
	}
	if !c.sndUna.LessThan(end) {
		return 0, 0, false // everything outstanding is SACKed
	}
	n := min(c.curMss(), int(end.Sub(c.sndUna)))
	return end.Add(uint32(-int32(n))), n, true
}

// sackRecover sends what RFC 6675 §5 step (C) allows during SACK recovery,
// choosing each segment by NextSeg (§4) in its order of preference: a
// lost hole (rule 1), new data (rule 2), the first hole not yet
// retransmitted below the highest SACK (rule 3), and the rescue
// retransmission (rule 4). The allowance is Proportional Rate
// Reduction's for the latest ACK (RFC 6937 §3) in place of RFC 6675's
// cwnd - pipe.
func (c *Conn) sackRecover(now time.Duration) {
	for {
		if c.paceBlocked(now) {
			// Linux's tcp_xmit_retransmit_queue: retransmissions wait for
			// the pacing timer as new data does.
			return
		}
		if s, n, ok := c.board.nextRelost(c.sndUna, c.curMss()); ok {
			// A lost retransmission is lost data below HighRxt: like rule
			// 1, it goes before anything else.
			if c.recoveryAllow() < n {
				return
			}
			sent := c.retransmit(now, s, n, "sack")
			if sent == 0 {
				return
			}
			c.board.trk.relost[0].start = s.Add(uint32(sent)) // nextRelost found it
			c.board.changed()
			c.board.noteRtx(s, s.Add(uint32(sent)), c.sndMax, now)
			c.prr.sent(sent)
			if s == c.sndUna {
				// The head went again: the RTO runs from now, as Linux's
				// tcp_xmit_retransmit_queue restarts it for the head. (When
				// the reordering timer sent it, Linux's
				// tcp_rack_reo_timeout rearms it from the head's send
				// time instead; netsim still runs it from now.)
				c.arm(timerRtx, now+c.rtt.current())
			}
			continue
		}
		s, n, lost, ok := c.holeAboveHighRxt()
		switch {
		case ok && lost:
			if !c.sackResend(now, s, n, true) {
				return
			}
		case c.synAcked && c.sendOne(now, false):
			// Rule 2: new data (sendOne charges PRR itself).
		case ok && !c.rackOn():
			// Rule 3, which Linux dropped with RACK ("tcp: remove forward
			// retransmit feature", 4.11): with RACK a hole is resent once
			// it is deemed lost, not while it may only be reordered.
			if !c.sackResend(now, s, n, true) {
				return
			}
		default:
			s, n, ok = c.rescueSeg()
			if !ok || !c.sackResend(now, s, n, false) {
				return
			}
			c.board.rescueRxt, c.board.rescueSet = c.recoverSeq, true
		}
	}
}

// recoveryAllow is how much SACK recovery may send now: PRR's allowance
// for the latest ACK (RFC 6937), or, with an algorithm that bounds the
// window during recovery itself (WindowController: BBR), what its window
// leaves above the pipe, as Linux's cong_control takes the place of
// tcp_cwnd_reduction and tcp_xmit_retransmit_queue resends while
// tcp_packets_in_flight is below snd_cwnd. New data goes by that window
// (cwndAvail) and uses up PRR's allowance, which would otherwise hold the
// retransmissions back until the RTO.
func (c *Conn) recoveryAllow() int {
	if c.windowCtl {
		return c.cwndAvail()
	}
	return c.prr.allow
}

// sackResend retransmits n bytes at s if the recovery allowance covers them
// (RFC 6675 §5 steps C.1-C.4), moving HighRxt unless it is the rescue
// retransmission, and reports whether it sent.
func (c *Conn) sackResend(now time.Duration, s Seq, n int, moveHighRxt bool) bool {
	if c.recoveryAllow() < n {
		return false
	}
	sent := c.retransmit(now, s, n, "sack")
	if sent == 0 {
		return false
	}
	if moveHighRxt {
		// RFC 6675 §5 (C.3): HighRxt is the highest byte retransmitted.
		c.board.highRxt = s.Add(uint32(sent))
	}
	c.board.noteRtx(s, s.Add(uint32(sent)), c.sndMax, now)
	c.prr.sent(sent)
	return true
}

// sackBlocks returns the SACK blocks for our next ACK (RFC 2018 §4): the
// block holding the most recently received segment first, then the other
// recently reported ones. They are written into buf.
func (c *Conn) sackBlocks(buf *[MaxSACKBlocks]SACKBlock) []SACKBlock {
	n, first := 0, 0
	if c.dsackOn {
		// RFC 2883 §4: a D-SACK block, reporting duplicate data, goes
		// first, in the next ACK only.
		buf[0] = SACKBlock{Start: c.ofo.dsack.start, End: c.ofo.dsack.end}
		c.dsackOn = false
		n, first = 1, 1
	}
	// Blocks are deduplicated among themselves, not against the D-SACK
	// block: a SACK block equal to it still follows (RFC 2883 §4: the
	// second block is the one holding the duplicate).
	o := c.ofo
	if o == nil {
		return buf[:n] // nothing held out of order, ever
	}
	keep := o.recent[:0]
	for _, p := range o.recent {
		idx, ok := rangeHolding(o.ranges, p)
		if !ok {
			continue // delivered in order since, or merged into a reported block
		}
		r := o.ranges[idx]
		dup := false
		for _, b := range buf[first:n] {
			if b.Start == r.start && b.End == r.end {
				dup = true
			}
		}
		if dup {
			continue
		}
		keep = append(keep, p)
		if n < MaxSACKBlocks {
			buf[n] = SACKBlock{Start: r.start, End: r.end}
			n++
		}
	}
	o.recent = keep
	// Blocks never reported as recent (after a merge) still belong on the
	// wire: fill from the highest down.
	for i := len(o.ranges) - 1; i >= 0 && n < MaxSACKBlocks; i-- {
		r := o.ranges[i]
		dup := false
		for _, b := range buf[first:n] {
			if b.Start == r.start && b.End == r.end {
				dup = true
			}
		}
		if !dup {
			buf[n] = SACKBlock{Start: r.start, End: r.end}
			n++
		}
	}
	return buf[:n]
}

// noteSackRecent puts seq at the front of the recency list.
func (c *Conn) noteSackRecent(seq Seq) {
	o := c.ofoHeld()
	if len(o.recent) < MaxSACKBlocks {
		o.recent = append(o.recent, 0)
	}
	copy(o.recent[1:], o.recent[:len(o.recent)-1])
	o.recent[0] = seq
}

// noteDSACKHeld reports, as duplicate data, the first part of [s, e)
// already held out of order (RFC 2883 §4; Linux tcp_data_queue_ofo sets
// the D-SACK block to the first overlap). Held ranges are merged and
// disjoint, so later overlaps are separated from it by a gap and, as in
// Linux's tcp_dsack_extend, do not join the block. It returns whether
// one held range holds all of [s, e), as when Linux finds "All the bits
// are present" and drops the segment.
func (c *Conn) noteDSACKHeld(s, e Seq) (whole bool) {
	held := c.held()
	i := sort.Search(len(held), func(k int) bool { return s.LessThan(held[k].end) })
	if i == len(held) || !held[i].start.LessThan(e) {
		return false
	}
	c.noteDSACK(Max(s, held[i].start), Min(e, held[i].end))
	return !s.LessThan(held[i].start) && !held[i].end.LessThan(e)
}

// noteDSACK records duplicate data [s, e) for the next ACK (RFC 2883, as
// Linux does with tcp_dsack on).
func (c *Conn) noteDSACK(s, e Seq) {
	if c.sackOK {
		c.ofoHeld().dsack, c.dsackOn = seqRange{s, e}, true
	}
}
