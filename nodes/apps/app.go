// Package apps holds netsim's built-in applications, event-driven state
// machines on the socket API of package nodes: sink, bulk-send, echo,
// request-response (client and server) and on-off. None starts a
// goroutine or blocks: each reacts to socket events and timers, in
// simulated time.
//
// Write your own by implementing App: Start runs at the app's start time
// with a Context that gives the host, timers and the app's trace records;
// from there on the app lives in the socket handlers it installs (see the
// package example).
package apps

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// App is an application running on one host.
type App interface {
	// Type names the kind of app in the trace ("bulk-send"): records are
	// about "app/<host>/<type>".
	Type() string
	// Start runs once, at the app's start time. An error stops the app
	// and is traced as an "error" event.
	Start(ctx *Context) error
}

// Context is what an app sees of the world: its host, the clock, timers,
// and its trace records.
type Context struct {
	// Host is the host the app runs on; its socket calls are the app's
	// system calls.
	Host *nodes.Host
	// subject names the app in records, "app/<host>/<type>" (empty
	// without a trace: nothing is written).
	subject string
	sched   *sim.Scheduler
	trace   sim.Sink
}

// Install schedules app to start on host h at simulated time start.
func Install(h *nodes.Host, start time.Duration, app App) (*Context, error) {
	if start < 0 {
		return nil, fmt.Errorf("app %s on %s: start %v: %w", app.Type(), h.Name(), start, sim.ErrPast)
	}
	n := h.Network()
	ctx := &Context{Host: h, sched: n.Scheduler(), trace: n.Trace()}
	if ctx.trace != nil {
		ctx.subject = "app/" + h.Name() + "/" + app.Type()
	}
	if _, err := ctx.sched.At(sim.FromDuration(start), func() {
		if err := app.Start(ctx); err != nil {
			ctx.Error("start", err)
		}
	}); err != nil {
		return nil, fmt.Errorf("app %s on %s: %w", app.Type(), h.Name(), err)
	}
	return ctx, nil
}

// Now returns the current simulated time.
func (c *Context) Now() sim.Time { return c.sched.Now() }

// After runs fn d from now (d >= 0) and returns a timer that can stop it.
func (c *Context) After(d time.Duration, fn func()) *sim.Timer {
	t := c.sched.NewTimer(fn)
	_ = t.Reset(c.Now().Add(max(d, 0))) // never in the past
	return t
}

// later runs fn d from now (d >= 0), once. What an app never stops
// needs no Timer: a thinking request-response client keeps 16 bytes for
// its wait where After keeps 80.
func (c *Context) later(d time.Duration, fn func()) {
	_, _ = c.sched.At(c.Now().Add(max(d, 0)), fn) // never in the past, fn not nil
}

// dial is the prologue of every client app: a socket on the app's host
// (with the congestion control cc, when not empty) whose events go to
// handler, a non-blocking connect to to (the SYN is on its way when it
// returns), and the connection's ID for the records. If any step fails
// the socket is closed again and the error returned. The handler hears
// nothing before dial returns (a connect only sends the SYN), so the
// caller may store fd afterwards.
func (c *Context) dial(to netip.AddrPort, cc string, handler nodes.Handler) (fd int, conn uint64, err error) {
	fd, conn, _, err = c.dialWith(to, cc, handler, nil)
	return fd, conn, err
}

// socket opens a TCP socket on the app's host with the congestion
// control cc (setsockopt TCP_CONGESTION), or the host's when cc is
// empty; the socket is closed again if cc is refused.
func (c *Context) socket(cc string) (int, error) {
	fd, err := c.Host.Socket()
	if err != nil || cc == "" {
		return fd, err
	}
	if err := c.Host.SetCongestion(fd, cc); err != nil {
		_ = c.Host.Close(fd)
		return -1, err
	}
	return fd, nil
}

// dialWith is dial, and with first not nil a sendto(MSG_FASTOPEN) of
// first (RFC 7413, Linux's tcp_sendmsg_fastopen): the SYN carries as much
// of first as a cookie cached for the server allows, n bytes, or asks
// for a cookie and carries none. A host without Fast Open's client side
// (its fastopen setting lacks 0x1) connects as dial does.
func (c *Context) dialWith(to netip.AddrPort, cc string, handler nodes.Handler, first []byte) (fd int, conn uint64, n int, err error) {
	h := c.Host
	fd, err = c.socket(cc)
	if err != nil {
		return -1, 0, 0, err
	}
	if err := h.SetHandler(fd, handler); err != nil {
		_ = h.Close(fd)
		return -1, 0, 0, err
	}
	if first != nil {
		n, err = h.ConnectFastOpen(fd, to, first, false)
	}
	if first == nil || err == nodes.EOPNOTSUPP {
		n, err = 0, h.Connect(fd, to)
	}
	if err != nodes.EINPROGRESS {
		_ = h.Close(fd)
		return -1, 0, 0, err
	}
	info, _ := h.Info(fd)
	return fd, info.ConnID, n, nil
}

// readBufSize is how much an app reads at once: 64 KiB (every UDP
// datagram fits).
const readBufSize = 64 << 10

// peerReadSize is how much a sender reads at once of what its peer sends
// back (bulk-send, on-off): little is expected.
const peerReadSize = 512

// readBuf returns the buffer the apps of the network share for reads
// (nodes.Network.ReadBuffer): what an app reads is used before its
// handler returns.
func (c *Context) readBuf() []byte { return c.Host.Network().ReadBuffer(readBufSize) }

// drainPeer reads (and discards) what a sender's peer sends back on fd,
// adding it to *received and tracing the burst, until the socket has no
// more; it reports whether the peer's end of stream has arrived. Bulk-send
// and on-off share it.
func (c *Context) drainPeer(fd int, conn uint64, received *int64) (eof bool) {
	got := int64(0)
	for {
		n, err := c.Host.Recv(fd, c.readBuf()[:peerReadSize])
		if n > 0 {
			*received += int64(n)
			got += int64(n)
			continue
		}
		c.traceRecv(conn, got, *received)
		return err == nil
	}
}

// finishSender closes a sender's socket once its transfer is done and
// records the app-close and app-done records: sent bytes in took.
func (c *Context) finishSender(fd int, conn uint64, sent int64, took time.Duration) {
	_ = c.Host.Close(fd)
	c.emitConn(sim.AppClose, conn)
	c.Emit(sim.App{Event: sim.AppDone, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasDuration, Conn: conn, Bytes: sent, Duration: took})
}

// failSender ends a sender's connection on an error: err becomes the
// app's *appErr and an "error" record of call, and fd is closed.
// Bulk-send, on-off and request-response share it.
func (c *Context) failSender(fd int, call string, err nodes.Errno, appErr *nodes.Errno) {
	*appErr = err
	c.Error(call, err)
	_ = c.Host.Close(fd)
}

// Tracing reports whether records are wanted; check it before building
// expensive fields.
func (c *Context) Tracing() bool { return c.trace != nil }

// Emit writes an app record (ev.Event one of sim.AppConnect, AppAccept,
// AppSend, AppRecv, AppResponse, AppClose, AppError, AppDone, with the
// fields ev.Has names).
func (c *Context) Emit(ev sim.App) {
	if c.trace == nil {
		return
	}
	c.Host.Network().EmitApp(c.subject, &ev)
}

// emitConn writes an app record of one connection with no other field
// (close).
func (c *Context) emitConn(event string, conn uint64) {
	c.Emit(sim.App{Event: event, Has: sim.AppHasConn, Conn: conn})
}

// emitBytes writes an app record of one connection with its bytes and
// total so far (send, recv).
func (c *Context) emitBytes(event string, conn uint64, bytes, total int64) {
	c.Emit(sim.App{Event: event, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasTotal, Conn: conn, Bytes: bytes, Total: total})
}

// Error traces an "error" event: the call that failed and the errno.
func (c *Context) Error(call string, err error) {
	if c.trace == nil {
		return
	}
	c.Emit(sim.App{Event: sim.AppError, Has: sim.AppHasCall | sim.AppHasErrno, Call: call, Errno: errName(err)})
}

func errName(err error) string {
	if e, ok := err.(nodes.Errno); ok {
		return e.String()
	}
	return err.Error()
}

// asErrno returns err as an errno (socket calls return nothing else).
func asErrno(err error) nodes.Errno {
	if e, ok := err.(nodes.Errno); ok {
		return e
	}
	return nodes.EINVAL
}

// traceRecv records a burst of reads on one connection: got bytes read
// since the app's last recv record, total read on the connection so far.
// Every built-in app that reads calls it once per readable event (and
// before any record its reads cause), so "recv" records add up to what
// each end's application read: summary.json's bytes_delivered, in both
// directions.
func (c *Context) traceRecv(conn uint64, got, total int64) {
	if got > 0 {
		c.emitBytes(sim.AppRecv, conn, got, total)
	}
}
