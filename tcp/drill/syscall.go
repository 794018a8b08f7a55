package drill

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// maxIO bounds the byte count of one read or write, so that a script
// cannot make the stack allocate without bound.
const maxIO = 16 << 20

// maxPollTimeout bounds a poll timeout (ms) so that its deadline cannot
// overflow: a day.
const maxPollTimeout = 86400 * 1000

// fdState is what Syscalls keeps per descriptor beyond the socket:
// the options the application set and the progress of blocking calls.
type fdState struct {
	nonblock bool
	// connecting: connect() started; connected: a connect() returned 0.
	connecting, connected bool
	// errReported: the connection's error was returned once (Linux
	// sock_error clears sk_err): later calls see EOF or EPIPE.
	errReported bool
	// deferred: connect returned 0 with TCP_FASTOPEN_CONNECT, the SYN
	// waits for the first write; fastOpenWait: a blocking Fast Open
	// write waits for the handshake before it writes the rest.
	deferred, fastOpenWait bool
	// written is the progress of a blocking write.
	written int
	// lingerOn and linger are SO_LINGER's {onoff, linger}: on with 0
	// makes close() reset the connection.
	lingerOn, linger int64
	// epoll: the descriptor is an epoll instance's, which read(2) and
	// write(2) refuse with EINVAL (no read or write method, vfs_read).
	epoll bool
}

// pollWait is a blocking poll waiting for readiness or its timeout
// (until < 0: no timeout).
type pollWait struct {
	call  *Syscall
	until time.Duration
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// fail turns a socket error into the C library's -1 and errno name.
func fail(err error) (int64, string, bool, error) {
	var e tcp.Errno
	if errors.As(err, &e) {
		return -1, e.String(), false, nil
	}
	return 0, "", false, err
}

func ok(v int64) (int64, string, bool, error) { return v, "", false, nil }

var blocked = func() (int64, string, bool, error) { return 0, "", true, nil }

// Call makes the system call c at now on the sockets, with Stack.Call's
// results. Blocking calls (a descriptor without O_NONBLOCK) report blocked
// while the socket would return EAGAIN, and finish when the runner calls
// again after the event that unblocks them.
func (s *Syscalls) Call(now time.Duration, c *Syscall) (int64, string, bool, error) {
	switch c.Name {
	case "socket":
		return s.socket(c)
	case "poll":
		return s.poll(now, c)
	case "epoll_create", "epoll_create1":
		return s.epollCreate(c)
	}
	fdv, okfd := evalInt(arg(c, 0))
	if !okfd {
		return 0, "", false, unsupported("%s: the first argument must be a descriptor, not %s", c.Name, argText(c, 0))
	}
	fd := int(fdv)
	st := s.state(fd)
	switch c.Name {
	case "bind", "listen", "accept", "connect", "write", "send", "sendto", "sendmsg", "read", "recv", "recvfrom", "recvmsg",
		"shutdown", "close", "setsockopt", "getsockopt", "fcntl", "ioctl", "epoll_ctl", "epoll_wait":
	default:
		return 0, "", false, unsupported("system call %s is not implemented", c.Name)
	}
	if st == nil {
		return -1, tcp.EBADF.String(), false, nil
	}
	switch c.Name {
	case "bind":
		if err := s.sk.Bind(fd, netip.AddrPortFrom(netip.IPv4Unspecified(), s.run.ServerPort)); err != nil {
			return fail(err)
		}
		return ok(0)
	case "listen":
		backlog, _ := evalInt(arg(c, 1))
		if err := s.sk.Listen(fd, int(backlog)); err != nil {
			return fail(err)
		}
		return ok(0)
	case "accept":
		return s.accept(fd, st)
	case "connect":
		return s.connect(fd, st)
	case "write", "send", "sendto", "sendmsg":
		if st.epoll && c.Name == "write" {
			return -1, tcp.EINVAL.String(), false, nil
		}
		return s.write(fd, st, c)
	case "read", "recv", "recvfrom", "recvmsg":
		if st.epoll && c.Name == "read" {
			return -1, tcp.EINVAL.String(), false, nil
		}
		return s.read(fd, st, c)
	case "ioctl":
		return s.ioctl(fd, c)
	case "epoll_ctl":
		return s.epollCtl(fd, c)
	case "epoll_wait":
		return s.epollWait(now, fd, c)
	case "shutdown":
		how, okh := evalInt(arg(c, 1))
		if !okh {
			return 0, "", false, unsupported("shutdown: how %s", argText(c, 1))
		}
		if err := s.sk.Shutdown(fd, int(how)); err != nil {
			return fail(err)
		}
		return ok(0)
	case "close":
		var err error
		if st.lingerOn != 0 && st.linger == 0 {
			err = s.sk.Abort(fd)
		} else {
			err = s.sk.Close(fd)
		}
		s.fds[fd] = nil
		if err != nil {
			return fail(err)
		}
		return ok(0)
	case "fcntl":
		return s.fcntl(st, c)
	case "setsockopt":
		return s.setsockopt(fd, st, c)
	}
	return s.getsockopt(fd, st, c)
}

func arg(c *Syscall, i int) *Expr {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return nil
}

func argText(c *Syscall, i int) string {
	if e := arg(c, i); e != nil {
		return e.String()
	}
	return "(missing)"
}

func (s *Syscalls) state(fd int) *fdState {
	if fd < 0 || fd >= len(s.fds) {
		return nil
	}
	return s.fds[fd]
}

func (s *Syscalls) setState(fd int, st *fdState) {
	for len(s.fds) <= fd {
		s.fds = append(s.fds, nil)
	}
	s.fds[fd] = st
}

func (s *Syscalls) socket(c *Syscall) (int64, string, bool, error) {
	if dom, ok := evalInt(arg(c, 0)); ok && dom != symbols["AF_INET"] {
		return 0, "", false, unsupported("socket: domain %s (netsim hosts are IPv4 only)", argText(c, 0))
	}
	typ, okt := evalInt(arg(c, 1))
	if okt && typ&^symbols["SOCK_NONBLOCK"] != symbols["SOCK_STREAM"] {
		return 0, "", false, unsupported("socket: type %s (netsim models TCP only)", argText(c, 1))
	}
	if p, ok := evalInt(arg(c, 2)); ok && p != 0 && p != symbols["IPPROTO_TCP"] {
		return 0, "", false, unsupported("socket: protocol %s", argText(c, 2))
	}
	fd, err := s.sk.Socket()
	if err != nil {
		return fail(err)
	}
	s.setState(fd, &fdState{nonblock: okt && typ&symbols["SOCK_NONBLOCK"] != 0})
	return ok(int64(fd))
}

func (s *Syscalls) accept(fd int, st *fdState) (int64, string, bool, error) {
	nfd, err := s.sk.Accept(fd)
	switch {
	case errors.Is(err, tcp.EAGAIN) && !st.nonblock:
		return blocked()
	case err != nil:
		return fail(err)
	}
	// Linux copies the listener's socket options into the child.
	child := &fdState{connected: true, lingerOn: st.lingerOn, linger: st.linger}
	s.setState(nfd, child)
	return ok(int64(nfd))
}

// connect follows Linux's inet_stream_connect: the first call sends the
// SYN and returns EINPROGRESS on a non-blocking socket (a blocking one
// waits); later calls return EALREADY while the handshake runs, 0 once
// after it completed (then EISCONN), or the connection's error once.
func (s *Syscalls) connect(fd int, st *fdState) (int64, string, bool, error) {
	if !st.connecting {
		err := s.sk.Connect(fd, netip.AddrPortFrom(s.run.Remote, s.run.ServerPort))
		if err == nil {
			// TCP_FASTOPEN_CONNECT with a cookie: the SYN waits for
			// the first write (tcp_fastopen_defer_connect).
			st.deferred = true
			return ok(0)
		}
		if !errors.Is(err, tcp.EINPROGRESS) {
			return fail(err)
		}
		st.connecting = true
		if st.nonblock {
			return -1, tcp.EINPROGRESS.String(), false, nil
		}
	}
	info, err := s.sk.Info(fd)
	if err != nil {
		return fail(err)
	}
	switch {
	case info.Err != 0 && !st.errReported:
		st.errReported = true
		return -1, info.Err.String(), false, nil
	case info.State == tcp.SynSent || info.State == tcp.SynReceived:
		if st.nonblock {
			return -1, tcp.EALREADY.String(), false, nil
		}
		return blocked()
	case info.Err == 0 && !st.connected:
		st.connected = true
		return ok(0)
	case info.Err == 0:
		return -1, tcp.EISCONN.String(), false, nil
	}
	return -1, tcp.ECONNABORTED.String(), false, nil
}

// pendingErr returns the connection's error the first time a call sees
// it (Linux sock_error), else 0.
func (s *Syscalls) pendingErr(fd int, st *fdState) tcp.Errno {
	info, err := s.sk.Info(fd)
	if err != nil || info.Err == 0 || st.errReported {
		return 0
	}
	st.errReported = true
	_, _ = s.sk.GetSockOpt(fd, solSocket, soError) // cleared, as sock_error does
	return info.Err
}

func (s *Syscalls) count(c *Syscall) (int, error) {
	n, ok := evalInt(arg(c, 2))
	if !ok || n < 0 || n > maxIO {
		return 0, unsupported("%s: the byte count must be a number from 0 to %d, not %s", c.Name, maxIO, argText(c, 2))
	}
	if len(s.buf) < int(n) {
		s.buf = make([]byte, n)
	}
	return int(n), nil
}

// ioLen returns how many bytes c writes or reads, with s.buf at least
// that long: sendmsg's and recvmsg's iovecs (their third argument is the
// flags, not a count), the others' count.
func (s *Syscalls) ioLen(c *Syscall) (int, error) {
	if c.Name != "sendmsg" && c.Name != "recvmsg" {
		return s.count(c)
	}
	n, err := iovLen(c)
	if err == nil && len(s.buf) < n {
		s.buf = make([]byte, n)
	}
	return n, err
}

func (s *Syscalls) nonblocking(st *fdState, c *Syscall) bool {
	return st.nonblock || msgFlags(c)&symbols["MSG_DONTWAIT"] != 0
}

// msgFlags returns the flags argument of send, sendto, sendmsg, recv and
// recvfrom (0 for the others).
func msgFlags(c *Syscall) int64 {
	i := 3
	switch c.Name {
	case "send", "sendto", "recv", "recvfrom":
	case "sendmsg", "recvmsg":
		i = 2
	default:
		return 0
	}
	f, _ := evalInt(arg(c, i))
	return f
}

// iovLen returns the bytes of sendmsg's or recvmsg's
// msg_iov(N)=[{..., len}, ...].
func iovLen(c *Syscall) (int, error) {
	msg := arg(c, 1)
	if msg == nil || msg.Kind != ExprStruct {
		return 0, unsupported("%s: message %s, want {msg_name(...)=..., msg_iov(N)=[{..., LEN}], msg_flags=0}", c.Name, argText(c, 1))
	}
	for _, a := range msg.Elems {
		if a.Kind != ExprAssign || len(a.Elems) != 2 {
			continue
		}
		name, val := a.Elems[0], a.Elems[1]
		switch {
		case name.Str == "msg_control" && val.Kind != ExprEllipsis && c.Name == "sendmsg":
			return 0, unsupported("sendmsg: control messages (%s)", val)
		case name.Str != "msg_iov":
			continue
		}
		if val.Kind != ExprList {
			return 0, unsupported("%s: msg_iov %s, want [{..., LEN}, ...]", c.Name, val)
		}
		total := int64(0)
		for _, iov := range val.Elems {
			if iov.Kind != ExprStruct || len(iov.Elems) != 2 || iov.Elems[1].Kind != ExprInt || iov.Elems[1].Int < 0 {
				return 0, unsupported("%s: iovec %s, want {..., LEN}", c.Name, iov)
			}
			total += iov.Elems[1].Int
			if total > maxIO {
				return 0, unsupported("%s: more than %d bytes", c.Name, maxIO)
			}
		}
		return int(total), nil
	}
	return 0, unsupported("%s: message %s has no msg_iov", c.Name, argText(c, 1))
}

// write sends n bytes. A blocking write returns when all are queued (or
// with what was queued when the connection fails), a non-blocking one
// with what fitted, EAGAIN for nothing.
func (s *Syscalls) write(fd int, st *fdState, c *Syscall) (int64, string, bool, error) {
	n, err := s.ioLen(c)
	if err != nil {
		return 0, "", false, err
	}
	// The flags the socket acts on; a blocking write's later parts keep
	// them, as tcp_sendmsg_locked goes on with the same call.
	// MSG_ZEROCOPY numbers the whole call once it ends (writeEnd), not
	// each part: the parts written before a wait must not complete
	// apart.
	flags := int(msgFlags(c) & (symbols["MSG_MORE"] | symbols["MSG_EOR"]))
	if e := s.pendingErr(fd, st); e != 0 {
		st.written = 0
		return -1, e.String(), false, nil
	}
	if nullBuffer(c) && n > 0 {
		// tcp_sendmsg_locked checks the socket first and faults only
		// when it copies: a write that would fail for the socket's
		// sake fails so, one that would copy returns EFAULT having
		// copied nothing.
		if _, err := s.sk.SendFlags(fd, nil, 0); err != nil {
			return fail(err)
		}
		return -1, tcp.EFAULT.String(), false, nil
	}
	nb := s.nonblocking(st, c)
	switch ret, errno, step, err := s.fastOpen(fd, st, c, n, nb); step {
	case foDone:
		return ret, errno, false, err
	case foBlocked:
		return blocked()
	}
	for st.written < n {
		m, err := s.sk.SendFlags(fd, s.buf[st.written:n], flags)
		st.written += m
		if errors.Is(err, tcp.EAGAIN) || err == nil && m == 0 {
			if !nb {
				return blocked()
			}
			if st.written > 0 {
				break
			}
			return -1, tcp.EAGAIN.String(), false, nil
		}
		if err != nil {
			if st.written > 0 {
				// The call returns what it queued before the
				// connection failed.
				break
			}
			if e := s.pendingErr(fd, st); e != 0 {
				return -1, e.String(), false, nil
			}
			return fail(err)
		}
		if nb && st.written < n {
			// A non-blocking write returns once the socket took less
			// than it was given (tcp_sendmsg_locked gives up at its
			// first wait for memory), even if what it sent since has
			// made room again (TCP_NOTSENT_LOWAT).
			break
		}
	}
	w := st.written
	st.written = 0
	if w > 0 {
		if err := s.writeEnd(fd, c); err != nil {
			return fail(err)
		}
	}
	return ok(int64(w))
}

// fastOpenStep says how a write goes on after fastOpen.
type fastOpenStep int

const (
	foWrite   fastOpenStep = iota // write the rest as any write
	foDone                        // the call returns fastOpen's result
	foBlocked                     // the call waits for the handshake
)

// fastOpen opens the connection of a sendto or sendmsg with MSG_FASTOPEN
// on a socket not yet connected, or of the first write after connect
// with TCP_FASTOPEN_CONNECT (Linux's tcp_sendmsg_fastopen), with a SYN
// that carries what it may of the n bytes. A non-blocking call returns
// what the SYN carries, or EINPROGRESS when that is nothing; a blocking
// one waits for the handshake and then writes the rest, or fails with
// the connection's error.
func (s *Syscalls) fastOpen(fd int, st *fdState, c *Syscall, n int, nb bool) (int64, string, fastOpenStep, error) {
	if st.fastOpenWait {
		info, err := s.sk.Info(fd)
		switch {
		case err != nil:
			st.fastOpenWait, st.written = false, 0
			ret, errno, _, err := fail(err)
			return ret, errno, foDone, err
		case info.Err != 0:
			st.fastOpenWait, st.written = false, 0
			st.errReported = true
			return -1, info.Err.String(), foDone, nil
		case info.State == tcp.SynSent:
			return 0, "", foBlocked, nil
		}
		st.fastOpenWait = false
		return 0, "", foWrite, nil
	}
	if !st.deferred && (msgFlags(c)&symbols["MSG_FASTOPEN"] == 0 || st.connected || c.Name == "write" || c.Name == "send") {
		return 0, "", foWrite, nil
	}
	if c.Name == "sendto" {
		if a := arg(c, 4); a != nil && a.Kind == ExprWord && a.Str == "AF_UNSPEC" {
			// tcp_sendmsg_fastopen refuses an AF_UNSPEC address (which
			// would mean disconnect).
			return -1, tcp.EOPNOTSUPP.String(), foDone, nil
		}
	}
	st.deferred = false
	m, err := s.sk.ConnectFastOpen(fd, netip.AddrPortFrom(s.run.Remote, s.run.ServerPort), s.buf[:n], !nb)
	switch {
	case errors.Is(err, tcp.EISCONN):
		// Connected already: an ordinary send.
		return 0, "", foWrite, nil
	case !errors.Is(err, tcp.EINPROGRESS):
		ret, errno, _, err := fail(err)
		return ret, errno, foDone, err
	}
	st.connecting = true
	if !nb {
		st.written, st.fastOpenWait = m, true
		return 0, "", foBlocked, nil
	}
	if m == 0 {
		return -1, tcp.EINPROGRESS.String(), foDone, nil
	}
	if err := s.writeEnd(fd, c); err != nil {
		ret, errno, _, err := fail(err)
		return ret, errno, foDone, err
	}
	return int64(m), "", foDone, nil
}

// writeEnd is what tcp_sendmsg_locked does once per call that queued
// data: the MSG_ZEROCOPY send's number, and tcp_tx_timestamp.
func (s *Syscalls) writeEnd(fd int, c *Syscall) error {
	if msgFlags(c)&symbols["MSG_ZEROCOPY"] != 0 {
		if err := s.sk.ZerocopySent(fd); err != nil {
			return err
		}
	}
	return s.sk.TxTimestamp(fd)
}

func (s *Syscalls) read(fd int, st *fdState, c *Syscall) (int64, string, bool, error) {
	if c.Name == "recvmsg" && msgFlags(c)&symbols["MSG_ERRQUEUE"] != 0 {
		return s.recvErrQueue(fd, c)
	}
	n, err := s.ioLen(c)
	if err != nil {
		return 0, "", false, err
	}
	if nullBuffer(c) && n > 0 {
		// tcp_recvmsg faults only when it has bytes to copy; with none
		// the read waits, or ends, as any other.
		if q, err := s.sk.Ioctl(fd, siocInq); err == nil && q > 0 {
			return -1, tcp.EFAULT.String(), false, nil
		}
	}
	var m, inq int
	var inqOn bool
	if c.Name == "recvmsg" {
		m, inq, inqOn, err = s.sk.RecvInq(fd, s.buf[:n])
	} else {
		m, err = s.sk.Recv(fd, s.buf[:n])
	}
	switch {
	case err == nil:
		if c.Name == "recvmsg" {
			if err := checkCmsgs(c, inq, inqOn); err != nil {
				return 0, "", false, err
			}
		}
		return ok(int64(m))
	case errors.Is(err, tcp.EAGAIN):
		if s.nonblocking(st, c) {
			return -1, tcp.EAGAIN.String(), false, nil
		}
		return blocked()
	}
	var e tcp.Errno
	if errors.As(err, &e) && e != tcp.ENOTCONN && e != tcp.EBADF {
		// The connection failed: its error is returned once, then
		// reads see the end of the stream.
		if pe := s.pendingErr(fd, st); pe != 0 {
			return -1, pe.String(), false, nil
		}
		return ok(0)
	}
	return fail(err)
}

// recvErrQueue is recvmsg with MSG_ERRQUEUE, which never blocks: it
// takes an entry of the error queue and returns 0 (no data), or EAGAIN.
// A written msg_control must be that entry: for a MSG_ZEROCOPY
// completion [{cmsg_level=CMSG_LEVEL_IP, cmsg_type=CMSG_TYPE_RECVERR,
// cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0,
// ee_code=..., ee_info=LO, ee_data=HI}}] (Linux's struct
// sock_extended_err), for a transmit timestamp also
// {cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING,
// cmsg_data={scm_sec=S, scm_nsec=NS}}, the time since the script began,
// within the tolerance.
func (s *Syscalls) recvErrQueue(fd int, c *Syscall) (int64, string, bool, error) {
	e, err := s.sk.RecvErrQueue(fd)
	if err != nil {
		return fail(err)
	}
	ctl, has := structField(arg(c, 1), "msg_control")
	if !has || ctl.Kind == ExprEllipsis {
		return ok(0)
	}
	got := fmt.Sprintf("ee_errno=%d, ee_origin=%d, ee_code=%d, ee_info=%d, ee_data=%d", e.Errno, e.Origin, e.Code, e.Info, e.Data)
	if ctl.Kind != ExprList {
		return 0, "", false, unsupported("recvmsg: msg_control %s", ctl)
	}
	if len(ctl.Elems) == 0 {
		return 0, "", false, fmt.Errorf("an error-queue entry came (%s), script expects none", got)
	}
	for _, m := range ctl.Elems {
		level, ok1 := evalInt(must(structField(m, "cmsg_level")))
		typ, ok2 := evalInt(must(structField(m, "cmsg_type")))
		data, ok3 := structField(m, "cmsg_data")
		if !ok1 || !ok2 || !ok3 || data.Kind != ExprStruct {
			return 0, "", false, unsupported("recvmsg: control message %s", m)
		}
		switch {
		case level == solIP && typ == symbols["CMSG_TYPE_RECVERR"]:
			want := map[string]int64{"ee_errno": int64(e.Errno), "ee_origin": int64(e.Origin), "ee_type": 0,
				"ee_code": int64(e.Code), "ee_info": int64(e.Info), "ee_data": int64(e.Data)}
			for _, f := range []string{"ee_errno", "ee_origin", "ee_type", "ee_code", "ee_info", "ee_data"} {
				x, has := structField(data, f)
				if !has {
					continue
				}
				v, okv := evalInt(x)
				if !okv {
					return 0, "", false, unsupported("recvmsg: %s=%s", f, x)
				}
				if v != want[f] {
					return 0, "", false, fmt.Errorf("the error-queue entry is {%s}, script expects %s", got, m)
				}
			}
		case level == solSocket && typ == symbols["SCM_TIMESTAMPING"]:
			if int64(e.Origin) != symbols["SO_EE_ORIGIN_TIMESTAMPING"] {
				return 0, "", false, fmt.Errorf("the error-queue entry {%s} has no timestamp, script expects %s", got, m)
			}
			sec, ok1 := evalInt(must(structField(data, "scm_sec")))
			nsec, ok2 := evalInt(must(structField(data, "scm_nsec")))
			if !ok1 || !ok2 {
				return 0, "", false, unsupported("recvmsg: timestamp %s, want {scm_sec=S, scm_nsec=NS}", data)
			}
			want := time.Duration(sec)*time.Second + time.Duration(nsec)
			if d := e.At - want; d > s.run.Tolerance || -d > s.run.Tolerance {
				return 0, "", false, fmt.Errorf("the timestamp is %s, script expects %s (tolerance %s)", e.At, want, s.run.Tolerance)
			}
		default:
			return 0, "", false, unsupported("recvmsg: control message %s (netsim has IP_RECVERR and SCM_TIMESTAMPING on the error queue)", m)
		}
	}
	return ok(0)
}

// checkCmsgs checks recvmsg's msg_control=[{cmsg_level=SOL_TCP,
// cmsg_type=TCP_CM_INQ, cmsg_data=N}] against the control message the
// read gave: TCP_CM_INQ with inq when inqOn (TCP_INQ), none otherwise.
func checkCmsgs(c *Syscall, inq int, inqOn bool) error {
	ctl, has := structField(arg(c, 1), "msg_control")
	if !has || ctl.Kind == ExprEllipsis {
		return nil
	}
	if ctl.Kind != ExprList {
		return unsupported("recvmsg: msg_control %s, want [{cmsg_level=..., cmsg_type=..., cmsg_data=...}]", ctl)
	}
	if len(ctl.Elems) == 0 && inqOn {
		return fmt.Errorf("a TCP_CM_INQ control message of %d came, script expects none", inq)
	}
	for _, m := range ctl.Elems {
		level, ok1 := evalInt(must(structField(m, "cmsg_level")))
		typ, ok2 := evalInt(must(structField(m, "cmsg_type")))
		data, ok3 := evalInt(must(structField(m, "cmsg_data")))
		if !ok1 || !ok2 || !ok3 || level != ipprotoTCP || typ != tcpInq {
			return unsupported("recvmsg: control message %s (netsim has TCP_CM_INQ at SOL_TCP only)", m)
		}
		if !inqOn {
			return fmt.Errorf("no control message came (TCP_INQ is off), script expects %s", m)
		}
		if data != int64(inq) {
			return fmt.Errorf("TCP_CM_INQ is %d, script expects %s", inq, m)
		}
	}
	return nil
}

// nullBuffer says whether a read or write names the NULL pointer as its
// buffer (packetdrill passes the script's NULL to the kernel as is).
func nullBuffer(c *Syscall) bool {
	e := arg(c, 1)
	return e != nil && e.Kind == ExprWord && e.Str == "NULL"
}

// ioctl makes an ioctl request of a socket: ioctl(fd, SIOCINQ, [n])
// checks that the queue size is n, as getsockopt checks its value.
func (s *Syscalls) ioctl(fd int, c *Syscall) (int64, string, bool, error) {
	req, okr := evalInt(arg(c, 1))
	if !okr {
		return 0, "", false, unsupported("ioctl: request %s", argText(c, 1))
	}
	got, err := s.sk.Ioctl(fd, int(req))
	if err != nil {
		return fail(err)
	}
	if err := expect("ioctl "+argText(c, 1), arg(c, 2), int64(got)); err != nil {
		return 0, "", false, err
	}
	return ok(0)
}

// expect checks the value a call returned through its argument against
// the script's want (nothing written or "..." takes any); what names the
// value in errors.
func expect(what string, want *Expr, got int64) error {
	if want == nil || want.Kind == ExprEllipsis {
		return nil
	}
	w, okw := evalInt(want)
	if !okw {
		return unsupported("%s: value %s", what, want)
	}
	if w != got {
		return fmt.Errorf("%s is %d, script expects %s", what, got, want)
	}
	return nil
}

func (s *Syscalls) fcntl(st *fdState, c *Syscall) (int64, string, bool, error) {
	cmd, _ := evalInt(arg(c, 1))
	switch cmd {
	case symbols["F_GETFL"]:
		v := symbols["O_RDWR"]
		if st.nonblock {
			v |= symbols["O_NONBLOCK"]
		}
		return ok(v)
	case symbols["F_SETFL"]:
		v, okv := evalInt(arg(c, 2))
		if !okv {
			return 0, "", false, unsupported("fcntl: flags %s", argText(c, 2))
		}
		st.nonblock = v&symbols["O_NONBLOCK"] != 0
		return ok(0)
	}
	return 0, "", false, unsupported("fcntl command %s", argText(c, 1))
}

// sockopt returns the option named by a set/getsockopt call's third
// argument.
func sockopt(c *Syscall) string {
	if e := arg(c, 2); e != nil && e.Kind == ExprWord {
		return e.Str
	}
	return argText(c, 2)
}

// optNames maps the options scripts set and get to their level and name.
var optNames = map[string][2]int{
	"SO_REUSEADDR":         {solSocket, soReuseAddr},
	"SO_ERROR":             {solSocket, soError},
	"SO_SNDBUF":            {solSocket, soSndBuf},
	"SO_RCVBUF":            {solSocket, soRcvBuf},
	"SO_ZEROCOPY":          {solSocket, soZerocopy},
	"SO_MARK":              {solSocket, soMark},
	"SO_TIMESTAMPING":      {solSocket, soTimestamping},
	"TCP_NODELAY":          {ipprotoTCP, tcpNoDelay},
	"TCP_MAXSEG":           {ipprotoTCP, tcpMaxSeg},
	"TCP_CORK":             {ipprotoTCP, tcpCork},
	"TCP_USER_TIMEOUT":     {ipprotoTCP, tcpUserTO},
	"TCP_NOTSENT_LOWAT":    {ipprotoTCP, tcpNotsent},
	"TCP_INQ":              {ipprotoTCP, tcpInq},
	"TCP_FASTOPEN":         {ipprotoTCP, tcpFastOpen},
	"TCP_FASTOPEN_CONNECT": {ipprotoTCP, tcpFastOpenCon},
	"TCP_SYNCNT":           {ipprotoTCP, tcpSynCnt},
	"SO_KEEPALIVE":         {solSocket, soKeepalive},
	"TCP_KEEPIDLE":         {ipprotoTCP, tcpKeepIdle},
	"TCP_KEEPINTVL":        {ipprotoTCP, tcpKeepIntvl},
	"TCP_KEEPCNT":          {ipprotoTCP, tcpKeepCnt},
	"IP_TOS":               {solIP, ipTOS},
	"IP_MTU_DISCOVER":      {solIP, ipMTUDisc},
}

func (s *Syscalls) setsockopt(fd int, st *fdState, c *Syscall) (int64, string, bool, error) {
	name := sockopt(c)
	val := arg(c, 3)
	if name == "SO_LINGER" {
		on, ok1 := structField(val, "onoff", "l_onoff")
		secs, ok2 := structField(val, "linger", "l_linger")
		v1, ok3 := evalInt(on)
		v2, ok4 := evalInt(secs)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return 0, "", false, unsupported("setsockopt SO_LINGER: value %s, want {onoff=N, linger=N}", argText(c, 3))
		}
		st.lingerOn, st.linger = v1, v2
		return ok(0)
	}
	if name == "TCP_FASTOPEN_KEY" {
		return s.setFastOpenKey(fd, c)
	}
	if name == "TCP_CONGESTION" {
		return s.setCongestion(fd, c)
	}
	opt, known := optNames[name]
	if !known || name == "SO_ERROR" {
		return 0, "", false, unsupported("setsockopt: socket option %s", name)
	}
	v, okv := evalInt(val)
	if !okv {
		return 0, "", false, unsupported("setsockopt %s: value %s", name, argText(c, 3))
	}
	if err := s.sk.SetSockOpt(fd, opt[0], opt[1], int(v)); err != nil {
		return fail(err)
	}
	return ok(0)
}

// setFastOpenKey is setsockopt(fd, SOL_TCP, TCP_FASTOPEN_KEY, "KEY", LEN):
// the key written as a C string ("\xf7\x63..."), of which the call passes
// LEN bytes.
func (s *Syscalls) setFastOpenKey(fd int, c *Syscall) (int64, string, bool, error) {
	v, n := arg(c, 3), arg(c, 4)
	if v == nil || v.Kind != ExprString {
		return 0, "", false, unsupported("setsockopt TCP_FASTOPEN_KEY: value %s, want a string", argText(c, 3))
	}
	key, err := strconv.Unquote(`"` + v.Str + `"`)
	optlen, okn := evalInt(n)
	if err != nil || !okn {
		return 0, "", false, unsupported("setsockopt TCP_FASTOPEN_KEY: %s, %s: want a C string and its length", argText(c, 3), argText(c, 4))
	}
	// The call passes optlen bytes of the string's buffer (its NUL, then
	// zeros, past its end); the kernel checks the length first, so a
	// length past the longest key (32 bytes with the backup) reaches the
	// stack as 33 bytes and a negative one as none, both EINVAL there
	// (do_tcp_setsockopt, __sys_setsockopt), after its descriptor checks.
	buf := make([]byte, min(max(optlen, 0), 33))
	copy(buf, key)
	if err := s.sk.SetFastOpenKey(fd, buf); err != nil {
		return fail(err)
	}
	return ok(0)
}

// setCongestion is setsockopt(fd, SOL_TCP, TCP_CONGESTION, "NAME", LEN):
// the kernel reads at most LEN bytes of the name (do_tcp_setsockopt's
// strncpy_from_sockptr), so a short length names a prefix.
func (s *Syscalls) setCongestion(fd int, c *Syscall) (int64, string, bool, error) {
	v, n := arg(c, 3), arg(c, 4)
	optlen, okn := evalInt(n)
	if v == nil || v.Kind != ExprString || !okn {
		return 0, "", false, unsupported("setsockopt TCP_CONGESTION: %s, %s: want a string and its length", argText(c, 3), argText(c, 4))
	}
	name := v.Str[:min(max(optlen, 0), int64(len(v.Str)))]
	if err := s.sk.SetCongestion(fd, name); err != nil {
		return fail(err)
	}
	return ok(0)
}

func (s *Syscalls) getsockopt(fd int, st *fdState, c *Syscall) (int64, string, bool, error) {
	name := sockopt(c)
	want := arg(c, 3)
	if name == "TCP_CONGESTION" {
		got, err := s.sk.Congestion(fd)
		if err != nil {
			return fail(err)
		}
		if want == nil || want.Kind != ExprString {
			return 0, "", false, unsupported("getsockopt TCP_CONGESTION: value %s, want a string", argText(c, 3))
		}
		if got != want.Str {
			return 0, "", false, fmt.Errorf("getsockopt TCP_CONGESTION is %q, script expects %q", got, want.Str)
		}
		return ok(0)
	}
	if name == "SO_LINGER" {
		on, _ := evalInt(must(structField(want, "onoff", "l_onoff")))
		secs, _ := evalInt(must(structField(want, "linger", "l_linger")))
		if on != st.lingerOn || secs != st.linger {
			return 0, "", false, fmt.Errorf("getsockopt SO_LINGER is {onoff=%d, linger=%d}, script expects %s", st.lingerOn, st.linger, argText(c, 3))
		}
		return ok(0)
	}
	opt, known := optNames[name]
	if !known {
		return 0, "", false, unsupported("getsockopt: socket option %s", name)
	}
	got, err := s.sk.GetSockOpt(fd, opt[0], opt[1])
	if err != nil {
		return fail(err)
	}
	v := int64(got)
	if name == "SO_ERROR" {
		// Reading SO_ERROR clears the error as the first failing call
		// would (Linux sock_error).
		if st.errReported {
			v = 0
		}
		st.errReported = true
	}
	if err := expect("getsockopt "+name, want, v); err != nil {
		return 0, "", false, err
	}
	return ok(0)
}

func must(e *Expr, _ bool) *Expr { return e }

// poll reports readiness as poll(2): each {fd, events, revents} entry's
// events (plus POLLERR and POLLHUP, always reported) are checked against
// the socket's state; a written revents must equal what is found. With
// nothing ready it waits until its timeout (ms; -1 forever) unless the
// timeout is 0.
func (s *Syscalls) poll(now time.Duration, c *Syscall) (int64, string, bool, error) {
	list := arg(c, 0)
	if list == nil || list.Kind != ExprList {
		return 0, "", false, unsupported("poll: the first argument must be [{fd=..., events=...}], not %s", argText(c, 0))
	}
	timeout, okt := evalInt(arg(c, 2))
	if !okt || timeout > maxPollTimeout {
		return 0, "", false, unsupported("poll: timeout %s", argText(c, 2))
	}
	type entry struct {
		fd           int
		got, revents int64
		hasRevents   bool
	}
	var es []entry
	ready := int64(0)
	for _, p := range list.Elems {
		fdv, ok1 := evalInt(must(structField(p, "fd")))
		events, ok2 := evalInt(must(structField(p, "events")))
		if !ok1 || !ok2 {
			return 0, "", false, unsupported("poll: entry %s, want {fd=N, events=...}", p)
		}
		e := entry{fd: int(fdv)}
		if rv, has := structField(p, "revents"); has {
			e.revents, e.hasRevents = evalInt(rv)
		}
		r, err := s.sk.Poll(int(fdv))
		if err != nil {
			e.got = symbols["POLLNVAL"]
		} else {
			e.got = int64(r) & (events | symbols["POLLERR"] | symbols["POLLHUP"])
			if e.got&symbols["POLLIN"] != 0 && events&symbols["POLLRDNORM"] != 0 {
				e.got |= symbols["POLLRDNORM"]
			}
			if e.got&symbols["POLLOUT"] != 0 && events&symbols["POLLWRNORM"] != 0 {
				e.got |= symbols["POLLWRNORM"]
			}
		}
		if e.got != 0 {
			ready++
		}
		es = append(es, e)
	}
	if s.waits(now, c, ready > 0, timeout) {
		return blocked()
	}
	for _, e := range es {
		if e.hasRevents && e.revents != e.got {
			return 0, "", false, fmt.Errorf("poll: fd %d revents %s, script expects %s", e.fd, pollNames(e.got), pollNames(e.revents))
		}
	}
	return ok(ready)
}

// waits reports whether the poll or epoll_wait call c, which found
// nothing ready unless ready, blocks now: with nothing ready and a
// timeout (ms; -1 forever; 0 returns at once) it waits until the timeout,
// the runner calling it again meanwhile (Deadline says when it times
// out). A call that returns stops waiting.
func (s *Syscalls) waits(now time.Duration, c *Syscall, ready bool, timeout int64) bool {
	i := s.findPoll(c)
	if !ready && timeout != 0 {
		switch {
		case i < 0:
			until := time.Duration(-1)
			if timeout > 0 {
				until = now + time.Duration(timeout)*time.Millisecond
			}
			s.polls = append(s.polls, pollWait{call: c, until: until})
			return true
		case s.polls[i].until < 0 || now < s.polls[i].until:
			return true
		}
	}
	if i >= 0 {
		s.polls = append(s.polls[:i], s.polls[i+1:]...)
	}
	return false
}

func (s *Syscalls) findPoll(c *Syscall) int {
	for i, p := range s.polls {
		if p.call == c {
			return i
		}
	}
	return -1
}

// maxEpollEvents bounds epoll_wait's maxevents, so that a script cannot
// make the stack allocate without bound.
const maxEpollEvents = 1024

// epollCreate is epoll_create(size) (size must be positive, as Linux
// checks) or epoll_create1(flags).
func (s *Syscalls) epollCreate(c *Syscall) (int64, string, bool, error) {
	v, okv := evalInt(arg(c, 0))
	if !okv {
		return 0, "", false, unsupported("%s: argument %s", c.Name, argText(c, 0))
	}
	if c.Name == "epoll_create" && v <= 0 || c.Name == "epoll_create1" && v != 0 {
		return -1, tcp.EINVAL.String(), false, nil
	}
	fd, err := s.sk.EpollCreate()
	if err != nil {
		return fail(err)
	}
	s.setState(fd, &fdState{epoll: true})
	return ok(int64(fd))
}

// epollCtl is epoll_ctl(epfd, op, fd, {events=..., fd=...}).
func (s *Syscalls) epollCtl(epfd int, c *Syscall) (int64, string, bool, error) {
	op, ok1 := evalInt(arg(c, 1))
	fd, ok2 := evalInt(arg(c, 2))
	if !ok1 || !ok2 {
		return 0, "", false, unsupported("epoll_ctl: op %s, fd %s", argText(c, 1), argText(c, 2))
	}
	var events int64
	if e, has := structField(arg(c, 3), "events"); has {
		v, okv := evalInt(e)
		if !okv {
			return 0, "", false, unsupported("epoll_ctl: events %s", e)
		}
		events = v
	} else if op != symbols["EPOLL_CTL_DEL"] {
		return 0, "", false, unsupported("epoll_ctl: event %s, want {events=..., fd=N}", argText(c, 3))
	}
	if err := s.sk.EpollCtl(epfd, int(op), int(fd), uint32(events)); err != nil {
		return fail(err)
	}
	return ok(0)
}

// epollWait is epoll_wait(epfd, events, maxevents, timeout): the events
// written (one {events=..., fd=N} or a list of them) must be those
// returned, in order (a written fd is compared, ptr and u64 are not).
// With nothing ready it waits until its timeout (ms; -1 forever) unless
// the timeout is 0, as poll.
func (s *Syscalls) epollWait(now time.Duration, epfd int, c *Syscall) (int64, string, bool, error) {
	maxev, ok1 := evalInt(arg(c, 2))
	timeout, ok2 := evalInt(arg(c, 3))
	if !ok1 || !ok2 || maxev > maxEpollEvents || timeout > maxPollTimeout {
		return 0, "", false, unsupported("epoll_wait: maxevents %s, timeout %s", argText(c, 2), argText(c, 3))
	}
	if maxev <= 0 {
		return -1, tcp.EINVAL.String(), false, nil
	}
	out := make([]EpollEvent, maxev)
	n, err := s.sk.EpollWait(epfd, out)
	if err != nil {
		return fail(err)
	}
	if s.waits(now, c, n > 0, timeout) {
		return blocked()
	}
	want := arg(c, 1)
	var wants []*Expr
	switch {
	case want == nil:
	case want.Kind == ExprStruct:
		wants = []*Expr{want}
	case want.Kind == ExprList:
		wants = want.Elems
	}
	for k := 0; k < n && k < len(wants); k++ {
		if e, has := structField(wants[k], "events"); has {
			v, okv := evalInt(e)
			if !okv {
				return 0, "", false, unsupported("epoll_wait: events %s", e)
			}
			if uint32(v) != out[k].Events {
				return 0, "", false, fmt.Errorf("event %d is %s on fd %d, script expects %s", k, pollNames(int64(out[k].Events)), out[k].FD, wants[k])
			}
		}
		if e, has := structField(wants[k], "fd"); has {
			if v, okv := evalInt(e); okv && int(v) != out[k].FD {
				return 0, "", false, fmt.Errorf("event %d is on fd %d, script expects %s", k, out[k].FD, wants[k])
			}
		}
	}
	return ok(int64(n))
}
