package tcp

import "time"

// This file is what a connection does with the ICMP errors its host hands
// it: path-MTU discovery (RFC 1191 §6.4, as Linux's tcp_v4_mtu_reduced)
// and destination unreachable in SYN-SENT (Linux tcp_v4_err).

// MinSndMSS is the smallest segment payload path-MTU discovery lowers a
// connection to (Linux net.ipv4.tcp_min_snd_mss): a path whose MTU is
// below it plus the headers and options never carries data.
const MinSndMSS = 48

// ipTCPHeaders is the IPv4 and TCP headers, without options, that a
// segment adds to its payload in a datagram.
const ipTCPHeaders = 20 + HeaderLen

// PathMTUReduced tells the connection that a router on the path could
// not forward one of its segments because the next link takes at most mtu
// bytes (ICMP fragmentation needed, RFC 1191). Like Linux's
// tcp_v4_mtu_reduced, a smaller MTU lowers the segment size to what fits
// (tcp_sync_mss) and resends at once every segment in flight at the new
// size (tcp_simple_retransmit): the router dropped them, which is no
// congestion signal, so cwnd is kept (only rescaled to the new MSS) and
// the retransmissions are traced with reason "pmtu". An MTU no smaller
// than the current one changes nothing; before the handshake completes
// it only caps the MSS the handshake settles.
func (c *Conn) PathMTUReduced(now time.Duration, mtu int) {
	switch c.state {
	case Closed, Listen, TimeWait:
		return
	}
	if c.pmtu != 0 && mtu >= c.pmtu {
		return
	}
	c.touch(now)
	c.pmtu = mtu
	if !c.state.Synchronized() {
		return
	}
	mss := c.pmtuMSS(c.sndMss)
	if mss >= c.sndMss {
		return
	}
	c.sndMss = mss
	c.cc.SetMSS(mss)
	c.noteCwnd("pmtu")
	if c.sndUna != c.sndMax {
		// tcp_simple_retransmit: everything in flight was sent too big.
		// Recovery ends at SND.MAX, so duplicate ACKs for the resends do
		// not start a fast retransmit (the state Linux calls TCP_CA_Loss,
		// entered without lowering ssthresh).
		c.markAllRetransmitted()
		c.inRecovery = false
		c.recoverSeq = c.sndMax
		c.dupAcks = 0
		c.sndNxt = c.sndUna
		c.rewind = rewindPMTU
	}
	c.output(now)
}

// pmtuMSS caps mss (a payload size) to what fits the path MTU learned,
// with the options every segment carries, as Linux's tcp_mtu_to_mss.
func (c *Conn) pmtuMSS(mss int) int {
	if c.pmtu == 0 {
		return mss
	}
	opt := 0
	if c.tsOK {
		opt = 12
	}
	return min(mss, max(c.pmtu-ipTCPHeaders-opt, MinSndMSS))
}

// Unreachable tells the connection that an ICMP destination unreachable
// or time exceeded (errno says which: ENETUNREACH, EHOSTUNREACH,
// ECONNREFUSED, ENOPROTOOPT) answered one of its segments. As Linux's
// tcp_v4_err, a connection in SYN-SENT fails with that errno; in any other
// state it is a soft error and changes nothing (RFC 1122 §4.2.3.9: the
// retransmissions carry on).
func (c *Conn) Unreachable(now time.Duration, errno Errno) {
	if c.state != SynSent {
		return
	}
	c.touch(now)
	c.fail(errno, false)
}
