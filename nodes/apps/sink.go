package apps

import (
	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
)

// Sink listens on a port, accepts every connection and reads until the
// peer closes, then closes its side. It counts what it received and, when
// Verify is set, checks that each connection's bytes follow the pattern
// the built-in senders write (so a test can tell that every byte arrived
// in order). Records: accept, recv (bytes per read burst), close, and done
// per connection with its byte count and duration from accept.
type Sink struct {
	Port    uint16
	Backlog int // 0: 128
	Verify  bool
	// FastOpen gives the listener a Fast Open queue (listenOn).
	FastOpen bool
	// Congestion names the connections' congestion control
	// (TCP_CONGESTION; empty: the host's).
	Congestion string

	// Received counts bytes over all connections; Mismatched counts bytes
	// that broke the pattern (Verify); Completed counts connections read
	// to their end.
	Received, Mismatched int64
	Completed            int

	listener[sinkConn]
}

type sinkConn struct {
	at    sim.Time
	bytes int64
	bad   int64 // bytes out of pattern (Verify)
	conn  uint64
}

// Type returns "sink".
func (s *Sink) Type() string { return "sink" }

// Start listens.
func (s *Sink) Start(ctx *Context) error {
	s.newConn = func(_ int, conn uint64) *sinkConn {
		return &sinkConn{at: s.ctx.Now(), conn: conn}
	}
	s.onEvent = s.event
	return s.listen(ctx, s.Port, s.Backlog, s.FastOpen, s.Congestion)
}

func (s *Sink) event(fd int, c *sinkConn, ev nodes.SocketEvent, err nodes.Errno) {
	switch ev {
	case nodes.SockReadable:
		s.drain(fd, c)
	case nodes.SockError:
		s.ctx.Error("recv", err)
		s.finish(fd, c, false)
	}
}

// drain reads everything readable; at the end of the stream it closes.
func (s *Sink) drain(fd int, c *sinkConn) {
	got := 0
	for {
		n, err := s.read(fd, c)
		if n > 0 {
			c.bytes += int64(n)
			s.Received += int64(n)
			got += n
			continue
		}
		if c.bad > 0 && got > 0 {
			// The connection's bytes out of pattern so far ride on its recv
			// record: summary.json's bytes_mismatched.
			s.ctx.Emit(sim.App{Event: sim.AppRecv, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasTotal | sim.AppHasMismatched,
				Conn: c.conn, Bytes: int64(got), Total: c.bytes, Mismatched: c.bad})
		} else {
			s.ctx.traceRecv(c.conn, int64(got), c.bytes)
		}
		switch err {
		case nil: // end of stream
			s.finish(fd, c, true)
		case nodes.EAGAIN:
		default:
			s.ctx.Error("recv", err)
			s.finish(fd, c, false)
		}
		return
	}
}

// read reads what fd has, as much as one read of the apps' buffer takes,
// and checks it against the pattern when s.Verify. Bytes the connection
// holds as the pattern (tcp.Conn.ReadPattern) are checked by their phase
// and never copied; others are read into the buffer and compared.
func (s *Sink) read(fd int, c *sinkConn) (int, error) {
	h := s.ctx.Host
	bad := int64(0)
	n, phase, ok, err := h.RecvPattern(fd, readBufSize)
	if ok {
		if s.Verify && n > 0 {
			bad = pattern.Mismatched(c.bytes, phase, n)
		}
	} else {
		buf := s.ctx.readBuf()
		n, err = h.Recv(fd, buf)
		if s.Verify && n > 0 {
			bad = pattern.Check(c.bytes, buf[:n])
		}
	}
	c.bad += bad
	s.Mismatched += bad
	return n, err
}

func (s *Sink) finish(fd int, c *sinkConn, ok bool) {
	delete(s.conns, fd)
	_ = s.ctx.Host.Close(fd)
	s.ctx.emitConn(sim.AppClose, c.conn)
	if ok {
		s.Completed++
		s.ctx.Emit(sim.App{Event: sim.AppDone, Has: sim.AppHasConn | sim.AppHasBytes | sim.AppHasDuration,
			Conn: c.conn, Bytes: c.bytes, Duration: s.ctx.Now().Sub(c.at)})
	}
}
