package sim

import (
	"net/netip"
	"time"
)

// The record types, one per Kind. Each lists its fields in the order the
// JSONL line writes them, with their JSON keys, and implements Event with
// that list (walk: see fieldWalker), which serves to encode and decode
// it, a fingerprint (hash) and a copy (clone). None uses reflection or
// allocates to encode.

// PacketSend is a pkt.send record: a host's IP layer hands a new TCP
// datagram to an interface.
type PacketSend struct {
	ID    uint64     // "id"
	Iface string     // "iface": the interface, "" when there is none
	Len   int        // "len": the datagram's length in bytes
	Src   netip.Addr // "src"
	Dst   netip.Addr // "dst"
	Proto uint8      // "proto": the IP protocol number (6)
	SPort uint16     // "sport"
	DPort uint16     // "dport"
	Flags TCPFlags   // "flags", as tcpdump prints them
	Seq   uint32     // "seq", absolute
	Ack   uint32     // "ack", absolute
	RSeq  uint64     // "rseq", relative to the sender's ISN, 64 bits: it does not wrap after 4 GiB
	RAck  uint64     // "rack", relative to the receiver's ISN, 64 bits; 0 without ACK
	Win   uint16     // "win": the raw window field
	PLen  int        // "plen": the payload length
	Opts  TCPOptions // "opts", as tcpdump prints them
	Conn  uint64     // "conn": 0 when no connection sent it
}

// PacketEnqueue is a pkt.enqueue record: a datagram joins a link
// direction's queue. QLen and QBytes include it.
type PacketEnqueue struct {
	ID     uint64 // "id"
	Len    int    // "len"
	QLen   int    // "qlen": packets in the queue
	QBytes int    // "qbytes": bytes in the queue
}

// PacketTx is a pkt.tx record: the first bit of a datagram leaves onto a
// link direction; QLen and QBytes are what stays queued behind it.
type PacketTx struct {
	ID     uint64 // "id"
	Len    int    // "len"
	QLen   int    // "qlen"
	QBytes int    // "qbytes"
	Arrive Time   // "arrive": when the last bit reaches the far end, before jitter
}

// PacketRx is a pkt.rx record: the last bit reaches the far end.
type PacketRx struct {
	ID      uint64 // "id"
	Len     int    // "len"
	Corrupt bool   // "corrupt": the link corrupted it
}

// PacketDrop is a pkt.drop record: a datagram is lost.
type PacketDrop struct {
	ID     uint64 // "id"
	Len    int    // "len"
	Reason string // "reason": one of the Drop* reasons
}

// PacketForward is a pkt.forward record: a router sends a datagram on.
type PacketForward struct {
	ID    uint64 // "id"
	Iface string // "iface": the outgoing interface
	TTL   uint8  // "ttl": the TTL after the decrement
}

// PacketDeliver is a pkt.deliver record: a host accepts a datagram
// addressed to it and hands it to TCP.
type PacketDeliver struct {
	ID    uint64 // "id"
	Iface string // "iface": the interface it came in on
	Len   int    // "len"
	Conn  uint64 // "conn": the connection that took it, 0 for none
}

// PacketDuplicate is a pkt.dup record: a link made a copy of a datagram.
type PacketDuplicate struct {
	ID uint64 // "id": the copy
	Of uint64 // "of": the original
}

// PacketMark is a pkt.mark record: a queue marked a datagram CE instead
// of dropping it. QLen and QBytes are the queue's length after the
// decision, as in PacketEnqueue.
type PacketMark struct {
	ID     uint64 // "id"
	Len    int    // "len"
	QLen   int    // "qlen"
	QBytes int    // "qbytes"
}

// TCPState is a tcp.state record: a connection changed state.
type TCPState struct {
	Conn   uint64         // "conn"
	Side   string         // "side": "client" or "server"
	Local  netip.AddrPort // "local"
	Remote netip.AddrPort // "remote"
	From   string         // "from": the state left, e.g. "SYN-SENT"
	To     string         // "to": the state entered
	// Reason ("reason", written only when set) says why a connection
	// left TIME-WAIT before its time: "timewait_overflow" (the host
	// keeps no more connections in TIME-WAIT), "reopened" (a new SYN
	// took its 4-tuple).
	Reason string
}

// TCPCwnd is a tcp.cwnd record: cwnd or ssthresh changed.
type TCPCwnd struct {
	Conn     uint64 // "conn"
	Side     string // "side"
	Cwnd     int64  // "cwnd", bytes
	Ssthresh int64  // "ssthresh", bytes
	Reason   string // "reason": init, ack, recovery, exit-recovery, rto...
}

// TCPRTT is a tcp.rtt record: an RTT sample was taken.
type TCPRTT struct {
	Conn   uint64        // "conn"
	Side   string        // "side"
	Sample time.Duration // "sample", ns
	SRTT   time.Duration // "srtt", ns
	RTTVar time.Duration // "rttvar", ns
	RTO    time.Duration // "rto", ns
}

// TCPRetransmit is a tcp.retransmit record: a segment was sent again.
type TCPRetransmit struct {
	Conn   uint64 // "conn"
	Side   string // "side"
	RSeq   uint64 // "rseq", relative to the sender's ISN, 64 bits
	Len    int    // "len"
	Reason string // "reason": rto, fast, sack, syn, probe
}

// TCPTimer is a tcp.timer record: a connection timer fired.
type TCPTimer struct {
	Conn  uint64 // "conn"
	Side  string // "side"
	Timer string // "timer": rto, delack, persist, keepalive, timewait...
}

// TCPRate is a tcp.rate record: the delivery-rate sample of an ACK
// (draft-cheng-iccrg-delivery-rate-estimation, Linux tcp_rate.c).
type TCPRate struct {
	Conn       uint64        // "conn"
	Side       string        // "side"
	Delivered  int64         // "delivered", bytes delivered over the interval
	Interval   time.Duration // "interval", ns
	Rate       int64         // "rate", bit/s: delivered over interval
	AppLimited bool          // "app_limited": a lower bound, the sender was application-limited
	RTT        time.Duration // "rtt", ns, -1 when the ACK gave no RTT sample
	Inflight   int64         // "inflight", bytes in flight before the ACK
	Lost       int64         // "lost", bytes newly deemed lost
}

// TCPBBR is a tcp.bbr record: BBR entered a mode or changed its model of
// the path (Linux tcp_bbr.c).
type TCPBBR struct {
	Conn       uint64        // "conn"
	Side       string        // "side"
	Mode       string        // "mode": startup, drain, probe_bw, probe_rtt
	BW         int64         // "bw", bit/s: the windowed maximum delivery rate (or the long-term rate)
	MinRTT     time.Duration // "min_rtt", ns
	PacingGain int64         // "pacing_gain", percent
	CwndGain   int64         // "cwnd_gain", percent
	Cycle      int64         // "cycle": the PROBE_BW gain-cycle phase, 0-7
	LongTerm   bool          // "lt": pacing at the long-term (policed) rate
	Reason     string        // "reason": mode, cycle, bw, min_rtt, lt
}

// TCPError is a tcp.error record: a connection ended with an error.
type TCPError struct {
	Conn  uint64 // "conn"
	Side  string // "side"
	Errno string // "errno", e.g. "ECONNRESET"
}

// The events of App records.
const (
	AppConnect  = "connect"
	AppAccept   = "accept"
	AppSend     = "send"
	AppRecv     = "recv"
	AppResponse = "response"
	AppClose    = "close"
	AppError    = "error"
	AppDone     = "done"
	// AppReply: a ping got its echo reply (count: the icmp_seq, peer:
	// who answered, bytes, latency: the round-trip time).
	AppReply = "reply"
)

// AppFields is the set of optional fields an App record carries.
type AppFields uint16

// The optional fields of App, in the order the JSONL line writes them.
const (
	AppHasCall       AppFields = 1 << iota // "call"
	AppHasErrno                            // "errno"
	AppHasCount                            // "count"
	AppHasConn                             // "conn"
	AppHasTo                               // "to"
	AppHasPeer                             // "peer"
	AppHasBytes                            // "bytes"
	AppHasSent                             // "sent"
	AppHasTotal                            // "total"
	AppHasLatency                          // "latency"
	AppHasDuration                         // "duration"
	AppHasMismatched                       // "mismatched"
)

// App is an app record: an application event. Event is always written;
// of the other fields, those in Has.
type App struct {
	Event    string         // "event": one of the App* events
	Has      AppFields      // which of the fields below the record has
	Call     string         // "call": the socket call that failed (error)
	Errno    string         // "errno" (error)
	Count    int64          // "count": requests answered (request-response done)
	Conn     uint64         // "conn"
	To       netip.AddrPort // "to": where connect went
	Peer     netip.AddrPort // "peer": who accept returned
	Bytes    int64          // "bytes"
	Sent     int64          // "sent": bytes written back (echo done)
	Total    int64          // "total": bytes so far
	Latency  time.Duration  // "latency": of one response, ns
	Duration time.Duration  // "duration": of the whole exchange, ns
	// Mismatched ("mismatched") is the bytes of the connection so far that
	// broke the built-in apps' payload pattern; a sink writes it only once
	// it is above 0, so intact streams keep their records as they were.
	Mismatched int64
}

// Fault is a fault record: a scheduled fault was applied.
type Fault struct {
	What string // "what", e.g. "down", "set loss 1%", "rejected: ..."
}

// LinkState is a link.state record: a link direction went up or down.
type LinkState struct {
	Up bool // "up"
}

// RouteChange is a route.change record: a node's forwarding table changed
// when routes were recomputed.
type RouteChange struct {
	Changed int // "changed": routes added, replaced or removed
	Routes  int // "routes": the table's size now
}

// Kind implements Event.
func (*PacketSend) Kind() Kind { return KindPacketSend }

// Kind implements Event.
func (*PacketEnqueue) Kind() Kind { return KindPacketEnqueue }

// Kind implements Event.
func (*PacketTx) Kind() Kind { return KindPacketTx }

// Kind implements Event.
func (*PacketRx) Kind() Kind { return KindPacketRx }

// Kind implements Event.
func (*PacketDrop) Kind() Kind { return KindPacketDrop }

// Kind implements Event.
func (*PacketForward) Kind() Kind { return KindPacketForward }

// Kind implements Event.
func (*PacketDeliver) Kind() Kind { return KindPacketDeliver }

// Kind implements Event.
func (*PacketDuplicate) Kind() Kind { return KindPacketDuplicate }

// Kind implements Event.
func (*PacketMark) Kind() Kind { return KindPacketMark }

// Kind implements Event.
func (*TCPState) Kind() Kind { return KindTCPState }

// Kind implements Event.
func (*TCPCwnd) Kind() Kind { return KindTCPCwnd }

// Kind implements Event.
func (*TCPRTT) Kind() Kind { return KindTCPRTT }

// Kind implements Event.
func (*TCPRetransmit) Kind() Kind { return KindTCPRetransmit }

// Kind implements Event.
func (*TCPTimer) Kind() Kind { return KindTCPTimer }

// Kind implements Event.
func (*TCPError) Kind() Kind { return KindTCPError }

// Kind implements Event.
func (*TCPRate) Kind() Kind { return KindTCPRate }

// Kind implements Event.
func (*TCPBBR) Kind() Kind { return KindTCPBBR }

// Kind implements Event.
func (*App) Kind() Kind { return KindApp }

// Kind implements Event.
func (*Fault) Kind() Kind { return KindFault }

// Kind implements Event.
func (*LinkState) Kind() Kind { return KindLinkState }

// Kind implements Event.
func (*RouteChange) Kind() Kind { return KindRouteChange }

func (e *PacketSend) clone() Event      { c := *e; return &c }
func (e *PacketEnqueue) clone() Event   { c := *e; return &c }
func (e *PacketTx) clone() Event        { c := *e; return &c }
func (e *PacketRx) clone() Event        { c := *e; return &c }
func (e *PacketDrop) clone() Event      { c := *e; return &c }
func (e *PacketForward) clone() Event   { c := *e; return &c }
func (e *PacketDeliver) clone() Event   { c := *e; return &c }
func (e *PacketDuplicate) clone() Event { c := *e; return &c }
func (e *PacketMark) clone() Event      { c := *e; return &c }
func (e *TCPState) clone() Event        { c := *e; return &c }
func (e *TCPCwnd) clone() Event         { c := *e; return &c }
func (e *TCPRTT) clone() Event          { c := *e; return &c }
func (e *TCPRetransmit) clone() Event   { c := *e; return &c }
func (e *TCPTimer) clone() Event        { c := *e; return &c }
func (e *TCPError) clone() Event        { c := *e; return &c }
func (e *TCPRate) clone() Event         { c := *e; return &c }
func (e *TCPBBR) clone() Event          { c := *e; return &c }
func (e *App) clone() Event             { c := *e; return &c }
func (e *Fault) clone() Event           { c := *e; return &c }
func (e *LinkState) clone() Event       { c := *e; return &c }
func (e *RouteChange) clone() Event     { c := *e; return &c }

// newEvent returns a zero event of kind k, for the JSONL reader.
func newEvent(k Kind) Event {
	switch k {
	case KindPacketSend:
		return &PacketSend{}
	case KindPacketEnqueue:
		return &PacketEnqueue{}
	case KindPacketTx:
		return &PacketTx{}
	case KindPacketRx:
		return &PacketRx{}
	case KindPacketDrop:
		return &PacketDrop{}
	case KindPacketForward:
		return &PacketForward{}
	case KindPacketDeliver:
		return &PacketDeliver{}
	case KindPacketDuplicate:
		return &PacketDuplicate{}
	case KindPacketMark:
		return &PacketMark{}
	case KindTCPState:
		return &TCPState{}
	case KindTCPCwnd:
		return &TCPCwnd{}
	case KindTCPRTT:
		return &TCPRTT{}
	case KindTCPRetransmit:
		return &TCPRetransmit{}
	case KindTCPTimer:
		return &TCPTimer{}
	case KindTCPError:
		return &TCPError{}
	case KindTCPRate:
		return &TCPRate{}
	case KindTCPBBR:
		return &TCPBBR{}
	case KindApp:
		return &App{}
	case KindFault:
		return &Fault{}
	case KindLinkState:
		return &LinkState{}
	case KindRouteChange:
		return &RouteChange{}
	}
	return nil
}

// The field lists (see fieldWalker). Each key carries its comma, quotes
// and colon.

func (e *PacketSend) walk(w fieldWalker) fieldWalker {
	w.u64(`,"id":`, &e.ID)
	w.str(`,"iface":`, &e.Iface)
	w.integer(`,"len":`, &e.Len)
	w.addr(`,"src":`, &e.Src)
	w.addr(`,"dst":`, &e.Dst)
	w.u8(`,"proto":`, &e.Proto)
	w.u16(`,"sport":`, &e.SPort)
	w.u16(`,"dport":`, &e.DPort)
	w.flags(`,"flags":`, &e.Flags)
	w.u32(`,"seq":`, &e.Seq)
	w.u32(`,"ack":`, &e.Ack)
	w.u64(`,"rseq":`, &e.RSeq)
	w.u64(`,"rack":`, &e.RAck)
	w.u16(`,"win":`, &e.Win)
	w.integer(`,"plen":`, &e.PLen)
	w.options(`,"opts":`, &e.Opts)
	w.u64(`,"conn":`, &e.Conn)
	return w
}

// idLen walks the id and len fields most pkt.* records start with.
func (w *fieldWalker) idLen(id *uint64, n *int) {
	w.u64(`,"id":`, id)
	w.integer(`,"len":`, n)
}

func (e *PacketEnqueue) walk(w fieldWalker) fieldWalker {
	w.idLen(&e.ID, &e.Len)
	w.integer(`,"qlen":`, &e.QLen)
	w.integer(`,"qbytes":`, &e.QBytes)
	return w
}

func (e *PacketTx) walk(w fieldWalker) fieldWalker {
	w.idLen(&e.ID, &e.Len)
	w.integer(`,"qlen":`, &e.QLen)
	w.integer(`,"qbytes":`, &e.QBytes)
	w.time(`,"arrive":`, &e.Arrive)
	return w
}

func (e *PacketRx) walk(w fieldWalker) fieldWalker {
	w.idLen(&e.ID, &e.Len)
	w.boolean(`,"corrupt":`, &e.Corrupt)
	return w
}

func (e *PacketDrop) walk(w fieldWalker) fieldWalker {
	w.idLen(&e.ID, &e.Len)
	w.str(`,"reason":`, &e.Reason)
	return w
}

func (e *PacketForward) walk(w fieldWalker) fieldWalker {
	w.u64(`,"id":`, &e.ID)
	w.str(`,"iface":`, &e.Iface)
	w.u8(`,"ttl":`, &e.TTL)
	return w
}

func (e *PacketDeliver) walk(w fieldWalker) fieldWalker {
	w.u64(`,"id":`, &e.ID)
	w.str(`,"iface":`, &e.Iface)
	w.integer(`,"len":`, &e.Len)
	w.u64(`,"conn":`, &e.Conn)
	return w
}

func (e *PacketDuplicate) walk(w fieldWalker) fieldWalker {
	w.u64(`,"id":`, &e.ID)
	w.u64(`,"of":`, &e.Of)
	return w
}

// A pkt.mark record has the fields of a pkt.enqueue record.
func (e *PacketMark) walk(w fieldWalker) fieldWalker { return (*PacketEnqueue)(e).walk(w) }

func (e *TCPState) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.addrPort(`,"local":`, &e.Local)
	w.addrPort(`,"remote":`, &e.Remote)
	w.str(`,"from":`, &e.From)
	w.str(`,"to":`, &e.To)
	if w.mode == walkDecode || e.Reason != "" {
		w.str(`,"reason":`, &e.Reason)
	}
	return w
}

func (e *TCPCwnd) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.i64(`,"cwnd":`, &e.Cwnd)
	w.i64(`,"ssthresh":`, &e.Ssthresh)
	w.str(`,"reason":`, &e.Reason)
	return w
}

func (e *TCPRTT) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.duration(`,"sample":`, &e.Sample)
	w.duration(`,"srtt":`, &e.SRTT)
	w.duration(`,"rttvar":`, &e.RTTVar)
	w.duration(`,"rto":`, &e.RTO)
	return w
}

func (e *TCPRate) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.i64(`,"delivered":`, &e.Delivered)
	w.duration(`,"interval":`, &e.Interval)
	w.i64(`,"rate":`, &e.Rate)
	w.boolean(`,"app_limited":`, &e.AppLimited)
	w.duration(`,"rtt":`, &e.RTT)
	w.i64(`,"inflight":`, &e.Inflight)
	w.i64(`,"lost":`, &e.Lost)
	return w
}

func (e *TCPBBR) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.str(`,"mode":`, &e.Mode)
	w.i64(`,"bw":`, &e.BW)
	w.duration(`,"min_rtt":`, &e.MinRTT)
	w.i64(`,"pacing_gain":`, &e.PacingGain)
	w.i64(`,"cwnd_gain":`, &e.CwndGain)
	w.i64(`,"cycle":`, &e.Cycle)
	w.boolean(`,"lt":`, &e.LongTerm)
	w.str(`,"reason":`, &e.Reason)
	return w
}

func (e *TCPRetransmit) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.u64(`,"rseq":`, &e.RSeq)
	w.integer(`,"len":`, &e.Len)
	w.str(`,"reason":`, &e.Reason)
	return w
}

func (e *TCPTimer) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.str(`,"timer":`, &e.Timer)
	return w
}

func (e *TCPError) walk(w fieldWalker) fieldWalker {
	w.connSide(&e.Conn, &e.Side)
	w.str(`,"errno":`, &e.Errno)
	return w
}

// App's fields other than event are written only when Has says so.
func (e *App) walk(w fieldWalker) fieldWalker {
	w.str(`,"event":`, &e.Event)
	h := e.Has
	if w.optional(h, AppHasCall) {
		w.str(`,"call":`, &e.Call)
	}
	if w.optional(h, AppHasErrno) {
		w.str(`,"errno":`, &e.Errno)
	}
	if w.optional(h, AppHasCount) {
		w.i64(`,"count":`, &e.Count)
	}
	if w.optional(h, AppHasConn) {
		w.u64(`,"conn":`, &e.Conn)
	}
	if w.optional(h, AppHasTo) {
		w.addrPort(`,"to":`, &e.To)
	}
	if w.optional(h, AppHasPeer) {
		w.addrPort(`,"peer":`, &e.Peer)
	}
	if w.optional(h, AppHasBytes) {
		w.i64(`,"bytes":`, &e.Bytes)
	}
	if w.optional(h, AppHasSent) {
		w.i64(`,"sent":`, &e.Sent)
	}
	if w.optional(h, AppHasTotal) {
		w.i64(`,"total":`, &e.Total)
	}
	if w.optional(h, AppHasLatency) {
		w.duration(`,"latency":`, &e.Latency)
	}
	if w.optional(h, AppHasDuration) {
		w.duration(`,"duration":`, &e.Duration)
	}
	if w.optional(h, AppHasMismatched) {
		w.i64(`,"mismatched":`, &e.Mismatched)
	}
	e.Has |= w.got
	return w
}

func (e *Fault) walk(w fieldWalker) fieldWalker {
	w.str(`,"what":`, &e.What)
	return w
}

func (e *LinkState) walk(w fieldWalker) fieldWalker {
	w.boolean(`,"up":`, &e.Up)
	return w
}

func (e *RouteChange) walk(w fieldWalker) fieldWalker {
	w.integer(`,"changed":`, &e.Changed)
	w.integer(`,"routes":`, &e.Routes)
	return w
}

// The fingerprints: every field, in record order, some packed into one
// word. They are written apart from walk because they run for every
// record of every run, trace or no trace, and chained calls on a hasher
// value compile to straight-line multiplies; TestFingerprint changes each
// field in turn to hold them complete.

func (e *PacketSend) hash(h hasher) hasher {
	h = h.u64(e.ID).str(e.Iface).u64(uint64(e.Len)).addr(e.Src).addr(e.Dst)
	h = h.u64(uint64(e.Proto)<<48 | uint64(e.SPort)<<32 | uint64(e.DPort)<<16 | uint64(e.Flags))
	h = h.u64(uint64(e.Seq)<<32 | uint64(e.Ack)).u64(uint64(e.RSeq)<<32 | uint64(e.RAck))
	h = h.u64(uint64(e.Win)<<32 | uint64(uint32(e.PLen)))
	return e.Opts.hash(h).u64(e.Conn)
}

func (e *PacketEnqueue) hash(h hasher) hasher {
	return h.u64(e.ID).u64(uint64(e.Len)<<32 | uint64(uint32(e.QLen))).u64(uint64(e.QBytes))
}

func (e *PacketTx) hash(h hasher) hasher {
	return h.u64(e.ID).u64(uint64(e.Len)<<32 | uint64(uint32(e.QLen))).u64(uint64(e.QBytes)).u64(uint64(e.Arrive))
}

func (e *PacketRx) hash(h hasher) hasher {
	return h.u64(e.ID).u64(uint64(e.Len)<<1 | b2u(e.Corrupt))
}

func (e *PacketDrop) hash(h hasher) hasher { return h.u64(e.ID).u64(uint64(e.Len)).str(e.Reason) }

func (e *PacketForward) hash(h hasher) hasher { return h.u64(e.ID).str(e.Iface).u64(uint64(e.TTL)) }

func (e *PacketDeliver) hash(h hasher) hasher {
	return h.u64(e.ID).str(e.Iface).u64(uint64(e.Len)).u64(e.Conn)
}

func (e *PacketDuplicate) hash(h hasher) hasher { return h.u64(e.ID).u64(e.Of) }

func (e *PacketMark) hash(h hasher) hasher { return (*PacketEnqueue)(e).hash(h) }

func (e *TCPState) hash(h hasher) hasher {
	h = h.u64(e.Conn).str(e.Side).addrPort(e.Local).addrPort(e.Remote).str(e.From).str(e.To)
	if e.Reason != "" {
		// Only when set, so that the hash of every other record stays.
		h = h.str(e.Reason)
	}
	return h
}

func (e *TCPCwnd) hash(h hasher) hasher {
	return h.u64(e.Conn).str(e.Side).u64(uint64(e.Cwnd)).u64(uint64(e.Ssthresh)).str(e.Reason)
}

func (e *TCPRTT) hash(h hasher) hasher {
	h = h.u64(e.Conn).str(e.Side)
	return h.u64(uint64(e.Sample)).u64(uint64(e.SRTT)).u64(uint64(e.RTTVar)).u64(uint64(e.RTO))
}

func (e *TCPRate) hash(h hasher) hasher {
	h = h.u64(e.Conn).str(e.Side).u64(uint64(e.Delivered)).u64(uint64(e.Interval)).u64(uint64(e.Rate))
	return h.u64(b2u(e.AppLimited)).u64(uint64(e.RTT)).u64(uint64(e.Inflight)).u64(uint64(e.Lost))
}

func (e *TCPBBR) hash(h hasher) hasher {
	h = h.u64(e.Conn).str(e.Side).str(e.Mode).u64(uint64(e.BW)).u64(uint64(e.MinRTT))
	h = h.u64(uint64(e.PacingGain)).u64(uint64(e.CwndGain)).u64(uint64(e.Cycle))
	return h.u64(b2u(e.LongTerm)).str(e.Reason)
}

func (e *TCPRetransmit) hash(h hasher) hasher {
	return h.u64(e.Conn).str(e.Side).u64(uint64(e.RSeq)<<32 | uint64(uint32(e.Len))).str(e.Reason)
}

func (e *TCPTimer) hash(h hasher) hasher { return h.u64(e.Conn).str(e.Side).str(e.Timer) }

func (e *TCPError) hash(h hasher) hasher { return h.u64(e.Conn).str(e.Side).str(e.Errno) }

// hash mixes every field; the runs of fields an app record of its kind
// leaves empty (no call, errno or count; no addresses; no latency or
// duration: a read has none of them) are mixed as zero words at once
// (hasher.zeros), as they would be one by one.
func (e *App) hash(h hasher) hasher {
	h = h.str(e.Event).u64(uint64(e.Has))
	if e.Call == "" && e.Errno == "" && e.Count == 0 {
		h = h.zeros(3) // an empty string is its length alone
	} else {
		h = h.str(e.Call).str(e.Errno).u64(uint64(e.Count))
	}
	h = h.u64(e.Conn)
	if e.To == (netip.AddrPort{}) && e.Peer == (netip.AddrPort{}) {
		h = h.zeros(6) // an unset address and port are three zero words
	} else {
		h = h.addrPort(e.To).addrPort(e.Peer)
	}
	h = h.u64(uint64(e.Bytes)).u64(uint64(e.Sent)).u64(uint64(e.Total))
	if e.Latency == 0 && e.Duration == 0 {
		h = h.zeros(2)
	} else {
		h = h.u64(uint64(e.Latency)).u64(uint64(e.Duration))
	}
	if e.Has&AppHasMismatched != 0 {
		// Mixed in only when present, so that the fingerprints of intact
		// runs stay what they were before the field existed.
		h = h.u64(uint64(e.Mismatched))
	}
	return h
}

func (e *Fault) hash(h hasher) hasher { return h.str(e.What) }

func (e *LinkState) hash(h hasher) hasher { return h.u64(b2u(e.Up)) }

func (e *RouteChange) hash(h hasher) hasher { return h.u64(uint64(e.Changed)).u64(uint64(e.Routes)) }

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
