package sim

// The trace vocabulary. Each kind of record is one Go type in
// trace_events.go; producers (topology, nodes, the TCP glue, apps, faults)
// fill them, summary.json, expect, the ASCII diagram and plots/ read them,
// and a field renamed on one side fails to compile on the other.
//
// Packets are named by ID, a run-wide counter (copies made by a link get
// their own ID). Connections are named by Conn, an integer shared by both
// ends, assigned by the network in the order of each connection's first
// SYN. Times are nanoseconds; RSeq and RAck are sequence numbers relative
// to the sender's and the receiver's initial sequence numbers (SYN seq=0,
// first data byte 1), as tcpdump and packetdrill print them. A segment
// sent with no connection (the RST answering a segment that found no
// socket) has no ISNs: its numbers are relative to the segment it
// answers, so rseq is 0 and rack is that segment's length with SYN and
// FIN counted (the RST to a SYN: rseq 0, rack 1).

// Kind names the type of a trace record; its String is the "kind" of the
// JSONL line.
type Kind uint8

// The kinds of record, with their subjects. The fields of each are those
// of its type, written to JSONL in the order the type declares them.
const (
	// KindPacketSend (PacketSend): a host's IP layer hands a new datagram
	// to an interface. Subject "host/<name>".
	KindPacketSend Kind = iota + 1
	// KindPacketEnqueue (PacketEnqueue): a datagram joins a link
	// direction's queue. Subject "link/<name>/<from>><to>".
	KindPacketEnqueue
	// KindPacketTx (PacketTx): the first bit of a datagram leaves onto a
	// link direction. Subject as enqueue.
	KindPacketTx
	// KindPacketRx (PacketRx): the last bit reaches the far end of a link
	// direction. Subject as enqueue.
	KindPacketRx
	// KindPacketDrop (PacketDrop): a datagram is lost. Subject: the link
	// direction or node where it happened.
	KindPacketDrop
	// KindPacketForward (PacketForward): a router sends a datagram on
	// towards its next hop. Subject "router/<name>".
	KindPacketForward
	// KindPacketDeliver (PacketDeliver): a host's IP layer accepts a
	// datagram addressed to it and hands it to the transport. Subject
	// "host/<name>".
	KindPacketDeliver
	// KindPacketDuplicate (PacketDuplicate): a link made a copy of a
	// datagram. Subject the link direction.
	KindPacketDuplicate
	// KindPacketMark (PacketMark): a queue set a datagram's ECN field to
	// CE instead of dropping it (RFC 3168). Subject the link direction.
	KindPacketMark

	// KindTCPState (TCPState): a connection changed state. Subject
	// "host/<name>" for every tcp.* kind; the first fields of every tcp.*
	// kind are conn and side ("client" for the end that sent the first
	// SYN, else "server").
	KindTCPState
	// KindTCPCwnd (TCPCwnd): cwnd or ssthresh changed.
	KindTCPCwnd
	// KindTCPRTT (TCPRTT): an RTT sample was taken.
	KindTCPRTT
	// KindTCPRetransmit (TCPRetransmit): a segment was sent again.
	KindTCPRetransmit
	// KindTCPTimer (TCPTimer): a connection timer fired.
	KindTCPTimer
	// KindTCPError (TCPError): a connection ended with an error.
	KindTCPError

	// KindApp (App): an application event. Subject "app/<host>/<type>".
	KindApp
	// KindFault (Fault): a scheduled fault was applied. Subject the link
	// or "partition".
	KindFault
	// KindLinkState (LinkState): a link direction went up or down.
	KindLinkState
	// KindRouteChange (RouteChange): a node's forwarding table changed
	// when routes were recomputed. Subject the node ("router/<name>").
	KindRouteChange
	// KindTCPRate (TCPRate): an ACK gave a delivery-rate sample. (The
	// tcp.* kinds added later follow the others so that the numbers the
	// fingerprint mixes in stay put.)
	KindTCPRate
	// KindTCPBBR (TCPBBR): BBR changed mode or its model of the path.
	KindTCPBBR

	kindEnd // one past the last kind
)

// kindNames are the "kind" strings of the JSONL trace.
var kindNames = [kindEnd]string{
	KindPacketSend:      "pkt.send",
	KindPacketEnqueue:   "pkt.enqueue",
	KindPacketTx:        "pkt.tx",
	KindPacketRx:        "pkt.rx",
	KindPacketDrop:      "pkt.drop",
	KindPacketForward:   "pkt.forward",
	KindPacketDeliver:   "pkt.deliver",
	KindPacketDuplicate: "pkt.dup",
	KindPacketMark:      "pkt.mark",
	KindTCPState:        "tcp.state",
	KindTCPCwnd:         "tcp.cwnd",
	KindTCPRTT:          "tcp.rtt",
	KindTCPRetransmit:   "tcp.retransmit",
	KindTCPTimer:        "tcp.timer",
	KindTCPError:        "tcp.error",
	KindApp:             "app",
	KindFault:           "fault",
	KindLinkState:       "link.state",
	KindRouteChange:     "route.change",
	KindTCPRate:         "tcp.rate",
	KindTCPBBR:          "tcp.bbr",
}

// String returns the kind as the trace writes it, e.g. "pkt.send".
func (k Kind) String() string {
	if k > 0 && k < kindEnd {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind returns the kind written as s, and false for an unknown kind.
func ParseKind(s string) (Kind, bool) {
	for k := Kind(1); k < kindEnd; k++ {
		if kindNames[k] == s {
			return k, true
		}
	}
	return 0, false
}

// IsTCP reports whether k is one of the tcp.* kinds.
func (k Kind) IsTCP() bool {
	return k >= KindTCPState && k <= KindTCPError || k == KindTCPRate || k == KindTCPBBR
}

// Drop reasons used in PacketDrop records.
const (
	DropQueue     = "queue"     // the queue was full (drop-tail)
	DropAQM       = "aqm"       // active queue management chose the packet (RED, CoDel, PIE...)
	DropLoss      = "loss"      // the loss model chose the packet
	DropDown      = "down"      // the link was down
	DropMTU       = "mtu"       // larger than the link MTU (no fragmentation)
	DropTTL       = "ttl"       // TTL expired at a router
	DropNoRoute   = "noroute"   // no route to the destination
	DropChecksum  = "checksum"  // an IPv4 or TCP checksum did not verify
	DropBacklog   = "backlog"   // a SYN beyond a full listen backlog
	DropMalformed = "malformed" // a header that does not parse
	DropNotMine   = "notmine"   // a host got a datagram for another address
	DropNoPort    = "noport"    // a UDP datagram or echo reply for a port no socket holds
	DropRcvBuf    = "rcvbuf"    // a datagram socket's receive buffer was full
	DropNoProto   = "noproto"   // an IP protocol the host does not speak
)
