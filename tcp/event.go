package tcp

import "time"

// EventKind says what an Event reports.
type EventKind uint8

// The events a Conn reports. The first group are notifications for the
// socket layer; the second are observables for the trace and the plots.
const (
	// EvEstablished: the handshake completed.
	EvEstablished EventKind = iota + 1
	// EvReadable: new data (or the peer's FIN) can be read.
	EvReadable
	// EvWritable: send buffer space was freed.
	EvWritable
	// EvPeerClosed: the peer's FIN arrived; reads will end with EOF.
	EvPeerClosed
	// EvReset: the connection was reset by the peer (Err tells the errno).
	EvReset
	// EvClosed: the connection reached CLOSED and can be discarded.
	EvClosed
	// EvError: the connection failed with Err.
	EvError

	// EvStateChange: From -> To.
	EvStateChange
	// EvCwnd: Cwnd or Ssthresh changed for Reason.
	EvCwnd
	// EvRTTSample: an RTT Sample was taken; SRTT, RTTVar and RTO follow it.
	EvRTTSample
	// EvRetransmit: Len bytes at Seq were sent again for Reason.
	EvRetransmit
	// EvTimerFired: the timer named Timer expired.
	EvTimerFired
	// EvRate: an ACK gave the delivery-rate sample Rate.
	EvRate
	// EvBBR: BBR's mode or model changed to BBR.
	EvBBR
)

var eventNames = [...]string{
	EvEstablished: "established",
	EvReadable:    "readable",
	EvWritable:    "writable",
	EvPeerClosed:  "peer-closed",
	EvReset:       "reset",
	EvClosed:      "closed",
	EvError:       "error",
	EvStateChange: "state",
	EvCwnd:        "cwnd",
	EvRTTSample:   "rtt",
	EvRetransmit:  "retransmit",
	EvTimerFired:  "timer",
	EvRate:        "rate",
	EvBBR:         "bbr",
}

// String names the kind ("state", "cwnd").
func (k EventKind) String() string {
	return enumName(eventNames[:], k, "event")
}

// EventMask is a set of event kinds: bit k stands for EventKind k.
type EventMask uint16

// Has reports whether m holds k.
func (m EventMask) Has(k EventKind) bool { return m&(1<<k) != 0 }

// Observables is the set of the observable kinds, EvStateChange to EvBBR:
// what a connection reports for a trace or a plot, and never needs for
// itself.
const Observables EventMask = 1<<EvStateChange | 1<<EvCwnd | 1<<EvRTTSample |
	1<<EvRetransmit | 1<<EvTimerFired | 1<<EvRate | 1<<EvBBR

// Event is one notification or observable. Only the fields of its Kind are
// set. It is a plain value so that queuing events allocates nothing.
type Event struct {
	Kind EventKind
	// Err: EvError and EvReset.
	Err Errno
	// From, To: EvStateChange.
	From, To State
	// Seq (absolute): EvRetransmit.
	Seq Seq
	// Cwnd, Ssthresh in bytes: EvCwnd.
	Cwnd, Ssthresh int
	// Reason: EvCwnd ("init", "ack", "recovery", "exit-recovery", "rto",
	// "ecn", "tlp", "idle", "pmtu", "congestion") and EvRetransmit ("rto",
	// "fast", "sack", "partial", "tlp", "pmtu", "fastopen", "syn",
	// "synack", "probe"); EvStateChange when TIME-WAIT ends early (Conn.EndTimeWait:
	// "reopened", "timewait_overflow"), else empty.
	Reason string
	// Sample, SRTT, RTTVar, RTO: EvRTTSample.
	Sample, SRTT, RTTVar, RTO time.Duration
	// Len: EvRetransmit.
	Len int
	// Timer names the timer for EvTimerFired ("rto", "delack", "persist",
	// "timewait", "finwait2", "syn", "synack").
	Timer string
	// Rate: EvRate.
	Rate RateSample
	// BBR: EvBBR.
	BBR BBRInfo
}

// Stats counts what a connection did. Byte counts exclude SYN and FIN.
type Stats struct {
	SegmentsSent, SegmentsReceived int
	// BytesSent counts payload bytes put on the wire, retransmissions
	// included; BytesAcked those the peer acknowledged; BytesDelivered those
	// handed to the reader in order; BytesReceived payload that arrived.
	BytesSent, BytesAcked, BytesDelivered, BytesReceived int64
	// FastRetransmits counts the recoveries that fast retransmit started,
	// one each, also when PRR holds the retransmission itself back to a
	// later ACK (a recovery that takes over an ECN-Echo's reduction).
	Retransmits, FastRetransmits, RTORetransmits int
	// Timeouts counts RTO expiries.
	Timeouts int
	// DupAcksReceived counts duplicate ACKs (RFC 5681 §2).
	DupAcksReceived int
	// DroppedSegments counts arriving segments discarded as unacceptable.
	DroppedSegments int
	// RTTMin, RTTMax, RTTMean over all samples, SRTT the current estimate.
	RTTMin, RTTMax, RTTMean, SRTT, RTO time.Duration
	RTTSamples                         int
	// Cwnd and Ssthresh now, in bytes. During SACK recovery and an
	// ECN-Echo's reduction (CWR), both paced by PRR, Cwnd is Linux's
	// snd_cwnd as tcp_cwnd_reduction sets it: the
	// data in flight when the latest ACK that delivered data arrived
	// plus what PRR let it send (the congestion control's own window is
	// ssthresh then).
	Cwnd, Ssthresh int
	// MSS is the payload size of a full segment now (options subtracted).
	MSS int
	// Delivered counts the data acknowledged or SACKed, in bytes and in
	// segments (tcpi_delivered, which also counts our SYN or SYN-ACK once
	// acknowledged, as Linux's tp->delivered).
	Delivered, DeliveredSegments int64
	// DeliveryRate is the latest delivery-rate sample in bytes per second
	// (tcpi_delivery_rate), DeliveryRateAppLimited whether it was
	// application-limited.
	DeliveryRate           int64
	DeliveryRateAppLimited bool
	// PacingRate is the rate segments are paced at in bytes per second, 0
	// when not paced (tcpi_pacing_rate).
	PacingRate int64
	// BusyTime, RwndLimited and SndbufLimited are Linux's tcp_info
	// chronographs (tcpi_busy_time, tcpi_rwnd_limited,
	// tcpi_sndbuf_limited): how long the sender had data to send, and of
	// that how long the peer's receive window or the send buffer held it
	// back (tcp_chrono_start, tcp_chrono_stop).
	BusyTime, RwndLimited, SndbufLimited time.Duration
	// CAState is the loss-recovery state (tcpi_ca_state): Loss until what
	// was in flight at an RTO is acknowledged, Recovery, CWR while an
	// ECN-Echo's reduction runs (not for BBR, which sets its own window),
	// Disorder while SACKed data (or, without SACK, duplicate ACKs) is
	// outstanding, else Open.
	CAState CAState
}

// counters are the Stats a Conn counts as it goes; the rest of Stats is
// read from its estimators when asked, so an idle Conn stays small.
type counters struct {
	SegmentsSent, SegmentsReceived                       int
	BytesSent, BytesAcked, BytesDelivered, BytesReceived int64
}

// lossCounters are the Stats counters of losses and their repair, which
// few segments of a clean transfer bump: apart from counters, so that
// these stay out of the lines every segment touches (Conn).
type lossCounters struct {
	DupAcksReceived                              int
	Retransmits, FastRetransmits, RTORetransmits int
	Timeouts, DroppedSegments                    int
}
