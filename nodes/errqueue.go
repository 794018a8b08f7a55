package nodes

import (
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// MSG_ZEROCOPY asks SendFlags for a completion notification once the
// data is acknowledged (Linux's MSG_ZEROCOPY, with SO_ZEROCOPY on).
const MSG_ZEROCOPY = 0x4000000

// SOL_SOCKET options of the error queue, numbered as on Linux.
const (
	SO_TIMESTAMPING = 37 // transmit timestamps (SOF_TIMESTAMPING_* flags)
	SO_ZEROCOPY     = 60 // allows MSG_ZEROCOPY sends
)

// SO_TIMESTAMPING flags netsim models (linux/net_tstamp.h).
const (
	SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1 // SCM_TSTAMP_SND: the segment handed to the device
	SOF_TIMESTAMPING_SOFTWARE    = 1 << 4 // report software timestamps
	SOF_TIMESTAMPING_OPT_ID      = 1 << 7 // number the bytes from the write at which it was set
	SOF_TIMESTAMPING_TX_SCHED    = 1 << 8 // SCM_TSTAMP_SCHED: the segment queued for the device
	SOF_TIMESTAMPING_TX_ACK      = 1 << 9 // SCM_TSTAMP_ACK: the byte acknowledged

	tsModelled = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
		SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_ACK
)

// Origins and codes of error-queue entries (linux/errqueue.h).
const (
	SO_EE_ORIGIN_TIMESTAMPING   = 4
	SO_EE_ORIGIN_ZEROCOPY       = 5
	SO_EE_CODE_ZEROCOPY_COPIED  = 1
	SCM_TSTAMP_SND              = 0
	SCM_TSTAMP_SCHED            = 1
	SCM_TSTAMP_ACK              = 2
	errQueueMaxZerocopyRangeLen = 1 << 31
)

// ErrQueueEntry is an entry of a socket's error queue, as Linux's struct
// sock_extended_err, with the time of a transmit timestamp.
//
// A MSG_ZEROCOPY completion (Origin SO_EE_ORIGIN_ZEROCOPY, Errno 0): the
// sends numbered Info to Data are acknowledged (each MSG_ZEROCOPY send
// that queues data takes the next number, from 0); Code is
// SO_EE_CODE_ZEROCOPY_COPIED, the kernel having copied the data rather
// than sent from the application's pages, as netsim always does.
//
// A transmit timestamp (Origin SO_EE_ORIGIN_TIMESTAMPING, Errno ENOMSG):
// Info says which (SCM_TSTAMP_SCHED, SND or ACK), Data is the byte's key
// (its offset from SND.UNA when SOF_TIMESTAMPING_OPT_ID was set), At the
// time.
type ErrQueueEntry struct {
	Errno  Errno
	Origin uint8
	Code   uint8
	Info   uint32
	Data   uint32
	At     time.Duration
}

// errQueue is a socket's error-queue bookkeeping (Linux's sk_zckey, the
// ubuf_info of each send, the timestamp keys, sk_error_queue). It lives
// on the Network, as epoll instances do, because Socket has no room left.
type errQueue struct {
	s *Socket
	// next is the number the next zerocopy send takes (sk_zckey).
	next uint32
	// pending holds the zerocopy sends whose data is not all
	// acknowledged, in order, with the sequence number after their last
	// byte.
	pending []zcSend
	// tsFlags are the SO_TIMESTAMPING flags; tsBase is the sequence
	// number keys count from (sk_tskey); marks the bytes to timestamp.
	tsFlags int
	tsBase  tcp.Seq
	marks   []tsMark
	queue   []ErrQueueEntry
}

type zcSend struct {
	end tcp.Seq
	id  uint32
}

// tsMark is the last byte of a write with timestamps on (tcp_tx_timestamp
// gives its skb the key); sent once its segment left.
type tsMark struct {
	seq  tcp.Seq
	sent bool
}

func (n *Network) errQueueOf(s *Socket, make bool) *errQueue {
	for _, q := range n.errq {
		if q.s == s {
			return q
		}
	}
	if !make {
		return nil
	}
	q := &errQueue{s: s}
	n.errq = append(n.errq, q)
	return q
}

// errPush queues an entry and reports it, as sock_queue_err_skb and
// sk_error_report do (POLLERR; epoll's EPOLLERR wakeup).
func (n *Network) errPush(q *errQueue, e ErrQueueEntry) {
	q.queue = append(q.queue, e)
	n.errReport(q.s)
}

func (n *Network) errReport(s *Socket) {
	if len(n.epolls) > 0 {
		n.epollWake(s, EPOLLERR)
	}
}

// ZerocopySent ends a MSG_ZEROCOPY send(2) on fd that queued data and
// that the caller made of several SendFlags calls without the flag, as a
// blocking send that waits for buffer space is: the call takes one
// number, and its completion comes once all it wrote is acknowledged.
// Linux's tcp_sendmsg_locked allocates one ubuf_info per call
// (msg_zerocopy_realloc) and holds a reference to it until the call
// returns (net_zcopy_put), so the part written before a wait cannot
// complete on its own. Without SO_ZEROCOPY it does nothing, as the flag
// is then ignored.
func (h *Host) ZerocopySent(fd int) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	if s.conn != nil && s.opts != nil && s.opts.zerocopy {
		h.zcSent(s)
	}
	return nil
}

// zcSent numbers a MSG_ZEROCOPY send that queued data, as
// msg_zerocopy_alloc does (a send that queued nothing takes no number:
// Linux gives it back, or allocates none for an empty message).
func (h *Host) zcSent(s *Socket) {
	q := h.net.errQueueOf(s, true)
	q.pending = append(q.pending, zcSend{end: s.conn.WriteEnd(), id: q.next})
	q.next++
}

// setTimestamping is setsockopt(SO_TIMESTAMPING) on a TCP socket:
// OPT_ID, when first set, numbers the bytes from SND.UNA (Linux's
// sock_set_timestamping sets sk_tskey = snd_una; write_seq is for
// SOF_TIMESTAMPING_OPT_ID_TCP, which netsim does not model), so bytes
// written before and not yet acknowledged count, and needs a connection
// (EINVAL on a listener or an unconnected socket). Flags netsim does not
// model are EINVAL.
func (h *Host) setTimestamping(s *Socket, flags int) error {
	if flags&^tsModelled != 0 {
		return EINVAL
	}
	q := h.net.errQueueOf(s, false)
	old := 0
	if q != nil {
		old = q.tsFlags
	}
	optID := flags&SOF_TIMESTAMPING_OPT_ID != 0 && old&SOF_TIMESTAMPING_OPT_ID == 0
	if optID && s.conn == nil {
		return EINVAL
	}
	if q == nil {
		if flags == 0 {
			return nil
		}
		q = h.net.errQueueOf(s, true)
	}
	if optID {
		q.tsBase = s.conn.SndUna()
	}
	q.tsFlags = flags
	return nil
}

// TxTimestamp is Linux's tcp_tx_timestamp at the end of a sendmsg that
// queued data: with transmit timestamps on, the last byte written is
// timestamped when its segment is queued and sent and when it is
// acknowledged. A write made of several Send calls asks once, at its
// end.
func (h *Host) TxTimestamp(fd int) error {
	s, err := h.socket(fd)
	if err != nil {
		return err
	}
	q := h.net.errQueueOf(s, false)
	if q == nil || s.conn == nil || q.tsFlags&(SOF_TIMESTAMPING_TX_SCHED|SOF_TIMESTAMPING_TX_SOFTWARE|SOF_TIMESTAMPING_TX_ACK) == 0 {
		return nil
	}
	end := s.conn.WriteEnd()
	if s.conn.Acked(end) {
		return nil // nothing written since
	}
	last := end.Add(^uint32(0))
	q.marks = append(q.marks, tsMark{seq: last})
	if s.conn.Sent(last) {
		// The write's own transmission took it already, at this
		// instant: Linux marks the skb first (tcp_tx_timestamp before
		// tcp_push), so its timestamps are of now.
		h.net.errSent(s, last, 1, h.Now().Duration())
	}
	return nil
}

// tsKey is a timestamped byte's ee_data: its offset from sk_tskey with
// OPT_ID, else 0.
func (q *errQueue) tsKey(seq tcp.Seq) uint32 {
	if q.tsFlags&SOF_TIMESTAMPING_OPT_ID == 0 {
		return 0
	}
	return uint32(seq.Sub(q.tsBase))
}

// errSent timestamps the marked bytes a segment of s carries the first
// time it leaves: SCM_TSTAMP_SCHED as it is queued for the device
// (__dev_queue_xmit) and SCM_TSTAMP_SND as the device takes it (the
// drill link, as packetdrill's tun device, takes it at once).
func (n *Network) errSent(s *Socket, seq tcp.Seq, length int, now time.Duration) {
	q := n.errQueueOf(s, false)
	if q == nil || length == 0 {
		return
	}
	for i := range q.marks {
		m := &q.marks[i]
		if m.sent || m.seq.LessThan(seq) || !m.seq.LessThan(seq.Add(uint32(length))) {
			continue
		}
		m.sent = true
		key := q.tsKey(m.seq)
		if q.tsFlags&SOF_TIMESTAMPING_TX_SCHED != 0 {
			n.errPush(q, ErrQueueEntry{Errno: ENOMSG, Origin: SO_EE_ORIGIN_TIMESTAMPING, Info: SCM_TSTAMP_SCHED, Data: key, At: now})
		}
		if q.tsFlags&SOF_TIMESTAMPING_TX_SOFTWARE != 0 {
			n.errPush(q, ErrQueueEntry{Errno: ENOMSG, Origin: SO_EE_ORIGIN_TIMESTAMPING, Info: SCM_TSTAMP_SND, Data: key, At: now})
		}
	}
}

// errAcked runs what an ACK completes: zerocopy sends whose data is all
// acknowledged, as __msg_zerocopy_callback when their last skb is freed
// (the completion extends the queue's last one when it continues its
// range, skb_zerocopy_notify_extend, else it is queued), and
// SCM_TSTAMP_ACK timestamps of acknowledged marked bytes (tcp_ack_tstamp).
func (n *Network) errAcked(s *Socket, now time.Duration) {
	q := n.errQueueOf(s, false)
	if q == nil || s.conn == nil {
		return
	}
	done := 0
	for _, p := range q.pending {
		if !s.conn.Acked(p.end) {
			break
		}
		done++
		if k := len(q.queue); k > 0 && q.queue[k-1].Origin == SO_EE_ORIGIN_ZEROCOPY &&
			q.queue[k-1].Data+1 == p.id && q.queue[k-1].Data-q.queue[k-1].Info < errQueueMaxZerocopyRangeLen {
			q.queue[k-1].Data = p.id
			n.errReport(s)
		} else {
			n.errPush(q, ErrQueueEntry{Origin: SO_EE_ORIGIN_ZEROCOPY, Code: SO_EE_CODE_ZEROCOPY_COPIED, Info: p.id, Data: p.id})
		}
	}
	q.pending = q.pending[:copy(q.pending, q.pending[done:])]
	done = 0
	for _, m := range q.marks {
		if !s.conn.Acked(m.seq.Add(1)) {
			break
		}
		done++
		if q.tsFlags&SOF_TIMESTAMPING_TX_ACK != 0 {
			n.errPush(q, ErrQueueEntry{Errno: ENOMSG, Origin: SO_EE_ORIGIN_TIMESTAMPING, Info: SCM_TSTAMP_ACK, Data: q.tsKey(m.seq), At: now})
		}
	}
	q.marks = q.marks[:copy(q.marks, q.marks[done:])]
}

// errQueued reports entries waiting on s's error queue.
func (n *Network) errQueued(s *Socket) bool {
	q := n.errQueueOf(s, false)
	return q != nil && len(q.queue) > 0
}

// errInherit gives child, as it is accepted, the SO_TIMESTAMPING flags
// of its listener l, as Linux's sk_clone_lock copies sk_tsflags with the
// rest of the socket (sock_copy); a listener never has OPT_ID (EINVAL in
// LISTEN), so there is no key to carry. At accept, not at the SYN, so
// that a child that dies in the queue leaves no bookkeeping behind
// (only Close forgets it); the child can write only once accepted.
func (n *Network) errInherit(l, child *Socket) {
	if q := n.errQueueOf(l, false); q != nil && q.tsFlags != 0 {
		n.errQueueOf(child, true).tsFlags = q.tsFlags
	}
}

// errClosed forgets s's bookkeeping when its descriptor is closed.
func (n *Network) errClosed(s *Socket) {
	for i, q := range n.errq {
		if q.s == s {
			n.errq = append(n.errq[:i], n.errq[i+1:]...)
			return
		}
	}
}

// RecvErrQueue takes the oldest entry of fd's error queue (recvmsg with
// MSG_ERRQUEUE, which never blocks); EAGAIN when there is none.
func (h *Host) RecvErrQueue(fd int) (ErrQueueEntry, error) {
	s, err := h.socket(fd)
	if err != nil {
		return ErrQueueEntry{}, err
	}
	q := h.net.errQueueOf(s, false)
	if q == nil || len(q.queue) == 0 {
		return ErrQueueEntry{}, EAGAIN
	}
	e := q.queue[0]
	q.queue = q.queue[:copy(q.queue, q.queue[1:])]
	return e, nil
}
