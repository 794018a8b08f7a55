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
// with events going to handler, and returns its descriptor.
func listenOn(ctx *Context, port uint16, backlog int, handler nodes.Handler) (int, error) {
	h := ctx.Host
	fd, err := h.Socket()
	if err != nil {
		return -1, err
	}
	if err := h.Bind(fd, netip.AddrPortFrom(netip.IPv4Unspecified(), port)); err != nil {
		return -1, err
	}
	if backlog == 0 {
		backlog = defaultBacklog
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
