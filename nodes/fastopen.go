package nodes

import (
	"slices"

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

// fastOpenMax is the listener's Fast Open queue length (0: none).
func (s *Socket) fastOpenMax() int {
	if s.opts == nil || s.opts.tfo == nil {
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
