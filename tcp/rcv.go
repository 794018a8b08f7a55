package tcp

import "time"

// rcvWnd is RCV.WND: the window last advertised, from RCV.NXT.
func (c *Conn) rcvWnd() int {
	return max(0, int(c.rcvAdvEdge.Sub(c.rcvNxt)))
}

// acceptable is the segment acceptability test of RFC 9293 §3.10.7.4.
func (c *Conn) acceptable(seq Seq, segLen int) bool {
	wnd := uint32(c.rcvWnd())
	switch {
	case segLen == 0 && wnd == 0:
		return seq == c.rcvNxt
	case segLen == 0:
		return seq.InWindow(c.rcvNxt, wnd)
	case wnd == 0:
		return false
	}
	return seq.InWindow(c.rcvNxt, wnd) || seq.Add(uint32(segLen-1)).InWindow(c.rcvNxt, wnd)
}

// advertiseWindow computes the window field for an outgoing segment and
// records the right edge it advertises. The edge never moves left (RFC
// 9293 §3.8.6.2.2 and RFC 7323 §2.4: shrinking the window is discouraged),
// and moves right only by at least min(buffer/2, MSS), the receiver's
// silly-window avoidance of RFC 9293 §3.8.6.2.2.
func (c *Conn) advertiseWindow() uint16 {
	free := min(c.rb.free(), c.rcvClamp, 0xffff<<c.rcvShift)
	// Like Linux (__tcp_select_window), round up to the scale's unit so
	// that the window is not scaled away, when the buffer has the room.
	if up := (free + 1<<c.rcvShift - 1) &^ (1<<c.rcvShift - 1); up <= c.rb.free() {
		free = up
	} else {
		free &^= 1<<c.rcvShift - 1
	}
	edge := c.rcvNxt.Add(uint32(free))
	switch {
	case edge.LessThan(c.rcvAdvEdge):
		edge = c.rcvAdvEdge
	case int(edge.Sub(c.rcvAdvEdge)) < min(c.rb.size/2, c.rcvMss) && int(edge.Sub(c.rcvAdvEdge)) >= 1<<c.rcvShift:
		// (An increase below one scale unit is only rounding.)
		edge = c.rcvAdvEdge
	}
	c.rcvAdvEdge = edge
	return uint16(min(int(edge.Sub(c.rcvNxt))>>c.rcvShift, 0xffff))
}

// windowUpdateAfterRead decides whether a read opened the window enough to
// tell the peer at once: like Linux's tcp_cleanup_rbuf, when the window
// left is at most half the buffer and the new one is at least twice it.
func (c *Conn) windowUpdateAfterRead() {
	if !c.state.canReceive() || c.peerFin {
		return
	}
	cur := c.rcvWnd()
	if 2*cur > c.rb.size {
		return
	}
	free := min(c.rb.free(), c.rcvClamp, 0xffff<<c.rcvShift)
	if free >= 2*cur && free-cur >= min(c.rb.size/2, c.rcvMss) {
		c.ackNow = true
	}
}

// receiveText places payload, which starts at seq within the window, in
// the receive buffer (RFC 9293 §3.10.7.4 seventh step), reassembling
// out-of-order data, and decides when to ACK. dataRecv says that in-order
// data goes through Linux's tcp_event_data_recv, whose tcp_grow_window
// moves the offered window: every segment does (tcp_data_queue), but not
// the data of a Fast Open SYN or SYN-ACK, which tcp_fastopen_add_skb
// queues without it (fastOpenAddSkb).
func (c *Conn) receiveText(now time.Duration, seq Seq, payload []byte, dataRecv bool) {
	off := int(seq.Sub(c.rcvNxt))
	n := min(len(payload), c.rb.free()-off)
	if off < 0 || n <= 0 {
		return
	}
	c.rcvSegMax = min(max(c.rcvSegMax, n), c.rcvMss)
	if off > 0 {
		// RFC 5681 §4.2: an out-of-order segment is ACKed at once (a
		// duplicate ACK, with SACK blocks per RFC 2018).
		c.ackNow = true
		// The buffer bounds what is held (n was clipped to its free
		// space, as Linux bounds its out-of-order queue by the receive
		// buffer), never the number of holes: a burst of losses may leave
		// one range per segment received, and a range not held would not
		// be SACKed, so the sender would count it in flight until the RTO.
		// RFC 2883 §4: bytes held already are reported in a D-SACK
		// block; sackBlocks puts the block now holding them second.
		whole := c.noteDSACKHeld(seq, seq.Add(uint32(n)))
		c.rb.writeAt(off, payload[:n])
		c.stats.BytesReceived += int64(n)
		if c.sackOK && !whole {
			// Linux's tcp_data_queue_ofo grows the window for
			// out-of-order data too, on SACK connections only (without
			// SACK a window held still forces the duplicate ACKs of fast
			// retransmit), and whatever its length, unless all its bytes
			// are held already ("All the bits are present. Drop.").
			c.growWindow()
		}
		o := c.ofoHeld()
		o.ranges = insertRange(o.ranges, seqRange{seq, seq.Add(uint32(n))})
		c.noteSackRecent(seq)
		return
	}
	if dataRecv {
		c.noteDataArrival(now)
	}
	if !c.dsackOn {
		// In-order data may repeat bytes held out of order: Linux's
		// tcp_ofo_queue reports them (tcp_dsack_extend) unless a D-SACK
		// for bytes below RCV.NXT is pending already.
		c.noteDSACKHeld(seq, seq.Add(uint32(n)))
	}
	c.rb.writeAt(0, payload[:n])
	c.stats.BytesReceived += int64(n)
	end := c.rcvNxt.Add(uint32(n))
	k := 0
	held := c.held()
	for k < len(held) && held[k].start.LessEq(end) {
		end = Max(end, held[k].end)
		k++
	}
	filled := k > 0
	if filled {
		c.ofo.ranges = dropRanges(held, k)
	}
	if dataRecv && n >= 128 {
		// Linux's tcp_event_data_recv grows the window for in-order
		// segments of at least 128 bytes.
		c.growWindow()
	}
	c.rb.commit(int(end.Sub(c.rcvNxt)))
	c.nxtRel += uint64(end.Sub(c.rcvNxt))
	c.rcvNxt = end
	c.rcvRTTMeasure(now, c.segTsecr, n)
	c.emit(Event{Kind: EvReadable})
	if filled || len(c.held()) > 0 {
		// RFC 5681 §4.2: ACK at once when a segment fills (part of) a gap.
		c.ackNow = true
		return
	}
	c.delayAck(now, n)
}

// growWindow is Linux's tcp_grow_window for a segment received: the
// offered window starts at the initial window and grows by two segments
// per segment received, up to the buffer, so a new connection does not
// offer its whole buffer at once.
func (c *Conn) growWindow() {
	if c.rcvClamp < c.rb.size {
		c.rcvClamp = min(c.rb.size, c.rcvClamp+2*c.rcvMss)
	}
}

// delayAck implements delayed ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2):
// quick ACKs at the start of a connection as Linux does, unless in
// interactive mode (tcp_in_quickack_mode, pingpong.go), then an ACK for at
// least every second full-sized segment, else after the ACK timeout
// (sendDelayedAck).
func (c *Conn) delayAck(now time.Duration, n int) {
	c.unackedBytes += n // due to be ACKed: ackSent counts the quick ACK
	if c.cfg.DelayedAck == 0 || c.quickAcks > 0 && !c.pingpong {
		c.ackNow = true
		return
	}
	if c.unackedBytes > c.rcvSegMax {
		c.ackNow = true
		return
	}
	c.sendDelayedAck(now)
}

// incrQuickAcks raises the quick-ACK budget as Linux's tcp_incr_quickack:
// enough ACKs for the window offered at one per two segments (at least
// two), at most most, never lowering a larger budget left.
func (c *Conn) incrQuickAcks(most int) {
	n := c.rcvWnd() / (2 * max(c.rcvSegMax, 1))
	if n == 0 {
		n = 2
	}
	c.quickAcks = uint8(max(int(c.quickAcks), min(n, most)))
}

// enterQuickAck is Linux's tcp_enter_quickack_mode: up to most quick ACKs
// from now, out of interactive mode, and the ACK timeout estimate back at
// its floor, TCP_ATO_MIN (pingpong.go).
func (c *Conn) enterQuickAck(most int) {
	c.incrQuickAcks(most)
	c.exitPingpong()
	c.ato = c.cfg.DelayedAck
}

// ofoState is the receiver's record of data held out of order and of
// duplicates to report, kept apart from the Conn (56 bytes) since most
// connections never see any.
type ofoState struct {
	ranges []seqRange // out-of-order ranges held, sorted
	recent []Seq      // a point in each block, most recent first (RFC 2018 §4)
	dsack  seqRange   // duplicate data to report (RFC 2883), when Conn.dsackOn
}

// held returns the out-of-order ranges held, sorted (none without ofo).
func (c *Conn) held() []seqRange {
	if c.ofo == nil {
		return nil
	}
	return c.ofo.ranges
}

// ofoHeld returns the out-of-order record, made on first use.
func (c *Conn) ofoHeld() *ofoState {
	if c.ofo == nil {
		c.ofo = &ofoState{}
	}
	return c.ofo
}
