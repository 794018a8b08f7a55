package apps

import (
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// RequestResponse is the client side of request-response (pair it with a
// ResponseServer of the same sizes): Count times, it sends a request of
// RequestSize bytes, reads a response of ResponseSize bytes, then waits
// Think before the next request.
//
// With Persistent set, all requests go over one connection, closed after
// the last response (like HTTP keep-alive). Without it, each request opens
// its own connection, which the client closes once the response is in
// (like HTTP/1.0): the handshake is part of every exchange's latency.
//
// Records: connect per connection, send per request, recv per read burst
// (bytes, and the connection's total), response when a response is
// complete (its bytes, and its latency from the request, or from the
// connect for a new connection), close, and done after the last exchange
// (count and duration from start).
type RequestResponse struct {
	To                        netip.AddrPort
	RequestSize, ResponseSize int64
	Count                     int
	Think                     time.Duration
	// Congestion names the connections' congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string
	Persistent bool
	// FastOpen sends each connection's first request in its SYN when
	// the host holds a Fast Open cookie of the server, as an HTTP client
	// with TCP Fast Open does (sendto with MSG_FASTOPEN; RFC 7413): the
	// first connection asks for the cookie, the next ones save the
	// handshake's round trip. The server's listener needs a Fast Open
	// queue (ResponseServer.FastOpen) and its host the fastopen
	// setting's server bit (0x2).
	FastOpen bool
	// The small unexported fields fill the words of Persistent and Done:
	// a client is 184 bytes, in Go's 192-byte size class, where they took
	// three words more and the 208-byte class (one client per
	// connection).
	inFlight bool // a request was sent and its response is not complete
	closing  bool // the last response is in: the connection is closing

	// Latencies holds each exchange's time from its request (its connect
	// when not persistent) to its last response byte.
	Latencies []time.Duration
	// Received counts the response bytes read, over all connections.
	Received int64
	// Done reports that every exchange completed; Err holds the error that
	// stopped the app, if any.
	Done bool
	Err  nodes.Errno
	fd   int32 // the connection's descriptor, -1 when none

	ctx     *Context
	conn    uint64
	start   sim.Time
	reqAt   sim.Time
	reqLeft int64
	respGot int64 // bytes of the current response read
	connGot int64 // bytes read on the current connection
}

// Type returns "request-response".
func (r *RequestResponse) Type() string { return "request-response" }

// Start opens the first connection.
func (r *RequestResponse) Start(ctx *Context) error {
	if r.RequestSize <= 0 || r.ResponseSize <= 0 || r.Count <= 0 {
		return nodes.EINVAL
	}
	r.ctx, r.start = ctx, ctx.Now()
	return r.connect()
}

func (r *RequestResponse) connect() error {
	r.reqAt = r.ctx.Now()
	var first []byte
	if r.FastOpen {
		first = pattern.At(0, int(r.RequestSize))
	}
	fd, conn, n, err := r.ctx.dialWith(r.To, r.Congestion, r.event, first)
	if err != nil {
		return err
	}
	r.fd, r.conn, r.connGot = int32(fd), conn, 0
	r.ctx.Emit(sim.App{Event: sim.AppConnect, Has: sim.AppHasConn | sim.AppHasTo, Conn: r.conn, To: r.To})
	if first != nil {
		// The request is under way with the SYN (n of its bytes in
		// it); the rest follows once the connection is established.
		r.startRequest()
		r.reqLeft -= int64(n)
	}
	return nil
}

func (r *RequestResponse) event(fd int, ev nodes.SocketEvent, err nodes.Errno) {
	if fd != int(r.fd) {
		return
	}
	switch ev {
	case nodes.SockConnected:
		if r.inFlight {
			r.write() // what a Fast Open SYN did not carry
		} else {
			r.request()
		}
	case nodes.SockWritable:
		r.write()
	case nodes.SockReadable:
		r.read()
	case nodes.SockError:
		r.fail("connection", err)
	}
}

func (r *RequestResponse) fail(call string, err nodes.Errno) {
	r.ctx.failSender(int(r.fd), call, err, &r.Err)
	r.fd = -1
}

// request starts the next exchange on the open connection.
func (r *RequestResponse) request() {
	if r.Persistent {
		r.reqAt = r.ctx.Now() // else the exchange counts from the connect
	}
	r.startRequest()
	r.write()
}

// startRequest makes a request of RequestSize bytes the one under way.
func (r *RequestResponse) startRequest() {
	r.reqLeft, r.respGot, r.inFlight = r.RequestSize, 0, true
	r.ctx.Emit(sim.App{Event: sim.AppSend, Has: sim.AppHasConn | sim.AppHasBytes, Conn: r.conn, Bytes: r.RequestSize})
}

func (r *RequestResponse) write() {
	for r.reqLeft > 0 {
		n, err := r.ctx.Host.Send(int(r.fd), pattern.At(r.RequestSize-r.reqLeft, int(r.reqLeft)))
		r.reqLeft -= int64(n)
		if err == nodes.EAGAIN {
			return
		}
		if err != nil {
			r.fail("send", asErrno(err))
			return
		}
	}
}

func (r *RequestResponse) read() {
	h := r.ctx.Host
	got := int64(0)
	for r.fd >= 0 {
		n, err := h.Recv(int(r.fd), r.ctx.readBuf())
		if n > 0 {
			r.respGot += int64(n)
			r.connGot += int64(n)
			r.Received += int64(n)
			got += int64(n)
			if r.inFlight && r.respGot >= r.ResponseSize {
				// The reads come first in the trace, then what they
				// completed.
				r.ctx.traceRecv(r.conn, got, r.connGot)
				got = 0
				r.exchangeDone()
			}
			continue
		}
		r.ctx.traceRecv(r.conn, got, r.connGot)
		switch {
		case err == nil: // the server closed
			if r.closing {
				r.finish()
			} else {
				r.fail("recv", nodes.ECONNRESET)
			}
		case err != nodes.EAGAIN:
			r.fail("recv", asErrno(err))
		}
		return
	}
}

func (r *RequestResponse) exchangeDone() {
	r.inFlight = false
	lat := r.ctx.Now().Sub(r.reqAt)
	r.Latencies = append(r.Latencies, lat)
	r.ctx.Emit(sim.App{Event: sim.AppResponse, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasLatency, Conn: r.conn, Bytes: r.respGot, Latency: lat})
	last := len(r.Latencies) == r.Count
	if r.Persistent {
		if last {
			r.closing = true
			if err := r.ctx.Host.Shutdown(int(r.fd), nodes.SHUT_WR); err != nil {
				r.fail("shutdown", asErrno(err))
			}
			return
		}
		r.ctx.later(r.Think, r.request)
		return
	}
	// One connection per exchange: close it now (the FIN goes out) and
	// open the next after the think time.
	_ = r.ctx.Host.Close(int(r.fd))
	r.ctx.emitConn(sim.AppClose, r.conn)
	r.fd = -1
	if last {
		r.complete()
		return
	}
	r.ctx.later(r.Think, func() {
		if err := r.connect(); err != nil {
			r.ctx.Error("connect", err)
		}
	})
}

func (r *RequestResponse) finish() {
	_ = r.ctx.Host.Close(int(r.fd))
	r.ctx.emitConn(sim.AppClose, r.conn)
	r.fd = -1
	r.complete()
}

func (r *RequestResponse) complete() {
	r.Done = true
	r.ctx.Emit(sim.App{Event: sim.AppDone, Has: sim.AppHasCount | sim.AppHasDuration, Count: int64(len(r.Latencies)), Duration: r.ctx.Now().Sub(r.start)})
}
