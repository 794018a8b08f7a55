package nodes

import "github.com/netsimlab/netsim/tcp"

// MSG_ZEROCOPY asks SendFlags for a completion notification once the
// data is acknowledged (Linux's MSG_ZEROCOPY, with SO_ZEROCOPY on).
const MSG_ZEROCOPY = 0x4000000

// SO_ZEROCOPY (SOL_SOCKET) allows MSG_ZEROCOPY sends.
const SO_ZEROCOPY = 60

// ZerocopyNote is a completion notification of MSG_ZEROCOPY sends, as
// Linux queues it on the socket's error queue (struct
// sock_extended_err with ee_origin SO_EE_ORIGIN_ZEROCOPY): the sends
// numbered Lo to Hi (ee_info, ee_data; each MSG_ZEROCOPY send that
// queues data takes the next number, from 0) are complete, their data
// acknowledged. Copied is SO_EE_CODE_ZEROCOPY_COPIED: the kernel copied
// the data rather than sending from the application's pages, which
// netsim always does.
type ZerocopyNote struct {
	Lo, Hi uint32
	Copied bool
}

// zcState is a socket's MSG_ZEROCOPY bookkeeping (Linux's sk_zckey, the
// ubuf_info of each send, the error queue). It lives on the Network,
// as epoll instances do, because Socket has no room left.
type zcState struct {
	s *Socket
	// next is the number the next send takes (sk_zckey).
	next uint32
	// pending holds the sends whose data is not all acknowledged, in
	// order, with the sequence number after their last byte.
	pending []zcSend
	// queue is the error queue.
	queue []ZerocopyNote
}

type zcSend struct {
	end tcp.Seq
	id  uint32
}

func (n *Network) zcOf(s *Socket, make bool) *zcState {
	for _, z := range n.zc {
		if z.s == s {
			return z
		}
	}
	if !make {
		return nil
	}
	z := &zcState{s: s}
	n.zc = append(n.zc, z)
	return z
}

// zcSent numbers a MSG_ZEROCOPY send that queued data, as
// msg_zerocopy_alloc does (a send that queued nothing takes no number:
// Linux gives it back, or allocates none for an empty message).
func (h *Host) zcSent(s *Socket) {
	z := h.net.zcOf(s, true)
	z.pending = append(z.pending, zcSend{end: s.conn.WriteEnd(), id: z.next})
	z.next++
}

// zcAcked completes the sends whose data the peer acknowledged, as
// __msg_zerocopy_callback does when their last skb is freed: the
// notification extends the error queue's last one when it continues its
// range (skb_zerocopy_notify_extend), else it is queued; either way the
// socket reports an error event (sk_error_report: POLLERR, and epoll's
// EPOLLERR wakeup).
func (n *Network) zcAcked(s *Socket) {
	z := n.zcOf(s, false)
	if z == nil || s.conn == nil {
		return
	}
	done := 0
	for _, p := range z.pending {
		if !s.conn.Acked(p.end) {
			break
		}
		done++
		if q := len(z.queue); q > 0 && z.queue[q-1].Hi+1 == p.id && z.queue[q-1].Hi-z.queue[q-1].Lo < 1<<31 {
			z.queue[q-1].Hi = p.id
		} else {
			z.queue = append(z.queue, ZerocopyNote{Lo: p.id, Hi: p.id, Copied: true})
		}
	}
	if done == 0 {
		return
	}
	z.pending = z.pending[:copy(z.pending, z.pending[done:])]
	if len(n.epolls) > 0 {
		n.epollWake(s, EPOLLERR)
	}
}

// zcQueued reports notifications waiting on s's error queue.
func (n *Network) zcQueued(s *Socket) bool {
	z := n.zcOf(s, false)
	return z != nil && len(z.queue) > 0
}

// zcClosed forgets s's bookkeeping when its descriptor is closed.
func (n *Network) zcClosed(s *Socket) {
	for i, z := range n.zc {
		if z.s == s {
			n.zc = append(n.zc[:i], n.zc[i+1:]...)
			return
		}
	}
}

// RecvErrQueue takes the oldest notification from fd's error queue
// (recvmsg with MSG_ERRQUEUE); EAGAIN when there is none.
func (h *Host) RecvErrQueue(fd int) (ZerocopyNote, error) {
	s, err := h.socket(fd)
	if err != nil {
		return ZerocopyNote{}, err
	}
	z := h.net.zcOf(s, false)
	if z == nil || len(z.queue) == 0 {
		return ZerocopyNote{}, EAGAIN
	}
	note := z.queue[0]
	z.queue = z.queue[:copy(z.queue, z.queue[1:])]
	return note, nil
}
