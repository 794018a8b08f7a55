package nodes

// Abort resets fd's connection and releases fd: close(2) on a socket with
// SO_LINGER on and a zero timeout. A synchronized connection (or one in
// SYN-RECEIVED) sends a RST instead of a FIN and discards its queued data
// (RFC 9293 §3.10.5, ABORT call). On a socket without a connection it is
// Close (an epoll descriptor too).
func (h *Host) Abort(fd int) error {
	s, err := h.file(fd)
	if err != nil {
		return err
	}
	if s.conn != nil && !s.connDone {
		s.conn.Abort(h.Now().Duration())
		s.flush()
	}
	return h.Close(fd)
}
