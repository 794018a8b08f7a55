package tcp

import (
	"fmt"
	"time"
)

// ECNMode is how a connection uses Explicit Congestion Notification
// (RFC 3168), as Linux's net.ipv4.tcp_ecn (whose numbers it keeps).
type ECNMode uint8

// The ECN modes.
const (
	// ECNOff neither asks for ECN nor accepts it (tcp_ecn=0).
	ECNOff ECNMode = 0
	// ECNOn asks for ECN on outgoing connections and accepts it on
	// incoming ones (tcp_ecn=1).
	ECNOn ECNMode = 1
	// ECNAccept accepts ECN when the peer asks but does not ask
	// (tcp_ecn=2, Linux's default).
	ECNAccept ECNMode = 2
)

var ecnModeNames = [...]string{ECNOff: "off", ECNOn: "on", ECNAccept: "accept"}

// String returns "off", "on" or "accept".
func (m ECNMode) String() string {
	return enumName(ecnModeNames[:], m, "ECNMode")
}

// ECNModeNames lists the names ParseECNMode accepts.
func ECNModeNames() []string { return ecnModeNames[:] }

// ParseECNMode reads "off", "on" or "accept".
func ParseECNMode(s string) (ECNMode, error) {
	for i, n := range ecnModeNames {
		if n == s {
			return ECNMode(i), nil
		}
	}
	return 0, fmt.Errorf("%w: ecn %q (off, on or accept)", ErrConfig, s)
}

// ecnState is a connection's ECN state (Linux's tp->ecn_flags) but for
// Conn.ecnOK, which every segment reads: the rest, only an ECN
// connection's.
type ecnState struct {
	// ce counts arriving data segments marked CE; reductions the window
	// cuts for ECE.
	ce, reductions int
	// demandCWR: the receiver saw CE and sets ECE on every segment until a
	// segment with CWR arrives (TCP_ECN_DEMAND_CWR).
	demandCWR bool
	// queueCWR: the sender reduced its window and sets CWR on the next new
	// data segment (TCP_ECN_QUEUE_CWR).
	queueCWR bool
	// cwr: the sender reduced in this window and ignores ECE until SND.UNA
	// passes cwrHigh, SND.MAX at the reduction (RFC 3168 §6.1.2: at most
	// once per window of data; Linux's TCP_CA_CWR state).
	cwr     bool
	cwrHigh Seq
	// reducing: the window reduction of an ECE is under way (Linux's
	// TCP_CA_CWR, which tcp_in_cwnd_reduction tests): PRR (Conn.prr)
	// paces what is sent on each ACK and the window does not grow,
	// until cwr ends or loss recovery or an RTO takes over.
	reducing bool
	// ceState: DCTCP's receiver saw CE on the latest data segment.
	ceState bool
}

// ECNCapable reports whether the handshake negotiated ECN.
func (c *Conn) ECNCapable() bool { return c.ecnOK }

// ecnSynFlags adds the ECN flags of our SYN (ECE and CWR when asking,
// RFC 3168 §6.1.1) or SYN-ACK (ECE when we accepted the peer's request).
// A resent SYN (retries counts it already) goes without them: RFC 3168
// §6.1.1.1's fallback, as Linux's __tcp_retransmit_skb
// (tcp_ecn_clear_syn, tcp_ecn_fallback=1), in case a middlebox dropped
// the first for them. Only the segment changes: a SYN-ACK with ECE to the
// first SYN still turns ECN on.
func (c *Conn) ecnSynFlags(flags Flags, synack bool) Flags {
	switch {
	case !synack && c.asksECN() && c.retries == 0:
		return flags | FlagECE | FlagCWR
	case synack && c.ecnOK:
		return flags | FlagECE
	}
	return flags
}

// ecnSynECT reports whether our SYN or SYN-ACK is ECN-capable: only for
// a congestion control that needs ECN (DCTCP). RFC 3168 §6.1.1 keeps SYNs
// Not-ECT, but Linux marks every packet of such a socket ECT(0) from its
// creation (tcp_assign_congestion_control: INET_ECN_xmit), the handshake
// included, and a listener's SYN-ACK carries the listener's ECT whether
// or not the peer asked for ECN (tcp_v4_send_synack). RFC 8311 §4.3
// allows ECT on SYNs for such experiments.
func (c *Conn) ecnSynECT() bool {
	return needsECN(c.cc) && c.cfg.ECN != ECNOff
}

// ecnOnSyn reads the peer's SYN: an ECN-setup SYN (ECE and CWR) is
// accepted unless ECN is off (Linux tcp_ecn_create_request; a
// simultaneous open agrees only when we asked too, tcp_ecn_rcv_syn).
func (c *Conn) ecnOnSyn(h *Header, simultaneous bool) {
	asked := h.Flags.Has(FlagECE) && h.Flags.Has(FlagCWR)
	if simultaneous {
		c.ecnOK = asked && c.asksECN()
		return
	}
	c.ecnOK = asked && c.cfg.ECN != ECNOff
}

// ecnOnSynAck reads the peer's SYN-ACK: ECN is on when we asked and it
// answered with ECE and without CWR (RFC 3168 §6.1.1, Linux
// tcp_ecn_rcv_synack).
func (c *Conn) ecnOnSynAck(h *Header) {
	c.ecnOK = c.asksECN() && h.Flags.Has(FlagECE) && !h.Flags.Has(FlagCWR)
}

// asksECN reports whether our SYN asks for ECN: ecn on, or a congestion
// control that needs it (DCTCP) unless ecn is off (Linux
// tcp_ecn_send_syn with tcp_ca_needs_ecn).
func (c *Conn) asksECN() bool {
	return c.cfg.ECN == ECNOn || c.cfg.ECN != ECNOff && needsECN(c.cc)
}

// ecnOnSend sets the ECN flags of the segment o being queued (Linux
// tcp_ecn_send): ECE while the receiver demands CWR; new data is
// ECN-capable (ECT(0) in the IP header) and carries CWR after a
// reduction. Retransmissions and pure ACKs are not ECN-capable (RFC 3168
// §6.1.4, §6.1.5).
func (c *Conn) ecnOnSend(o *outSeg) {
	if !c.ecnOK || o.h.Flags.Has(FlagSYN) || o.h.Flags.Has(FlagRST) {
		return
	}
	if c.ecn.demandCWR {
		o.h.Flags |= FlagECE
	}
	if needsECN(c.cc) {
		// DCTCP: every segment is ECN-capable, retransmissions and pure
		// ACKs included (Linux INET_ECN_xmit for TCP_CONG_NEEDS_ECN; RFC
		// 8257 §3.2 leaves the marking of control packets to the
		// implementation).
		o.ect = true
	}
	if o.n > 0 && o.seq.GreaterEq(c.sndMax) {
		o.ect = true
		if c.ecn.queueCWR {
			c.ecn.queueCWR = false
			o.h.Flags |= FlagCWR
		}
	}
}

// ecnOnData reads an arriving data segment: CWR ends our ECE echo (and is
// acknowledged at once, as the sender's window may be small: Linux
// tcp_ecn_accept_cwr); CE starts it, with an immediate ACK (Linux
// tcp_ecn_check_ce enters quick-ACK mode). It returns true when the
// segment entered quick-ACK mode: its caller sets the ACK timeout
// estimate to its floor once the segment has been received, since
// Linux's tcp_event_data_recv checks CE after updating the estimate.
func (c *Conn) ecnOnData(now time.Duration, h *Header, ce bool) (quickAck bool) {
	if !c.ecnOK {
		return false
	}
	if needsECN(c.cc) {
		c.dctcpEcho(now, ce)
		return false
	}
	if h.Flags.Has(FlagCWR) {
		c.ecn.demandCWR = false
		c.ackNow = true
	}
	if ce {
		c.ecn.ce++
		if !c.ecn.demandCWR {
			c.ecn.demandCWR = true
			c.ackNow = true
			// Linux's __tcp_ecn_check_ce: "better not delay acks,
			// sender can have a very low cwnd": tcp_enter_quickack_mode,
			// whose ato reset the caller does.
			c.incrQuickAcks(2)
			c.exitPingpong()
			return true
		}
	}
	return false
}

// ecnOnAck reads an acceptable ACK, before the window grows for it: once
// SND.UNA passes the point of the last reduction the window may be
// reduced again, and a reduction under way ends; an ECE then starts one
// as a loss would, without retransmitting (RFC 3168 §6.1.2; Linux's
// tcp_try_to_open calls tcp_enter_cwr: ssthresh from the congestion
// control, prior_cwnd, PRR's counts reset) and queues CWR. An ECE during
// loss recovery, or before an RTO's window is acknowledged, changes
// nothing: the window was already reduced for this window of data. It
// reports whether the window may grow for this ACK: not while a reduction
// is under way (Linux's tcp_cong_control calls tcp_cwnd_reduction instead
// of tcp_cong_avoid in TCP_CA_CWR), so that the reduction is of the
// window the ECE found. The reduction itself is
// PRR's, ACK by ACK (cwrOnAck), as Linux does since 3.7.
func (c *Conn) ecnOnAck(now time.Duration, h *Header) (grow bool) {
	if !c.ecnOK {
		return true
	}
	if c.ecn.cwr && c.sndUna.GreaterThan(c.ecn.cwrHigh) {
		// Held until something above the reduction point is acknowledged,
		// so that our CWR (on the first new data, at that point) has
		// reached the receiver (Linux's tcp_fastretrans_alert leaves
		// TCP_CA_CWR only when snd_una is past high_seq).
		c.ecn.cwr = false
		if c.ecn.reducing {
			// tcp_end_cwnd_reduction: cwnd = ssthresh. The same ACK may
			// then grow it (Open again) or start a new reduction. BBR
			// (cong_control) leaves CWR for Open with its window as it is
			// (tcp_end_cwnd_reduction returns at once).
			c.ecn.reducing = false
			if !c.windowCtl {
				c.cc.OnExitRecovery(now)
				c.noteCwnd("ecn")
			}
		}
	}
	if !h.Flags.Has(FlagECE) || h.Flags.Has(FlagSYN) || c.inRecovery || c.ecn.cwr ||
		c.inLoss && c.lossHolds(c.sndUna) {
		// In Loss (an RTO's window not yet acknowledged) Linux's
		// tcp_fastretrans_alert returns from tcp_process_loss before
		// tcp_try_to_open, and tcp_enter_cwr starts a reduction only
		// from Open or Disorder: the RTO already reduced ssthresh.
		// BBR's window is its own in CWR too (cong_control).
		return !c.ecn.reducing || c.windowCtl
	}
	prior := c.cc.Cwnd() // tcp_init_cwnd_reduction's prior_cwnd
	c.ecn.cwr, c.ecn.cwrHigh = true, c.sndMax
	c.ecn.queueCWR = true
	c.ecn.reductions++
	c.cc.OnEnterRecovery(now, c.flightSize())
	c.noteCwnd("ecn")
	// tcp_init_cwnd_reduction: a tail loss probe episode under way ends
	// (tlp_high_seq = 0).
	c.tlp.on = false
	// TCP_CA_CWR, for BBR too: Linux's tcp_enter_cwr sets the state
	// whatever the algorithm, so tcp_info reports CWR and a recovery that
	// starts now takes the reduction over (tcp_enter_recovery). BBR sets
	// the window itself on every ACK all the same (cong_control takes
	// the place of tcp_cwnd_reduction; PRR's counts are kept, unused).
	c.ecn.reducing = true
	c.prr.startCWR(prior, c.cwrPipe())
	return false
}

// inCWR reports whether an ECN-Echo's window reduction is under way
// (Linux's TCP_CA_CWR), for every algorithm. It tests ecnOK
// first, which every segment reads, so that a connection without ECN
// never touches the rest of its ECN state.
func (c *Conn) inCWR() bool { return c.ecnOK && c.ecn.reducing }

// prrCWR reports whether PRR paces an ECN-Echo's reduction under way
// (tcp_cong_control calls tcp_cwnd_reduction in TCP_CA_CWR unless the
// algorithm has cong_control).
func (c *Conn) prrCWR() bool { return c.inCWR() && !c.windowCtl }

// caState is Linux's icsk_ca_state as tcp_info reports it. Disorder is
// what tcp_try_keep_open tests, tcp_left_out: SACKed data, or without SACK
// the duplicate ACKs counted as such (netsim does not keep Disorder for
// retransmissions still outstanding after a recovery, as Linux's
// tcp_any_retrans_done does).
func (c *Conn) caState() CAState {
	switch {
	case c.inLoss && c.lossHolds(c.sndUna):
		return CALoss
	case c.inRecovery:
		return CARecovery
	case c.inCWR():
		return CACWR
	case c.sackOK && c.board.sackedBelow(c.sndMax) > 0, !c.sackOK && c.dupAcks > 0:
		return CADisorder
	}
	return CAOpen
}

// cwrPipe is Linux's tcp_packets_in_flight in bytes during CWR: what was
// sent and is neither acknowledged nor SACKed (no loss is marked outside
// recovery, and no retransmission is out); without SACK each duplicate
// ACK counts a segment as delivered (tcp_add_reno_sack's sacked_out).
func (c *Conn) cwrPipe() int {
	left := c.board.sackedBelow(c.sndMax)
	if !c.sackOK {
		left = c.dupAcks * c.sndMss
	}
	return max(0, int(c.sndMax.Sub(c.sndUna))-left)
}

// cwrOnAck is tcp_cwnd_reduction for an ACK during an ECE's reduction
// (TCP_CA_CWR), after the ACK was taken: delivered is what it newly
// acknowledged or SACKed (an ACK that delivers nothing leaves the window
// as it is), advanced whether SND.UNA moved (the slow start bound's extra
// segment: no loss is marked in CWR, which a loss would have ended).
// While nothing was sent in the reduction at least one segment may go
// ("force a fast retransmit": the same rule as in recovery, prr.onAck).
func (c *Conn) cwrOnAck(delivered int, advanced bool) {
	if delivered <= 0 {
		return
	}
	c.prr.onAck(delivered, c.cwrPipe(), c.cc.Ssthresh(), c.sndMss, advanced)
}

// ecnOnRecovery is called on entering loss recovery. It reports whether
// the window was already reduced for ECE in this window of data, in which
// case the loss does not reduce it again (Linux tcp_enter_recovery starts
// a cwnd reduction only when none is under way). Otherwise the loss's
// reduction also counts for ECE: the next new data carries CWR (Linux
// tcp_init_cwnd_reduction queues it) and ECE from the same window is
// ignored.
func (c *Conn) ecnOnRecovery() (reduced bool) {
	if !c.ecnOK {
		return false
	}
	// Recovery takes over from CWR (enterRecovery keeps PRR's counts).
	c.ecn.reducing = false
	if c.ecn.cwr && c.sndUna.LessEq(c.ecn.cwrHigh) {
		return true
	}
	c.ecn.queueCWR = true
	c.ecn.cwr, c.ecn.cwrHigh = true, c.sndMax
	return false
}

// dctcpEcho is the DCTCP receiver (RFC 8257 §3.2, Linux
// dctcp_ece_ack_update): ECE echoes the CE mark of the latest data
// exactly, not until CWR. When the CE state changes an ACK goes at once,
// and an ACK held back by the delayed-ACK timer is sent first with the
// previous state, so the sender can count the marked bytes.
func (c *Conn) dctcpEcho(now time.Duration, ce bool) {
	if ce {
		c.ecn.ce++
	}
	if ce != c.ecn.ceState {
		if c.armed(timerDelack) {
			// The held ACK, for the data before this segment, with the
			// old state.
			c.emitSeg(now, FlagACK, c.sndMax, 0)
		}
		c.ackNow = true
	}
	c.ecn.ceState = ce
	c.ecn.demandCWR = ce
}
