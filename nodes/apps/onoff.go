package apps

import (
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// onOffChunk is how many bytes an on-off source hands the socket at a
// time: its rate is reached by writing a chunk every Rate.TxTime(chunk).
const onOffChunk = 1000

// OnOff connects to To and alternates On periods, in which it writes at
// Rate, and Off periods of silence (the ns-3 OnOffApplication with
// constant periods). Bytes the socket cannot take at once wait in the
// app and go when it drains, so the source never loses data, it only
// falls behind. With Bytes > 0 it stops after that many bytes and closes
// like BulkSend; with Bytes 0 it runs until Stop (or the end of the
// simulation). Records: connect, send per On period, recv (bytes per read
// burst, when the peer sends any, as an echo server does), close, done.
type OnOff struct {
	To      netip.AddrPort
	On, Off time.Duration
	Rate    units.BitRate
	Bytes   int64
	// Stop, when > 0, is the simulated time to stop producing and close.
	Stop time.Duration
	// Congestion names the connection's congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string

	// Sent counts bytes the socket accepted; Received counts bytes the
	// peer sent back (read and discarded); Done reports completion.
	Sent     int64
	Received int64
	Done     bool
	Err      nodes.Errno

	ctx      *Context
	fd       int
	conn     uint64
	start    sim.Time
	produced int64 // bytes the source generated so far
	on       bool
	periodAt sim.Time
	period   int64 // bytes sent this On period
	tick     *sim.Timer
	interval time.Duration
	stopped  bool
	shut     bool
}

// Type returns "on-off".
func (o *OnOff) Type() string { return "on-off" }

// Start connects.
func (o *OnOff) Start(ctx *Context) error {
	if o.Rate <= 0 || o.On <= 0 || o.Off < 0 {
		return nodes.EINVAL
	}
	o.ctx, o.start = ctx, ctx.Now()
	o.interval = max(o.Rate.TxTime(onOffChunk), time.Nanosecond)
	if o.Stop > 0 && ctx.Now().Duration() >= o.Stop {
		// Started at or after its stop (a random start drawn past it):
		// nothing to send, so no connection, rather than a SYN closed at
		// once that both ends would count as a connection.
		o.stopped = true
		return nil
	}
	fd, conn, err := ctx.dial(o.To, o.Congestion, o.event)
	if err != nil {
		return err
	}
	o.fd, o.conn = fd, conn
	ctx.Emit(sim.App{Event: sim.AppConnect, Has: sim.AppHasConn | sim.AppHasTo, Conn: o.conn, To: o.To})
	if o.Stop > 0 {
		ctx.later(o.Stop-ctx.Now().Duration(), o.stop)
	}
	return nil
}

func (o *OnOff) event(fd int, ev nodes.SocketEvent, err nodes.Errno) {
	switch ev {
	case nodes.SockConnected:
		o.tick = o.ctx.After(0, o.onTick)
		o.switchPeriod(true)
	case nodes.SockWritable:
		o.flush()
	case nodes.SockReadable:
		o.read()
	case nodes.SockError:
		o.stopped = true
		if o.tick != nil {
			o.tick.Stop()
		}
		o.ctx.failSender(fd, "connection", err, &o.Err)
	}
}

// switchPeriod starts an On (on) or Off period and schedules its end.
func (o *OnOff) switchPeriod(on bool) {
	if o.stopped {
		return
	}
	if !on && o.period > 0 {
		o.ctx.emitBytes(sim.AppSend, o.conn, o.period, o.Sent)
	}
	o.on, o.period, o.periodAt = on, 0, o.ctx.Now()
	d := o.On
	if !on {
		d = o.Off
	}
	o.ctx.later(d, func() { o.switchPeriod(!o.on) })
}

// onTick produces one chunk while On, and re-arms itself.
func (o *OnOff) onTick() {
	if o.stopped {
		return
	}
	if o.on {
		n := int64(onOffChunk)
		if o.Bytes > 0 {
			n = min(n, o.Bytes-o.produced)
		}
		o.produced += n
		o.flush()
		if o.Bytes > 0 && o.produced >= o.Bytes {
			o.stop()
			return
		}
	}
	_ = o.tick.Reset(o.ctx.Now().Add(o.interval))
}

// flush hands the socket what the source produced and it has not taken.
func (o *OnOff) flush() {
	for o.Sent < o.produced {
		n, err := o.ctx.Host.Send(o.fd, pattern.At(o.Sent, int(o.produced-o.Sent)))
		o.Sent += int64(n)
		o.period += int64(n)
		if err != nil {
			if err != nodes.EAGAIN {
				o.ctx.Error("send", err)
			}
			return
		}
	}
	if o.stopped && !o.shut {
		o.shut = true
		if err := o.ctx.Host.Shutdown(o.fd, nodes.SHUT_WR); err != nil {
			o.ctx.Error("shutdown", err)
		}
	}
}

// stop ends production; the connection closes after the backlog drains.
func (o *OnOff) stop() {
	if o.stopped {
		return
	}
	if o.period > 0 {
		o.ctx.emitBytes(sim.AppSend, o.conn, o.period, o.Sent)
		o.period = 0
	}
	o.stopped = true
	if o.tick != nil {
		o.tick.Stop()
	}
	o.flush()
}

// read waits for the peer's end of stream (discarding, but counting and
// tracing, what it sends: an echo server's copy), then closes.
func (o *OnOff) read() {
	if o.ctx.drainPeer(o.fd, o.conn, &o.Received) && !o.Done {
		o.Done = true
		o.ctx.finishSender(o.fd, o.conn, o.Sent, o.ctx.Now().Sub(o.start))
	}
}
