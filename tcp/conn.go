package tcp

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// Endpoint is one end of a connection: an address and a port.
type Endpoint struct {
	Addr netip.Addr
	Port uint16
}

// String formats the endpoint as "addr:port".
func (e Endpoint) String() string { return netip.AddrPortFrom(e.Addr, e.Port).String() }

// Conn is one TCP connection: the RFC 9293 state machine with reliable
// delivery, flow control and congestion control. It is a pure state
// machine: every call takes the current time as a value, nothing runs by
// itself, and the work it produces (segments to send, events for the user)
// is queued until the caller drains it with Segments and Events. The caller
// must call Tick at Deadline. A Conn is not safe for concurrent use.
type Conn struct {
	// The fields come in four groups, by who reads them per segment
	// (TestConnLines holds the lines): with a thousand flows taking turns
	// each Conn is cold when its next segment comes, and every line a
	// segment touches is a cache miss. A bulk transfer's receiver, fed
	// data, touches the receiver's lines and the common ones; its sender,
	// fed ACKs, the common lines and the sender's; few segments touch the
	// rest. Go lays the fields out in this order.

	// The receiver's lines: what a data segment and the application's
	// read of it touch.
	rcvTune rcvTuning
	// nxtRel is RCV.NXT relative to the IRS in 64 bits: it counts on where
	// the 32-bit numbers wrap (unaRel is the sender's side).
	nxtRel    uint64
	rcvSegMax int // largest segment received, capped at rcvMss (Linux rcv_mss)
	// lastDataAt is when in-order data last arrived, or the connection
	// was established (Linux's icsk_ack.lrcvtime).
	lastDataAt time.Duration
	// ato is the ACK timeout estimate (Linux's icsk_ack.ato, pingpong.go):
	// zero until the first data arrives or quick-ACK mode is entered.
	ato time.Duration
	// rb ends with what the sender reads too (the window it offers), so
	// that it shares the first common line.
	rb recvBuffer

	// The common lines: what every segment in an established state
	// touches, ACK or data, and the segments and events it queues.

	// cfg is shared with every connection opened from the same settings
	// (ValidConfig) and never written: a change for this connection
	// alone (SetNagle, SetSendBuffer) replaces it with a copy.
	cfg *Config
	// q holds the segments and events queued for the owner while the
	// connection is busy (queues.go); nil while it is idle.
	q *queues
	// ackRate is the rate sample being built for the ACK in hand, kept in
	// the connection's queues (queues.go) from the first ACK on and given
	// back with them when it falls idle (trim): nil while it has none.
	ackRate *ackSample
	// ofo is what the receiver keeps about data held out of order (and
	// a D-SACK to report), from the first such segment until an idle
	// connection trims it (rcv.go).
	ofo *ofoState
	// timerAt holds each timer's expiry (timers.go); its bit in
	// timerOn says whether it is armed.
	timerAt [numTimers]time.Duration
	// lastCall is the time of the latest Input, Tick, Write or Read;
	// quiet how long the connection had been left alone before it.
	lastCall, quiet time.Duration
	// chrono counts busy and limited time for tcp_info (chrono.go), from
	// the first write on.
	chrono *chronograph

	// Send sequence space (RFC 9293 §3.3.1).
	sndUna Seq
	sndNxt Seq // next sequence number to send (go-back-N rewinds it)
	sndMax Seq // one past the highest sequence number sent (RFC 6675 HighData)
	sndWl1 Seq
	sndWl2 Seq
	// Receive sequence space.
	rcvNxt     Seq
	rcvAdvEdge Seq // RCV.NXT + RCV.WND as last advertised
	lastAckTx  Seq // RCV.NXT on the last ACK sent (RFC 7323 §4.3 Last.ACK.sent)
	tsOffset   uint32
	tsRecent   uint32
	// segTsecr is the TSecr of the segment being input, 0 without one.
	segTsecr uint32
	// srcPort and dstPort are the ports of the local and remote
	// endpoints, here for the header of every segment sent; their
	// addresses, which no segment reads, are with the rarely read fields.
	srcPort, dstPort uint16

	sndWnd int // peer's window in bytes, unscaled
	// maxSndWnd is the largest window the peer offered (SWS avoidance,
	// RFC 9293 §3.8.6.2.1, and RFC 5961 §5.2 MAX.SND.WND).
	maxSndWnd int
	rcvClamp  int // most window offered now (Linux rcv_ssthresh)
	rcvMss    int // payload of a full segment the peer sends
	retries   int // SYN/SYN-ACK retransmissions, or RTO expiries in a row
	// unackedBytes counts data received since our last ACK.
	unackedBytes int

	sb    sendBuffer
	stats counters
	tlp   tlpState

	state    State
	sndShift uint8 // peer's window scale
	// timerOn has bit t set while timer t is armed.
	timerOn  uint8
	rcvShift uint8
	// quickAcks is the quick ACKs left (Linux's icsk_ack.quick, at most
	// TCP_MAX_QUICKACKS).
	quickAcks uint8
	// finQueued: the user shut the write side, a FIN follows the data.
	finQueued bool
	userClose bool // close() (not just shutdown): arriving data resets
	// peerFin: the peer's FIN was received in order; peerFinSeen: a FIN
	// arrived, maybe beyond a hole.
	peerFin, peerFinSeen bool
	sackOK, tsOK         bool
	// pingpong is Linux's interactive mode (icsk_ack.pingpong at
	// TCP_PINGPONG_THRESH): we sent data within the ACK timeout of the
	// peer's last data, so its next data is not quick-ACKed but waits
	// for a reply to ride on (pingpong.go).
	pingpong   bool
	ackNow     bool
	inRecovery bool
	dsackOn    bool
	// rcvCE: the segment being input arrived marked CE.
	rcvCE bool
	// synAcked: the peer acknowledged our SYN. (Comparing SND.UNA with
	// the ISS would misfire after 4 GiB, when the numbers come round.)
	synAcked bool
	// busySpell: the connection has been busy (queued something) since it was
	// last trimmed; its queues themselves are lent back after each drain
	// (queues.go).
	busySpell bool
	// windowCtl: cc is a WindowController (BBR), asserted once when the
	// connection is made, since the paths that ask (each send, each ACK,
	// each step of SACK recovery) would otherwise assert it every time.
	windowCtl bool
	// (A flag few segments read, in what would be padding.)
	passive bool // opened by Listen
	// muted holds the observables nobody reads (Mute): they are not
	// queued.
	muted EventMask
	// ecnOK: both ends agreed on ECN in the handshake (TCP_ECN_OK); the
	// rest of the ECN state is ecn.
	ecnOK bool
	wsOK  bool
	// rcvTstamp is when the peer last sent an acceptable ACK, from the
	// handshake on (Linux's rcv_tstamp), kept whether keepalive is on or
	// not: turned on later, keepalive counts the idle time from it
	// (keepalive.go).
	rcvTstamp time.Duration

	// rtt starts with what arming a timer reads, the last common fields;
	// the sender's lines follow with its estimates.
	rtt rttEstimator

	// The sender's lines: what an ACK, and the data it lets out, touch.
	cc   Congestion
	sent []sentRec
	// sentHead is the index in sent of the first record not wholly
	// acknowledged.
	sentHead int
	// rare holds what few connections use (nil until the first): the
	// ends of records written with MSG_EOR and not yet acknowledged, and
	// the Fast Open state. One pointer for both keeps a Conn in its size
	// class (TestConnSizeClass).
	rare *rareState
	// unaRel is SND.UNA relative to the ISN in 64 bits (nxtRel is the
	// receiver's side).
	unaRel uint64
	sndSml Seq // end of the last small segment sent (Minshall's Nagle)
	// maxFlightEnd is SND.NXT when maxFlight was last restarted (Linux
	// cwnd_usage_seq).
	maxFlightEnd Seq
	// recoverSeq is RFC 6582 recover / RFC 6675 RecoveryPoint.
	recoverSeq Seq
	err        Errno // the error that ended the connection, if any
	sentData   bool
	forceSend  bool // the persist timer overrides SWS avoidance once
	// synSampled: the ACK being processed completed a passive open whose
	// handshake gave the RTT sample already (establish), so rttOnAck
	// takes none from it.
	synSampled bool
	// chronoCur is the kind of time the chronograph counts (chrono.go);
	// noSpace is SOCK_NOSPACE: a write stopped short for lack of send
	// buffer, and the writer has not been told of space since.
	chronoCur chronoKind
	noSpace   bool
	// corked is TCP_CORK: partial segments of new data wait until it is
	// cleared, the persist timer's probe sends them, or a push (Linux's
	// TCP_NAGLE_CORK). holdMore is the same for the transmissions of one
	// Write with MSG_MORE alone (tcp_push with nonagle TCP_NAGLE_CORK);
	// pushOnce lets the next transmission ignore both and Nagle
	// (TCP_NAGLE_PUSH, set by TCP_NODELAY and by uncorking); lastMore
	// says the last Write had MSG_MORE, so its end carries no PSH
	// (tcp_push marks it only without MSG_MORE).
	corked, holdMore, pushOnce, lastMore bool

	sndMss    int // payload of a full segment we send (options subtracted)
	maxFlight int // most bytes in flight this window (Linux max_packets_out)
	// stalledSince is when the first retransmission or zero-window probe
	// since SND.UNA last moved went out, plus 1 ns (0: none), for
	// UserTimeout (Linux's retrans_stamp and icsk_probes_tstamp).
	stalledSince time.Duration
	// lastSendAt is when data, new or resent, was last sent (Linux's
	// lsndtime), once sentData.
	lastSendAt time.Duration
	dupAcks    int
	lastCwnd   int
	lastSsth   int
	// paceAt is when pacing lets the next segment go.
	paceAt time.Duration
	board  scoreboard
	rack   rackState
	rate   rateState
	prr    prr // the sending allowance of SACK recovery and of CWR (RFC 6937)
	// losses starts with the one counter an ACK may bump (a duplicate).
	losses lossCounters

	// The rest: what an ECN connection, the handshake, the close, a path
	// MTU change or a recovery without SACK read.
	ecn                   ecnState
	localAddr, remoteAddr netip.Addr
	iss                   Seq
	finSeq                Seq // sequence number of our FIN once queued
	irs                   Seq
	peerFinSeq            Seq
	rtxTSVal              uint32 // our TSval on the latest retransmission
	// lastOOW is when we last answered an out-of-window segment (a
	// challenge ACK or a SYN-ACK for a retransmitted SYN), in milliseconds
	// plus one, as Linux's last_oow_ack_time in jiffies; 0 before the
	// first.
	lastOOW uint32
	// pmtu is the path MTU a router reported (0: none).
	pmtu      int
	synSentAt time.Duration
	recCwnd   int // NewReno's inflated window during recovery without SACK
	// tw is what TIME-WAIT keeps, from when it is entered.
	tw *TimeWaitRecord
	// rewind says why SND.NXT went back below SND.MAX: an RTO, or a path
	// MTU drop; the resends are traced with it.
	rewind rewindCause
	// inLoss: an RTO happened and what was in flight then is not yet all
	// acknowledged (Linux's TCP_CA_Loss state), for WindowControllers,
	// tcpi_ca_state and the ECN-Echo rule; onNewAck clears it.
	inLoss bool
	// synRetransmitted: a SYN-ACK went out again for a retransmitted SYN
	// (no RTT sample from the handshake).
	synRetransmitted bool
	// spaceWake: Linux's sk_write_space would wake the socket's waiters
	// now (SpaceWake): an ACK made room for a writer that had found
	// none (tcp_check_space with SOCK_NOSPACE), or an option changed
	// the room (SO_SNDBUF, TCP_NOTSENT_LOWAT).
	spaceWake bool
	// mssClamp is Linux's rx_opt.mss_clamp: a configured MSS (user_mss)
	// until the handshake, then the peer's MSS option clamped to it (an
	// auto MSS clamps nothing). tcp_sndbuf_expand sizes a segment's
	// memory from it.
	mssClamp uint16
}

// outSeg is a segment waiting in the outbox. Its payload is resolved from
// the send buffer when it is drained, so queuing copies nothing.
type outSeg struct {
	h   Header
	seq Seq  // first payload byte
	n   int  // payload length
	ect bool // sent ECN-capable (ECT(0) in the IP header)
}

// sentRec remembers when a run of new data was first sent, for RTT samples
// (RFC 6298 §3: Karn's rule skips retransmitted data).
type sentRec struct {
	start, end Seq
	at         time.Duration
	retx       bool
	fin        bool // end includes our FIN
	// recut: a retransmission started or ended inside it (markRecut).
	recut bool
	// sacked: delivered by a SACK before the cumulative ACK covered it.
	sacked bool
	// The delivery state when last sent, for rate samples (Linux's
	// tcp_skb_cb tx fields; rate.go); stamped while it may still be a
	// sample's reference.
	stamped     bool
	appLimited  bool
	txAt        time.Duration
	delivered   int64
	deliveredAt time.Duration
	firstTxAt   time.Duration
}

// payload is the record's data bytes (its FIN excluded).
func (s *sentRec) payload() int {
	n := int(s.end.Sub(s.start))
	if s.fin {
		n--
	}
	return n
}

// ErrState is wrapped by errors returned for calls made in a state that
// does not allow them, together with the errno a socket would return.
var ErrState = errors.New("tcp: call not allowed in this state")

// NewConn returns a CLOSED connection between local and remote, with the
// initial send sequence number iss (see ISN) and the offset added to its
// timestamp clock (RFC 7323 §5.4 recommends a random one per connection).
func NewConn(cfg Config, local, remote Endpoint, iss Seq, tsOffset uint32) (*Conn, error) {
	v, err := cfg.Valid()
	if err != nil {
		return nil, err
	}
	return NewConnValid(v, local, remote, iss, tsOffset)
}

// NewConnValid is NewConn for settings validated already (a host's,
// validated once when they were set). The zero ValidConfig is not valid:
// it gets an error wrapping ErrConfig.
func NewConnValid(v ValidConfig, local, remote Endpoint, iss Seq, tsOffset uint32) (*Conn, error) {
	cfg := v.cfg
	if cfg == nil {
		return nil, fmt.Errorf("tcp: new conn: %w: settings never validated", ErrConfig)
	}
	cc, err := NewCongestion(cfg.Congestion, cfg.MSS, cfg.InitialCwnd)
	if err != nil {
		return nil, fmt.Errorf("tcp: new conn: %w: %w", ErrConfig, err)
	}
	c := &Conn{
		cfg:        cfg,
		localAddr:  local.Addr,
		remoteAddr: remote.Addr,
		srcPort:    local.Port,
		dstPort:    remote.Port,
		iss:        iss,
		sndUna:     iss,
		sndNxt:     iss,
		sndMax:     iss,
		tsOffset:   tsOffset,
		cc:         cc,
		sndMss:     cfg.MSS,
		rcvMss:     cfg.MSS,
	}
	if !v.mssAuto {
		c.mssClamp = uint16(cfg.MSS) // at most MaxMSS
	}
	c.recoverSeq = iss
	c.sndSml = iss
	c.rack.init(iss)
	c.sb.init(cfg.InitialSendBuffer(), iss.Add(1))
	c.rb.init(cfg.InitialRecvBuffer())
	c.rtt.init(cfg.RTOInitial, cfg.RTOMin, cfg.RTOMax)
	c.lastCwnd, c.lastSsth = cc.Cwnd(), cc.Ssthresh()
	c.adoptCongestion(cc)
	return c, nil
}

// adoptCongestion makes cc the connection's congestion control: the
// settings it takes from Config, its seed, and what the sender caches
// about it.
func (c *Conn) adoptCongestion(cc Congestion) {
	c.cc = cc
	_, c.windowCtl = cc.(WindowController)
	if h, ok := cc.(interface{ SetHyStart(on, paced bool) }); ok {
		h.SetHyStart(c.cfg.HyStart, c.cfg.Pacing == PacingOn)
	}
	if s, ok := cc.(interface{ seed(uint64) }); ok {
		// The ISN and timestamp offset are drawn from the run's random
		// streams: a deterministic seed that differs per connection.
		s.seed(uint64(c.iss)<<32 | uint64(c.tsOffset))
	}
}

// State returns the connection's state.
func (c *Conn) State() State { return c.state }

// Config returns the connection's settings, with the MSS it works with
// (an auto MSS as the value it took: ValidConfig.WithMSS).
func (c *Conn) Config() Config { return *c.cfg }

// ownConfig gives the connection a copy of its settings of its own, to
// change one for it alone (copy on write: the settings it had are shared).
func (c *Conn) ownConfig() *Config {
	cfg := *c.cfg
	c.cfg = &cfg
	return c.cfg
}

// Local returns the local endpoint.
func (c *Conn) Local() Endpoint { return Endpoint{Addr: c.localAddr, Port: c.srcPort} }

// Remote returns the remote endpoint.
func (c *Conn) Remote() Endpoint { return Endpoint{Addr: c.remoteAddr, Port: c.dstPort} }

// ISS returns our initial sequence number.
func (c *Conn) ISS() Seq { return c.iss }

// IRS returns the peer's initial sequence number (valid once a SYN
// arrived).
func (c *Conn) IRS() Seq { return c.irs }

// RelSeq returns s, one of our sequence numbers within 2 GiB of SND.UNA
// (every segment we send), relative to our ISN and unwrapped to 64 bits,
// so that a flow of more than 4 GiB keeps counting.
func (c *Conn) RelSeq(s Seq) uint64 {
	return uint64(int64(c.unaRel) + int64(s.Sub(c.sndUna)))
}

// RelAck returns s, a sequence number of the peer's within 2 GiB of
// RCV.NXT (every ACK we send), relative to its ISN in 64 bits.
func (c *Conn) RelAck(s Seq) uint64 {
	return uint64(int64(c.nxtRel) + int64(s.Sub(c.rcvNxt)))
}

// Err returns the error that ended the connection, or 0.
func (c *Conn) Err() Errno { return c.err }

// Connect starts an active open: CLOSED -> SYN-SENT with a SYN queued
// (RFC 9293 §3.10.1). From LISTEN it is the diagram's "SEND" edge to
// SYN-SENT (§3.10.2), which the sockets API never takes.
func (c *Conn) Connect(now time.Duration) error {
	if c.state != Closed && c.state != Listen || c.sndMax != c.iss {
		return fmt.Errorf("tcp: connect in %s: %w (%w)", c.state, ErrState, EISCONN)
	}
	c.passive = false
	c.openWithSyn(now, SynSent, false)
	return nil
}

// Listen starts a passive open: CLOSED -> LISTEN (RFC 9293 §3.10.1). The
// caller makes one Conn per arriving SYN and passes the SYN to Input.
func (c *Conn) Listen(now time.Duration) error {
	if c.state != Closed || c.sndMax != c.iss {
		return fmt.Errorf("tcp: listen in %s: %w (%w)", c.state, ErrState, EISCONN)
	}
	c.passive = true
	c.setState(Listen)
	return nil
}

// Write copies as much of p as fits into the send buffer and sends what
// the windows allow. It returns EAGAIN when nothing fits, and EPIPE after
// the write side was shut down or the connection failed.
func (c *Conn) Write(now time.Duration, p []byte) (int, error) {
	c.touch(now)
	switch {
	case c.err != 0 && c.state == Closed:
		return 0, EPIPE
	case c.finQueued:
		return 0, EPIPE
	case c.state == Closed || c.state == Listen:
		return 0, ENOTCONN
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.rateCheckAppLimited()
	c.idleRestart(now)
	unsent := c.sndDataEnd() != c.sndMax
	n := c.sb.write(p, c.Writable())
	if n > 0 {
		c.lastMore = c.holdMore
	}
	if n > 0 && !unsent {
		// The write queue was empty (Linux's tcp_add_write_queue_tail).
		c.chronoStart(now, chronoBusy)
	}
	if n > 0 {
		c.output(now)
	}
	if n < len(p) {
		// tcp_sendmsg_locked sets SOCK_NOSPACE when it runs out of
		// buffer, after pushing what it copied.
		c.writeStopped()
	}
	if n == 0 {
		return 0, EAGAIN
	}
	return n, nil
}

// Writable returns how many bytes Write would accept now: the free send
// buffer, and with NotsentLowat no more than brings the unsent bytes to
// it (Linux's sk_stream_memory_free, which tcp_sendmsg_locked asks
// before each new skb; netsim, without skbs, asks it per byte).
func (c *Conn) Writable() int {
	free := c.bufferFree()
	if lowat := c.cfg.NotsentLowat; lowat > 0 {
		free = min(free, max(0, lowat-c.notsent()))
	}
	return free
}

// bufferFree is the free send buffer.
func (c *Conn) bufferFree() int {
	if c.finQueued || !(c.state.canSend() || c.state == SynSent || c.state == SynReceived) {
		return 0
	}
	inBuf := int(c.sb.endSeq().Sub(c.dataUna()))
	return max(0, c.sb.limit-inBuf)
}

// notsent is Linux's tcp_notsent_bytes, write_seq - snd_nxt: the data
// bytes written and never sent (sndMax is past the SYN once it is sent).
func (c *Conn) notsent() int {
	return max(0, int(c.sb.endSeq().Sub(c.sndMax)))
}

// Queued returns the send queue as Linux's tcp_ioctl reports it: the
// bytes written and not yet acknowledged (SIOCOUTQ, write_seq - snd_una)
// and those written and never sent (SIOCOUTQNSD and TCP_NOTSENT_LOWAT's
// tcp_notsent_bytes, write_seq - snd_nxt, snd_nxt being the highest sent:
// Linux does not rewind it to retransmit). A queued FIN counts, as it
// advances write_seq. Both are 0 until the handshake completes.
func (c *Conn) Queued() (unacked, unsent int) {
	if !c.state.Synchronized() {
		return 0, 0
	}
	writeSeq := c.sb.endSeq()
	if c.finQueued {
		writeSeq = c.finSeq.Add(1)
	}
	unacked = max(0, int(writeSeq.Sub(c.sndUna)))
	unsent = max(0, int(writeSeq.Sub(c.sndMax)))
	return unacked, unsent
}

// dataUna is the first unacknowledged data byte (SND.UNA without the SYN).
func (c *Conn) dataUna() Seq {
	if !c.synAcked {
		return c.iss.Add(1)
	}
	return c.sndUna
}

// WriteEnd returns the sequence number after the last byte written
// (Linux's write_seq, without a FIN).
func (c *Conn) WriteEnd() Seq { return c.sb.endSeq() }

// SndUna returns SND.UNA, the oldest sequence number not acknowledged
// (Linux's snd_una: the ISS until the SYN is acknowledged).
func (c *Conn) SndUna() Seq { return c.sndUna }

// Sent reports whether the byte at seq was sent (it is below SND.MAX).
func (c *Conn) Sent(seq Seq) bool { return seq.LessThan(c.sndMax) }

// Acked reports whether the peer acknowledged every byte before seq.
func (c *Conn) Acked(seq Seq) bool { return c.synAcked && seq.LessEq(c.sndUna) }

// PeerFinished reports that the peer's FIN arrived, in order after all
// its data (Linux's SOCK_DONE).
func (c *Conn) PeerFinished() bool { return c.peerFin }

// Readable returns how many bytes Read would return now.
func (c *Conn) Readable() int { return c.rb.n }

// Read copies received in-order bytes into p. After the peer's FIN and all
// data before it were read it returns io.EOF; with nothing to read yet it
// returns EAGAIN; after a reset, the errno. Reading may open the receive
// window, which sends a window update.
func (c *Conn) Read(now time.Duration, p []byte) (int, error) {
	return c.read(now, p, len(p), false)
}

// ReadPattern is Read for a reader that wants to know which bytes of
// netsim's pattern (internal/pattern) it got rather than to have them:
// when the bytes held are the pattern, it takes up to max of them as
// Read(now, a buffer of max bytes) would, without writing them anywhere,
// and returns how many and the pattern's phase at the first. ok is false,
// and nothing happens, when the connection holds other bytes: Read them.
// With nothing held it returns what Read returns.
func (c *Conn) ReadPattern(now time.Duration, max int) (n, phase int, ok bool, err error) {
	if c.rb.n > 0 && !c.rb.pat() {
		return 0, 0, false, nil
	}
	phase = c.rb.patPhase()
	n, err = c.read(now, nil, max, true)
	return n, phase, true, err
}

// read is Read into p, or with skip ReadPattern of up to want bytes.
func (c *Conn) read(now time.Duration, p []byte, want int, skip bool) (int, error) {
	c.touch(now)
	if c.rb.n == 0 {
		switch {
		case c.peerFin:
			return 0, io.EOF
		case c.err != 0:
			return 0, c.err
		case c.state == Closed || c.state == Listen:
			return 0, ENOTCONN
		}
		if want == 0 {
			return 0, nil
		}
		return 0, EAGAIN
	}
	var n int
	if skip {
		n = c.rb.skipPattern(want)
	} else {
		n = c.rb.read(p)
	}
	c.stats.BytesDelivered += int64(n)
	c.rcvSpaceAdjust(now)
	c.windowUpdateAfterRead()
	c.output(now)
	return n, nil
}

// Shutdown closes the write side (SHUT_WR): a FIN follows the queued data
// (RFC 9293 §3.10.4). Reading goes on until the peer's FIN.
func (c *Conn) Shutdown(now time.Duration) error {
	switch c.state {
	case Closed:
		if c.err != 0 {
			return c.err
		}
		return ENOTCONN
	case Listen, SynSent:
		c.toClosed()
		return nil
	case SynReceived, Established:
		c.queueFin()
		c.setState(FinWait1)
	case CloseWait:
		c.queueFin()
		c.setState(LastAck)
	default:
		// FIN already queued: shutting down twice is a no-op, as in Linux.
		return nil
	}
	c.output(now)
	return nil
}

// Close is close(2): like Shutdown, and arriving data is answered with a
// reset from now on. If received data was left unread, the connection is
// reset at once instead (Linux; RFC 2525 §2.17).
func (c *Conn) Close(now time.Duration) error {
	if c.userClose {
		return nil
	}
	c.userClose = true
	if c.rb.n > 0 && (c.state.Synchronized() || c.FastOpenPassive()) {
		// Linux's tcp_close resets a connection closed with data
		// unread, a Fast Open child still in SYN_RECV included.
		c.sendRst(now, c.sndMax, true)
		c.toClosed()
		return nil
	}
	if c.state == Closed {
		return nil
	}
	if c.state == FinWait2 {
		c.armFinWait2(now)
		return nil
	}
	return c.Shutdown(now)
}

// Abort resets the connection (RFC 9293 §3.10.5): a RST to the peer in the
// synchronized states and SYN-RECEIVED, then CLOSED.
func (c *Conn) Abort(now time.Duration) {
	if c.state == SynReceived || c.state.Synchronized() && c.state != TimeWait {
		c.sendRst(now, c.sndMax, true)
	}
	c.userClose = true
	if c.state != Closed {
		c.fail(ECONNABORTED, false)
	}
}

// SetNagle turns Nagle's algorithm on or off (off is TCP_NODELAY). Like
// Linux, turning it off pushes what it was holding back, corked or not
// (tcp_sock_set_nodelay sets TCP_NAGLE_PUSH and calls
// tcp_push_pending_frames); a cork goes on holding what is written next.
func (c *Conn) SetNagle(now time.Duration, on bool) {
	if c.cfg.Nagle != on {
		c.ownConfig().Nagle = on
	}
	if !on {
		c.push(now)
	}
}

// SetCork sets or clears TCP_CORK. While corked, new data leaves in full
// segments only; clearing it sends what waits, with Nagle's test unless
// Nagle is off (Linux's __tcp_sock_set_cork: TCP_NAGLE_PUSH only with
// TCP_NAGLE_OFF, then tcp_push_pending_frames). Data held with nothing in
// flight is sent by the persist timer's probe after an RTO (tcp_push
// arms the probe timer, tcp_write_wakeup sends it): Linux's "200 ms"
// ceiling of a cork.
func (c *Conn) SetCork(now time.Duration, on bool) {
	c.corked = on
	if on {
		return
	}
	if !c.cfg.Nagle {
		c.push(now)
		return
	}
	c.output(now)
}

// Corked reports TCP_CORK.
func (c *Conn) Corked() bool { return c.corked }

// push sends what waits whatever Nagle or a cork hold back, once.
func (c *Conn) push(now time.Duration) {
	c.pushOnce = true
	c.output(now)
	c.pushOnce = false
}

// WriteFlags says how a write's data is to be sent (send(2)'s flags).
type WriteFlags uint8

// The write flags.
const (
	// WriteMore is MSG_MORE: the application says more data follows, so
	// a partial last segment waits as under TCP_CORK, for the next write
	// without it, an ACK that lets it go or the persist timer's probe,
	// and carries no PSH (tcp_sendmsg_locked's tcp_push with MSG_MORE).
	WriteMore WriteFlags = 1 << iota
	// WriteEOR is MSG_EOR: the data ends a record, which no segment
	// crosses, sent or resent, and whose last segment carries PSH; the
	// segment cut short by it is not held back by Nagle or a cork unless
	// it is the last data (Linux ends the skb, TCP_SKB_CB(skb)->eor, and
	// tcp_write_xmit applies Nagle to the last skb only). It applies
	// when the write takes all of p, as tcp_sendmsg_locked marks the
	// skb only once the message is copied.
	WriteEOR
)

// WriteWith is Write with send(2)'s flags.
func (c *Conn) WriteWith(now time.Duration, p []byte, f WriteFlags) (int, error) {
	c.holdMore = f&WriteMore != 0
	if f&WriteEOR != 0 && len(p) > 0 && c.Writable() >= len(p) {
		if c.rare == nil {
			c.rare = &rareState{}
		}
		c.rare.ends = append(c.rare.ends, c.sb.endSeq().Add(uint32(len(p))))
	}
	n, err := c.Write(now, p)
	c.holdMore = false
	return n, err
}

// rareState is what few connections use: ends holds the ends of MSG_EOR
// records, ascending; tfo is the Fast Open state (fastopen.go), nil for a
// connection that never had any.
type rareState struct {
	ends []Seq
	tfo  *fastOpen
	// ka is the keepalive state of a connection with Keepalive on
	// (keepalive.go).
	ka keepaliveState
}

// nextEOR returns the end of the first record that ends after seq, and
// forgets those the peer acknowledged; c.rare is not nil.
func (c *Conn) nextEOR(seq Seq) (Seq, bool) {
	e := c.rare.ends
	for len(e) > 0 && e[0].LessEq(c.sndUna) {
		e = e[1:]
	}
	c.rare.ends = e
	for _, end := range e {
		if end.GreaterThan(seq) {
			return end, true
		}
	}
	return 0, false
}

// eorCut shortens n bytes at seq so as not to cross a record's end, and
// reports whether they then end one. It is inlined into each send, so a
// connection that never wrote a record pays a nil test.
func (c *Conn) eorCut(seq Seq, n int) (int, bool) {
	if c.rare == nil {
		return n, false
	}
	return c.eorCutRecords(seq, n)
}

// eorCutRecords is eorCut for a connection that wrote records.
func (c *Conn) eorCutRecords(seq Seq, n int) (int, bool) {
	end, ok := c.nextEOR(seq)
	if !ok {
		return n, false
	}
	lim := int(end.Sub(seq))
	if n >= lim {
		return lim, true
	}
	return n, false
}

// SetUserTimeout sets UserTimeout for this connection alone, at any time,
// as Linux's TCP_USER_TIMEOUT socket option does; 0 turns it off. It
// returns an error wrapping ErrConfig for a negative duration.
func (c *Conn) SetUserTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("tcp: user timeout %v: %w", d, ErrConfig)
	}
	if c.cfg.UserTimeout != d {
		c.ownConfig().UserTimeout = d
	}
	return nil
}

// SetSynRetries sets SynRetries for this connection alone, at any time,
// as Linux's TCP_SYNCNT socket option does (icsk_syn_retries, read when
// the SYN's timer fires). It returns an error wrapping ErrConfig outside
// the setting's bounds.
func (c *Conn) SetSynRetries(n int) error {
	if st, _ := LookupSetting("syn_retries"); st.Check(int64(n)) != nil {
		return fmt.Errorf("tcp: syn retries %d: %w", n, ErrConfig)
	}
	if c.cfg.SynRetries != n {
		c.ownConfig().SynRetries = n
	}
	return nil
}

// SetNotsentLowat sets NotsentLowat for this connection alone, at any
// time, as Linux's TCP_NOTSENT_LOWAT socket option does (0: no limit);
// like do_tcp_setsockopt's call of sk_write_space, a writer is told when
// the socket is now writable. It returns an error wrapping ErrConfig for
// a negative size.
func (c *Conn) SetNotsentLowat(n int) error {
	if n < 0 {
		return fmt.Errorf("tcp: notsent_lowat %d bytes: %w", n, ErrConfig)
	}
	if c.cfg.NotsentLowat != n {
		c.ownConfig().NotsentLowat = n
	}
	if c.WriteSpace() {
		c.spaceWake = true
		c.emit(Event{Kind: EvWritable})
	}
	return nil
}

// SetSendBuffer fixes how many unacknowledged bytes the send buffer holds
// (Config.SendBuffer), which ends its autotuning. Like Linux's SO_SNDBUF,
// it may be set at any time: a larger buffer lets the next Write take more
// at once. It returns an error wrapping ErrConfig for a size below one
// byte.
func (c *Conn) SetSendBuffer(n int) error {
	if n < 1 {
		return fmt.Errorf("tcp: send buffer %d bytes: %w", n, ErrConfig)
	}
	if c.cfg.SendBuffer != n {
		c.ownConfig().SendBuffer = n
	}
	c.sb.limit = n
	if c.Writable() > 0 {
		c.spaceWake = c.WriteSpace() // sk_write_space from sock_setsockopt
		c.emit(Event{Kind: EvWritable})
	}
	return nil
}

func (c *Conn) queueFin() {
	if !c.finQueued {
		c.finQueued = true
		c.finSeq = c.sb.endSeq()
	}
}

// Segments hands each queued segment to fn, oldest first, and empties the
// queue. The header and payload are only valid during fn.
func (c *Conn) Segments(fn func(h *Header, payload []byte)) {
	c.SegmentsECN(func(h *Header, payload []byte, _ bool) { fn(h, payload) })
}

// SegmentsECN is Segments that also says whether each segment is
// ECN-capable: its IP header carries ECT(0) (RFC 3168 §6.1.1; only new
// data of a connection that negotiated ECN).
func (c *Conn) SegmentsECN(fn func(h *Header, payload []byte, ect bool)) {
	// len is read on every turn: fn may make the Conn queue more (a
	// synchronous delivery that answers at once), which is sent too.
	for i := 0; c.q != nil && i < len(c.q.out); i++ {
		o := &c.q.out[i]
		var p []byte
		if o.n > 0 {
			p = c.sb.view(o.seq, o.n)
		}
		fn(&o.h, p, o.ect)
	}
	if c.q != nil {
		c.q.out = c.q.out[:0]
	}
	c.sb.releaseTo(c.dataUna())
	c.trimIfIdle()
	c.lend()
}

// Pending returns how many segments are queued for Segments.
func (c *Conn) Pending() int {
	n, _ := c.pending()
	return n
}

// Events hands each queued event to fn, oldest first, and empties the
// queue. The event is the queue's own, valid only during the call (fn
// copies what it keeps): an Event is a few hundred bytes, which a copy per
// event cost every segment.
func (c *Conn) Events(fn func(*Event)) {
	for i := 0; c.q != nil && i < len(c.q.events); i++ {
		fn(&c.q.events[i])
	}
	if c.q != nil {
		c.q.events = c.q.events[:0]
	}
	c.trimIfIdle()
	c.lend()
}

// trimQuiet is how long a connection must have been left alone before
// its latest activity for trimIfIdle to give its queues' memory back.
const trimQuiet = time.Millisecond

// touch records a call at now.
func (c *Conn) touch(now time.Duration) {
	c.quiet = now - c.lastCall
	c.lastCall = now
}

// trimIfIdle gives back the memory of the empty segment and event queues
// of a connection that is sporadic, not busy: it waits for nothing soon
// (nothing queued, no timer due within trimHorizon) after activity that
// came after trimQuiet of silence. An idle connection then holds only
// its state, whatever burst it had before and whether or not a far timer
// (keepalive, FIN-WAIT-2) is armed, while one that is called every few
// microseconds (a transfer), or that waits for a delayed ACK or a
// retransmission timeout, keeps its queues and allocates nothing in its
// steady state. A connection whose last call came in a burst is trimmed
// later by its owner (TrimPending, Trim).
func (c *Conn) trimIfIdle() {
	if c.quiet >= trimQuiet && c.trimmable(c.lastCall) {
		c.trim()
	}
}

// trimmable reports whether the connection holds queue memory and waits
// for nothing within trimHorizon of from.
func (c *Conn) trimmable(from time.Duration) bool {
	if segs, events := c.pending(); !c.busySpell || segs+events > 0 {
		return false
	}
	for i, at := range c.timerAt {
		if c.armed(i) && at < from+trimHorizon {
			return false
		}
	}
	return true
}

func (c *Conn) trim() {
	c.releaseQueues()
	if c.ofo != nil && len(c.ofo.ranges) == 0 && !c.dsackOn {
		c.ofo = nil // every hole filled: its SACK history is stale
	}
	if c.sentHead == len(c.sent) {
		c.sent, c.sentHead = nil, 0
	}
}

// TrimPending reports whether the connection keeps queue memory only
// because its latest call came in a burst: left alone for TrimDelay, it
// can give it back (Trim). A host asks after each call and trims such
// connections later, so that one that goes quiet after a burst does not
// keep its queues for good.
func (c *Conn) TrimPending() bool { return c.quiet < trimQuiet && c.trimmable(c.lastCall) }

// TrimDelay is how long after its latest call a connection that
// TrimPending reported should be offered Trim.
const TrimDelay = trimHorizon

// Trim gives back the memory of the connection's empty queues if nothing
// called it during the trimQuiet before now and it waits for nothing
// soon. It changes nothing else: what the connection sends or reports
// stays the same. It returns true when Trim should be offered again
// later: the connection was called too recently.
func (c *Conn) Trim(now time.Duration) (again bool) {
	if !c.trimmable(now) {
		return false
	}
	if now-c.lastCall < trimQuiet {
		return true
	}
	c.trim()
	return false
}

// trimHorizon: a timer due later than this after the latest call does
// not keep a connection's queues (RTO is at least rto_min, 200 ms, and a
// delayed ACK at most 200 ms: both keep them).
const trimHorizon = time.Second

// Stats returns the connection's counters and estimates.
func (c *Conn) Stats() Stats {
	k, l := c.stats, c.losses
	s := Stats{
		SegmentsSent: k.SegmentsSent, SegmentsReceived: k.SegmentsReceived,
		BytesSent: k.BytesSent, BytesAcked: k.BytesAcked, BytesDelivered: k.BytesDelivered, BytesReceived: k.BytesReceived,
		Retransmits: l.Retransmits, FastRetransmits: l.FastRetransmits, RTORetransmits: l.RTORetransmits,
		Timeouts: l.Timeouts, DupAcksReceived: l.DupAcksReceived, DroppedSegments: l.DroppedSegments,
	}
	s.RTTMin, s.RTTMax, s.RTTMean = c.rtt.sampleMin, c.rtt.sampleMax, c.rtt.mean()
	s.RTTSamples = c.rtt.samples
	s.SRTT = c.rtt.srtt
	s.RTO = c.rtt.current()
	s.Cwnd, s.Ssthresh = c.cc.Cwnd(), c.cc.Ssthresh()
	if c.inRecovery && c.sackOK && !c.windowCtl || c.prrCWR() {
		s.Cwnd = c.prr.cwnd
	}
	s.MSS = c.sndMss
	s.CAState = c.caState()
	s.Delivered, s.DeliveredSegments = c.rate.delivered, c.rate.deliveredSegs
	if c.synAcked {
		// Linux's tp->delivered counts our SYN (tcp_ack on the SYN-ACK)
		// or SYN-ACK (tcp_rcv_state_process in SYN_RECV) too; a Fast
		// Open SYN and its data count once (tcp_rcv_fastopen_synack).
		s.DeliveredSegments++
		if f := c.foState(); f != nil && f.synData && !c.passive {
			s.DeliveredSegments--
		}
	}
	s.DeliveryRate, s.DeliveryRateAppLimited = c.DeliveryRate()
	s.PacingRate = c.PacingRate()
	c.chronoStats(c.lastCall, &s)
	return s
}

// StatsAt is Stats with the tcp_info times (BusyTime, RwndLimited,
// SndbufLimited) counted up to now rather than to the Conn's last call.
func (c *Conn) StatsAt(now time.Duration) Stats {
	s := c.Stats()
	c.chronoStats(now, &s)
	return s
}

// CongestionControl returns the congestion control algorithm in use.
func (c *Conn) CongestionControl() Congestion { return c.cc }

func (c *Conn) emit(e Event) {
	if c.muted.Has(e.Kind) {
		c.skip()
		return
	}
	q := c.busy()
	q.events = append(q.events, e)
}

// reports says whether an observable of kind k is queued, so that the
// callers of the events of every ACK (RTT sample, rate sample, cwnd)
// build none that would be dropped; when it is not, it counts as queued
// for the trimming of the event queue (skip).
func (c *Conn) reports(k EventKind) bool {
	if c.muted.Has(k) {
		c.skip()
		return false
	}
	return true
}

// skip stands for a muted event: the connection counts as busy as the
// event would have made it, so that whether there is queue memory to
// trim (trimmable) does not depend on what is muted, and neither does
// the host's trimming.
func (c *Conn) skip() { c.hold() }

// Mute stops the connection from queuing the observables in m
// (notifications, EvEstablished to EvError, are always queued): a caller
// that reads none of them, such as a simulated host with no trace, saves
// building and copying several events per ACK (an Event is a few hundred
// bytes). A new connection queues every kind; Mute(0) turns them all back
// on.
func (c *Conn) Mute(m EventMask) { c.muted = m & Observables }

// setState moves to a new state and reports it.
func (c *Conn) setState(to State) { c.setStateFor(to, "") }

// setStateFor is setState with the reason reported with the change, when
// it is not the usual one.
func (c *Conn) setStateFor(to State, reason string) {
	if to == c.state {
		return
	}
	from := c.state
	c.state = to
	c.emit(Event{Kind: EvStateChange, From: from, To: to, Reason: reason})
	if to == Established && (from == SynSent || from == SynReceived) {
		if c.FastOpenPassive() {
			// Reported when the Fast Open SYN was accepted; the
			// handshake's end takes it out of the listener's Fast Open
			// queue (Linux's reqsk_fastopen_remove).
			c.foState().passive = false
		} else {
			c.emit(Event{Kind: EvEstablished})
		}
	}
	if to == TimeWait || to == Closed {
		// Nothing more is sent; keep only bytes still to be read.
		c.sb.release()
		c.rb.release()
	}
}

// toClosed enters CLOSED, deletes the TCB's timers and reports it.
func (c *Conn) toClosed() { c.toClosedFor("") }

// toClosedFor is toClosed with a reason for the state change.
func (c *Conn) toClosedFor(reason string) {
	if c.state == Closed {
		return
	}
	c.setStateFor(Closed, reason)
	c.timerOn = 0
	c.emit(Event{Kind: EvClosed})
}

// fail ends the connection with an error.
func (c *Conn) fail(e Errno, reset bool) {
	c.err = e
	if reset {
		c.emit(Event{Kind: EvReset, Err: e})
	}
	c.emit(Event{Kind: EvError, Err: e})
	c.toClosed()
}
