package drill

import (
	"errors"
	"io"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Segment is a TCP segment between the stack under test and the script's
// remote peer, with absolute sequence numbers.
type Segment struct {
	Src, Dst tcp.Endpoint
	Header   tcp.Header
	Payload  []byte
}

// Stack is the TCP stack under test as the runner drives it: system calls,
// segments in and out, and its timers. ConnStack implements it over bare
// tcp.Conns; the host stack (sockets over IPv4) can implement it too, so the
// same scripts test the whole path.
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

// sock is one file descriptor of a ConnStack.
type sock struct {
	fd        int
	conn      *tcp.Conn
	cfg       tcp.Config
	port      uint16 // bound local port
	listening bool
	nonblock  bool
	acceptQ   []*sock
	parent    *sock
	closed    bool // close() called on the descriptor
	written   int  // progress of a blocking write
}

// ConnStack is a Stack made of tcp.Conns and a small socket table: the
// least a socket layer needs (descriptors, a listener that makes a Conn per
// SYN and an accept queue, RSTs for closed ports), so scripts test the
// state machine itself.
type ConnStack struct {
	cfg       tcp.Config
	local     netip.Addr
	remote    tcp.Endpoint // where connect() goes
	secret    uint64
	nextFD    int
	nextPort  uint16
	fds       []*sock // by descriptor number order
	conns     []*sock // every connection, in creation order
	out       []Segment
	buf       []byte
	tsOffsets uint32
	// Observe, when set, sees every event of every connection (the index
	// is the connection's creation order).
	Observe func(conn int, e tcp.Event)
}

// NewConnStack returns a stack with address local whose connect() reaches
// remote, and whose connections use cfg.
func NewConnStack(cfg tcp.Config, local netip.Addr, remote tcp.Endpoint) *ConnStack {
	return &ConnStack{cfg: cfg, local: local, remote: remote, secret: 0x6e657473696d, nextFD: 3, nextPort: 40000}
}

func (s *ConnStack) lookup(fd int) *sock {
	for _, k := range s.fds {
		if k.fd == fd && !k.closed {
			return k
		}
	}
	return nil
}

func (s *ConnStack) newConn(k *sock, local, remote tcp.Endpoint, now time.Duration) error {
	s.tsOffsets += 0x01000193
	c, err := tcp.NewConn(k.cfg, local, remote, tcp.ISN(s.secret, local, remote, now), s.tsOffsets)
	if err != nil {
		return err
	}
	k.conn = c
	s.conns = append(s.conns, k)
	return nil
}

// Call implements Stack.
func (s *ConnStack) Call(now time.Duration, call *Syscall) (int64, string, bool, error) {
	arg := func(i int) int64 {
		if i < len(call.Args) && call.Args[i].Kind == ExprInt {
			return call.Args[i].Int
		}
		return -1
	}
	word := func(i int) string {
		if i < len(call.Args) {
			return call.Args[i].String()
		}
		return ""
	}
	if call.Name == "socket" {
		k := &sock{fd: s.nextFD, cfg: s.cfg}
		s.nextFD++
		s.fds = append(s.fds, k)
		return int64(k.fd), "", false, nil
	}
	k := s.lookup(int(arg(0)))
	if k == nil {
		return -1, "EBADF", false, nil
	}
	switch call.Name {
	case "bind":
		k.port = 8080
		return 0, "", false, nil
	case "listen":
		if k.port == 0 {
			k.port = 8080
		}
		k.listening = true
		return 0, "", false, nil
	case "fcntl":
		if word(1) == "F_SETFL" {
			k.nonblock = containsWord(call.Args[2], "O_NONBLOCK")
			return 0, "", false, nil
		}
		if word(1) == "F_GETFL" {
			if k.nonblock {
				return 0x802, "", false, nil // O_RDWR|O_NONBLOCK
			}
			return 0x2, "", false, nil
		}
		return 0, "", false, nil
	case "setsockopt":
		switch word(2) {
		case "TCP_NODELAY":
			k.cfg.Nagle = !(len(call.Args) > 3 && firstInt(call.Args[3]) != 0)
			if k.conn != nil {
				k.conn.SetNagle(now, k.cfg.Nagle)
			}
		case "SO_SNDBUF":
			// As in nodes: the value (at least Linux's 4608-byte floor)
			// is what a write may hold unacknowledged, and it applies to
			// a connected socket too (Linux sets sk_sndbuf at any time).
			if v := firstInt(call.Args[3]); v > 0 {
				k.cfg.SendBuffer = max(int(v), 4608)
				if k.conn != nil {
					if err := k.conn.SetSendBuffer(k.cfg.SendBuffer); err != nil {
						return 0, "", false, err
					}
				}
			}
		case "SO_RCVBUF":
			if v := firstInt(call.Args[3]); v > 0 {
				k.cfg.RecvBuffer = int(v) * 2
			}
		}
		return 0, "", false, nil
	case "getsockopt":
		return 0, "", false, nil
	case "accept":
		if len(k.acceptQ) == 0 {
			if k.nonblock {
				return -1, "EAGAIN", false, nil
			}
			return 0, "", true, nil
		}
		c := k.acceptQ[0]
		k.acceptQ = k.acceptQ[1:]
		c.fd = s.nextFD
		s.nextFD++
		s.fds = append(s.fds, c)
		return int64(c.fd), "", false, nil
	case "connect":
		if k.conn == nil {
			local := tcp.Endpoint{Addr: s.local, Port: s.nextPort}
			s.nextPort++
			if err := s.newConn(k, local, s.remote, now); err != nil {
				return 0, "", false, err
			}
			if err := k.conn.Connect(now); err != nil {
				return 0, "", false, err
			}
			if k.nonblock {
				return -1, "EINPROGRESS", false, nil
			}
		}
		switch st := k.conn.State(); {
		case k.conn.Err() != 0:
			return -1, k.conn.Err().String(), false, nil
		case st == tcp.SynSent || st == tcp.SynReceived:
			if k.nonblock {
				return -1, "EALREADY", false, nil
			}
			return 0, "", true, nil
		case st.Synchronized():
			return 0, "", false, nil
		}
		return -1, "ECONNREFUSED", false, nil
	case "write", "send":
		if k.conn == nil {
			return -1, "EPIPE", false, nil
		}
		n := int(arg(2))
		if n < 0 {
			return 0, "", false, errors.Join(ErrUnsupported, errors.New(call.Name+" without a byte count"))
		}
		if len(s.buf) < n {
			s.buf = make([]byte, n)
		}
		for k.written < n {
			m, err := k.conn.Write(now, s.buf[k.written:n])
			k.written += m
			if err != nil {
				var e tcp.Errno
				if errors.As(err, &e) && e == tcp.EAGAIN {
					if k.written > 0 && k.nonblock {
						break
					}
					if k.nonblock {
						return -1, "EAGAIN", false, nil
					}
					return 0, "", true, nil
				}
				k.written = 0
				return -1, errnoName(err), false, nil
			}
		}
		w := k.written
		k.written = 0
		return int64(w), "", false, nil
	case "read", "recv":
		if k.conn == nil {
			return -1, "ENOTCONN", false, nil
		}
		n := int(arg(2))
		if n < 0 {
			return 0, "", false, errors.Join(ErrUnsupported, errors.New(call.Name+" without a byte count"))
		}
		if len(s.buf) < n {
			s.buf = make([]byte, n)
		}
		m, err := k.conn.Read(now, s.buf[:n])
		switch {
		case errors.Is(err, io.EOF):
			return 0, "", false, nil
		case errors.Is(err, tcp.EAGAIN):
			if k.nonblock {
				return -1, "EAGAIN", false, nil
			}
			return 0, "", true, nil
		case err != nil:
			return -1, errnoName(err), false, nil
		}
		return int64(m), "", false, nil
	case "shutdown":
		if k.conn == nil {
			return -1, "ENOTCONN", false, nil
		}
		switch word(1) {
		case "SHUT_WR", "SHUT_RDWR", "1", "2":
			if err := k.conn.Shutdown(now); err != nil {
				return -1, errnoName(err), false, nil
			}
		}
		return 0, "", false, nil
	case "close":
		k.closed = true
		if k.conn != nil {
			_ = k.conn.Close(now)
		}
		for _, c := range k.acceptQ {
			c.conn.Abort(now)
		}
		return 0, "", false, nil
	}
	return 0, "", false, errors.Join(ErrUnsupported, errors.New("system call "+call.Name))
}

// Inject implements Stack: demultiplex by ports to a connection, or to a
// listener for a SYN, else answer with a RST (RFC 9293 §3.10.7.1).
func (s *ConnStack) Inject(now time.Duration, seg *Segment) {
	h := &seg.Header
	for i := len(s.conns) - 1; i >= 0; i-- {
		k := s.conns[i]
		c := k.conn
		if c.State() != tcp.Closed && c.Local().Port == h.DstPort && c.Remote().Port == h.SrcPort {
			c.Input(now, h, seg.Payload)
			return
		}
	}
	if h.Flags&(tcp.FlagSYN|tcp.FlagACK|tcp.FlagRST) == tcp.FlagSYN {
		for _, l := range s.fds {
			if l.listening && !l.closed && l.port == h.DstPort {
				k := &sock{fd: -1, cfg: l.cfg, parent: l}
				if err := s.newConn(k, seg.Dst, seg.Src, now); err != nil {
					return
				}
				_ = k.conn.Listen(now)
				k.conn.Input(now, h, seg.Payload)
				return
			}
		}
	}
	var r tcp.Header
	if tcp.ReplyRst(h, len(seg.Payload)+synFin(h), &r) {
		s.out = append(s.out, Segment{Src: seg.Dst, Dst: seg.Src, Header: r})
	}
}

func synFin(h *tcp.Header) int {
	n := 0
	if h.Flags.Has(tcp.FlagSYN) {
		n++
	}
	if h.Flags.Has(tcp.FlagFIN) {
		n++
	}
	return n
}

// Drain implements Stack.
func (s *ConnStack) Drain(fn func(seg *Segment)) {
	for i, k := range s.conns {
		c := k.conn
		c.Segments(func(h *tcp.Header, p []byte) {
			seg := Segment{Src: c.Local(), Dst: c.Remote(), Header: *h, Payload: p}
			s.out = append(s.out, seg)
			fn(&s.out[len(s.out)-1])
			s.out = s.out[:len(s.out)-1]
		})
		c.Events(func(e tcp.Event) {
			if s.Observe != nil {
				s.Observe(i, e)
			}
			if e.Kind == tcp.EvEstablished && k.parent != nil && k.fd < 0 && !k.parent.closed {
				k.parent.acceptQ = append(k.parent.acceptQ, k)
			}
		})
	}
	for i := range s.out {
		fn(&s.out[i])
	}
	s.out = s.out[:0]
}

// Deadline implements Stack.
func (s *ConnStack) Deadline() (time.Duration, bool) {
	var at time.Duration
	ok := false
	for _, k := range s.conns {
		if d, on := k.conn.Deadline(); on && (!ok || d < at) {
			at, ok = d, true
		}
	}
	return at, ok
}

// Tick implements Stack.
func (s *ConnStack) Tick(now time.Duration) {
	for _, k := range s.conns {
		if d, on := k.conn.Deadline(); on && d <= now {
			k.conn.Tick(now)
		}
	}
}

// Conns returns the connections made so far, in creation order, for
// checks after a run.
func (s *ConnStack) Conns() []*tcp.Conn {
	out := make([]*tcp.Conn, len(s.conns))
	for i, k := range s.conns {
		out[i] = k.conn
	}
	return out
}

func errnoName(err error) string {
	var e tcp.Errno
	if errors.As(err, &e) {
		return e.String()
	}
	return "EIO"
}

func containsWord(e *Expr, w string) bool {
	if e == nil {
		return false
	}
	if e.Kind == ExprWord && e.Str == w {
		return true
	}
	for _, x := range e.Elems {
		if containsWord(x, w) {
			return true
		}
	}
	return false
}

func firstInt(e *Expr) int64 {
	if e == nil {
		return 0
	}
	if e.Kind == ExprInt {
		return e.Int
	}
	for _, x := range e.Elems {
		return firstInt(x)
	}
	return 0
}
