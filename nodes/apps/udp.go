package apps

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/nodes/udp"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// UDPSink binds a UDP port and reads every datagram that arrives (the
// ns-3 PacketSink over UDP). Records: recv per read burst, with the bytes
// read and the total so far.
type UDPSink struct {
	Port uint16

	// Datagrams and Received count what was read.
	Datagrams, Received int64

	ctx *Context
	fd  int
}

// Type returns "udp-sink".
func (s *UDPSink) Type() string { return "udp-sink" }

// Start binds the port.
func (s *UDPSink) Start(ctx *Context) error {
	h := ctx.Host
	s.ctx = ctx
	fd, err := h.SocketUDP()
	if err != nil {
		return err
	}
	s.fd = fd
	if err := h.Bind(fd, netip.AddrPortFrom(netip.IPv4Unspecified(), s.Port)); err != nil {
		_ = h.Close(fd)
		return err
	}
	return h.SetHandler(fd, s.event)
}

func (s *UDPSink) event(fd int, ev nodes.SocketEvent, _ nodes.Errno) {
	if ev != nodes.SockReadable {
		return
	}
	got := int64(0)
	for {
		n, _, err := s.ctx.Host.RecvFrom(fd, s.ctx.readBuf())
		if err != nil {
			break
		}
		s.Datagrams++
		got += int64(n)
	}
	s.Received += got
	if got > 0 {
		s.ctx.Emit(sim.App{Event: sim.AppRecv, Has: sim.AppHasBytes | sim.AppHasTotal, Bytes: got, Total: s.Received})
	}
}

// UDPPattern is how a UDPSend spaces its datagrams.
type UDPPattern string

// The sending patterns.
const (
	// UDPConstant sends one datagram every Size/Rate (ns-3 UdpClient,
	// a CBR voice or video stream).
	UDPConstant UDPPattern = "cbr"
	// UDPPoisson spaces datagrams by exponential gaps of mean Size/Rate.
	UDPPoisson UDPPattern = "poisson"
	// UDPOnOff sends at Rate during On periods and nothing during Off
	// periods (ns-3 OnOffApplication with constant periods; a talk
	// spurt and silence model of a voice call).
	UDPOnOff UDPPattern = "on-off"
)

// udpStampLen is the sequence number and send time a UDPSend writes at the
// start of each payload big enough (ns-3's SeqTsHeader), so that a
// capture shows them.
const udpStampLen = 12

// UDPSend sends datagrams of Size payload bytes to To at Rate, spaced as
// Pattern says, from its start until Stop (0: the end of the run). Each
// payload starts with a 4-byte sequence number and the 8-byte send time in
// ns when it is long enough. A send the host refuses (EMSGSIZE above the
// path MTU, ECONNREFUSED after a port unreachable) is traced as an error
// and the source goes on. Records: done at Stop with the datagrams (count)
// and bytes sent.
type UDPSend struct {
	To      netip.AddrPort
	Rate    units.BitRate
	Size    int
	Pattern UDPPattern
	On, Off time.Duration
	Stop    time.Duration
	// Rand draws the Poisson gaps; required for UDPPoisson.
	Rand *sim.Rand

	// Datagrams and Sent count what the host accepted; Errors what it
	// refused.
	Datagrams, Sent, Errors int64

	ctx     *Context
	fd      int
	gap     time.Duration
	on      bool
	onUntil sim.Time
	tick    *sim.Timer
	stopped bool
	payload []byte
	startAt sim.Time
}

// Type returns "udp-send".
func (u *UDPSend) Type() string { return "udp-send" }

// Start opens and connects the socket and sends the first datagram.
func (u *UDPSend) Start(ctx *Context) error {
	switch {
	case u.Rate <= 0, u.Size <= 0 || u.Size > udp.MaxPayload:
		return nodes.EINVAL
	case u.Pattern == UDPPoisson && u.Rand == nil, u.Pattern == UDPOnOff && u.On <= 0:
		return nodes.EINVAL
	}
	h := ctx.Host
	u.ctx, u.startAt = ctx, ctx.Now()
	u.payload = make([]byte, u.Size)
	u.gap = max(u.Rate.TxTime(units.ByteSize(u.Size)), time.Nanosecond)
	fd, err := h.SocketUDP()
	if err != nil {
		return err
	}
	u.fd = fd
	if err := h.Connect(fd, u.To); err != nil {
		_ = h.Close(fd)
		return err
	}
	ctx.Emit(sim.App{Event: sim.AppConnect, Has: sim.AppHasTo, To: u.To})
	if u.Stop > 0 {
		ctx.later(u.Stop-ctx.Now().Duration(), u.stop)
	}
	u.on = true
	if u.Pattern == UDPOnOff {
		u.onUntil = ctx.Now().Add(u.On)
	}
	u.tick = ctx.After(0, u.send)
	return nil
}

// send sends one datagram and schedules the next.
func (u *UDPSend) send() {
	if u.stopped {
		return
	}
	now := u.ctx.Now()
	if u.Pattern == UDPOnOff && now >= u.onUntil {
		// The On period is over: stay silent for Off, then start a new
		// one.
		next := u.onUntil.Add(u.Off)
		u.onUntil = next.Add(u.On)
		_ = u.tick.Reset(next)
		return
	}
	if u.Size >= udpStampLen {
		binary.BigEndian.PutUint32(u.payload, uint32(u.Datagrams))
		binary.BigEndian.PutUint64(u.payload[4:], uint64(now))
	}
	n, err := u.ctx.Host.Send(u.fd, u.payload)
	if err != nil {
		// Each refused send is traced, as ping's are: summary.json's
		// app_errors counts these records, so one per run of the same
		// error said "once" of a source whose every datagram was refused.
		// A refused send makes one record where a sent datagram makes
		// several, so the trace does not grow.
		u.Errors++
		u.ctx.Error("send", err)
	} else {
		u.Datagrams++
		u.Sent += int64(n)
	}
	gap := u.gap
	if u.Pattern == UDPPoisson {
		gap = max(u.Rand.ExponentialDuration(u.gap), time.Nanosecond)
	}
	_ = u.tick.Reset(now.Add(gap))
}

// stop ends the source.
func (u *UDPSend) stop() {
	if u.stopped {
		return
	}
	u.stopped = true
	if u.tick != nil {
		u.tick.Stop()
	}
	_ = u.ctx.Host.Close(u.fd)
	u.ctx.Emit(sim.App{Event: sim.AppDone, Has: sim.AppHasCount | sim.AppHasBytes | sim.AppHasDuration,
		Count: u.Datagrams, Bytes: u.Sent, Duration: u.ctx.Now().Sub(u.startAt)})
}
