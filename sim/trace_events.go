package sim

import (
	"net/netip"
	"strconv"
	"time"
)

// The record types, one per Kind. Each lists its fields in the order the
// JSONL line writes them, with their JSON keys. Each implements Event with
// a hand-written encoder (append), decoder (setField), fingerprint (hash)
// and copy (clone); none uses reflection or allocates to encode.

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

// The encoders. Each key constant carries its comma, quotes and colon.

func appendInt(dst []byte, key string, v int64) []byte {
	return strconv.AppendInt(append(dst, key...), v, 10)
}

func appendUint(dst []byte, key string, v uint64) []byte {
	return strconv.AppendUint(append(dst, key...), v, 10)
}

func appendStr(dst []byte, key, v string) []byte {
	return appendJSONString(append(dst, key...), v)
}

func appendBool(dst []byte, key string, v bool) []byte {
	dst = append(dst, key...)
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendAddr writes an address as a JSON string ("10.0.0.1").
func appendAddr(dst []byte, key string, a netip.Addr) []byte {
	dst = append(append(dst, key...), '"')
	return append(a.AppendTo(dst), '"')
}

// appendAddrPort writes an address and port as a JSON string
// ("10.0.0.1:80"); the zero value writes "invalid AddrPort" as its String
// method does.
func appendAddrPort(dst []byte, key string, a netip.AddrPort) []byte {
	dst = append(append(dst, key...), '"')
	if !a.IsValid() {
		dst = append(dst, "invalid AddrPort"...)
	} else {
		dst = a.AppendTo(dst)
	}
	return append(dst, '"')
}

func (e *PacketSend) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendStr(dst, `,"iface":`, e.Iface)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	dst = appendAddr(dst, `,"src":`, e.Src)
	dst = appendAddr(dst, `,"dst":`, e.Dst)
	dst = appendUint(dst, `,"proto":`, uint64(e.Proto))
	dst = appendUint(dst, `,"sport":`, uint64(e.SPort))
	dst = appendUint(dst, `,"dport":`, uint64(e.DPort))
	dst = append(dst, `,"flags":"`...)
	dst = append(e.Flags.AppendText(dst), '"')
	dst = appendUint(dst, `,"seq":`, uint64(e.Seq))
	dst = appendUint(dst, `,"ack":`, uint64(e.Ack))
	dst = appendUint(dst, `,"rseq":`, uint64(e.RSeq))
	dst = appendUint(dst, `,"rack":`, uint64(e.RAck))
	dst = appendUint(dst, `,"win":`, uint64(e.Win))
	dst = appendInt(dst, `,"plen":`, int64(e.PLen))
	dst = append(dst, `,"opts":`...)
	dst = e.Opts.appendJSON(dst)
	return appendUint(dst, `,"conn":`, e.Conn)
}

func (e *PacketEnqueue) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	dst = appendInt(dst, `,"qlen":`, int64(e.QLen))
	return appendInt(dst, `,"qbytes":`, int64(e.QBytes))
}

func (e *PacketTx) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	dst = appendInt(dst, `,"qlen":`, int64(e.QLen))
	dst = appendInt(dst, `,"qbytes":`, int64(e.QBytes))
	return appendInt(dst, `,"arrive":`, int64(e.Arrive))
}

func (e *PacketRx) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	return appendBool(dst, `,"corrupt":`, e.Corrupt)
}

func (e *PacketDrop) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	return appendStr(dst, `,"reason":`, e.Reason)
}

func (e *PacketForward) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendStr(dst, `,"iface":`, e.Iface)
	return appendUint(dst, `,"ttl":`, uint64(e.TTL))
}

func (e *PacketDeliver) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendStr(dst, `,"iface":`, e.Iface)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	return appendUint(dst, `,"conn":`, e.Conn)
}

func (e *PacketDuplicate) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	return appendUint(dst, `,"of":`, e.Of)
}

func (e *PacketMark) appendJSON(dst []byte) []byte {
	dst = appendUint(dst, `,"id":`, e.ID)
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	dst = appendInt(dst, `,"qlen":`, int64(e.QLen))
	return appendInt(dst, `,"qbytes":`, int64(e.QBytes))
}

func appendConnSide(dst []byte, conn uint64, side string) []byte {
	dst = appendUint(dst, `,"conn":`, conn)
	return appendStr(dst, `,"side":`, side)
}

func (e *TCPState) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendAddrPort(dst, `,"local":`, e.Local)
	dst = appendAddrPort(dst, `,"remote":`, e.Remote)
	dst = appendStr(dst, `,"from":`, e.From)
	dst = appendStr(dst, `,"to":`, e.To)
	if e.Reason != "" {
		dst = appendStr(dst, `,"reason":`, e.Reason)
	}
	return dst
}

func (e *TCPCwnd) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendInt(dst, `,"cwnd":`, e.Cwnd)
	dst = appendInt(dst, `,"ssthresh":`, e.Ssthresh)
	return appendStr(dst, `,"reason":`, e.Reason)
}

func (e *TCPRTT) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendInt(dst, `,"sample":`, int64(e.Sample))
	dst = appendInt(dst, `,"srtt":`, int64(e.SRTT))
	dst = appendInt(dst, `,"rttvar":`, int64(e.RTTVar))
	return appendInt(dst, `,"rto":`, int64(e.RTO))
}

func (e *TCPRate) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendInt(dst, `,"delivered":`, e.Delivered)
	dst = appendInt(dst, `,"interval":`, int64(e.Interval))
	dst = appendInt(dst, `,"rate":`, e.Rate)
	dst = appendBool(dst, `,"app_limited":`, e.AppLimited)
	dst = appendInt(dst, `,"rtt":`, int64(e.RTT))
	dst = appendInt(dst, `,"inflight":`, e.Inflight)
	return appendInt(dst, `,"lost":`, e.Lost)
}

func (e *TCPBBR) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendStr(dst, `,"mode":`, e.Mode)
	dst = appendInt(dst, `,"bw":`, e.BW)
	dst = appendInt(dst, `,"min_rtt":`, int64(e.MinRTT))
	dst = appendInt(dst, `,"pacing_gain":`, e.PacingGain)
	dst = appendInt(dst, `,"cwnd_gain":`, e.CwndGain)
	dst = appendInt(dst, `,"cycle":`, e.Cycle)
	dst = appendBool(dst, `,"lt":`, e.LongTerm)
	return appendStr(dst, `,"reason":`, e.Reason)
}

func (e *TCPRetransmit) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	dst = appendUint(dst, `,"rseq":`, uint64(e.RSeq))
	dst = appendInt(dst, `,"len":`, int64(e.Len))
	return appendStr(dst, `,"reason":`, e.Reason)
}

func (e *TCPTimer) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	return appendStr(dst, `,"timer":`, e.Timer)
}

func (e *TCPError) appendJSON(dst []byte) []byte {
	dst = appendConnSide(dst, e.Conn, e.Side)
	return appendStr(dst, `,"errno":`, e.Errno)
}

func (e *App) appendJSON(dst []byte) []byte {
	dst = appendStr(dst, `,"event":`, e.Event)
	h := e.Has
	if h&AppHasCall != 0 {
		dst = appendStr(dst, `,"call":`, e.Call)
	}
	if h&AppHasErrno != 0 {
		dst = appendStr(dst, `,"errno":`, e.Errno)
	}
	if h&AppHasCount != 0 {
		dst = appendInt(dst, `,"count":`, e.Count)
	}
	if h&AppHasConn != 0 {
		dst = appendUint(dst, `,"conn":`, e.Conn)
	}
	if h&AppHasTo != 0 {
		dst = appendAddrPort(dst, `,"to":`, e.To)
	}
	if h&AppHasPeer != 0 {
		dst = appendAddrPort(dst, `,"peer":`, e.Peer)
	}
	if h&AppHasBytes != 0 {
		dst = appendInt(dst, `,"bytes":`, e.Bytes)
	}
	if h&AppHasSent != 0 {
		dst = appendInt(dst, `,"sent":`, e.Sent)
	}
	if h&AppHasTotal != 0 {
		dst = appendInt(dst, `,"total":`, e.Total)
	}
	if h&AppHasLatency != 0 {
		dst = appendInt(dst, `,"latency":`, int64(e.Latency))
	}
	if h&AppHasDuration != 0 {
		dst = appendInt(dst, `,"duration":`, int64(e.Duration))
	}
	if h&AppHasMismatched != 0 {
		dst = appendInt(dst, `,"mismatched":`, e.Mismatched)
	}
	return dst
}

func (e *Fault) appendJSON(dst []byte) []byte { return appendStr(dst, `,"what":`, e.What) }

func (e *LinkState) appendJSON(dst []byte) []byte { return appendBool(dst, `,"up":`, e.Up) }

func (e *RouteChange) appendJSON(dst []byte) []byte {
	dst = appendInt(dst, `,"changed":`, int64(e.Changed))
	return appendInt(dst, `,"routes":`, int64(e.Routes))
}

// The decoders: each assigns the field it knows and ignores others, so
// that a trace with fields added by a later netsim still reads.

func (e *PacketSend) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "iface":
		e.Iface, err = f.str()
	case "len":
		e.Len, err = f.integer()
	case "src":
		e.Src, err = f.addr()
	case "dst":
		e.Dst, err = f.addr()
	case "proto":
		e.Proto, err = uintN[uint8](f)
	case "sport":
		e.SPort, err = uintN[uint16](f)
	case "dport":
		e.DPort, err = uintN[uint16](f)
	case "flags":
		var s string
		if s, err = f.str(); err == nil {
			e.Flags, err = ParseTCPFlags(s)
		}
	case "seq":
		e.Seq, err = uintN[uint32](f)
	case "ack":
		e.Ack, err = uintN[uint32](f)
	case "rseq":
		e.RSeq, err = f.uint(64)
	case "rack":
		e.RAck, err = f.uint(64)
	case "win":
		e.Win, err = uintN[uint16](f)
	case "plen":
		e.PLen, err = f.integer()
	case "opts":
		var s string
		if s, err = f.str(); err == nil {
			e.Opts = TCPOptionsText(s)
		}
	case "conn":
		e.Conn, err = f.uint(64)
	}
	return err
}

func (e *PacketEnqueue) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "qlen":
		e.QLen, err = f.integer()
	case "qbytes":
		e.QBytes, err = f.integer()
	}
	return err
}

func (e *PacketTx) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "qlen":
		e.QLen, err = f.integer()
	case "qbytes":
		e.QBytes, err = f.integer()
	case "arrive":
		var v int64
		v, err = f.int64()
		e.Arrive = Time(v)
	}
	return err
}

func (e *PacketRx) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "corrupt":
		e.Corrupt, err = f.boolean()
	}
	return err
}

func (e *PacketDrop) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "reason":
		e.Reason, err = f.str()
	}
	return err
}

func (e *PacketForward) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "iface":
		e.Iface, err = f.str()
	case "ttl":
		e.TTL, err = uintN[uint8](f)
	}
	return err
}

func (e *PacketDeliver) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "iface":
		e.Iface, err = f.str()
	case "len":
		e.Len, err = f.integer()
	case "conn":
		e.Conn, err = f.uint(64)
	}
	return err
}

func (e *PacketDuplicate) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "of":
		e.Of, err = f.uint(64)
	}
	return err
}

func (e *PacketMark) setField(f *field) (err error) {
	switch f.Key {
	case "id":
		e.ID, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "qlen":
		e.QLen, err = f.integer()
	case "qbytes":
		e.QBytes, err = f.integer()
	}
	return err
}

// setConnSide reads the conn and side fields every tcp.* record starts with.
func setConnSide(f *field, conn *uint64, side *string) (err error) {
	switch f.Key {
	case "conn":
		*conn, err = f.uint(64)
	case "side":
		*side, err = f.str()
	}
	return err
}

func (e *TCPState) setField(f *field) (err error) {
	switch f.Key {
	case "local":
		e.Local, err = f.addrPort()
	case "remote":
		e.Remote, err = f.addrPort()
	case "from":
		e.From, err = f.str()
	case "to":
		e.To, err = f.str()
	case "reason":
		e.Reason, err = f.str()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPCwnd) setField(f *field) (err error) {
	switch f.Key {
	case "cwnd":
		e.Cwnd, err = f.int64()
	case "ssthresh":
		e.Ssthresh, err = f.int64()
	case "reason":
		e.Reason, err = f.str()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPRTT) setField(f *field) (err error) {
	switch f.Key {
	case "sample":
		e.Sample, err = f.duration()
	case "srtt":
		e.SRTT, err = f.duration()
	case "rttvar":
		e.RTTVar, err = f.duration()
	case "rto":
		e.RTO, err = f.duration()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPRate) setField(f *field) (err error) {
	switch f.Key {
	case "delivered":
		e.Delivered, err = f.int64()
	case "interval":
		e.Interval, err = f.duration()
	case "rate":
		e.Rate, err = f.int64()
	case "app_limited":
		e.AppLimited, err = f.boolean()
	case "rtt":
		e.RTT, err = f.duration()
	case "inflight":
		e.Inflight, err = f.int64()
	case "lost":
		e.Lost, err = f.int64()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPBBR) setField(f *field) (err error) {
	switch f.Key {
	case "mode":
		e.Mode, err = f.str()
	case "bw":
		e.BW, err = f.int64()
	case "min_rtt":
		e.MinRTT, err = f.duration()
	case "pacing_gain":
		e.PacingGain, err = f.int64()
	case "cwnd_gain":
		e.CwndGain, err = f.int64()
	case "cycle":
		e.Cycle, err = f.int64()
	case "lt":
		e.LongTerm, err = f.boolean()
	case "reason":
		e.Reason, err = f.str()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPRetransmit) setField(f *field) (err error) {
	switch f.Key {
	case "rseq":
		e.RSeq, err = f.uint(64)
	case "len":
		e.Len, err = f.integer()
	case "reason":
		e.Reason, err = f.str()
	default:
		return setConnSide(f, &e.Conn, &e.Side)
	}
	return err
}

func (e *TCPTimer) setField(f *field) (err error) {
	if f.Key == "timer" {
		e.Timer, err = f.str()
		return err
	}
	return setConnSide(f, &e.Conn, &e.Side)
}

func (e *TCPError) setField(f *field) (err error) {
	if f.Key == "errno" {
		e.Errno, err = f.str()
		return err
	}
	return setConnSide(f, &e.Conn, &e.Side)
}

func (e *App) setField(f *field) (err error) {
	var has AppFields
	switch f.Key {
	case "event":
		e.Event, err = f.str()
	case "call":
		has = AppHasCall
		e.Call, err = f.str()
	case "errno":
		has = AppHasErrno
		e.Errno, err = f.str()
	case "count":
		has = AppHasCount
		e.Count, err = f.int64()
	case "conn":
		has = AppHasConn
		e.Conn, err = f.uint(64)
	case "to":
		has = AppHasTo
		e.To, err = f.addrPort()
	case "peer":
		has = AppHasPeer
		e.Peer, err = f.addrPort()
	case "bytes":
		has = AppHasBytes
		e.Bytes, err = f.int64()
	case "sent":
		has = AppHasSent
		e.Sent, err = f.int64()
	case "total":
		has = AppHasTotal
		e.Total, err = f.int64()
	case "latency":
		has = AppHasLatency
		e.Latency, err = f.duration()
	case "duration":
		has = AppHasDuration
		e.Duration, err = f.duration()
	case "mismatched":
		has = AppHasMismatched
		e.Mismatched, err = f.int64()
	}
	if err == nil {
		e.Has |= has
	}
	return err
}

func (e *Fault) setField(f *field) (err error) {
	if f.Key == "what" {
		e.What, err = f.str()
	}
	return err
}

func (e *RouteChange) setField(f *field) (err error) {
	switch f.Key {
	case "changed":
		e.Changed, err = f.integer()
	case "routes":
		e.Routes, err = f.integer()
	}
	return err
}

func (e *LinkState) setField(f *field) (err error) {
	if f.Key == "up" {
		e.Up, err = f.boolean()
	}
	return err
}

// The fingerprints: every field, in record order.

func (e *PacketSend) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.str(e.Iface)
	h = h.u64(uint64(e.Len))
	h = h.addr(e.Src)
	h = h.addr(e.Dst)
	h = h.u64(uint64(e.Proto)<<48 | uint64(e.SPort)<<32 | uint64(e.DPort)<<16 | uint64(e.Flags))
	h = h.u64(uint64(e.Seq)<<32 | uint64(e.Ack))
	h = h.u64(uint64(e.RSeq)<<32 | uint64(e.RAck))
	h = h.u64(uint64(e.Win)<<32 | uint64(uint32(e.PLen)))
	h = e.Opts.hash(h)
	h = h.u64(e.Conn)
	return h
}

func (e *PacketEnqueue) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.u64(uint64(e.Len)<<32 | uint64(uint32(e.QLen)))
	h = h.u64(uint64(e.QBytes))
	return h
}

func (e *PacketTx) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.u64(uint64(e.Len)<<32 | uint64(uint32(e.QLen)))
	h = h.u64(uint64(e.QBytes))
	h = h.u64(uint64(e.Arrive))
	return h
}

func (e *PacketRx) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.u64(uint64(e.Len)<<1 | b2u(e.Corrupt))
	return h
}

func (e *PacketDrop) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.u64(uint64(e.Len))
	h = h.str(e.Reason)
	return h
}

func (e *PacketForward) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.str(e.Iface)
	h = h.u64(uint64(e.TTL))
	return h
}

func (e *PacketDeliver) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.str(e.Iface)
	h = h.u64(uint64(e.Len))
	h = h.u64(e.Conn)
	return h
}

func (e *PacketDuplicate) hash(h hasher) hasher {
	h = h.u64(e.ID)
	h = h.u64(e.Of)
	return h
}

func (e *PacketMark) hash(h hasher) hasher {
	return h.u64(e.ID).u64(uint64(e.Len)<<32 | uint64(uint32(e.QLen))).u64(uint64(e.QBytes))
}

func (e *TCPState) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.addrPort(e.Local)
	h = h.addrPort(e.Remote)
	h = h.str(e.From)
	h = h.str(e.To)
	if e.Reason != "" {
		// Only when set, so that the hash of every other record stays.
		h = h.str(e.Reason)
	}
	return h
}

func (e *TCPCwnd) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.u64(uint64(e.Cwnd))
	h = h.u64(uint64(e.Ssthresh))
	h = h.str(e.Reason)
	return h
}

func (e *TCPRTT) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.u64(uint64(e.Sample))
	h = h.u64(uint64(e.SRTT))
	h = h.u64(uint64(e.RTTVar))
	h = h.u64(uint64(e.RTO))
	return h
}

func (e *TCPRate) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.u64(uint64(e.Delivered))
	h = h.u64(uint64(e.Interval))
	h = h.u64(uint64(e.Rate))
	h = h.u64(b2u(e.AppLimited))
	h = h.u64(uint64(e.RTT))
	h = h.u64(uint64(e.Inflight))
	h = h.u64(uint64(e.Lost))
	return h
}

func (e *TCPBBR) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.str(e.Mode)
	h = h.u64(uint64(e.BW))
	h = h.u64(uint64(e.MinRTT))
	h = h.u64(uint64(e.PacingGain))
	h = h.u64(uint64(e.CwndGain))
	h = h.u64(uint64(e.Cycle))
	h = h.u64(b2u(e.LongTerm))
	h = h.str(e.Reason)
	return h
}

func (e *TCPRetransmit) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.u64(uint64(e.RSeq)<<32 | uint64(uint32(e.Len)))
	h = h.str(e.Reason)
	return h
}

func (e *TCPTimer) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.str(e.Timer)
	return h
}

func (e *TCPError) hash(h hasher) hasher {
	h = h.u64(e.Conn)
	h = h.str(e.Side)
	h = h.str(e.Errno)
	return h
}

func (e *App) hash(h hasher) hasher {
	h = h.str(e.Event)
	h = h.u64(uint64(e.Has))
	h = h.str(e.Call)
	h = h.str(e.Errno)
	h = h.u64(uint64(e.Count))
	h = h.u64(e.Conn)
	h = h.addrPort(e.To)
	h = h.addrPort(e.Peer)
	h = h.u64(uint64(e.Bytes))
	h = h.u64(uint64(e.Sent))
	h = h.u64(uint64(e.Total))
	h = h.u64(uint64(e.Latency))
	h = h.u64(uint64(e.Duration))
	if e.Has&AppHasMismatched != 0 {
		// Mixed in only when present, so that the fingerprints of intact
		// runs stay what they were before the field existed.
		h = h.u64(uint64(e.Mismatched))
	}
	return h
}

func (e *Fault) hash(h hasher) hasher { return h.str(e.What) }

func (e *LinkState) hash(h hasher) hasher { return h.u64(b2u(e.Up)) }

func (e *RouteChange) hash(h hasher) hasher {
	return h.u64(uint64(e.Changed)).u64(uint64(e.Routes))
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
