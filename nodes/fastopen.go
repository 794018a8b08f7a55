package nodes

import (
	"net/netip"
	"slices"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// TCP Fast Open (RFC 7413) at the socket layer, as Linux's: a listener's
// Fast Open queue (TCP_FASTOPEN) and the children it accepted from a SYN
// before their handshake completed.

// Fast Open socket options (linux/tcp.h).
const (
	// TCP_FASTOPEN sets a listener's Fast Open queue length (Linux's
	// fastopenq.max_qlen); 0 turns its server side off.
	TCP_FASTOPEN = 23
)

// fastOpenQueue is a listener's Fast Open state: the queue length allowed
// and the children it counts.
type fastOpenQueue struct {
	// max is the queue length (TCP_FASTOPEN, or the backlog with
	// tcp.FastOpenServerAnyListener).
	max int
	// kids are the children accepted from a Fast Open SYN whose
	// handshake may still be incomplete (Linux's fastopenq.qlen counts
	// them until reqsk_fastopen_remove).
	kids []*Socket
}

// setFastOpenQueue is setsockopt(TCP_FASTOPEN): Linux's do_tcp_setsockopt
// takes a length of 0 or more on a socket that is closed or listening,
// capped at somaxconn (fastopen_queue_tune).
func (s *Socket) setFastOpenQueue(n int) error {
	if n < 0 || s.conn != nil {
		return EINVAL
	}
	s.fastOpenQ().max = min(n, SomaxConn)
	return nil
}

// fastOpenQ returns the socket's Fast Open queue, made on first use.
func (s *Socket) fastOpenQ() *fastOpenQueue {
	o := s.ownOpts()
	if o.tfo == nil {
		o.tfo = &fastOpenQueue{}
	}
	return o.tfo
}

// fastOpenMax is the listener's Fast Open queue length (0: none). An
// accepted child shares its listener's options but has no queue (Linux's
// inet_csk_clone_lock clears the child's accept queue).
func (s *Socket) fastOpenMax() int {
	if s.opts == nil || s.opts.tfo == nil || s.server {
		return 0
	}
	return s.opts.tfo.max
}

// listenFastOpen gives a new listener a Fast Open queue as long as its
// backlog when the host enables the server side on every listener
// (TFO_SERVER_WO_SOCKOPT1 in Linux's inet_listen) and no TCP_FASTOPEN
// set one.
func (s *Socket) listenFastOpen(backlog int) {
	mask := s.config().FastOpen
	if mask&tcp.FastOpenServerAnyListener != 0 && mask&tcp.FastOpenServer != 0 && s.fastOpenMax() == 0 {
		s.fastOpenQ().max = min(max(backlog, 0), SomaxConn)
	}
}

// fastOpenSyn tells child, made by listener l for a SYN, what Fast Open
// the listener allows (Linux's tcp_try_fastopen reads it from the
// listener): only when its server side is on and it has a queue.
func (l *Socket) fastOpenSyn(child *Socket) {
	cfg := l.config()
	n := l.fastOpenMax()
	if cfg.FastOpen&tcp.FastOpenServer == 0 || n == 0 {
		return
	}
	q := l.opts.tfo
	// tcp_fastopen_queue_check: children whose handshake ended (or that
	// closed) have left the queue.
	q.kids = slices.DeleteFunc(q.kids, func(k *Socket) bool { return k.connDone || !k.conn.FastOpenPassive() })
	key, _ := tcp.ParseFastOpenKey(cfg.FastOpenKey) // validated with the settings
	if l.opts.tfoKeySet {
		key = l.opts.tfoKey // the listener's TCP_FASTOPEN_KEY (tcp_fastopen_get_ctx)
	}
	child.conn.SetFastOpenListener(tcp.FastOpenListener{
		On:       len(q.kids) < n,
		NoCookie: cfg.FastOpen&tcp.FastOpenServerNoCookie != 0,
		Key:      key,
	})
}

// fastOpenAccepted notes that child was accepted from its SYN.
func (l *Socket) fastOpenAccepted(child *Socket) {
	if child.conn == nil || !child.conn.FastOpenPassive() {
		return
	}
	child.tfoChild = true
	l.opts.tfo.kids = append(l.opts.tfo.kids, child)
}

// Fast Open's client side: the sendto(MSG_FASTOPEN) flag and the
// TCP_FASTOPEN_CONNECT option (linux/socket.h, linux/tcp.h).
const (
	MSG_FASTOPEN = 0x20000000
	// TCP_FASTOPEN_CONNECT defers connect's SYN to the first write,
	// which it carries (Linux's tcp_fastopen_defer_connect).
	TCP_FASTOPEN_CONNECT = 30
)

// fastOpenEntry is what a host learned of one server for Fast Open
// (Linux's tcp_fastopen_metrics): the cookie it gave, its MSS, and
// whether to ask for a cookie in the experimental form.
type fastOpenEntry struct {
	cookie tcp.FastOpenOption
	mss    int
	tryExp int
}

// fastOpenRequest is what a SYN to addr carries (Linux's
// tcp_fastopen_cookie_check): the cached cookie and data, or a cookie
// request; with tcp.FastOpenClientNoCookie data without a cookie.
func (h *Host) fastOpenRequest(cfg tcp.Config, addr netip.Addr) tcp.FastOpenRequest {
	e := h.net.tfoCache[h][addr]
	req := tcp.FastOpenRequest{Cookie: e.cookie, MSS: e.mss}
	if req.Cookie.Len <= 0 {
		// tcp_fastopen_cache_get: a request goes in the experimental
		// form once one in the RFC's got no cookie (try_exp 1).
		req.Cookie = tcp.FastOpenOption{Exp: e.tryExp == 1}
	}
	if cfg.FastOpen&tcp.FastOpenClientNoCookie != 0 {
		req.Cookie.Len, req.Data = -1, true
		return req
	}
	req.Data = req.Cookie.Len > 0
	return req
}

// fastOpenLearn caches what s's SYN-ACK taught (tcp_fastopen_cache_set).
func (h *Host) fastOpenLearn(s *Socket) {
	r, ok := s.conn.FastOpenResult()
	if !ok {
		return
	}
	if h.net.tfoCache == nil {
		h.net.tfoCache = make(map[*Host]map[netip.Addr]fastOpenEntry)
	}
	m := h.net.tfoCache[h]
	if m == nil {
		m = make(map[netip.Addr]fastOpenEntry)
		h.net.tfoCache[h] = m
	}
	k := s.remote.Addr()
	e := m[k]
	if r.MSS > 0 {
		e.mss = r.MSS
	}
	switch {
	case r.Cookie.Len > 0:
		e.cookie = r.Cookie
	case r.TryExp > e.tryExp && e.cookie.Len <= 0 && !e.cookie.Exp:
		e.tryExp = r.TryExp
	}
	m[k] = e
}

// FlushTCPMetrics forgets what the host's Fast Open clients learned of
// every server, as `ip tcp_metrics flush all` does on Linux.
func (h *Host) FlushTCPMetrics() { delete(h.net.tfoCache, h) }

// ConnectFastOpen is sendto with MSG_FASTOPEN on a TCP socket that is not
// connected (Linux's tcp_sendmsg_fastopen): it connects fd to addr with a
// SYN that carries as much of p as it may (a cookie for addr is cached,
// or tcp_fastopen has bit 0x4), else a SYN that asks for a cookie. It
// returns how many bytes of p the SYN carries and EINPROGRESS; wait
// says the caller blocks until the handshake completes to write the
// rest (the ACK of the SYN-ACK waits for that data). EALREADY
// while a connection is under way, EISCONN once connected (the caller
// sends then), EOPNOTSUPP without the client bit of tcp_fastopen, and
// Connect's errors.
func (h *Host) ConnectFastOpen(fd int, addr netip.AddrPort, p []byte, wait bool) (int, error) {
	s, err := h.socket(fd)
	if err != nil {
		return 0, err
	}
	if s.dgram != nil || s.config().FastOpen&tcp.FastOpenClient == 0 {
		return 0, EOPNOTSUPP
	}
	if s.deferred {
		// The write after connect with TCP_FASTOPEN_CONNECT.
		s.deferred = false
		addr = s.remote
	}
	if err := h.connectCheck(s, addr); err != nil {
		return 0, err
	}
	n := 0
	err = h.connectTCP(s, addr, func(c *tcp.Conn, now time.Duration) error {
		var cerr error
		req := h.fastOpenRequest(s.config(), addr.Addr())
		req.WritePending = wait
		n, cerr = c.ConnectFastOpen(now, req, p)
		return cerr
	})
	return n, err
}

// setFastOpenConnect is setsockopt(TCP_FASTOPEN_CONNECT): 0 or 1, on a
// socket not yet connected, with the client side enabled
// (do_tcp_setsockopt).
func (s *Socket) setFastOpenConnect(v int) error {
	on, err := flagValue(v)
	switch {
	case err != nil:
		return err
	case s.config().FastOpen&tcp.FastOpenClient == 0:
		return EOPNOTSUPP
	case s.conn != nil || s.deferred:
		return EINVAL
	}
	s.ownOpts().fastOpenConnect = on
	return nil
}

// connectFastOpenDeferred is connect with TCP_FASTOPEN_CONNECT (Linux's
// tcp_fastopen_defer_connect): when the SYN could carry data, connect
// returns 0 at once and the first write sends the SYN with it; otherwise
// connect sends a SYN that asks for a cookie. It reports whether it
// deferred.
func (h *Host) connectFastOpenDeferred(s *Socket, addr netip.AddrPort) (bool, error) {
	req := h.fastOpenRequest(s.config(), addr.Addr())
	if req.Data {
		if !s.bound {
			if err := h.Bind(int(s.fd), netip.AddrPortFrom(h.addr, 0)); err != nil {
				return false, EADDRNOTAVAIL
			}
		}
		s.remote, s.deferred = addr, true
		return true, nil
	}
	return false, h.connectTCP(s, addr, func(c *tcp.Conn, now time.Duration) error {
		_, cerr := c.ConnectFastOpen(now, req, nil)
		return cerr
	})
}

// TCP_FASTOPEN_KEY sets a socket's own Fast Open key (linux/tcp.h).
const TCP_FASTOPEN_KEY = 33

// SetFastOpenKey is setsockopt(TCP_FASTOPEN_KEY): the key a listener makes
// and checks its cookies with instead of the host's fastopen_key (Linux's
// tcp_fastopen_reset_cipher for the socket). key holds 16 bytes, or 32
// with a backup key, which netsim ignores; other lengths are EINVAL.
func (h *Host) SetFastOpenKey(fd int, key []byte) error {
	s, err := h.tcpOptSocket(fd)
	if err != nil {
		return err
	}
	if len(key) != 16 && len(key) != 32 {
		return EINVAL
	}
	o := s.ownOpts()
	o.tfoKey, o.tfoKeySet = tcp.FastOpenKey(key[:16]), true
	return nil
}
