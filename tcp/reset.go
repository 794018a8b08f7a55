package tcp

// SegLen is SEG.LEN of a segment with header h and payloadLen bytes of
// data: the sequence space it occupies, the data plus one for SYN and one
// for FIN (RFC 9293 §3.4).
func SegLen(h *Header, payloadLen int) int {
	n := payloadLen
	if h.Flags.Has(FlagSYN) {
		n++
	}
	if h.Flags.Has(FlagFIN) {
		n++
	}
	return n
}

// ReplyRst builds into r the reset that answers h, a segment of segLen
// sequence-space length (SegLen: payload plus SYN and FIN) that reached no
// connection, or a closed one (RFC 9293 §3.10.7.1, CLOSED state). It
// reports false, and leaves r alone, for a segment that must not be
// answered: a RST.
//
//   - h carries an ACK: <SEQ=SEG.ACK><CTL=RST>, no ACK flag (Linux
//     tcp_v4_send_reset: "R <ack>").
//   - otherwise: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (Linux: "R.
//     0:0(0) ack seq+len" to a SYN).
//
// The ports are h's swapped; window and options are zero. The host answers
// a segment that finds no socket with it, and Conn every segment it must
// reset.
func ReplyRst(h *Header, segLen int, r *Header) bool {
	if h.Flags.Has(FlagRST) {
		return false
	}
	*r = Header{SrcPort: h.DstPort, DstPort: h.SrcPort}
	if h.Flags.Has(FlagACK) {
		r.Seq, r.Flags = h.Ack, FlagRST
		return true
	}
	r.Flags = FlagRST | FlagACK
	r.Ack = h.Seq.Add(uint32(segLen))
	return true
}

// replyRst queues the ReplyRst answer to h, which arrived on this
// connection: in CLOSED; with an unacceptable ACK in LISTEN, SYN-SENT or
// SYN-RECEIVED (RFC 9293 §3.10.7.2-4: <SEQ=SEG.ACK><CTL=RST>); or with
// data for a socket the user closed (Linux tcp_rcv_state_process answers
// that as tcp_v4_send_reset does).
func (c *Conn) replyRst(h *Header, segLen int) {
	var r Header
	if ReplyRst(h, segLen, &r) {
		c.newSeg(r.Flags, r.Seq, 0).Ack = r.Ack
	}
}
