package tcp

// prr is Proportional Rate Reduction (RFC 6937), which paces what SACK
// recovery sends, as Linux does (tcp_cwnd_reduction). RFC 6675 alone lets
// the sender fill cwnd - pipe at once; after a burst of losses pipe drops
// far below ssthresh as soon as the holes are deemed lost, and the burst
// of retransmissions that follows overflows the same queue again, losing
// retransmissions that only the RTO can repair. PRR instead sends about
// ssthresh/RecoverFS of what is delivered while pipe is above ssthresh,
// and about what is delivered below it, so recovery is ACK-clocked at the
// rate the path delivers.
type prr struct {
	recoverFS int // RFC 6937 RecoverFS: FlightSize when recovery began
	delivered int // prr_delivered: bytes delivered during recovery
	out       int // prr_out: bytes sent during recovery
	allow     int // sndcnt left from the latest ACK
	// cwnd is Linux's snd_cwnd during the reduction: pipe plus sndcnt
	// when the latest ACK that delivered data arrived
	// (tcp_cwnd_reduction); an ACK that delivers nothing leaves it.
	cwnd int
}

// start begins a recovery episode with flight bytes outstanding (RFC 6937
// §3 "on entering recovery").
func (p *prr) start(flight int) {
	*p = prr{recoverFS: max(flight, 1)}
}

// startCWR begins the reduction of an ECN-Echo (Linux's
// tcp_init_cwnd_reduction for TCP_CA_CWR): the proportional part divides
// by prior, the window before the reduction (Linux's prior_cwnd, where
// recovery here takes RFC 6937's RecoverFS), and until an ACK delivers
// something the window is still prior, less the pipe in flight.
func (p *prr) startCWR(prior, pipe int) {
	*p = prr{recoverFS: max(prior, 1), cwnd: prior, allow: max(prior-pipe, 0)}
}

// onAck takes the bytes an ACK newly delivered (cumulatively or by SACK,
// RFC 6937 DeliveredData) and sets the allowance for this ACK from the
// current pipe and ssthresh (RFC 6937 §3 "on every ACK during recovery").
// grow allows the slow start reduction bound's extra segment: Linux
// (tcp_cwnd_reduction) gives it only to an ACK that advances SND.UNA and
// marks no new loss, and otherwise sends no more than was delivered
// (RFC 6937's conservative bound, PRR-CRB), so that a queue overflowed by
// the burst is not filled again while its holes are repaired.
func (p *prr) onAck(delivered, pipe, ssthresh, mss int, grow bool) {
	p.delivered += delivered
	var sndcnt int
	if pipe > ssthresh {
		// Proportional part: ceil(prr_delivered * ssthresh / RecoverFS)
		// - prr_out.
		sndcnt = (p.delivered*ssthresh+p.recoverFS-1)/p.recoverFS - p.out
	} else {
		// Regrow towards ssthresh, no faster than the ACKs deliver.
		limit := max(p.delivered-p.out, delivered)
		if grow {
			limit += mss
		}
		sndcnt = min(ssthresh-pipe, limit)
	}
	p.allow = max(sndcnt, 0)
	if delivered > 0 {
		p.cwnd = pipe + p.allow
	}
}

// onAckCWR is onAck for an ECN-Echo's reduction. Linux counts the
// proportional part in packets, ceil(prr_delivered * ssthresh /
// prior_cwnd) - prr_out, so its quotient rounds up to a whole segment
// here: in bytes, 3 segments delivered with ssthresh 5 of 10 would allow
// 1.5 segments where Linux allows 2.
func (p *prr) onAckCWR(delivered, pipe, ssthresh, mss int, grow bool) {
	p.onAck(delivered, pipe, ssthresh, mss, grow)
	if pipe > ssthresh {
		n := (p.delivered*ssthresh + p.recoverFS - 1) / p.recoverFS
		n = (n + mss - 1) / mss * mss
		p.allow = max(n-p.out, 0)
		p.cwnd = pipe + p.allow
	}
}

// force lets at least n bytes go, the fast retransmission that starts
// recovery (tcp_cwnd_reduction: "force a fast retransmit upon entering
// fast recovery"), with pipe in flight.
func (p *prr) force(n, pipe int) {
	p.allow = max(p.allow, n)
	p.cwnd = pipe + p.allow
}

// sent accounts n bytes sent (new or retransmitted) during recovery.
func (p *prr) sent(n int) {
	p.out += n
	p.allow = max(p.allow-n, 0)
}
