package apps

import (
	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// server is what the echo and request-response servers share: a listener
// that accepts every connection, and per connection an output queue that
// drains as the socket takes it, closing once the peer finished and the
// queue is empty.
type server struct {
	listener[serverConn]
	// onData is called with the bytes a connection received.
	onData func(c *serverConn, b []byte)
}

type serverConn struct {
	conn     uint64
	at       sim.Time
	in, out  int64  // bytes received, bytes sent
	queued   int64  // response bytes not yet taken by the socket
	echo     []byte // echo: bytes to send back, in order
	reqBytes int64  // request-response: bytes of the current request
	// fd and eof share a word: 80 bytes, where an int descriptor made
	// it 96 (one per connection of a server).
	fd  int32
	eof bool
}

func (s *server) listen(ctx *Context, port uint16, backlog int, fastOpen bool, cc string) error {
	s.newConn = func(fd int, conn uint64) *serverConn {
		return &serverConn{fd: int32(fd), conn: conn, at: s.ctx.Now()}
	}
	s.onEvent = s.event
	return s.listener.listen(ctx, port, backlog, fastOpen, cc)
}

func (s *server) event(fd int, c *serverConn, ev nodes.SocketEvent, err nodes.Errno) {
	switch ev {
	case nodes.SockReadable:
		s.read(c)
	case nodes.SockWritable:
		s.write(c)
	case nodes.SockError:
		s.ctx.Error("connection", err)
		delete(s.conns, fd)
		_ = s.ctx.Host.Close(fd)
	}
}

func (s *server) read(c *serverConn) {
	h := s.ctx.Host
	got := int64(0)
	for !c.eof {
		buf := s.ctx.readBuf()
		n, err := h.Recv(int(c.fd), buf)
		if n > 0 {
			c.in += int64(n)
			got += int64(n)
			s.onData(c, buf[:n])
			continue
		}
		if err == nil {
			c.eof = true
		}
		break
	}
	s.ctx.traceRecv(c.conn, got, c.in)
	s.write(c)
}

// write sends what is queued; after the peer's end of stream and with
// nothing left, it closes (the FIN follows the data).
func (s *server) write(c *serverConn) {
	h := s.ctx.Host
	sent := int64(0)
	for len(c.echo) > 0 {
		n, err := h.Send(int(c.fd), c.echo)
		c.echo = c.echo[n:]
		sent += int64(n)
		if err != nil {
			break
		}
	}
	for c.queued > 0 {
		n, err := h.Send(int(c.fd), pattern.At(c.out+sent, int(min(c.queued, 1<<30))))
		c.queued -= int64(n)
		sent += int64(n)
		if err != nil {
			break
		}
	}
	if sent > 0 {
		c.out += sent
		s.ctx.emitBytes(sim.AppSend, c.conn, sent, c.out)
	}
	if c.eof && len(c.echo) == 0 && c.queued == 0 {
		delete(s.conns, int(c.fd))
		_ = h.Close(int(c.fd))
		s.ctx.emitConn(sim.AppClose, c.conn)
		s.ctx.Emit(sim.App{Event: sim.AppDone, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasSent | sim.AppHasDuration,
			Conn: c.conn, Bytes: c.in, Sent: c.out, Duration: s.ctx.Now().Sub(c.at)})
	}
}

// Echo listens on Port and sends every byte it receives back on the same
// connection; when the peer closes it closes too, after the last byte.
// Records: accept, recv, send, close, done per connection.
type Echo struct {
	Port    uint16
	Backlog int // 0: 128
	// FastOpen gives the listener a Fast Open queue (listenOn).
	FastOpen bool
	// Congestion names the connections' congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string
	srv        server
}

// Type returns "echo".
func (e *Echo) Type() string { return "echo" }

// Start listens.
func (e *Echo) Start(ctx *Context) error {
	e.srv.onData = func(c *serverConn, b []byte) { c.echo = append(c.echo, b...) }
	return e.srv.listen(ctx, e.Port, e.Backlog, e.FastOpen, e.Congestion)
}

// ResponseServer is the server side of request-response: it listens on
// Port and, for every RequestSize bytes a connection receives, sends
// ResponseSize bytes back. It closes a connection after the peer closed
// it and the last response went out. Records as Echo.
type ResponseServer struct {
	Port                      uint16
	RequestSize, ResponseSize int64
	Backlog                   int // 0: 128
	// FastOpen gives the listener a Fast Open queue (listenOn).
	FastOpen bool
	// Congestion names the connections' congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string
	srv        server
}

// Type returns "response-server".
func (r *ResponseServer) Type() string { return "response-server" }

// Start listens.
func (r *ResponseServer) Start(ctx *Context) error {
	if r.RequestSize <= 0 || r.ResponseSize < 0 {
		return nodes.EINVAL
	}
	r.srv.onData = func(c *serverConn, b []byte) {
		c.reqBytes += int64(len(b))
		for c.reqBytes >= r.RequestSize {
			c.reqBytes -= r.RequestSize
			c.queued += r.ResponseSize
		}
	}
	return r.srv.listen(ctx, r.Port, r.Backlog, r.FastOpen, r.Congestion)
}
