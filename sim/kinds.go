package sim

// The trace vocabulary. Producers (topology, nodes, the TCP glue, apps,
// faults) write these kinds; summary.json, the ASCII diagram and plots/ read
// them; change producers and readers together.
//
// Packets are named by "id", a run-wide counter (copies made by a link get
// their own id). Connections are named by "conn", an integer shared by both
// ends, assigned by the network in the order of each connection's first
// SYN. Times are nanoseconds; "rseq" and "rack" are sequence numbers
// relative to the sender's and the receiver's initial sequence numbers
// (SYN seq=0, first data byte 1), as tcpdump and packetdrill print them.
// A segment sent with no connection (the RST answering a segment that
// found no socket) has no ISNs: its numbers are relative to the segment
// it answers, so rseq is 0 and rack is that segment's length with SYN and
// FIN counted (the RST to a SYN: rseq 0, rack 1).
const (
	// KindPacketSend: a host's IP layer hands a new datagram to an interface.
	// Subject "host/<name>". Fields, in order: id, iface, len, src, dst,
	// proto, and for TCP: sport, dport, flags, seq, ack, rseq, rack, win,
	// plen, opts, conn.
	KindPacketSend = "pkt.send"
	// KindPacketEnqueue: a datagram joins a link direction's queue.
	// Subject "link/<name>/<from>><to>". Fields: id, len, qlen, qbytes.
	KindPacketEnqueue = "pkt.enqueue"
	// KindPacketTx: the first bit of a datagram leaves onto a link
	// direction. Subject as enqueue. Fields: id, len, qlen, qbytes, arrive
	// (ns time the last bit will reach the far end, before jitter).
	KindPacketTx = "pkt.tx"
	// KindPacketRx: the last bit reaches the far end of a link direction.
	// Subject as enqueue. Fields: id, len, corrupt (bool).
	KindPacketRx = "pkt.rx"
	// KindPacketDrop: a datagram is lost. Subject: the link direction or
	// node where it happened. Fields: id, len, reason (one of the
	// Drop* reasons below).
	KindPacketDrop = "pkt.drop"
	// KindPacketForward: a router sends a datagram on towards its next hop.
	// Subject "router/<name>". Fields: id, iface, ttl.
	KindPacketForward = "pkt.forward"
	// KindPacketDeliver: a host's IP layer accepts a datagram addressed to
	// it and hands it to the transport. Subject "host/<name>". Fields: id,
	// iface, len, conn (when a connection took it).
	KindPacketDeliver = "pkt.deliver"
	// KindPacketDuplicate: a link made a copy of a datagram. Subject the
	// link direction. Fields: id (the copy), of (the original id).
	KindPacketDuplicate = "pkt.dup"

	// KindTCPState: a connection changed state. Subject "host/<name>" for
	// every tcp.* kind; the first fields of every tcp.* kind are conn and
	// side ("client" for the end that sent the first SYN, else "server").
	// Fields: conn, side, local, remote, from, to.
	KindTCPState = "tcp.state"
	// KindTCPCwnd: cwnd or ssthresh changed. Fields: conn, cwnd, ssthresh
	// (bytes), reason.
	KindTCPCwnd = "tcp.cwnd"
	// KindTCPRTT: an RTT sample was taken. Fields: conn, sample, srtt,
	// rttvar, rto (all ns).
	KindTCPRTT = "tcp.rtt"
	// KindTCPRetransmit: a segment was sent again. Fields: conn, rseq, len,
	// reason (rto, fast, sack, syn, probe).
	KindTCPRetransmit = "tcp.retransmit"
	// KindTCPTimer: a connection timer fired. Fields: conn, timer.
	KindTCPTimer = "tcp.timer"
	// KindTCPError: a connection ended with an error. Fields: conn, errno.
	KindTCPError = "tcp.error"

	// KindApp: an application event. Subject "app/<host>/<type>". Fields:
	// event (connect, accept, send, recv, close, error, done) and more.
	KindApp = "app"
	// KindFault: a scheduled fault was applied. Subject the link or
	// "partition". Fields: what.
	KindFault = "fault"
	// KindLinkState: a link direction went up or down. Fields: up (bool).
	KindLinkState = "link.state"
)

// Drop reasons used in KindPacketDrop records.
const (
	DropQueue     = "queue"     // the queue was full (drop-tail)
	DropLoss      = "loss"      // the loss model chose the packet
	DropDown      = "down"      // the link was down
	DropMTU       = "mtu"       // larger than the link MTU (no fragmentation)
	DropTTL       = "ttl"       // TTL expired at a router
	DropNoRoute   = "noroute"   // no route to the destination
	DropChecksum  = "checksum"  // an IPv4 or TCP checksum did not verify
	DropBacklog   = "backlog"   // a SYN beyond a full listen backlog
	DropMalformed = "malformed" // a header that does not parse
	DropNotMine   = "notmine"   // a host got a datagram for another address
)
