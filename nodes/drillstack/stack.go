// Package drillstack runs packetdrill scripts against a whole simulated
// host: the drill runner's system calls go to the host's socket API, its
// inbound segments arrive as IPv4 datagrams over a link, and what the host
// sends on that link is decoded back into the segments the script's ">"
// lines must match. A script so tests sockets, IPv4, demultiplexing and
// TCP together; this is the one stack netsim drill runs scripts against.
//
// The world is one host ("dut", the device under test) with one interface
// eth0 on a link of no delay and unlimited rate, whose far end is the
// script's remote peer. Everything runs on the network's scheduler: the
// runner's Tick and Deadline are the scheduler's, so the host's timers, the
// link and the runner share one clock.
package drillstack

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/tcp/drill"
	"github.com/netsimlab/netsim/topology"
)

// HostName is the name of the host under test, as it appears in the trace
// ("host/dut") and in its capture.
const HostName = "dut"

// maxDatagram is the largest IPv4 datagram (RFC 791 §3.1, Total Length).
const maxDatagram = 65535

// tunMTU is the MTU of packetdrill's tun device (its --mtu default): the
// host's interface has it, so that Linux's rules make the MSS of a
// connection from it (an auto MSS becomes its advmss, 1460, when the
// connection opens, as tcp_advertise_mss announces it under packetdrill),
// while the wire carries larger datagrams for a script's peer.
const tunMTU = 1500

// peerName is the node the link's far end belongs to in the graph; its
// interface is replaced by the runner's tap.
const peerName = "peer"

// Options configure a HostStack.
type Options struct {
	// Config is the TCP settings of the host's connections; socket
	// options change them per socket.
	Config tcp.Config
	// Run gives the addresses: the host is Run.Local, the script's peer
	// Run.Remote, connect() goes to Run.Remote:Run.ServerPort and bind()
	// takes Run.ServerPort.
	Run drill.RunConfig
	// Seed seeds the host's random streams (its ISNs).
	Seed uint64
	// Trace receives the run's records; nil for none.
	Trace sim.Sink
	// Capture receives a pcap of the host's eth0; nil for none.
	Capture io.Writer
}

// HostStack is a drill.Stack backed by a simulated nodes.Host: its system
// calls are drill.Syscalls made on the host's socket API.
type HostStack struct {
	net   *nodes.Network
	host  *nodes.Host
	link  *topology.Link
	sched *sim.Scheduler
	calls *drill.Syscalls
	// out holds the segments the host sent, decoded, until Drain.
	out []drill.Segment
	// decodeErr is the first datagram from the host that did not decode.
	decodeErr error
}

// sockets adapts the host's socket API to drill.Sockets: the methods
// whose types are the host's own (How, SockInfo, the peer address Accept
// returns) are converted; the others are the host's.
type sockets struct{ *nodes.Host }

// Accept implements drill.Sockets.
func (k sockets) Accept(fd int) (int, error) {
	nfd, _, err := k.Host.Accept(fd)
	return nfd, err
}

// Shutdown implements drill.Sockets.
func (k sockets) Shutdown(fd, how int) error { return k.Host.Shutdown(fd, nodes.How(how)) }

// EpollWait implements drill.Sockets.
func (k sockets) EpollWait(epfd int, out []drill.EpollEvent) (int, error) {
	evs := make([]nodes.EpollEvent, len(out))
	n, err := k.Host.EpollWait(epfd, evs)
	for i := range n {
		out[i] = drill.EpollEvent(evs[i])
	}
	return n, err
}

// RecvErrQueue implements drill.Sockets.
func (k sockets) RecvErrQueue(fd int) (drill.ErrQueueEntry, error) {
	e, err := k.Host.RecvErrQueue(fd)
	return drill.ErrQueueEntry{Errno: e.Errno, Origin: e.Origin, Code: e.Code, Info: e.Info, Data: e.Data, At: e.At}, err
}

// Info implements drill.Sockets.
func (k sockets) Info(fd int) (drill.SocketInfo, error) {
	i, err := k.Host.Info(fd)
	return drill.SocketInfo{State: i.State, Err: i.Err}, err
}

// tap is the peer's end of the link: it decodes what the host sends.
type tap struct{ s *HostStack }

// Transmitted implements topology.Endpoint; the tap's own datagrams need
// no record.
func (t tap) Transmitted(*topology.Packet) {}

// Deliver implements topology.Endpoint: a datagram from the host is
// decoded into the segment the runner will match.
func (t tap) Deliver(p *topology.Packet) {
	p.Complete() // the script checks the checksum the host sent
	t.s.capture(p.Data)
}

// New builds the world: the host, its link to the peer and a default route
// out of it.
func New(o Options) (*HostStack, error) {
	n := nodes.NewNetwork(o.Seed, o.Trace)
	h, err := n.AddHost(HostName, o.Run.Local, o.Config)
	if err != nil {
		return nil, fmt.Errorf("drillstack: %w", err)
	}
	if _, err := n.AddRouter(peerName); err != nil {
		return nil, fmt.Errorf("drillstack: %w", err)
	}
	// Unlimited rate and no delay: a datagram crosses in zero time, so
	// the times the runner sees are the host's own. The queue is unbounded
	// so that no segment the host sends is lost before the script sees it,
	// and the MTU is IPv4's largest datagram: a script's peer may send
	// segments larger than Ethernet's (packetdrill injects them on a tun
	// device), and the host's own are bounded by its interface's tunMTU.
	l, err := n.AddLink(topology.LinkConfig{Name: "wire", QueueLimitPackets: -1, MTU: maxDatagram}, HostName, peerName)
	if err != nil {
		return nil, fmt.Errorf("drillstack: %w", err)
	}
	if err := h.Interfaces()[0].SetMTU(tunMTU); err != nil {
		return nil, fmt.Errorf("drillstack: %w", err)
	}
	s := &HostStack{net: n, host: h, link: l, sched: n.Scheduler(), calls: drill.NewSyscalls(sockets{h}, o.Run)}
	side, _ := l.Side(peerName)
	l.Attach(side, tap{s})
	if err := h.Routes().Add(nodes.Route{Prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Iface: 0}); err != nil {
		return nil, fmt.Errorf("drillstack: default route: %w", err)
	}
	if o.Capture != nil {
		pw, err := nodes.NewPcapWriter(o.Capture, 0)
		if err != nil {
			return nil, fmt.Errorf("drillstack: %w", err)
		}
		h.Interfaces()[0].Capture(pw)
	}
	return s, nil
}

// Host returns the host under test, for checks after a run.
func (s *HostStack) Host() *nodes.Host { return s.host }

// Network returns the world the host lives in.
func (s *HostStack) Network() *nodes.Network { return s.net }

// ApplySettings implements drill.SettingsStack: a timed sysctl line of
// the script changes the host's settings at its time (Host.SetConfig:
// the connections made from then on, and the sockets without options of
// their own, which read the host's).
func (s *HostStack) ApplySettings(now time.Duration, set []drill.Setting) error {
	s.advance(now)
	cfg, err := drill.ApplySettings(s.host.Config(), set)
	if err != nil {
		return err
	}
	return s.host.SetConfig(cfg)
}

// FlushTCPMetrics implements drill.SettingsStack (Host.FlushTCPMetrics).
func (s *HostStack) FlushTCPMetrics() { s.host.FlushTCPMetrics() }

// CaptureErr returns the first error writing the capture, or nil.
func (s *HostStack) CaptureErr() error { return s.net.CaptureErr() }

// advance runs the scheduler up to now; the runner never goes back in
// time, and a call at the current time runs what is due.
func (s *HostStack) advance(now time.Duration) {
	t := max(sim.FromDuration(now), s.sched.Now())
	_ = s.sched.RunUntil(t) // t >= Now and we are not inside an event
}

// capture decodes a datagram the host sent.
func (s *HostStack) capture(b []byte) {
	ih, seg, err := ipv4.Decode(b)
	if err == nil && ih.Protocol != ipv4.ProtoTCP {
		err = fmt.Errorf("protocol %d is not TCP", ih.Protocol)
	}
	var hdr tcp.Header
	var payload []byte
	if err == nil {
		hdr, payload, err = tcp.DecodeChecked(seg, ih.Src, ih.Dst)
	}
	if err != nil {
		if s.decodeErr == nil {
			s.decodeErr = fmt.Errorf("drillstack: the host sent a datagram that does not decode: %w", err)
		}
		return
	}
	s.out = append(s.out, drill.Segment{
		Src:     tcp.Endpoint{Addr: ih.Src, Port: hdr.SrcPort},
		Dst:     tcp.Endpoint{Addr: ih.Dst, Port: hdr.DstPort},
		TOS:     ih.DSCP<<2 | ih.ECN,
		Header:  hdr,
		Payload: append([]byte(nil), payload...),
	})
}

// DecodeErr returns the first datagram error: the host sent something
// that is not a well-formed TCP/IPv4 datagram (a bug in netsim).
func (s *HostStack) DecodeErr() error { return s.decodeErr }

// Inject implements drill.Stack: the segment is encoded in an IPv4
// datagram from the peer and sent over the link at now.
func (s *HostStack) Inject(now time.Duration, seg *drill.Segment) {
	s.advance(now)
	size := ipv4.HeaderLen + seg.Header.Len() + len(seg.Payload)
	b := make([]byte, ipv4.HeaderLen, size)
	b = seg.Header.AppendTo(b, seg.Src.Addr, seg.Dst.Addr, seg.Payload)
	ih := ipv4.New(seg.Src.Addr, seg.Dst.Addr, ipv4.ProtoTCP)
	ih.DSCP, ih.ECN = seg.TOS>>2, seg.TOS&3
	// The addresses are IPv4 and the length fits: cannot fail.
	_, _ = ih.AppendHeaderTo(b[:0], len(b)-ipv4.HeaderLen)
	side, _ := s.link.Side(peerName)
	s.link.Send(side, &topology.Packet{ID: s.net.NextPacketID(), Data: b})
	s.advance(now)
}

// InjectICMP implements drill.ICMPStack: the peer sends the host an ICMP
// error quoting one of its segments, as a router on the path would. The
// quote is the segment's IPv4 header (its total length counting a TCP
// header without options and the payload: the script does not say which
// options the segment had) and the first 8 bytes of its TCP header (ports
// and sequence number): RFC 792's minimum, which is all a host reads of
// it.
func (s *HostStack) InjectICMP(now time.Duration, m *drill.ICMPError) {
	s.advance(now)
	q := &m.Quoted
	var hdr [tcp.HeaderLen]byte
	th := q.Header.AppendTo(hdr[:0:0], q.Src.Addr, q.Dst.Addr, nil)
	qh := ipv4.New(q.Src.Addr, q.Dst.Addr, ipv4.ProtoTCP)
	quote, _ := qh.AppendHeaderTo(nil, q.Header.Len()+len(q.Payload)) // IPv4 addresses and a length that fits
	quote = append(quote, th[:8]...)
	msg := icmp.Message{Type: icmp.Type(m.Type), Code: m.Code}
	if msg.Type == icmp.TypeDestUnreach && m.Code == icmp.CodeFragNeeded {
		msg = icmp.Unreachable(m.Code, m.MTU)
	}
	b := make([]byte, ipv4.HeaderLen, ipv4.HeaderLen+icmp.HeaderLen+len(quote))
	b = msg.AppendTo(b, quote)
	ih := ipv4.New(m.From, q.Src.Addr, ipv4.ProtoICMP)
	ih.Flags = 0 // ICMP errors leave Don't Fragment clear, as Linux's icmp_send
	_, _ = ih.AppendHeaderTo(b[:0], len(b)-ipv4.HeaderLen)
	side, _ := s.link.Side(peerName)
	s.link.Send(side, &topology.Packet{ID: s.net.NextPacketID(), Data: b})
	s.advance(now)
}

// Drain implements drill.Stack.
func (s *HostStack) Drain(fn func(seg *drill.Segment)) {
	for i := range s.out {
		fn(&s.out[i])
	}
	s.out = s.out[:0]
}

// Call implements drill.Stack: the call is made on the host's socket API
// at now (drill.Syscalls), and what it puts on the wire crosses the link
// at now, so that the runner's Drain sees it.
func (s *HostStack) Call(now time.Duration, c *drill.Syscall) (int64, string, bool, error) {
	s.advance(now)
	defer s.advance(now)
	return s.calls.Call(now, c)
}

// Deadline implements drill.Stack: the next event of the world, or the
// timeout of a blocking poll, whichever is first.
func (s *HostStack) Deadline() (time.Duration, bool) {
	t, ok := s.sched.Next()
	d := t.Duration()
	if p, on := s.calls.Deadline(); on && (!ok || p < d) {
		d, ok = p, true
	}
	return d, ok
}

// Tick implements drill.Stack.
func (s *HostStack) Tick(now time.Duration) { s.advance(now) }

// TCPInfo implements drill.TCPInfoStack: the host's newest connection
// (the highest connection ID), even when its descriptor is closed, or
// one that has ended while a descriptor of the script still holds its
// socket (Linux's getsockopt(TCP_INFO) then reports TCP_CLOSE, as for a
// connection reset in the accept queue and accepted after).
func (s *HostStack) TCPInfo() (drill.TCPInfo, bool) {
	conns := s.host.Conns()
	var best nodes.SockInfo
	have := len(conns) > 0
	if have {
		best = conns[len(conns)-1]
	}
	for _, fd := range s.calls.OpenFDs() {
		i, err := s.host.Info(fd)
		if err == nil && i.ConnID != 0 && i.State == tcp.Closed && (!have || i.ConnID > best.ConnID) {
			best, have = i, true
		}
	}
	if !have {
		return drill.TCPInfo{}, false
	}
	return drill.TCPInfo{State: best.State, Stats: best.Stats, Options: best.TCPIOptions}, true
}
