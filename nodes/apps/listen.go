package apps

import (
	"net/netip"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// defaultBacklog is the listen queue a server app asks for when none is
// set (Linux's SOMAXCONN for many years).
const defaultBacklog = 128

// listenOn opens a socket listening on port (any address) of ctx's host,
// with events going to handler, and returns its descriptor. With fastOpen
// the listener gets a Fast Open queue as long as its backlog
// (TCP_FASTOPEN): it accepts data in a SYN when the host's fastopen
// setting has the server bit (0x2), as Linux's tcp_fastopen. A
// congestion control named in cc (TCP_CONGESTION) is the accepted
// connections' instead of the host's.
func listenOn(ctx *Context, port uint16, backlog int, fastOpen bool, cc string, handler nodes.Handler) (int, error) {
	h := ctx.Host
	fd, err := ctx.socket(cc)
	if err != nil {
		return -1, err
	}
	if err := h.Bind(fd, netip.AddrPortFrom(netip.IPv4Unspecified(), port)); err != nil {
		return -1, err
	}
	if backlog == 0 {
		backlog = defaultBacklog
	}
	if fastOpen {
		if err := h.SetSockOpt(fd, nodes.IPPROTO_TCP, nodes.TCP_FASTOPEN, backlog); err != nil {
			return -1, err
		}
	}
	if err := h.Listen(fd, backlog); err != nil {
		return -1, err
	}
	return fd, h.SetHandler(fd, handler)
}

// acceptAll accepts every connection waiting on the listener lfd, records
// an "accept" app event for each, and hands it to fn, which may read at
// once: data can arrive before Accept.
func acceptAll(ctx *Context, lfd int, fn func(cfd int, conn uint64)) {
	h := ctx.Host
	for {
		cfd, peer, err := h.Accept(lfd)
		if err != nil {
			return
		}
		info, _ := h.Info(cfd)
		ctx.Emit(sim.App{Event: sim.AppAccept, Has: sim.AppHasConn | sim.AppHasPeer, Conn: info.ConnID, Peer: peer})
		fn(cfd, info.ConnID)
	}
}

// listener is what the TCP server apps (Sink, and echo and
// request-response through server) share: a socket listening on a port
// that accepts every connection, a state of type C per connection, and the
// events of each connection it still holds handed to onEvent.
type listener[C any] struct {
	ctx   *Context
	lfd   int
	conns map[int]*C
	// newConn makes the state of the connection just accepted on fd.
	newConn func(fd int, conn uint64) *C
	// onEvent takes an event of the connection on fd; ev is SockReadable
	// right after the accept too, since data can arrive before Accept.
	onEvent func(fd int, c *C, ev nodes.SocketEvent, err nodes.Errno)
}

// listen opens the listening socket on port with the given backlog (0:
// defaultBacklog), with fastOpen a Fast Open queue, and with cc its
// connections' congestion control (listenOn).
func (l *listener[C]) listen(ctx *Context, port uint16, backlog int, fastOpen bool, cc string) error {
	l.ctx, l.conns = ctx, map[int]*C{}
	var err error
	l.lfd, err = listenOn(ctx, port, backlog, fastOpen, cc, l.socketEvent)
	return err
}

func (l *listener[C]) socketEvent(fd int, ev nodes.SocketEvent, err nodes.Errno) {
	if fd == l.lfd {
		acceptAll(l.ctx, fd, func(cfd int, conn uint64) {
			c := l.newConn(cfd, conn)
			l.conns[cfd] = c
			l.onEvent(cfd, c, nodes.SockReadable, 0)
		})
		return
	}
	if c := l.conns[fd]; c != nil {
		l.onEvent(fd, c, ev, err)
	}
}
