package tcp

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Congestion computes the congestion window; loss detection and the recovery
// state machine (RFC 6582 / RFC 6675) stay in the sender.
//
// Division of labour with the sender:
//   - The sender decides when an ACK is a new cumulative ACK, a duplicate or a
//     partial ACK, when loss is detected and when recovery ends; it calls
//     OnAck only for newly acknowledged bytes outside recovery.
//   - During fast recovery Cwnd() is ssthresh (RFC 6675 §5 step 4.2, RFC 9438
//     §4.6). The temporary inflation of RFC 5681 §3.2 steps 4-5 / RFC 6582
//     §3.2 (ssthresh + 3*SMSS, +SMSS per further duplicate ACK, deflation on a
//     partial ACK) is the sender's business, or it uses RFC 6675's pipe
//     against Cwnd(); the algorithm does not see duplicate ACKs.
//   - inflight is the sender's FlightSize in bytes (RFC 5681 §2) when the
//     event happened; for OnAck, the most that was in flight during the
//     current window (Linux's max_packets_out), before the newly
//     acknowledged bytes are removed.
//
// Windows are in bytes. Implementations are deterministic: integer byte
// counting, and floating point only where RFC 9438's cubic function needs a
// cube root, with products rounded explicitly so that no platform fuses them.
type Congestion interface {
	// Name is the algorithm's name as accepted by NewCongestion.
	Name() string
	// Cwnd is the congestion window in bytes.
	Cwnd() int
	// Ssthresh is the slow-start threshold in bytes; InfiniteSsthresh until
	// the first congestion event.
	Ssthresh() int
	// OnAck: cumulative ACK of newly acknowledged bytes outside recovery.
	// rtt is the sender's current smoothed RTT (zero when it has none).
	OnAck(now time.Duration, acked, inflight int, rtt time.Duration)
	// OnEnterRecovery: fast retransmit (3 dupacks or SACK loss); sets ssthresh
	// and cwnd per RFC 5681 §3.2 / RFC 9438 §4.6.
	OnEnterRecovery(now time.Duration, inflight int)
	// OnExitRecovery: the recovery point was acknowledged (RFC 6582 §3.2 step
	// 3).
	OnExitRecovery(now time.Duration)
	// OnRTO: retransmission timeout (RFC 5681 §3.1 eq. 4: ssthresh =
	// max(flight/2, 2*SMSS), cwnd = 1 SMSS).
	OnRTO(now time.Duration, inflight int)
	// SetMSS changes the sender's maximum segment size (SMSS), for example
	// once the handshake has settled it. The window keeps its size in
	// segments. A non-positive mss is ignored.
	SetMSS(mss int)
}

// InfiniteSsthresh is the initial "arbitrarily high" slow-start threshold of
// RFC 5681 §3.1.
const InfiniteSsthresh = 1<<31 - 1

// DefaultInitialCwndSegments is the initial window in segments used when
// NewCongestion is given zero: Linux's TCP_INIT_CWND, RFC 6928's ten.
const DefaultInitialCwndSegments = 10

// Congestion control algorithm names accepted by NewCongestion.
const (
	CongestionNewReno = "newreno"
	CongestionReno    = "reno"
	CongestionCubic   = "cubic"
	CongestionVegas   = "vegas"
	CongestionBBR     = "bbr"
	CongestionDCTCP   = "dctcp"
)

// ErrUnknownCongestion is returned (wrapped) by NewCongestion for a name it
// does not know.
var ErrUnknownCongestion = errors.New("unknown congestion control")

// ErrCongestionParam is returned (wrapped) by NewCongestion for an MSS or
// initial window out of range.
var ErrCongestionParam = errors.New("invalid congestion control parameter")

// congestionControls is each algorithm NewCongestion makes, sorted by
// name: the one list that CongestionNames and NewCongestion both read.
var congestionControls = [...]struct {
	name string
	make func(mss, initialCwndSegments int) Congestion
}{
	{CongestionBBR, func(mss, iw int) Congestion { return NewBBR(mss, iw) }},
	{CongestionCubic, func(mss, iw int) Congestion { return NewCubic(mss, iw) }},
	{CongestionDCTCP, func(mss, iw int) Congestion { return NewDCTCP(mss, iw) }},
	{CongestionNewReno, func(mss, iw int) Congestion { return NewNewReno(mss, iw) }},
	{CongestionReno, func(mss, iw int) Congestion { return NewRenoLinux(mss, iw) }},
	{CongestionVegas, func(mss, iw int) Congestion { return NewVegas(mss, iw) }},
}

// CongestionNames returns the names NewCongestion accepts, sorted.
func CongestionNames() []string {
	names := make([]string, len(congestionControls))
	for i, c := range congestionControls {
		names[i] = c.name
	}
	return names
}

// NewCongestion returns a fresh instance of the named algorithm (one of
// CongestionNames) for a sender with the given SMSS in bytes, whose initial window
// is initialCwndSegments * mss (Linux's rule; 0 selects
// DefaultInitialCwndSegments).
func NewCongestion(name string, mss, initialCwndSegments int) (Congestion, error) {
	if mss <= 0 {
		return nil, fmt.Errorf("congestion %q: mss %d: must be positive: %w", name, mss, ErrCongestionParam)
	}
	if initialCwndSegments < 0 {
		return nil, fmt.Errorf("congestion %q: initial window %d segments: must be zero (default) or positive: %w",
			name, initialCwndSegments, ErrCongestionParam)
	}
	if initialCwndSegments == 0 {
		initialCwndSegments = DefaultInitialCwndSegments
	}
	for _, c := range congestionControls {
		if c.name == name {
			return c.make(mss, initialCwndSegments), nil
		}
	}
	return nil, fmt.Errorf("congestion control %q (allowed: %s): %w",
		name, strings.Join(CongestionNames(), ", "), ErrUnknownCongestion)
}

// lossSsthresh is RFC 5681 §3.1 equation (4): ssthresh = max(FlightSize/2,
// 2*SMSS).
func lossSsthresh(inflight, mss int) int {
	return max(inflight/2, 2*mss)
}

// cwndValidated reports whether the window is in use enough to be grown.
// inflight is the most data that was in flight during the current window
// (Linux's max_packets_out). In slow start, as Linux's
// tcp_is_cwnd_limited, the window grows while it is less than twice that,
// so it ends at twice what was used (a flight of 5 segments leaves an
// initial window of 10 as it is; 9 grow it to 18). In congestion avoidance
// RFC 7661 §4.1 calls it validated when at least half of it was in flight.
// Growing an unused window would let an application-limited sender burst a
// window it never tested.
func cwndValidated(cwnd, ssthresh, inflight int) bool {
	if cwnd < ssthresh {
		return cwnd < 2*inflight
	}
	return 2*inflight >= cwnd
}

// rescale keeps a window's size in segments across an MSS change.
func rescale(w, oldMSS, newMSS int) int {
	if w >= InfiniteSsthresh {
		return w
	}
	return int(int64(w) * int64(newMSS) / int64(oldMSS))
}

// needsECN reports whether the algorithm negotiates ECN whatever the ecn
// setting asks, unless it is off (Linux's TCP_CONG_NEEDS_ECN: DCTCP).
func needsECN(cc Congestion) bool {
	n, ok := cc.(interface{ needsECN() bool })
	return ok && n.needsECN()
}

// holdSsthreshOnRTO tells an algorithm that follows Linux's
// tcp_enter_loss that an RTO fired during fast recovery or an ECN-Echo's
// reduction (TCP_CA_CWR), so that its next OnRTO keeps the ssthresh that
// reduction set. Linux reduces ssthresh at an RTO only "if it has not yet
// been made inside this window": from Open or Disorder, once the previous
// episode's high_seq is acknowledged, or from Loss after an ACK of new
// data; an RTO while Recovery or CWR is still under way collapses cwnd but
// keeps ssthresh. NewReno follows RFC 5681 §3.1 instead,
// whose equation (4) sets ssthresh at every first timeout, and BBR ignores
// ssthresh: neither implements it.
func holdSsthreshOnRTO(cc Congestion) {
	if h, ok := cc.(interface{ holdSsthresh() }); ok {
		h.holdSsthresh()
	}
}

// holdSsthresh makes Linux's Reno (and DCTCP through it) keep ssthresh at
// the next RTO (holdSsthreshOnRTO).
func (r *Reno) holdSsthresh() { r.backedOff = true }

// holdSsthresh makes Vegas keep ssthresh at the next RTO
// (holdSsthreshOnRTO).
func (v *Vegas) holdSsthresh() { v.backedOff = true }

// holdSsthresh makes CUBIC keep ssthresh, W_max and cwnd_prior at the next
// RTO (holdSsthreshOnRTO): Linux does not call bictcp_recalc_ssthresh then.
func (c *Cubic) holdSsthresh() { c.backedOff = true }
