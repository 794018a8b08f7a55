package nodes

import "slices"

// epoll(7) flags and operations, numbered as on Linux
// (uapi/linux/eventpoll.h). The readiness bits are poll(2)'s.
const (
	EPOLLIN        = POLLIN
	EPOLLOUT       = POLLOUT
	EPOLLERR       = POLLERR
	EPOLLHUP       = POLLHUP
	EPOLLEXCLUSIVE = 1 << 28 // wake one of several instances (one instance: no effect); EPOLL_CTL_ADD only
	EPOLLONESHOT   = 1 << 30 // report once, then stay quiet until EPOLL_CTL_MOD
	EPOLLET        = 1 << 31 // edge-triggered: report only after a wakeup

	// epollPrivate are the flags that are no readiness (EP_PRIVATE_BITS).
	epollPrivate = EPOLLEXCLUSIVE | EPOLLONESHOT | EPOLLET

	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3
)

// epollWakeIn, epollWakeOut and epollWakeAll are the keys a socket's
// wakeups carry, as Linux's callbacks pass them to ep_poll_callback:
// sock_def_readable wakes readers, sk_stream_write_space writers, and
// sock_def_wakeup (a state change) everyone.
const (
	epollWakeIn  = EPOLLIN
	epollWakeOut = EPOLLOUT
	epollWakeAll = 0
)

// EpollEvent is one event EpollWait reports: the descriptor and its
// readiness, masked by what it was registered for.
type EpollEvent struct {
	FD     int
	Events uint32
}

// epollInst is one epoll instance: the descriptor that names it, the
// sockets it watches and its ready list (Linux's eventpoll rdllist: items
// in the order their wakeups came).
type epollInst struct {
	// self is the placeholder socket that holds the instance's descriptor
	// in its host's fds.
	self  *Socket
	items []*epItem
	ready []*epItem
}

// epItem is one watched socket (Linux's epitem).
type epItem struct {
	s      *Socket
	fd     int
	events uint32
	linked bool // on the ready list
}

// epollOf returns the epoll instance behind fd.
func (h *Host) epollOf(fd int) (*epollInst, error) {
	s, err := h.file(fd)
	if err != nil {
		return nil, err
	}
	if ep := h.net.epollBySock(s); ep != nil {
		return ep, nil
	}
	return nil, EINVAL
}

func (n *Network) epollBySock(s *Socket) *epollInst {
	for _, ep := range n.epolls {
		if ep.self == s {
			return ep
		}
	}
	return nil
}

// EpollCreate opens an epoll instance and returns its descriptor, the
// lowest free one (epoll_create1(0)).
func (h *Host) EpollCreate() (int, error) {
	s := &Socket{h: h}
	h.allocFD(s)
	h.net.epolls = append(h.net.epolls, &epollInst{self: s})
	return int(s.fd), nil
}

// epollClosed forgets s, whose descriptor is closed: the instance it
// names, when it is one, and its registrations (Linux's eventpoll_release
// when the file's last reference goes). It reports whether s was an epoll
// instance.
func (n *Network) epollClosed(s *Socket) bool {
	for i, ep := range n.epolls {
		if ep.self == s {
			n.epolls = slices.Delete(n.epolls, i, i+1)
			return true
		}
	}
	for _, ep := range n.epolls {
		if i := ep.find(s); i >= 0 {
			ep.remove(i)
		}
	}
	return false
}

// EpollCtl adds, changes or removes fd's registration in the epoll
// instance epfd, as Linux's epoll_ctl: EPOLLERR and EPOLLHUP are always
// watched; a socket already ready when added (or modified) goes on the
// ready list at once. Errors: EBADF for a descriptor not open, EINVAL for
// an epfd that is no epoll instance, fd == epfd or an unknown op, EEXIST
// to add a socket twice, ENOENT to change or remove one not added.
func (h *Host) EpollCtl(epfd, op, fd int, events uint32) error {
	ep, err := h.epollOf(epfd)
	if err != nil {
		return err
	}
	s, err := h.file(fd)
	if err != nil {
		return err
	}
	if fd == epfd || h.net.epollBySock(s) != nil {
		return EINVAL // Linux allows nesting epolls; netsim does not model it
	}
	i := ep.find(s)
	switch op {
	case EPOLL_CTL_ADD:
		if i >= 0 {
			return EEXIST
		}
		it := &epItem{s: s, fd: fd, events: events | EPOLLERR | EPOLLHUP}
		ep.items = append(ep.items, it)
		if ep.poll(it) != 0 {
			ep.link(it)
		}
	case EPOLL_CTL_MOD:
		if i < 0 {
			return ENOENT
		}
		if events&EPOLLEXCLUSIVE != 0 {
			return EINVAL // ep_ctl refuses it but with ADD
		}
		it := ep.items[i]
		it.events = events | EPOLLERR | EPOLLHUP
		if ep.poll(it) != 0 {
			ep.link(it)
		}
	case EPOLL_CTL_DEL:
		if i < 0 {
			return ENOENT
		}
		ep.remove(i)
	default:
		return EINVAL
	}
	return nil
}

// EpollWait fills out with the ready sockets, as Linux's ep_send_events:
// each item on the ready list, oldest first, is taken off it and polled;
// one no longer ready is dropped, one ready is reported and, unless it is
// edge-triggered or one-shot, put back at the tail (level-triggered: it
// stays ready until polled not ready). An edge-triggered socket is so
// reported once per wakeup: data arriving, buffer space freed for a
// writer, a state change. It never blocks: 0 means nothing is ready.
// EINVAL for an empty out.
func (h *Host) EpollWait(epfd int, out []EpollEvent) (int, error) {
	ep, err := h.epollOf(epfd)
	if err != nil {
		return 0, err
	}
	if len(out) == 0 {
		return 0, EINVAL
	}
	n := 0
	var again []*epItem
	for len(ep.ready) > 0 && n < len(out) {
		it := ep.ready[0]
		ep.ready = ep.ready[1:]
		it.linked = false
		rev := ep.poll(it)
		if rev == 0 {
			continue
		}
		out[n] = EpollEvent{FD: it.fd, Events: rev}
		n++
		switch {
		case it.events&EPOLLONESHOT != 0:
			it.events &= epollPrivate // disabled until EPOLL_CTL_MOD
		case it.events&EPOLLET == 0:
			again = append(again, it)
		}
	}
	for _, it := range again {
		ep.link(it)
	}
	return n, nil
}

// readable is poll(2) on the instance's own descriptor, Linux's
// ep_eventpoll_poll: POLLIN while an item on the ready list is ready.
func (ep *epollInst) readable() int {
	for _, it := range ep.ready {
		if ep.poll(it) != 0 {
			return POLLIN
		}
	}
	return 0
}

// poll is Linux's ep_item_poll: the socket's readiness now, masked by the
// events registered.
func (ep *epollInst) poll(it *epItem) uint32 {
	if it.s.fd < 0 {
		return 0 // closed: Linux removes the item with the file
	}
	r, err := ep.self.h.Poll(int(it.s.fd))
	if err != nil {
		return 0
	}
	return uint32(r) & it.events
}

// find returns the index of s's item, -1 when s is not watched.
func (ep *epollInst) find(s *Socket) int {
	return slices.IndexFunc(ep.items, func(it *epItem) bool { return it.s == s })
}

// remove forgets item i, taking it off the ready list too.
func (ep *epollInst) remove(i int) {
	ep.unlink(ep.items[i])
	ep.items = slices.Delete(ep.items, i, i+1)
}

func (ep *epollInst) link(it *epItem) {
	if !it.linked {
		it.linked = true
		ep.ready = append(ep.ready, it)
	}
}

func (ep *epollInst) unlink(it *epItem) {
	if it.linked {
		it.linked = false
		if i := slices.Index(ep.ready, it); i >= 0 {
			ep.ready = slices.Delete(ep.ready, i, i+1)
		}
	}
}

// epollWake is Linux's ep_poll_callback for every instance that watches
// s: a wakeup with a key the registration does not want is ignored (so
// arriving data does not wake a writer), as is one of a disabled one-shot
// registration; otherwise the item goes to the tail of the ready list,
// once.
func (n *Network) epollWake(s *Socket, key uint32) {
	for _, ep := range n.epolls {
		for _, it := range ep.items {
			if it.s != s {
				continue
			}
			if it.events&^epollPrivate == 0 || key != 0 && key&it.events == 0 {
				continue
			}
			ep.link(it)
		}
	}
}

// epollKey is the wakeup key of a socket event.
func epollKey(ev SocketEvent) uint32 {
	switch ev {
	case SockReadable, SockAcceptable:
		return epollWakeIn
	case SockError:
		return EPOLLERR
	}
	return epollWakeAll
}
