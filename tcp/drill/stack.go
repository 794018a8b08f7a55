package drill

import (
	"errors"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Segment is a TCP segment between the stack under test and the script's
// remote peer, with absolute sequence numbers.
type Segment struct {
	Src, Dst tcp.Endpoint
	// TOS is the IPv4 header's type-of-service byte: the DSCP in its six
	// high bits, the ECN field (RFC 3168 §5: 0 Not-ECT, 1 ECT(1), 2
	// ECT(0), 3 CE) in its two low bits.
	TOS     uint8
	Header  tcp.Header
	Payload []byte
}

// Stack is the TCP stack under test as the runner drives it: system calls,
// segments in and out, and its timers. The host stack (package
// nodes/drillstack: a simulated host with sockets over IPv4) implements it,
// making its system calls with Syscalls.
type Stack interface {
	// Call performs a system call at now. ret and errno are what the C
	// library would return (errno is a name such as "EAGAIN" when ret is
	// -1). blocked reports that a blocking call cannot finish yet: the
	// runner calls it again with the same call after later events, and the
	// stack must then report progress rather than start over.
	Call(now time.Duration, call *Syscall) (ret int64, errno string, blocked bool, err error)
	// Inject delivers a segment from the remote peer.
	Inject(now time.Duration, seg *Segment)
	// Drain hands over, oldest first, each segment the stack sent since the
	// last call. The segment is only valid during fn.
	Drain(fn func(seg *Segment))
	// Deadline is the next time Tick must be called.
	Deadline() (time.Duration, bool)
	// Tick runs the timers due at now.
	Tick(now time.Duration)
}

// ErrUnsupported is wrapped by errors for system calls or arguments the
// stack does not model.
var ErrUnsupported = errors.New("drill: unsupported")

// SettingsStack is a Stack whose TCP settings change while a script runs:
// ApplySettings applies the sysctls of a timed shell command at its time,
// as Linux applies a sysctl at once (to the connections made from then
// on, and to sockets that read the setting when they act).
// FlushTCPMetrics forgets what the stack's connections cached of their
// peers (Fast Open cookies), as `ip tcp_metrics flush` does.
type SettingsStack interface {
	Stack
	ApplySettings(now time.Duration, set []Setting) error
	FlushTCPMetrics()
}

// Sockets is the socket API a script's system calls are made on: a BSD
// socket interface over TCP/IPv4 with Linux's numbers. Errors are
// tcp.Errno values (possibly wrapped); any other error is a failure of the
// stack, not a result the script can expect.
type Sockets interface {
	// Socket opens a TCP socket and returns its descriptor.
	Socket() (int, error)
	// Bind gives fd the local address addr.
	Bind(fd int, addr netip.AddrPort) error
	// Listen makes fd a listener with the given backlog.
	Listen(fd, backlog int) error
	// Accept returns the descriptor of an established connection of the
	// listener fd, or EAGAIN when there is none yet.
	Accept(fd int) (int, error)
	// Connect starts connecting fd to addr; it returns EINPROGRESS when
	// the SYN is sent, and the outcome is reported by Info.
	Connect(fd int, addr netip.AddrPort) error
	// SendFlags queues p's bytes for sending and returns how many
	// fitted (EAGAIN for none), with send(2)'s flags: MSG_MORE (0x8000)
	// holds a partial last segment for more data, MSG_EOR (0x80) ends a
	// record.
	SendFlags(fd int, p []byte, flags int) (int, error)
	// Recv reads into p: 0 at the end of the stream, EAGAIN when nothing
	// is there yet.
	Recv(fd int, p []byte) (int, error)
	// RecvInq is Recv that also returns, with on, the TCP_CM_INQ value
	// of a socket with TCP_INQ (36) on: the bytes left to read after
	// this read, the peer's FIN counting one.
	RecvInq(fd int, p []byte) (n, inq int, on bool, err error)
	// Shutdown closes one or both directions: how is SHUT_RD (0),
	// SHUT_WR (1) or SHUT_RDWR (2).
	Shutdown(fd, how int) error
	// Close releases fd; its connection closes gracefully.
	Close(fd int) error
	// Abort releases fd and resets its connection (close with SO_LINGER
	// {on, 0}).
	Abort(fd int) error
	// SetSockOpt and GetSockOpt set and get an integer socket option by
	// Linux's level and name: SOL_SOCKET (1) with SO_REUSEADDR (2),
	// SO_ERROR (4, get only), SO_SNDBUF (7), SO_RCVBUF (8), SO_KEEPALIVE
	// (9), SO_MARK (36); IPPROTO_TCP (6) with TCP_NODELAY (1), TCP_MAXSEG (2), TCP_CORK
	// (3), TCP_KEEPIDLE (4), TCP_KEEPINTVL (5), TCP_KEEPCNT (6), TCP_SYNCNT (7),
	// TCP_USER_TIMEOUT (18), TCP_NOTSENT_LOWAT (25), TCP_INQ (36),
	// TCP_FASTOPEN (23), TCP_FASTOPEN_CONNECT (30); SOL_IP (0) with IP_TOS (1)
	// and IP_MTU_DISCOVER (10).
	SetSockOpt(fd, level, name, value int) error
	GetSockOpt(fd, level, name int) (int, error)
	// Poll returns fd's readiness as poll(2) revents (POLLIN 0x1, POLLOUT
	// 0x4, POLLERR 0x8, POLLHUP 0x10).
	Poll(fd int) (int, error)
	// Info describes fd's connection.
	Info(fd int) (SocketInfo, error)
	// Ioctl answers a queue-size request by Linux's number: SIOCINQ
	// (0x541B) the bytes a read would return, SIOCOUTQ (0x5411) those
	// not yet acknowledged, SIOCOUTQNSD (0x894B) those not yet sent.
	Ioctl(fd, req int) (int, error)
	// RecvErrQueue takes the oldest entry of fd's error queue (recvmsg
	// with MSG_ERRQUEUE); EAGAIN when there is none.
	RecvErrQueue(fd int) (ErrQueueEntry, error)
	// TxTimestamp marks the last byte written for transmit timestamps,
	// as the kernel does at the end of each write (tcp_tx_timestamp).
	TxTimestamp(fd int) error
	// ZerocopySent numbers a MSG_ZEROCOPY write that queued data, made
	// of SendFlags calls without the flag: one number per write, its
	// completion once all of it is acknowledged (msg_zerocopy_realloc).
	ZerocopySent(fd int) error
	// ConnectFastOpen is sendto with MSG_FASTOPEN on a socket not yet
	// connected, or the first write after connect with
	// TCP_FASTOPEN_CONNECT: it connects fd to addr with a SYN that
	// carries what it may of p (RFC 7413) and returns how many bytes
	// that is, with EINPROGRESS; EISCONN once connected. wait says the
	// call blocks until the handshake completes, to write the rest.
	ConnectFastOpen(fd int, addr netip.AddrPort, p []byte, wait bool) (int, error)
	// SetCongestion is setsockopt(TCP_CONGESTION): the congestion control
	// fd's next connection uses (an accepted one inherits its
	// listener's); ENOENT for a name the stack does not have.
	SetCongestion(fd int, name string) error
	// Congestion is getsockopt(TCP_CONGESTION): the name of fd's
	// congestion control.
	Congestion(fd int) (string, error)
	// SetFastOpenKey is setsockopt(TCP_FASTOPEN_KEY): a listener's own
	// cookie key of 16 bytes (32 with a backup key); EINVAL otherwise.
	SetFastOpenKey(fd int, key []byte) error
	// EpollCreate opens an epoll instance and returns its descriptor.
	EpollCreate() (int, error)
	// EpollCtl adds (op 1), removes (2) or changes (3) fd's registration
	// in the instance epfd for events (Linux's EPOLL* bits).
	EpollCtl(epfd, op, fd int, events uint32) error
	// EpollWait fills out with the ready descriptors, as epoll_wait with
	// a zero timeout, and returns how many.
	EpollWait(epfd int, out []EpollEvent) (int, error)
}

// ErrQueueEntry is an entry of a socket's error queue: Linux's struct
// sock_extended_err (a MSG_ZEROCOPY completion, or a transmit timestamp
// taken At a time).
type ErrQueueEntry struct {
	Errno        tcp.Errno
	Origin, Code uint8
	Info, Data   uint32
	At           time.Duration
}

// EpollEvent is one event of EpollWait: a descriptor and its readiness.
type EpollEvent struct {
	FD     int
	Events uint32
}

// SocketInfo is what Syscalls needs to know of a socket's connection.
type SocketInfo struct {
	// State is the connection's TCP state (Listen for a listener, Closed
	// before connect).
	State tcp.State
	// Err is the error that ended the connection, 0 if none.
	Err tcp.Errno
}

// Syscalls makes a script's system calls on Sockets: it evaluates the
// arguments (Linux's symbols, "[1]" option values, poll entries), keeps
// what the C library and the kernel keep per descriptor beyond the socket
// (O_NONBLOCK, SO_LINGER, a connection error already reported, the
// progress of a blocking write), checks the values getsockopt and poll
// must return, and says when a blocking call cannot finish yet. It is the
// one place netsim interprets system calls; a Stack's Call delegates to
// it.
type Syscalls struct {
	sk  Sockets
	run RunConfig
	fds []*fdState // by descriptor; nil when not open
	buf []byte
	// polls holds the blocking poll calls waiting, with their timeouts.
	polls []pollWait
}

// NewSyscalls returns system calls made on sk: bind takes
// run.ServerPort, connect goes to run.Remote:run.ServerPort.
func NewSyscalls(sk Sockets, run RunConfig) *Syscalls {
	return &Syscalls{sk: sk, run: run}
}

// OpenFDs returns the script's open descriptors, in order.
func (s *Syscalls) OpenFDs() []int {
	var out []int
	for fd, st := range s.fds {
		if st != nil {
			out = append(out, fd)
		}
	}
	return out
}

// Deadline returns the earliest timeout of a blocking poll, when one
// waits: the stack must Tick then so that the poll returns.
func (s *Syscalls) Deadline() (time.Duration, bool) {
	var d time.Duration
	ok := false
	for _, p := range s.polls {
		if p.until >= 0 && (!ok || p.until < d) {
			d, ok = p.until, true
		}
	}
	return d, ok
}
