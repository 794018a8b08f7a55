package nodes

import "github.com/netsimlab/netsim/tcp"

// Option levels and names for SetSockOpt and GetSockOpt, numbered as on
// Linux (asm-generic/socket.h, linux/tcp.h) so that packetdrill scripts
// read naturally.
const (
	SOL_SOCKET  = 1
	IPPROTO_TCP = 6

	SO_REUSEADDR = 2 // allow Bind to a port no listener holds
	SO_ERROR     = 4 // get only: the pending error, cleared by reading it
	SO_SNDBUF    = 7
	SO_RCVBUF    = 8

	TCP_NODELAY = 1 // 1 turns Nagle's algorithm off
	TCP_MAXSEG  = 2 // the MSS to announce; set before Connect or Listen
)

// Linux's smallest socket buffers (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF with
// a 1500-byte MTU, roughly): smaller requests are raised to these.
const (
	minSndBuf = 4608
	minRcvBuf = 2304
)

// SetSockOpt sets an integer socket option. SO_RCVBUF and TCP_MAXSEG
// shape the connection made by a later Connect or Listen (an accepted
// connection inherits its listener's options) and fail with EISCONN
// afterwards; TCP_NODELAY and SO_SNDBUF apply at once, on a connected
// socket too. Unknown options give
// ENOPROTOOPT, bad values EINVAL.
func (h *Host) SetSockOpt(fd, level, name, value int) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	cfg := s.config()
	switch {
	case level == SOL_SOCKET && name == SO_REUSEADDR:
		s.reuseAddr = value != 0
		return nil
	case level == IPPROTO_TCP && name == TCP_NODELAY:
		cfg.Nagle = value == 0
		if s.conn != nil {
			s.conn.SetNagle(h.Now().Duration(), cfg.Nagle)
			s.flush()
			h.dispatch()
		}
		s.cfg = &cfg
		return nil
	}
	if s.conn != nil && level == SOL_SOCKET && name == SO_SNDBUF {
		// Linux lets SO_SNDBUF change at any time (sock_setsockopt sets
		// sk_sndbuf); the public packetdrill scripts raise it right after
		// accept.
		cfg.SendBuffer = max(value, minSndBuf)
		if err := s.conn.SetSendBuffer(cfg.SendBuffer); err != nil {
			return EINVAL
		}
		s.cfg = &cfg
		s.flush()
		h.dispatch()
		return nil
	}
	if s.conn != nil {
		return EISCONN
	}
	switch {
	case level == SOL_SOCKET && name == SO_SNDBUF:
		cfg.SendBuffer = max(value, minSndBuf)
	case level == SOL_SOCKET && name == SO_RCVBUF:
		cfg.RecvBuffer = max(value, minRcvBuf)
	case level == IPPROTO_TCP && name == TCP_MAXSEG:
		cfg.MSS = value
	default:
		return ENOPROTOOPT
	}
	if cfg.Validate() != nil {
		return EINVAL
	}
	s.cfg = &cfg
	return nil
}

// GetSockOpt returns an integer socket option. As on Linux, SO_SNDBUF and
// SO_RCVBUF report twice the size set (the kernel counts its bookkeeping
// in them), and reading SO_ERROR clears the pending error.
func (h *Host) GetSockOpt(fd, level, name int) (int, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	cfg := s.config()
	switch {
	case level == SOL_SOCKET && name == SO_ERROR:
		e := s.soError
		s.soError = 0
		return int(e), nil
	case level == SOL_SOCKET && name == SO_REUSEADDR:
		return boolInt(s.reuseAddr), nil
	case level == SOL_SOCKET && name == SO_SNDBUF:
		return 2 * cfg.SendBuffer, nil
	case level == SOL_SOCKET && name == SO_RCVBUF:
		return 2 * cfg.RecvBuffer, nil
	case level == IPPROTO_TCP && name == TCP_NODELAY:
		return boolInt(!cfg.Nagle), nil
	case level == IPPROTO_TCP && name == TCP_MAXSEG:
		if s.conn != nil && s.conn.State().Synchronized() {
			return s.conn.Stats().MSS, nil
		}
		return cfg.MSS, nil
	}
	return 0, ENOPROTOOPT
}

// config returns the settings of s's connection: its own when an option
// was set, else its host's.
func (s *Socket) config() tcp.Config {
	if s.cfg != nil {
		return *s.cfg
	}
	return s.h.cfg
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
