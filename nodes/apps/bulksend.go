package apps

import (
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// BulkSend connects to To, writes Bytes bytes of the pattern as fast as
// the connection takes them, then shuts down its write side (a FIN after
// the data) and waits for the peer to close in turn before closing: the
// transfer is done when the peer has read everything and said so. Bytes
// 0 only opens and closes the connection. Records: connect, send (bytes
// per write burst), recv (bytes per read burst, when the peer sends any),
// close, done (bytes and duration from connect), or error.
type BulkSend struct {
	To    netip.AddrPort
	Bytes int64
	// Congestion names the connection's congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string

	// Sent counts bytes the socket accepted; Received counts bytes the
	// peer sent back (read and discarded); Done reports completion and
	// Duration how long it took from connect.
	Sent     int64
	Received int64
	Done     bool
	Duration time.Duration
	// Err is the error that ended the transfer, if any.
	Err nodes.Errno

	ctx   *Context
	fd    int
	conn  uint64
	start sim.Time
	shut  bool
}

// Type returns "bulk-send".
func (b *BulkSend) Type() string { return "bulk-send" }

// Start connects.
func (b *BulkSend) Start(ctx *Context) error {
	b.ctx, b.start = ctx, ctx.Now()
	fd, conn, err := ctx.dial(b.To, b.Congestion, b.event)
	if err != nil {
		return err
	}
	b.fd, b.conn = fd, conn
	ctx.Emit(sim.App{Event: sim.AppConnect, Has: sim.AppHasConn | sim.AppHasTo | sim.AppHasBytes, Conn: b.conn, To: b.To, Bytes: b.Bytes})
	return nil
}

func (b *BulkSend) event(fd int, ev nodes.SocketEvent, err nodes.Errno) {
	switch ev {
	case nodes.SockConnected, nodes.SockWritable:
		b.fill()
	case nodes.SockReadable:
		b.read()
	case nodes.SockError:
		b.ctx.failSender(fd, "connection", err, &b.Err)
	}
}

// fill writes until the socket takes no more or everything is written.
func (b *BulkSend) fill() {
	h := b.ctx.Host
	wrote := int64(0)
	for b.Sent < b.Bytes {
		n, err := h.Send(b.fd, pattern.At(b.Sent, int(min(b.Bytes-b.Sent, 1<<30))))
		b.Sent += int64(n)
		wrote += int64(n)
		if err != nil {
			if err != nodes.EAGAIN {
				b.ctx.Error("send", err)
			}
			break
		}
	}
	if wrote > 0 {
		b.ctx.emitBytes(sim.AppSend, b.conn, wrote, b.Sent)
	}
	if b.Sent == b.Bytes && !b.shut {
		b.shut = true
		if err := h.Shutdown(b.fd, nodes.SHUT_WR); err != nil {
			b.ctx.Error("shutdown", err)
		}
	}
}

// read waits for the peer's end of stream (discarding, but counting and
// tracing, anything it sends), then closes: the transfer is done.
func (b *BulkSend) read() {
	if b.ctx.drainPeer(b.fd, b.conn, &b.Received) && !b.Done {
		b.Done = true
		b.Duration = b.ctx.Now().Sub(b.start)
		b.ctx.finishSender(b.fd, b.conn, b.Sent, b.Duration)
	}
}
