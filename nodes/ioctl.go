package nodes

// Ioctl requests of a TCP socket, numbered as on Linux (asm-generic/ioctls.h,
// linux/sockios.h).
const (
	SIOCINQ     = 0x541B // FIONREAD: bytes that can be read now
	SIOCOUTQ    = 0x5411 // TIOCOUTQ: bytes written and not yet acknowledged
	SIOCOUTQNSD = 0x894B // bytes written and not yet sent
)

// Ioctl answers one of the queue-size requests of a TCP socket as Linux's
// tcp_ioctl does: SIOCINQ the in-order bytes a read would return (tcp_inq:
// rcv_nxt - copied_seq, less the peer's FIN, which is no byte), SIOCOUTQ
// and SIOCOUTQNSD the send queue (tcp.Conn.Queued). All three are 0 while
// the handshake runs and EINVAL on a listener; another request, or one of
// an epoll descriptor, is ENOTTY, as Linux's sock_ioctl answers one no
// layer knows (ENOIOCTLCMD).
func (h *Host) Ioctl(fd, req int) (int, error) {
	s, err := h.socket(fd)
	if err == ENOTSOCK {
		return 0, ENOTTY // an epoll file has no ioctl method
	}
	if err != nil {
		return 0, err
	}
	if s.dgram != nil {
		return 0, ENOTTY
	}
	switch req {
	case SIOCINQ, SIOCOUTQ, SIOCOUTQNSD:
	default:
		return 0, ENOTTY
	}
	if s.listening {
		return 0, EINVAL
	}
	if s.conn == nil {
		return 0, nil
	}
	switch req {
	case SIOCINQ:
		if !s.conn.State().Synchronized() {
			return 0, nil
		}
		return s.conn.Readable(), nil
	case SIOCOUTQ:
		unacked, _ := s.conn.Queued()
		return unacked, nil
	}
	_, unsent := s.conn.Queued()
	return unsent, nil
}

// RecvInq is Recv that also returns, when TCP_INQ is on and the read
// succeeded (on), what
// Linux's tcp_recvmsg puts in its TCP_CM_INQ control message after the
// read (tcp_inq_hint): the bytes still to read, counting the peer's FIN
// as one (rcv_nxt - copied_seq), and 1 rather than 0 once the FIN came,
// so that the reader reads on to the end of the stream.
func (h *Host) RecvInq(fd int, p []byte) (n, inq int, on bool, err error) {
	n, err = h.Recv(fd, p)
	s, serr := h.socket(fd)
	if serr != nil || s.opts == nil || !s.opts.inq || s.conn == nil {
		return n, 0, false, err
	}
	if err != nil {
		// tcp_recvmsg adds the control message only when the read
		// returns bytes or end of file (ret >= 0).
		return n, 0, false, err
	}
	inq = s.conn.Readable()
	if s.conn.PeerFinished() {
		inq++
	}
	return n, inq, true, err
}
