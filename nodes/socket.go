package nodes

import (
	"errors"
	"github.com/netsimlab/netsim/internal/minheap"
	"io"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
)

// The first descriptor Socket returns: 0, 1 and 2 are stdin, stdout and
// stderr on Unix, and packetdrill scripts expect the first socket to be 3.
const firstFD = 3

// Ephemeral ports (RFC 6335 §6, the IANA dynamic range; Linux's default
// ip_local_port_range is narrower, 32768-60999).
const (
	EphemeralFirst = 49152
	EphemeralLast  = 65535
)

// sideName names a connection's end as its records do: "server" or
// "client".
func sideName(server bool) string {
	if server {
		return "server"
	}
	return "client"
}

// SomaxConn caps a listen backlog (Linux net.core.somaxconn).
const SomaxConn = 4096

// How says which side Shutdown closes.
type How int

// The shutdown(2) directions.
const (
	SHUT_RD   How = 0 // no more reads: Recv returns end of file
	SHUT_WR   How = 1 // no more writes: a FIN follows the queued data
	SHUT_RDWR How = 2 // both
)

// SocketEvent is what a socket's handler hears about.
type SocketEvent uint8

// The socket events. A handler runs after the stack has finished with the
// packet or timer at hand, so it may call any socket function.
const (
	// SockConnected: a Connect completed (the handshake finished).
	SockConnected SocketEvent = iota + 1
	// SockAcceptable: a listener has a connection waiting for Accept.
	SockAcceptable
	// SockReadable: data, or the end of the stream, can be read.
	SockReadable
	// SockWritable: room was freed in the send buffer, enough to wake a
	// writer: a third of it (Linux sk_stream_is_writeable).
	SockWritable
	// SockError: the connection failed; the Errno says why (ECONNREFUSED,
	// ECONNRESET, ETIMEDOUT, ...). Reads and writes now fail with it.
	SockError
	// SockClosed: the connection reached CLOSED (the descriptor, if still
	// open, must still be closed).
	SockClosed
)

var sockEventNames = [...]string{
	SockConnected:  "connected",
	SockAcceptable: "acceptable",
	SockReadable:   "readable",
	SockWritable:   "writable",
	SockError:      "error",
	SockClosed:     "closed",
}

// String names the event ("connected").
func (e SocketEvent) String() string {
	if int(e) < len(sockEventNames) && sockEventNames[e] != "" {
		return sockEventNames[e]
	}
	return "event?"
}

// Handler is called with each event of a socket: the descriptor, what
// happened, and for SockError the error. A connection accepted from a
// listener starts with the listener's handler.
type Handler func(fd int, ev SocketEvent, err Errno)

// Socket is one TCP socket of a host: a descriptor, maybe a local address,
// and a listener's accept queue or a connection.
type Socket struct {
	h *Host
	// Connection state; what every segment reads comes first.
	conn *tcp.Conn
	// timer is the connection's one scheduler timer, kept here rather
	// than allocated on its own (its handler is the socket itself,
	// sockTimer): an expiry reads no other object.
	timer  sim.Timer
	local  netip.AddrPort
	remote netip.AddrPort
	// lq is a listener's queue (nil on any other socket; and
	// listening, below).
	lq      *listenQueue
	parent  *Socket // the listener, until Accept
	connID  uint64
	handler Handler
	// opts holds the socket's own TCP settings once an option changed
	// them (nil: the host's).
	opts *sockOpts
	// dgram is set on a UDP or ping socket (dgram.go).
	dgram *dgramSock
	// The small fields come last, together, so that no padding is
	// wasted between them: a Socket fits Go's 176-byte size class
	// (TestSocketSizeClass).
	fd int32 // -1 once closed, or while an accepted connection waits
	// bufReport holds the SO_SNDBUF and SO_RCVBUF sizes Linux would report
	// once the option was set (0: twice the usable buffer).
	bufReport [2]uint32
	// trimAt is the socket's place in Host.trimQ plus one (0: not there).
	trimAt  int32
	err     Errno // the error that ended the connection
	soError Errno // pending error for SO_ERROR
	bound   bool  // local port held in h.ports
	// listening: the socket is a listener.
	listening bool
	connDone  bool // the connection reached CLOSED
	shutRD    bool
	released  bool // the descriptor was closed
	reuseAddr bool
	// twCounted: the connection is in TIME-WAIT and counted in
	// Host.timeWaits.
	twCounted bool
	// server: the connection is the server's end (accepted), not the
	// client's.
	server bool
	// tfoChild: the connection was accepted from a Fast Open SYN (RFC
	// 7413): a full socket from the start, which stays in the accept
	// queue if it fails before Accept. deferred: connect with
	// TCP_FASTOPEN_CONNECT returned 0 and the SYN waits for the first
	// write (fastopen.go).
	tfoChild, deferred bool
	// tos is the IP_TOS byte (DSCP bits only); pmtuDisc the
	// IP_MTU_DISCOVER mode plus one (0: never set, IP_PMTUDISC_WANT).
	tos, pmtuDisc uint8
}

// listenQueue is what only a listener keeps: its backlog and the
// connections that wait for Accept. It is apart from the Socket, which
// every connection has, so that those keep 8 bytes for it, not 48.
type listenQueue struct {
	backlog   int
	acceptQ   []*Socket
	embryonic int // children still in the handshake
	// backlogDrops counts SYNs dropped because the queue was full.
	backlogDrops uint64
}

// note is a socket event waiting for the handler.
type note struct {
	s   *Socket
	ev  SocketEvent
	err Errno
}

// Socket opens a TCP socket and returns its descriptor: the lowest free
// one, starting at 3.
// The free descriptors below the highest ever used are kept in a min-heap,
// so finding the lowest costs O(log n), not a scan of every open one.
func (h *Host) Socket() (int, error) {
	s := &Socket{h: h}
	h.allocFD(s)
	return int(s.fd), nil
}

// allocFD gives s the lowest free descriptor.
func (h *Host) allocFD(s *Socket) {
	if h.fds == nil {
		// The descriptors below firstFD stay unused, and most hosts
		// open a socket or two: one allocation, not one per append.
		h.fds = make([]*Socket, firstFD, firstFD+2)
	}
	if len(h.freeFDs) > 0 {
		s.fd = int32(minheap.Pop(&h.freeFDs))
		h.fds[s.fd] = s
	} else {
		s.fd = int32(len(h.fds))
		h.fds = append(h.fds, s)
	}
}

// freeFD makes fd free for Socket to return again.
func (h *Host) freeFD(fd int) {
	h.fds[fd] = nil
	minheap.Push(&h.freeFDs, freeFD(fd))
}

// freeFD is a free descriptor in Host.freeFDs, lowest first.
type freeFD int

// Less orders descriptors for minheap.
func (a freeFD) Less(b freeFD) bool { return a < b }

// socket returns the open socket behind fd: EBADF for a descriptor not
// open, ENOTSOCK for an epoll instance's (Linux's sockfd_lookup).
func (h *Host) socket(fd int) (*Socket, error) {
	s, err := h.file(fd)
	if err == nil && len(h.net.epolls) > 0 && h.net.epollBySock(s) != nil {
		return nil, ENOTSOCK
	}
	return s, err
}

// file returns what fd names: a socket or the placeholder of an epoll
// instance (epollInst.self); EBADF for a descriptor not open.
func (h *Host) file(fd int) (*Socket, error) {
	if fd < 0 || fd >= len(h.fds) || h.fds[fd] == nil {
		return nil, EBADF
	}
	return h.fds[fd], nil
}

// SetHandler makes fn hear fd's events (nil: none).
func (h *Host) SetHandler(fd int, fn Handler) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	s.handler = fn
	return nil
}

// Bind gives fd the local address addr: the host's address or the
// unspecified 0.0.0.0, and a port (0: an ephemeral one). It fails with
// EADDRNOTAVAIL for an address that is not the host's, EADDRINUSE for a
// port another socket holds (netsim has no SO_REUSEADDR), and EINVAL when
// fd is already bound.
func (h *Host) Bind(fd int, addr netip.AddrPort) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	if s.dgram != nil {
		return h.bindDgram(s, addr)
	}
	if err := h.checkLocalAddr(addr.Addr()); err != nil {
		return err
	}
	if s.bound || s.conn != nil || s.listening {
		return EINVAL
	}
	port := addr.Port()
	if port == 0 {
		p, ok := h.ephemeralPort()
		if !ok {
			return EADDRINUSE
		}
		port = p
	} else if h.ports[port] > 0 && !(s.reuseAddr && h.listeners[port] == nil) {
		// SO_REUSEADDR lets a port held only by connections (say, in
		// TIME-WAIT) be bound again, not a listening one (Linux).
		return EADDRINUSE
	}
	if h.ports == nil {
		h.ports = make(map[uint16]int)
	}
	h.ports[port]++
	s.bound = true
	s.local = netip.AddrPortFrom(h.addr, port)
	return nil
}

// checkLocalAddr refuses a local address no socket of the host may bind:
// EAFNOSUPPORT for one that is not IPv4, EADDRNOTAVAIL for one that is
// neither the host's nor the unspecified 0.0.0.0 (Linux's inet_bind).
func (h *Host) checkLocalAddr(a netip.Addr) error {
	switch {
	case !a.Is4():
		return EAFNOSUPPORT
	case a != h.addr && !a.IsUnspecified():
		return EADDRNOTAVAIL
	}
	return nil
}

// ephemeralPort returns the next free port of the ephemeral range, in
// order from where the last search stopped (deterministic, and cycling
// through the range like Linux's counter rather than reusing a port at
// once), and false when all are taken.
func (h *Host) ephemeralPort() (uint16, bool) {
	return nextFreePort(&h.nextEph, func(p uint16) bool { return h.ports[p] > 0 })
}

// nextFreePort returns the first port of the ephemeral range from *next
// on that is not taken, moving *next past it, and false when all are.
func nextFreePort(next *uint16, taken func(uint16) bool) (uint16, bool) {
	const n = EphemeralLast - EphemeralFirst + 1
	for range n {
		p := *next
		if *next == EphemeralLast {
			*next = EphemeralFirst
		} else {
			*next++
		}
		if !taken(p) {
			return p, true
		}
	}
	return 0, false
}

func (h *Host) releasePort(s *Socket) {
	if !s.bound {
		return
	}
	s.bound = false
	h.unusePort(s.local.Port())
}

// unusePort drops one user of local port p.
func (h *Host) unusePort(p uint16) {
	if h.ports[p]--; h.ports[p] <= 0 {
		delete(h.ports, p)
	}
}

// Listen makes fd a listener with room for backlog waiting connections.
// As in Linux, a socket not yet bound gets an ephemeral port, the backlog
// is capped at SomaxConn, and the queue counts as full when more than
// backlog connections wait (so listen(fd, 0) still admits one); a SYN
// that finds it full is dropped ("backlog") for the client to retry.
// Calling Listen again changes the backlog.
func (h *Host) Listen(fd, backlog int) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	if s.dgram != nil {
		return EOPNOTSUPP
	}
	if s.conn != nil {
		return EINVAL
	}
	if !s.bound {
		if err := h.Bind(fd, netip.AddrPortFrom(h.addr, 0)); err != nil {
			return err
		}
	}
	if s.lq == nil {
		s.lq = &listenQueue{}
	}
	s.lq.backlog = min(max(backlog, 0), SomaxConn)
	s.listenFastOpen(backlog)
	if !s.listening {
		s.listening = true
		if h.listeners == nil {
			h.listeners = make(map[uint16]*Socket)
		}
		h.listeners[s.local.Port()] = s
	}
	return nil
}

// pendingConns is how many connections wait on a listener: in the
// handshake or in the accept queue.
func (s *Socket) pendingConns() int { return s.lq.embryonic + len(s.lq.acceptQ) }

// backlogFull reports whether a new SYN must be dropped (Linux
// sk_acceptq_is_full: more than backlog waiting).
func (s *Socket) backlogFull() bool { return s.pendingConns() > s.lq.backlog }

// BacklogDrops returns how many SYNs the listener fd dropped because its
// queue was full.
func (h *Host) BacklogDrops(fd int) (uint64, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	if s.lq == nil {
		return 0, nil
	}
	return s.lq.backlogDrops, nil
}

// Accept takes the oldest established connection from listener fd and
// returns its new descriptor and the peer's address. It returns EAGAIN
// when none waits and EINVAL when fd is not listening.
func (h *Host) Accept(fd int) (int, netip.AddrPort, error) {
	s, err := h.socket(fd)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if s.dgram != nil {
		return -1, netip.AddrPort{}, EOPNOTSUPP
	}
	if !s.listening {
		return -1, netip.AddrPort{}, EINVAL
	}
	q := s.lq
	if len(q.acceptQ) == 0 {
		return -1, netip.AddrPort{}, EAGAIN
	}
	c := q.acceptQ[0]
	q.acceptQ = append(q.acceptQ[:0], q.acceptQ[1:]...)
	c.parent = nil
	h.allocFD(c)
	c.handler = s.handler
	if len(h.net.errq) > 0 {
		h.net.errInherit(s, c)
	}
	return int(c.fd), c.remote, nil
}

// Connect starts connecting fd to addr and returns EINPROGRESS: the
// handler hears SockConnected, or SockError with ECONNREFUSED or
// ETIMEDOUT. A socket not yet bound gets the next free ephemeral port.
// Other results: EALREADY while connecting, EISCONN once connected,
// ENETUNREACH when no route leads to addr, EINVAL on a listener or a
// zero port.
func (h *Host) Connect(fd int, addr netip.AddrPort) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	if s.dgram != nil {
		return h.connectDgram(s, addr)
	}
	if s.deferred {
		// connect with TCP_FASTOPEN_CONNECT returned 0 already, and the
		// SYN waits for the first write (tcp_fastopen_defer_connect):
		// Linux's __inet_stream_connect says EISCONN to another connect.
		return EISCONN
	}
	if err := h.connectCheck(s, addr); err != nil {
		return err
	}
	if s.opts != nil && s.opts.fastOpenConnect {
		deferred, err := h.connectFastOpenDeferred(s, addr)
		if deferred {
			return nil
		}
		return err
	}
	return h.connectTCP(s, addr, func(c *tcp.Conn, now time.Duration) error { return c.Connect(now) })
}

// connectCheck is what Connect refuses: a listener, a connection under
// way or made, an address that is not IPv4 or has no route.
func (h *Host) connectCheck(s *Socket, addr netip.AddrPort) error {
	switch {
	case s.listening:
		return EINVAL
	case s.conn != nil && s.conn.State() == tcp.SynSent:
		return EALREADY
	case s.conn != nil:
		return EISCONN
	case !addr.Addr().Is4():
		return EAFNOSUPPORT
	case addr.Port() == 0 || addr.Addr().IsUnspecified():
		return EINVAL
	}
	if h.route(addr.Addr()) == nil {
		return ENETUNREACH
	}
	return nil
}

// connectTCP binds s if it is not, makes its connection to addr and lets
// start open it (send the SYN); it returns EINPROGRESS.
func (h *Host) connectTCP(s *Socket, addr netip.AddrPort, start func(c *tcp.Conn, now time.Duration) error) error {
	if !s.bound {
		if err := h.Bind(int(s.fd), netip.AddrPortFrom(h.addr, 0)); err != nil {
			return EADDRNOTAVAIL
		}
	}
	s.remote = addr
	s.connID = h.net.connID(s.local, s.remote, true)
	if err := h.openConn(s, 0); err != nil {
		h.net.conns.release(keyOf(tupleOf(s.local, s.remote), false), s.connID)
		return err
	}
	if err := start(s.conn, h.Now().Duration()); err != nil {
		return errnoOf(err)
	}
	s.flush()
	h.dispatch()
	return EINPROGRESS
}

// openConn makes s's connection with a fresh ISS and timestamp offset
// drawn from the host's "isn" stream, and registers its 4-tuple. The MSS
// it announces and uses fits the path MTU toward the peer (connMSS): the
// interface's, or the smaller one learned from fragmentation needed, as
// Linux's tcp_connect_init and tcp_create_openreq_child size a new
// connection from dst_mtu and the route's advmss, which follow the learned
// rt_pmtu until it expires; a socket that ignores the path MTU
// (acceptsPMTU) keeps the interface's.
//
// A connection that a SYN reopens from TIME-WAIT starts at iss instead
// (0: none given).
func (h *Host) openConn(s *Socket, iss tcp.Seq) error {
	drawn := tcp.Seq(h.isn.Uint32())
	tsOff := h.isn.Uint32()
	if iss == 0 {
		iss = drawn
	}
	cfg := s.validConfig()
	if ifc := h.route(s.remote.Addr()); ifc != nil {
		mtu := ifc.MTU()
		if s.acceptsPMTU() {
			mtu = h.pathMTU(s.remote.Addr())
		}
		cfg = h.hostMSS(cfg, mtu)
	}
	c, err := tcp.NewConnValid(cfg, tcp.Endpoint{Addr: s.local.Addr(), Port: s.local.Port()},
		tcp.Endpoint{Addr: s.remote.Addr(), Port: s.remote.Port()}, iss, tsOff)
	if err != nil {
		return EINVAL
	}
	c.Mute(h.net.mutedEvents())
	if s.opts != nil && s.opts.cork {
		c.SetCork(h.Now().Duration(), true)
	}
	s.conn = c
	h.net.sched.InitTimer(&s.timer, (*sockTimer)(s))
	h.addConn(s)
	return nil
}

// newChild makes the connection for a SYN arriving at listener l, in
// LISTEN, waiting for the SYN; iss as openConn.
func (h *Host) newChild(l *Socket, local, remote netip.AddrPort, iss tcp.Seq) *Socket {
	s := &Socket{h: h, fd: -1, local: local, remote: remote, parent: l, server: true, handler: l.handler, opts: l.opts, bufReport: l.bufReport, tos: l.tos, pmtuDisc: l.pmtuDisc}
	s.connID = h.net.connID(remote, local, false)
	if err := h.openConn(s, iss); err != nil {
		// The host's config was validated when it was set, and so was
		// every option.
		panic("nodes: connection from a validated config failed: " + err.Error())
	}
	_ = s.conn.Listen(h.Now().Duration()) // a new Conn is CLOSED: cannot fail
	l.lq.embryonic++
	return s
}

// Send queues as much of p as the send buffer takes and returns how many
// bytes that was (a partial write when the buffer fills); EAGAIN when it
// takes none or the connection is still being made (the handler hears
// SockConnected), EPIPE after SHUT_WR, a failed connection or before
// Connect (as Linux's tcp_sendmsg_locked; a datagram socket without a
// peer gives EDESTADDRREQ).
func (h *Host) Send(fd int, p []byte) (int, error) { return h.SendFlags(fd, p, 0) }

// send(2) flags SendFlags acts on, numbered as on Linux.
const (
	MSG_EOR  = 0x80   // the data ends a record (tcp.WriteEOR)
	MSG_MORE = 0x8000 // more data follows (tcp.WriteMore)
)

// SendFlags is Send with send(2)'s flags: on a TCP socket MSG_MORE holds
// a partial last segment back for more data and MSG_EOR ends a record no
// segment crosses (tcp.Conn.WriteWith); a datagram socket ignores them.
// MSG_ZEROCOPY on a socket with SO_ZEROCOPY numbers the call and queues
// an ErrQueueEntry once its data is acknowledged (a send made of several
// calls uses ZerocopySent instead). Other flags are ignored (MSG_DONTWAIT:
// nothing blocks here; MSG_NOSIGNAL: there are no signals).
func (h *Host) SendFlags(fd int, p []byte, flags int) (int, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	if s.dgram != nil {
		if !s.dgram.connected {
			return 0, EDESTADDRREQ
		}
		return h.SendTo(fd, p, netip.AddrPort{})
	}
	if s.conn == nil && s.deferred {
		// connect with TCP_FASTOPEN_CONNECT: the first write sends the
		// SYN with what it can carry (tcp_sendmsg_fastopen).
		n, err := h.ConnectFastOpen(fd, s.remote, p, false)
		if err == EINPROGRESS {
			if n == 0 {
				return 0, EAGAIN
			}
			err = nil
		}
		return n, err
	}
	if s.conn == nil {
		// Linux's tcp_sendmsg_locked: sk_stream_wait_connect fails a
		// socket that is not connecting with EPIPE.
		return 0, EPIPE
	}
	if s.err != 0 {
		return 0, EPIPE
	}
	if st := s.conn.State(); st == tcp.SynSent || st == tcp.SynReceived && !s.conn.FastOpenPassive() {
		// Linux's tcp_sendmsg_locked waits for the connection to be
		// made (sk_stream_wait_connect) but for a Fast Open server's
		// child: a non-blocking write finds EAGAIN.
		return 0, EAGAIN
	}
	var wf tcp.WriteFlags
	if flags&MSG_MORE != 0 {
		wf |= tcp.WriteMore
	}
	if flags&MSG_EOR != 0 {
		wf |= tcp.WriteEOR
	}
	n, werr := s.conn.WriteWith(h.Now().Duration(), p, wf)
	if n > 0 && flags&MSG_ZEROCOPY != 0 && s.opts != nil && s.opts.zerocopy {
		h.zcSent(s)
	}
	s.flush()
	h.dispatch()
	if werr != nil {
		return n, errnoOf(werr)
	}
	return n, nil
}

// Recv reads received bytes into p. It returns 0 and no error at the end
// of the stream (the peer's FIN, or after SHUT_RD when nothing is queued:
// data that arrives after SHUT_RD is still read, as on Linux), EAGAIN
// when nothing can be read yet (a connect that TCP_FASTOPEN_CONNECT
// deferred included), the connection's error after it failed, ENOTCONN
// before a connection exists.
func (h *Host) Recv(fd int, p []byte) (int, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	if s.dgram != nil {
		n, _, err := h.RecvFrom(fd, p)
		return n, err
	}
	if s.conn == nil {
		if s.deferred {
			// connect with TCP_FASTOPEN_CONNECT: Linux's socket is in
			// SYN-SENT, where a read finds nothing yet
			// (tcp_recvmsg_locked).
			return 0, EAGAIN
		}
		return 0, ENOTCONN
	}
	n, rerr := s.conn.Read(h.Now().Duration(), p)
	return h.afterRecv(s, n, rerr)
}

// RecvPattern is Recv for a reader that checks netsim's pattern
// (internal/pattern) rather than keeping the bytes, as the built-in
// sink does: when what fd's connection holds is the pattern, it reads up
// to max bytes as Recv with a buffer of max bytes would, without copying
// them, and returns the pattern's phase at the first (tcp.Conn.ReadPattern).
// ok is false, and nothing is read, when the socket holds other bytes or
// is not a connected TCP socket: call Recv.
func (h *Host) RecvPattern(fd, max int) (n, phase int, ok bool, err error) {
	s, err := h.socket(fd)
	if err != nil || s.dgram != nil || s.conn == nil {
		return 0, 0, false, nil
	}
	n, phase, ok, rerr := s.conn.ReadPattern(h.Now().Duration(), max)
	if !ok {
		return 0, 0, false, nil
	}
	n, err = h.afterRecv(s, n, rerr)
	return n, phase, true, err
}

// afterRecv sends what a read of n bytes let the connection send (a
// window update) and turns its error into Recv's.
func (h *Host) afterRecv(s *Socket, n int, rerr error) (int, error) {
	s.flush()
	h.dispatch()
	switch {
	case rerr == nil:
		return n, nil
	case rerr == tcp.EAGAIN && !s.shutRD:
		// Every reader's last read of a burst: answered without
		// errors.Is walking the error (1% of a 1 Gbit/s run).
		return n, EAGAIN
	case errors.Is(rerr, io.EOF):
		return 0, nil
	case s.shutRD && errors.Is(rerr, tcp.EAGAIN):
		// After SHUT_RD, Linux's tcp_recvmsg still returns the data
		// that arrives (it is queued and ACKed as before); only when
		// there is none does it return end of file instead of waiting.
		return 0, nil
	}
	return n, errnoOf(rerr)
}

// Shutdown closes one or both directions of fd's connection: SHUT_WR sends
// a FIN after the queued data (writes then fail with EPIPE), SHUT_RD makes
// reads that find nothing queued return end of file instead of waiting
// (arriving data is still acknowledged, queued and read, as in Linux).
func (h *Host) Shutdown(fd int, how How) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	if how < SHUT_RD || how > SHUT_RDWR {
		return EINVAL
	}
	if s.conn == nil || s.connDone && s.err == 0 {
		return ENOTCONN
	}
	if how == SHUT_RD || how == SHUT_RDWR {
		s.shutRD = true
	}
	if how == SHUT_WR || how == SHUT_RDWR {
		if err := s.conn.Shutdown(h.Now().Duration()); err != nil && !s.connDone {
			return errnoOf(err)
		}
	}
	s.flush()
	h.dispatch()
	return nil
}

// Close releases fd at once. A connection goes on without it: queued data
// is still sent, then a FIN (RFC 9293 §3.10.4); with unread received data
// it is reset instead, as Linux does. Closing a listener resets the
// connections that were waiting for Accept.
func (h *Host) Close(fd int) error {
	s, err := h.file(fd)
	if err != nil {
		return err
	}
	h.freeFD(fd)
	s.fd = -1
	s.released = true
	s.handler = nil
	if len(h.net.errq) > 0 {
		h.net.errClosed(s)
	}
	if len(h.net.epolls) > 0 && h.net.epollClosed(s) {
		return nil
	}
	now := h.Now().Duration()
	switch {
	case s.dgram != nil:
		h.closeDgram(s)
	case s.listening:
		delete(h.listeners, s.local.Port())
		h.releasePort(s)
		for _, c := range s.lq.acceptQ {
			c.conn.Abort(now)
			c.flush()
		}
		s.lq.acceptQ = nil
		// Children still in the handshake are aborted by their own
		// deliveries: find them among the host's connections in a
		// deterministic order (their creation order is not kept, so
		// sort by remote address).
		for _, c := range h.childrenOf(s) {
			c.conn.Abort(now)
			c.flush()
		}
	case s.conn != nil:
		if !s.connDone {
			_ = s.conn.Close(now)
			s.flush()
		}
		if s.connDone {
			h.releasePort(s)
		}
	default:
		h.releasePort(s)
	}
	h.dispatch()
	return nil
}

// Poll events, as poll(2) reports them.
const (
	POLLIN  = 0x001
	POLLOUT = 0x004
	POLLERR = 0x008
	POLLHUP = 0x010
	// POLLRDHUP: the peer shut its writing side (its FIN came) or the
	// socket its reading side (Linux's RCV_SHUTDOWN in tcp_poll).
	POLLRDHUP = 0x2000
)

// Poll returns fd's readiness as poll(2) revents: POLLIN when Recv or
// Accept would not return EAGAIN, POLLOUT when the send buffer has room
// enough to wake a writer (a third of it free, as Linux's
// sk_stream_is_writeable),
// POLLERR after a failure, POLLHUP when both directions are closed,
// POLLRDHUP once nothing more will arrive.
func (h *Host) Poll(fd int) (int, error) {
	s, err := h.file(fd)
	if err != nil {
		return 0, err
	}
	if len(h.net.epolls) > 0 {
		if ep := h.net.epollBySock(s); ep != nil {
			return ep.readable(), nil
		}
	}
	ev := 0
	switch {
	case s.dgram != nil:
		ev |= POLLOUT
		if s.dgram.head < len(s.dgram.q) {
			ev |= POLLIN
		}
		if s.soError != 0 {
			ev |= POLLERR
		}
	case s.listening:
		if len(s.lq.acceptQ) > 0 {
			ev |= POLLIN
		}
	case s.conn != nil:
		st := s.conn.State()
		if s.conn.Readable() > 0 || s.shutRD || s.err != 0 || st == tcp.CloseWait || st == tcp.LastAck || st == tcp.Closing || st == tcp.TimeWait || s.connDone {
			ev |= POLLIN
		}
		if st.Synchronized() && s.conn.PollWriteSpace() || s.connDone {
			// tcp_poll: a connection that ended (SEND_SHUTDOWN) polls
			// writable, as a write returns at once.
			ev |= POLLOUT
		}
		if s.err != 0 || len(h.net.errq) > 0 && h.net.errQueued(s) {
			ev |= POLLERR // tcp_poll: sk_err or a non-empty error queue
		}
		if s.connDone {
			ev |= POLLHUP
		}
		if s.shutRD || s.conn.PeerFinished() || s.connDone {
			// tcp_poll: RCV_SHUTDOWN, set by the peer's FIN (tcp_fin),
			// SHUT_RD, or the connection's end.
			ev |= POLLRDHUP
		}
	case s.deferred:
		// connect with TCP_FASTOPEN_CONNECT: Linux's socket is in
		// SYN-SENT, not hung up, and writable so that the write that
		// sends the SYN comes (tcp_poll's defer_connect case).
		ev |= POLLOUT
	default:
		ev |= POLLOUT | POLLHUP // Linux: an unconnected TCP socket
	}
	return ev, nil
}

// SockInfo describes a socket, for tests, tools and the summary.
type SockInfo struct {
	FD            int
	Local, Remote netip.AddrPort
	Listening     bool
	State         tcp.State
	ConnID        uint64
	Err           Errno
	Stats         tcp.Stats
	// TCPIOptions is the connection's tcpi_options (tcp.Conn.InfoOptions).
	TCPIOptions uint8
}

// Info returns what fd is.
func (h *Host) Info(fd int) (SockInfo, error) {
	s, err := h.socket(fd)
	if err != nil {
		return SockInfo{}, err
	}
	return s.info(h.Now().Duration()), nil
}

func (s *Socket) info(now time.Duration) SockInfo {
	i := SockInfo{FD: int(s.fd), Local: s.local, Remote: s.remote, Listening: s.listening, ConnID: s.connID, Err: s.err}
	if s.conn != nil {
		i.State = s.conn.State()
		i.Stats = s.conn.StatsAt(now)
		i.TCPIOptions = s.conn.InfoOptions()
	} else if s.listening {
		i.State = tcp.Listen
	}
	return i
}

// Conns returns every connection the host still has (a socket's
// descriptor may be closed while its connection finishes, and a
// connection in TIME-WAIT keeps only its record, with no counters),
// ordered by connection ID.
func (h *Host) Conns() []SockInfo {
	var out []SockInfo
	for _, s := range h.conns {
		out = append(out, s.info(h.Now().Duration()))
	}
	for _, tw := range h.timeWaitConns {
		out = append(out, SockInfo{FD: -1, Local: tw.key.local.AddrPort(), Remote: tw.key.remote.AddrPort(), State: tcp.TimeWait, ConnID: tw.connID})
	}
	sortInfos(out)
	return out
}

// errnoOf returns the errno of an error from tcp.Conn.
func errnoOf(err error) Errno {
	if te, ok := err.(tcp.Errno); ok { // the common case, without allocating
		return te
	}
	var te tcp.Errno
	if errors.As(err, &te) {
		return te
	}
	return EINVAL
}
