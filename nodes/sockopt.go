package nodes

import (
	"math"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Option levels and names for SetSockOpt and GetSockOpt, numbered as on
// Linux (asm-generic/socket.h, linux/tcp.h) so that packetdrill scripts
// read naturally.
const (
	SOL_SOCKET  = 1
	IPPROTO_IP  = 0 // SOL_IP
	IPPROTO_TCP = 6

	SO_REUSEADDR = 2 // allow Bind to a port no listener holds
	SO_ERROR     = 4 // get only: the pending error, cleared by reading it
	SO_KEEPALIVE = 9 // nonzero sends keepalive probes on an idle connection (tcp.Config.Keepalive)
	SO_SNDBUF    = 7
	SO_RCVBUF    = 8
	// SO_MARK is the socket's packet mark (Linux's sk_mark, copied to
	// each skb->mark it sends), which only routing rules, netfilter and
	// traffic control read: netsim has none of them, so it is kept and
	// reported, and changes nothing else.
	SO_MARK = 36

	TCP_NODELAY      = 1  // 1 turns Nagle's algorithm off
	TCP_MAXSEG       = 2  // the MSS to announce; set before Connect or Listen
	TCP_CORK         = 3  // 1 holds partial segments back until it is cleared (tcp.Conn.SetCork)
	TCP_USER_TIMEOUT = 18 // milliseconds data may stay unacknowledged (tcp.Config.UserTimeout); 0: off
	TCP_SYNCNT       = 7  // SYN retransmissions before connect fails (tcp.Config.SynRetries), 1 to 127 on Linux
	TCP_KEEPIDLE     = 4  // seconds idle before the first keepalive probe (tcp.Config.KeepaliveTime), 1 to 32767
	TCP_KEEPINTVL    = 5  // seconds between keepalive probes (tcp.Config.KeepaliveIntvl), 1 to 32767
	TCP_KEEPCNT      = 6  // keepalive probes unanswered before the connection ends (tcp.Config.KeepaliveProbes), 1 to 127
	TCP_INQ          = 36 // 1: RecvInq reports the bytes left to read (Linux's TCP_CM_INQ control message)
	// TCP_CONGESTION names the socket's congestion control: a string
	// option, set with SetCongestion and read with Congestion.
	TCP_CONGESTION = 13
	// TCP_NOTSENT_LOWAT limits the unsent bytes (tcp.Config.NotsentLowat);
	// 0 gives the host's notsent_lowat back, as Linux's tp->notsent_lowat.
	TCP_NOTSENT_LOWAT = 25

	IP_TOS          = 1  // the type-of-service byte of the socket's datagrams (DSCP; TCP keeps the ECN bits)
	IP_MTU_DISCOVER = 10 // path-MTU discovery mode, one of the IP_PMTUDISC_* values
)

// IP_MTU_DISCOVER values (linux/in.h). Linux's TCP sets Don't Fragment for
// IP_PMTUDISC_WANT (the default, ip_no_pmtu_disc=0) and IP_PMTUDISC_DO
// (ip_dont_fragment), and lowers its MSS on a fragmentation-needed message
// unless the mode is DONT, INTERFACE or OMIT (tcp_v4_mtu_reduced,
// ip_sk_accept_pmtu).
const (
	IP_PMTUDISC_DONT      = 0 // never set DF; ignore the path MTU
	IP_PMTUDISC_WANT      = 1 // set DF and learn the path MTU (the default)
	IP_PMTUDISC_DO        = 2 // always set DF
	IP_PMTUDISC_PROBE     = 3 // DF not set by TCP; the path MTU still lowers the MSS
	IP_PMTUDISC_INTERFACE = 4 // the interface MTU only
	IP_PMTUDISC_OMIT      = 5 // as INTERFACE
)

// Linux's floors on the socket buffer sizes it stores and reports
// (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF on x86_64).
const (
	minSndBuf = 4608
	minRcvBuf = 2304
	// maxSockBuf caps a request before it is doubled, as Linux caps it by
	// wmem_max/rmem_max, so that doubling cannot overflow.
	maxSockBuf = 1 << 30
)

// Indexes of Socket.bufReport.
const (
	sndBuf = iota
	rcvBuf
)

// setBuffer applies a SO_SNDBUF or SO_RCVBUF request to s. Linux
// (sock_setsockopt) stores max(2*val, floor) and reports that; half of it
// holds data, the rest is the kernel's bookkeeping, so the usable buffer
// is half the stored size — but at least one MSS, which netsim's TCP
// needs. It returns the usable size.
func (s *Socket) setBuffer(which, value, floor, mss int) int {
	stored := max(2*min(max(value, 0), maxSockBuf), floor)
	s.bufReport[which] = uint32(stored) // at most 2 × maxSockBuf
	return max(stored/2, mss)
}

// reportBuffer is what GetSockOpt says for SO_SNDBUF or SO_RCVBUF.
func (s *Socket) reportBuffer(which, usable int) int {
	if r := s.bufReport[which]; r != 0 {
		return int(r)
	}
	return 2 * usable
}

// SetSockOpt sets an integer socket option. SO_RCVBUF and TCP_MAXSEG
// shape the connection made by a later Connect or Listen (an accepted
// connection inherits its listener's options) and fail with EISCONN
// afterwards; the others (TCP_NODELAY, TCP_CORK, TCP_USER_TIMEOUT,
// SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
// TCP_NOTSENT_LOWAT, TCP_INQ, SO_SNDBUF, SO_ZEROCOPY, SO_TIMESTAMPING,
// SO_MARK, IP_TOS, IP_MTU_DISCOVER, SO_REUSEADDR) may be set at any time and apply
// at once. Unknown options give ENOPROTOOPT, bad values EINVAL.
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
	case level == IPPROTO_IP && name == IP_TOS:
		// Linux (do_ip_setsockopt) keeps the ECN bits of a stream
		// socket's TOS for TCP (RFC 3168): only the DSCP is the user's.
		s.tos = uint8(value) &^ 3
		return nil
	case level == IPPROTO_IP && name == IP_MTU_DISCOVER:
		if value < IP_PMTUDISC_DONT || value > IP_PMTUDISC_OMIT {
			return EINVAL
		}
		s.pmtuDisc = uint8(value) + 1
		return nil
	case level == IPPROTO_TCP && name == TCP_NODELAY:
		cfg.Nagle = value == 0
		if s.conn != nil {
			s.conn.SetNagle(h.Now().Duration(), cfg.Nagle)
			s.flush()
			h.dispatch()
		}
		return s.setConfig(cfg)
	case level == IPPROTO_TCP && name == TCP_NOTSENT_LOWAT:
		return h.setNotsentLowat(s, value)
	case level == SOL_SOCKET && name == SO_TIMESTAMPING:
		return h.setTimestamping(s, value)
	case level == SOL_SOCKET && name == SO_MARK:
		// sk_setsockopt (__sock_set_mark) stores any value as the u32
		// sk_mark; the CAP_NET_ADMIN it asks for is packetdrill's root.
		// A connection accepted later inherits it (sk_clone_lock copies
		// the listener, as newChild shares its opts).
		if s.opts != nil || value != 0 {
			s.ownOpts().mark = uint32(value)
		}
		return nil
	case level == SOL_SOCKET && name == SO_ZEROCOPY:
		// sk_setsockopt takes 0 or 1 on a TCP socket.
		on, err := flagValue(value)
		if err == nil {
			s.ownOpts().zerocopy = on
		}
		return err
	case level == IPPROTO_TCP && name == TCP_FASTOPEN:
		return s.setFastOpenQueue(value)
	case level == IPPROTO_TCP && name == TCP_FASTOPEN_CONNECT:
		return s.setFastOpenConnect(value)
	case level == IPPROTO_TCP && name == TCP_INQ:
		// Linux (do_tcp_setsockopt) takes 0 or 1, at any time.
		on, err := flagValue(value)
		if err == nil {
			s.ownOpts().inq = on
		}
		return err
	case level == IPPROTO_TCP && name == TCP_CORK:
		if s.conn != nil {
			s.conn.SetCork(h.Now().Duration(), value != 0)
			s.flush()
			h.dispatch()
			return nil
		}
		s.ownOpts().cork = value != 0
		return nil
	case level == IPPROTO_TCP && name == TCP_SYNCNT:
		// do_tcp_setsockopt takes 1 to MAX_TCP_SYNCNT (127); netsim's
		// syn_retries stops at 30, which such a count never reaches
		// before the connection would be given up anyway.
		if value < 1 || value > 127 {
			return EINVAL
		}
		cfg.SynRetries = min(value, 30)
		if err := s.setConfig(cfg); err != nil {
			return err
		}
		if s.conn != nil {
			return s.conn.SetSynRetries(cfg.SynRetries)
		}
		return nil
	case level == SOL_SOCKET && name == SO_KEEPALIVE,
		level == IPPROTO_TCP && (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL || name == TCP_KEEPCNT):
		return h.setKeepalive(s, cfg, name, value)
	case level == IPPROTO_TCP && name == TCP_USER_TIMEOUT:
		// Linux's do_tcp_setsockopt refuses only a negative value.
		if value < 0 {
			return EINVAL
		}
		cfg.UserTimeout = time.Duration(value) * time.Millisecond
		if err := s.setConfig(cfg); err != nil {
			return err
		}
		if s.conn != nil {
			return s.conn.SetUserTimeout(cfg.UserTimeout)
		}
		return nil
	}
	if s.conn != nil && level == SOL_SOCKET && name == SO_SNDBUF {
		// Linux lets SO_SNDBUF change at any time (sock_setsockopt sets
		// sk_sndbuf); the public packetdrill scripts raise it right after
		// accept.
		cfg.SendBuffer = s.setBuffer(sndBuf, value, minSndBuf, s.validConfig().MSS())
		if err := s.conn.SetSendBuffer(cfg.SendBuffer); err != nil {
			return EINVAL
		}
		if err := s.setConfig(cfg); err != nil {
			return err
		}
		s.flush()
		h.dispatch()
		return nil
	}
	if s.conn != nil {
		return EISCONN
	}
	switch {
	case level == SOL_SOCKET && name == SO_SNDBUF:
		cfg.SendBuffer = s.setBuffer(sndBuf, value, minSndBuf, s.validConfig().MSS())
	case level == SOL_SOCKET && name == SO_RCVBUF:
		cfg.RecvBuffer = s.setBuffer(rcvBuf, value, minRcvBuf, s.validConfig().MSS())
	case level == IPPROTO_TCP && name == TCP_MAXSEG:
		// Linux's do_tcp_setsockopt takes 0 (back to the route's
		// advmss: auto) or TCP_MIN_MSS to MAX_TCP_WINDOW (32767); the
		// settings check the floor.
		if value > maxTCPWindow {
			return EINVAL
		}
		cfg.MSS = value
	default:
		return ENOPROTOOPT
	}
	return s.setConfig(cfg)
}

// setKeepalive is SO_KEEPALIVE (any value, nonzero on: sock_valbool_flag)
// and TCP_KEEPIDLE, TCP_KEEPINTVL (seconds, 1 to 32767) and TCP_KEEPCNT
// (1 to 127), as Linux's sk_setsockopt and do_tcp_setsockopt: at any
// time, a connection taking them at once (tcp.Conn.SetKeepalive ...).
func (h *Host) setKeepalive(s *Socket, cfg tcp.Config, name, value int) error {
	switch name {
	case SO_KEEPALIVE:
		cfg.Keepalive = value != 0
	case TCP_KEEPIDLE, TCP_KEEPINTVL:
		if value < 1 || value > int(tcp.MaxKeepalive/time.Second) {
			return EINVAL
		}
		if name == TCP_KEEPIDLE {
			cfg.KeepaliveTime = time.Duration(value) * time.Second
		} else {
			cfg.KeepaliveIntvl = time.Duration(value) * time.Second
		}
	default: // TCP_KEEPCNT
		if value < 1 || value > tcp.MaxKeepaliveProbes {
			return EINVAL
		}
		cfg.KeepaliveProbes = value
	}
	if err := s.setConfig(cfg); err != nil {
		return err
	}
	c := s.conn
	if c == nil {
		return nil
	}
	now := h.Now().Duration()
	var err error
	switch name {
	case SO_KEEPALIVE:
		c.SetKeepalive(now, cfg.Keepalive)
	case TCP_KEEPIDLE:
		err = c.SetKeepaliveTime(now, cfg.KeepaliveTime)
	case TCP_KEEPINTVL:
		err = c.SetKeepaliveIntvl(cfg.KeepaliveIntvl)
	default:
		err = c.SetKeepaliveProbes(cfg.KeepaliveProbes)
	}
	if err != nil {
		return EINVAL
	}
	s.flush()
	h.dispatch()
	return nil
}

// sockOpts is what options set on a socket keep beyond the host's
// settings. A new one replaces it at each change, so that accepted
// connections may share their listener's.
type sockOpts struct {
	cfg tcp.ValidConfig
	// notsentLowat is TCP_NOTSENT_LOWAT as set, which getsockopt
	// reports (Linux's tp->notsent_lowat: 0 until set, and 0 means the
	// sysctl).
	notsentLowat uint32
	// cork is TCP_CORK set before the connection exists, which it
	// starts with.
	cork bool
	// inq is TCP_INQ (Linux's tp->recvmsg_inq).
	inq bool
	// zerocopy is SO_ZEROCOPY (SOCK_ZEROCOPY).
	zerocopy bool
	// mark is SO_MARK (sk_mark).
	mark uint32
	// tfo is a listener's Fast Open queue (fastopen.go), kept by the
	// copies ownOpts makes.
	tfo *fastOpenQueue
	// fastOpenConnect is TCP_FASTOPEN_CONNECT; tfoKey, when tfoKeySet,
	// the socket's TCP_FASTOPEN_KEY.
	fastOpenConnect, tfoKeySet bool
	tfoKey                     tcp.FastOpenKey
}

// setConfig gives s settings of its own, validated here, once, so that
// its connection opens without validating them again; EINVAL when they
// do not work.
func (s *Socket) setConfig(cfg tcp.Config) error {
	v, err := cfg.Valid()
	if err != nil {
		return EINVAL
	}
	s.ownOpts().cfg = v
	return nil
}

// ownOpts gives s options of its own, a copy of those it shares with its
// listener (or of the host's settings), so that changing one changes no
// other socket's.
func (s *Socket) ownOpts() *sockOpts {
	o := &sockOpts{cfg: s.h.cfg}
	if s.opts != nil {
		*o = *s.opts
	}
	s.opts = o
	return o
}

// tcpOptSocket returns the socket of fd for a TCP-level option set or
// read by a call of its own (a string or a buffer rather than an int):
// ENOPROTOOPT for a datagram socket, as Linux's udp_setsockopt answers a
// level it does not know.
func (h *Host) tcpOptSocket(fd int) (*Socket, error) {
	s, err := h.socket(fd)
	if err == nil && s.dgram != nil {
		return nil, ENOPROTOOPT
	}
	return s, err
}

// SetCongestion is setsockopt(TCP_CONGESTION): the connection that a
// later Connect or Listen makes (an accepted one inherits its listener's)
// uses the named congestion control, one of tcp.CongestionNames, instead
// of the host's; one that needs ECN (dctcp) turns ECN on for it, as
// Linux's tcp_ca_needs_ecn does, until another is picked. A connection
// already made or under way switches to it at once, on the window it has
// (tcp.Conn.SetCongestion, Linux's tcp_reinit_congestion_control), ECN
// negotiated or not as its handshake settled. An unknown name gives ENOENT,
// as Linux's tcp_set_congestion_control.
func (h *Host) SetCongestion(fd int, name string) error {
	s, err := h.tcpOptSocket(fd)
	if err != nil {
		return err
	}
	if s.conn != nil {
		if err := s.conn.SetCongestion(h.Now().Duration(), name); err != nil {
			return ENOENT
		}
		s.flush()
		h.dispatch()
	}
	base := s.validConfig()
	if cfg, host := base.Config(), h.cfg.Config().ECN; name != cfg.Congestion && cfg.ECN != host {
		// The congestion control picked before needed ECN and turned it
		// on (no socket option sets it otherwise): the new one asks as
		// the host's ecn setting says, as Linux's
		// tcp_reinit_congestion_control undoes INET_ECN_xmit.
		cfg.ECN = host
		if base, err = cfg.Valid(); err != nil {
			return EINVAL
		}
	}
	v, err := base.WithCongestion(name)
	if err != nil {
		return ENOENT
	}
	s.ownOpts().cfg = v
	return nil
}

// Congestion is getsockopt(TCP_CONGESTION): the name of the congestion
// control fd's connection uses ("dctcp-reno" for a dctcp one whose peer
// did not accept ECN, as Linux's dctcp_reno), or that its next one will.
func (h *Host) Congestion(fd int) (string, error) {
	s, err := h.tcpOptSocket(fd)
	if err != nil {
		return "", err
	}
	if s.conn != nil {
		return s.conn.CongestionControl().Name(), nil
	}
	return s.config().Congestion, nil
}

// setNotsentLowat is setsockopt(TCP_NOTSENT_LOWAT): Linux stores any
// value (do_tcp_setsockopt), and tcp_notsent_lowat uses the sysctl for
// 0; a threshold of 2^31 or more is no limit (a send buffer holds at
// most 2^30 bytes). A connection applies it at once and wakes a writer
// it lets write (sk_write_space).
func (h *Host) setNotsentLowat(s *Socket, value int) error {
	raw := uint32(value)
	eff := int64(raw)
	if raw == 0 {
		eff = int64(h.cfg.Config().NotsentLowat)
	}
	if eff > math.MaxInt32 {
		eff = 0
	}
	cfg := s.config()
	cfg.NotsentLowat = int(eff)
	if err := s.setConfig(cfg); err != nil {
		return err
	}
	s.opts.notsentLowat = raw
	if s.conn != nil {
		if err := s.conn.SetNotsentLowat(int(eff)); err != nil {
			return EINVAL
		}
		s.flush()
		h.dispatch()
	}
	return nil
}

// GetSockOpt returns an integer socket option. As on Linux, SO_SNDBUF and
// SO_RCVBUF report twice the size set, raised to Linux's floor (the kernel
// counts its bookkeeping in them), or, for a buffer left to autotuning,
// its memory now; reading SO_ERROR clears the pending error.
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
	case level == IPPROTO_IP && name == IP_TOS:
		return int(s.tos), nil
	case level == IPPROTO_IP && name == IP_MTU_DISCOVER:
		return s.pmtuMode(), nil
	case level == SOL_SOCKET && name == SO_SNDBUF:
		if s.conn != nil {
			return s.reportBuffer(sndBuf, s.conn.SendBufferSize()), nil
		}
		return s.reportBuffer(sndBuf, cfg.InitialSendBuffer()), nil
	case level == SOL_SOCKET && name == SO_RCVBUF:
		if s.conn != nil {
			return s.reportBuffer(rcvBuf, s.conn.RecvBufferSize()), nil
		}
		return s.reportBuffer(rcvBuf, cfg.InitialRecvBuffer()), nil
	case level == IPPROTO_TCP && name == TCP_NODELAY:
		return boolInt(!cfg.Nagle), nil
	case level == IPPROTO_TCP && name == TCP_USER_TIMEOUT:
		return int(cfg.UserTimeout / time.Millisecond), nil
	case level == SOL_SOCKET && name == SO_KEEPALIVE:
		return boolInt(cfg.Keepalive), nil
	case level == IPPROTO_TCP && name == TCP_KEEPIDLE:
		return int(cfg.KeepaliveTime / time.Second), nil
	case level == IPPROTO_TCP && name == TCP_KEEPINTVL:
		return int(cfg.KeepaliveIntvl / time.Second), nil
	case level == IPPROTO_TCP && name == TCP_KEEPCNT:
		return cfg.KeepaliveProbes, nil
	case level == IPPROTO_TCP && name == TCP_SYNCNT:
		return cfg.SynRetries, nil
	case level == IPPROTO_TCP && name == TCP_INQ:
		return boolInt(s.opts != nil && s.opts.inq), nil
	case level == IPPROTO_TCP && name == TCP_FASTOPEN:
		return s.fastOpenMax(), nil
	case level == IPPROTO_TCP && name == TCP_FASTOPEN_CONNECT:
		return boolInt(s.opts != nil && s.opts.fastOpenConnect), nil
	case level == SOL_SOCKET && name == SO_ZEROCOPY:
		return boolInt(s.opts != nil && s.opts.zerocopy), nil
	case level == SOL_SOCKET && name == SO_MARK:
		// sk_getsockopt answers the u32 as an int.
		if s.opts == nil {
			return 0, nil
		}
		return int(int32(s.opts.mark)), nil
	case level == SOL_SOCKET && name == SO_TIMESTAMPING:
		if q := h.net.errQueueOf(s, false); q != nil {
			return q.tsFlags, nil
		}
		return 0, nil
	case level == IPPROTO_TCP && name == TCP_CORK:
		if s.conn != nil {
			return boolInt(s.conn.Corked()), nil
		}
		return boolInt(s.opts != nil && s.opts.cork), nil
	case level == IPPROTO_TCP && name == TCP_NOTSENT_LOWAT:
		if s.opts == nil {
			return 0, nil
		}
		return int(s.opts.notsentLowat), nil
	case level == IPPROTO_TCP && name == TCP_MAXSEG:
		if s.conn != nil && s.conn.State().Synchronized() {
			return s.conn.Stats().MSS, nil
		}
		return s.maxsegUnsynced(), nil
	}
	return 0, ENOPROTOOPT
}

// maxTCPWindow is Linux's MAX_TCP_WINDOW, the largest TCP_MAXSEG it
// takes.
const maxTCPWindow = 32767

// tcpMSSDefault is Linux's TCP_MSS_DEFAULT (RFC 9293 §3.7.1's 536): the
// mss_cache of a socket that has not connected (tcp_init_sock), and the
// mss_clamp of a connect without TCP_MAXSEG (tcp_v4_connect).
const tcpMSSDefault = 536

// maxsegUnsynced is getsockopt(TCP_MAXSEG) before a handshake ends, as
// Linux's do_tcp_getsockopt answers it from tp->mss_cache: TCP_MAXSEG's
// value when set, else TCP_MSS_DEFAULT, before connect (whatever the
// route: an auto MSS is only resolved when the connection opens); in
// SYN-SENT what tcp_connect_init's tcp_sync_mss made it, the route's MSS
// clamped to TCP_MAXSEG's value or TCP_MSS_DEFAULT (mss_clamp), less the
// timestamps the SYN offers (tcp_header_len).
func (s *Socket) maxsegUnsynced() int {
	clamp := s.config().MSS // 0: auto
	if clamp == 0 {
		clamp = tcpMSSDefault
	}
	if s.conn == nil {
		return clamp
	}
	if s.conn.State() != tcp.SynSent {
		return s.validConfig().MSS()
	}
	cfg := s.conn.Config()
	mss := min(cfg.MSS, clamp)
	if cfg.Timestamps {
		mss -= tcp.TimestampsAligned
	}
	return mss
}

// config returns the settings of s's connection: its own when an option
// was set, else its host's.
func (s *Socket) config() tcp.Config { return s.validConfig().Config() }

// validConfig is config, as validated when it was set.
func (s *Socket) validConfig() tcp.ValidConfig {
	if s.opts != nil {
		return s.opts.cfg
	}
	return s.h.cfg
}

// pmtuMode is the socket's IP_MTU_DISCOVER mode (IP_PMTUDISC_WANT until
// set).
func (s *Socket) pmtuMode() int {
	if s.pmtuDisc == 0 {
		return IP_PMTUDISC_WANT
	}
	return int(s.pmtuDisc) - 1
}

// dontFragment says whether the socket's TCP segments carry Don't
// Fragment (Linux's ip_dont_fragment).
func (s *Socket) dontFragment() bool {
	m := s.pmtuMode()
	return m == IP_PMTUDISC_WANT || m == IP_PMTUDISC_DO
}

// acceptsPMTU says whether a fragmentation-needed message may lower the
// connection's MSS (tcp_v4_mtu_reduced with ip_sk_accept_pmtu).
func (s *Socket) acceptsPMTU() bool {
	m := s.pmtuMode()
	return m != IP_PMTUDISC_DONT && m != IP_PMTUDISC_INTERFACE && m != IP_PMTUDISC_OMIT
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// flagValue reads an option that is on or off: 1 or 0, anything else
// EINVAL, as Linux's sk_setsockopt and do_tcp_setsockopt take SO_ZEROCOPY,
// TCP_INQ and TCP_FASTOPEN_CONNECT (other boolean options take any
// non-zero value as on).
func flagValue(v int) (bool, error) {
	if v != 0 && v != 1 {
		return false, EINVAL
	}
	return v == 1, nil
}
