package tcp

// prr is Proportional Rate Reduction (RFC 6937), which paces what SACK
// recovery sends, as Linux does (tcp_cwnd_reduction). RFC 6675 alone lets
// the sender fill cwnd - pipe at once; after a burst of losses pipe drops
// far below ssthresh as soon as the holes are deemed lost, and the burst
// of retransmissions that follows overflows the same queue again, losing
// retransmissions that only the RTO can repair. PRR instead sends about
// ssthresh/prior_cwnd of what is delivered while pipe is above ssthresh,
// and about what is delivered below it, so recovery is ACK-clocked at the
// rate the path delivers.
//
// The counts are in bytes, but Linux's tcp_cwnd_reduction works in
// packets (prr_delivered, prr_out and snd_cwnd count segments), so the
// allowance is whole segments: the proportional quotient rounds up to
// one (onAck), as ceil() of packet counts does.
type prr struct {
	// prior is Linux's prior_cwnd, the window when the reduction began
	// (tcp_init_cwnd_reduction), which the proportional part divides by:
	// RFC 6937's RecoverFS is the flight then, which is smaller when the
	// sender did not fill its window.
	prior     int
	delivered int // prr_delivered: bytes delivered during the reduction
	out       int // prr_out: bytes sent during the reduction
	allow     int // sndcnt left from the latest ACK
	// cwnd is Linux's snd_cwnd during the reduction: pipe plus sndcnt
	// when the latest ACK that delivered data arrived
	// (tcp_cwnd_reduction); an ACK that delivers nothing leaves it.
	cwnd int
}

// start begins the reduction of a recovery episode that no ECN-Echo's
// reduction preceded (tcp_enter_recovery calls tcp_init_cwnd_reduction):
// prior is the window before it (prior_cwnd = tcp_snd_cwnd), and PRR's
// counts start from zero.
func (p *prr) start(prior int) {
	*p = prr{prior: max(prior, 1)}
}

// startCWR begins the reduction of an ECN-Echo (Linux's
// tcp_init_cwnd_reduction for TCP_CA_CWR): the proportional part divides
// by prior, the window before the reduction, and until an ACK delivers
// something the window is still prior, less the pipe in flight.
func (p *prr) startCWR(prior, pipe int) {
	*p = prr{prior: max(prior, 1), cwnd: prior, allow: max(prior-pipe, 0)}
}

// onAck takes the bytes an ACK newly delivered (cumulatively or by SACK,
// RFC 6937 DeliveredData) and sets the allowance for this ACK from the
// current pipe and ssthresh (RFC 6937 §3 "on every ACK during recovery";
// Linux's tcp_cwnd_reduction, for recovery and CWR alike).
//
// While pipe is above ssthresh the proportional part is
// ceil(prr_delivered * ssthresh / prior_cwnd) - prr_out, its quotient
// rounded up to a whole segment as Linux's packet counts round: 5
// segments delivered with ssthresh 5 of 10 allow 3 segments, where bytes
// would allow 2.5 and so, in whole segments, only 2. Below ssthresh the
// window regrows towards it no faster than the ACKs deliver. grow allows
// the slow start reduction bound's extra segment: Linux gives it only to
// an ACK that advances SND.UNA and marks no new loss, and otherwise
// sends no more than was delivered (RFC 6937's conservative bound,
// PRR-CRB), so that a queue overflowed by the burst is not filled again
// while its holes are repaired.
//
// While nothing was sent in the reduction at least one segment may go
// (tcp_cwnd_reduction's "force a fast retransmit upon entering fast
// recovery", sndcnt = max(sndcnt, prr_out ? 0 : 1)): once a reduction
// under way (CWR) has sent something, recovery that takes it over
// forces nothing. An ACK that delivers nothing leaves Linux's window
// (tcp_cwnd_reduction returns early) and forces nothing; its allowance is
// what the counts still leave.
func (p *prr) onAck(delivered, pipe, ssthresh, mss int, grow bool) {
	p.delivered += max(delivered, 0)
	var sndcnt int
	if pipe > ssthresh {
		// 64-bit, as Linux's u64 dividend: the product of two byte
		// counts overflows a 32-bit int past 46 KB each.
		n := (int64(p.delivered)*int64(ssthresh) + int64(p.prior) - 1) / int64(p.prior)
		m := int64(max(mss, 1))
		sndcnt = int((n+m-1)/m*m) - p.out
	} else {
		limit := max(p.delivered-p.out, delivered)
		if grow {
			limit += mss
		}
		sndcnt = min(ssthresh-pipe, limit)
	}
	if delivered <= 0 {
		p.allow = max(sndcnt, 0)
		return
	}
	if p.out == 0 {
		sndcnt = max(sndcnt, mss)
	}
	p.allow = max(sndcnt, 0)
	p.cwnd = pipe + p.allow
}

// force lets one segment of mss bytes go, with pipe in flight, while
// nothing was sent in the reduction: onAck's rule, for the event that
// starts recovery even when it delivered nothing (the reordering timer).
func (p *prr) force(mss, pipe int) {
	if p.out == 0 {
		p.allow = max(p.allow, mss)
		p.cwnd = pipe + p.allow
	}
}

// sent accounts n bytes sent (new or retransmitted) during the reduction.
func (p *prr) sent(n int) {
	p.out += n
	p.allow = max(p.allow-n, 0)
}
