package nodes

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// listenOn opens a listener on h:port with backlog.
func listenOn(t *testing.T, h *Host, port uint16, backlog int) int {
	t.Helper()
	fd, err := h.Socket()
	require.NoError(t, err)
	require.NoError(t, h.Bind(fd, netip.AddrPortFrom(netip.IPv4Unspecified(), port)))
	require.NoError(t, h.Listen(fd, backlog))
	return fd
}

// dial opens a socket on h and starts its connection to b:80 (addrB).
func dial(t *testing.T, h *Host) int {
	t.Helper()
	fd, err := h.Socket()
	require.NoError(t, err)
	require.Equal(t, EINPROGRESS, h.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	return fd
}

// dialMany starts n connections from h to b:80.
func dialMany(t *testing.T, h *Host, n int) []int {
	t.Helper()
	fds := make([]int, n)
	for i := range fds {
		fds[i] = dial(t, h)
	}
	return fds
}

// manyConnsWorld returns hosts a and b on a fast link whose queue holds
// the segments of conns connections at once, and b's listener on port 80.
func manyConnsWorld(t *testing.T, conns int) (*Network, *Host, *Host, int) {
	t.Helper()
	link := fastLink("ab")
	link.QueueLimitPackets = 4 * conns
	n, a, b := twoHosts(t, nil, link)
	return n, a, b, listenOn(t, b, 80, SomaxConn)
}

// The handshake completes at the client exactly when physics says: the SYN
// and the SYN-ACK each take their serialization time plus the propagation
// delay (both 60-byte datagrams: 20 bytes of IPv4, 20 of TCP and 20 of
// options), and the stacks take no time.
func TestHandshakeTiming(t *testing.T) {
	cfg := topology.LinkConfig{Name: "ab", Rate: units.BitRate(10e6), Delay: 10 * time.Millisecond}
	n, a, b := twoHosts(t, nil, cfg)
	lfd := listenOn(t, b, 80, 8)
	var acceptedAt sim.Time
	require.NoError(t, b.SetHandler(lfd, func(fd int, ev SocketEvent, _ Errno) {
		if ev == SockAcceptable {
			acceptedAt = b.Now()
		}
	}))

	fd, err := a.Socket()
	require.NoError(t, err)
	assert.Equal(t, 3, fd, "descriptors are per host and start at 3")
	var connectedAt sim.Time
	require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, _ Errno) {
		if ev == SockConnected {
			connectedAt = a.Now()
		}
	}))
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Second)))

	tx60 := cfg.Rate.TxTime(60)
	assert.Equal(t, 48*time.Microsecond, tx60)
	assert.Equal(t, sim.Time(2*cfg.Delay+2*tx60), connectedAt, "SYN-ACK arrival at the client")
	// The ACK is a 52-byte datagram (timestamps only).
	assert.Equal(t, connectedAt.Add(cfg.Delay+cfg.Rate.TxTime(52)), acceptedAt)

	info, err := a.Info(fd)
	require.NoError(t, err)
	assert.Equal(t, tcp.Established, info.State)
	assert.Equal(t, uint16(EphemeralFirst), info.Local.Port())
	assert.Equal(t, uint64(1), info.ConnID)
	afd, peer, err := b.Accept(lfd)
	require.NoError(t, err)
	assert.Equal(t, 4, afd)
	assert.Equal(t, info.Local, peer)
}

// A SYN that finds the listen queue full is dropped ("backlog") and
// counted; the client's SYN retransmission gets in once Accept made room.
func TestListenBacklogFull(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	lfd := listenOn(t, b, 80, 1) // as in Linux: full when more than 1 wait
	fds := dialMany(t, a, 4)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(500*time.Millisecond)))
	drops, err := b.BacklogDrops(lfd)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), drops)
	assert.Equal(t, uint64(2), b.Drops(sim.DropBacklog))
	assert.Equal(t, 2, countDrops(rec, "host/b", sim.DropBacklog))
	var states []tcp.State
	for _, fd := range fds {
		i, _ := a.Info(fd)
		states = append(states, i.State)
	}
	assert.Equal(t, []tcp.State{tcp.Established, tcp.Established, tcp.SynSent, tcp.SynSent}, states)

	// Accepting both makes room; the SYNs retransmitted at 1 s get in.
	for range 2 {
		_, _, err := b.Accept(lfd)
		require.NoError(t, err)
	}
	_, _, err = b.Accept(lfd)
	assert.Equal(t, EAGAIN, err)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(1500*time.Millisecond)))
	for _, fd := range fds {
		i, _ := a.Info(fd)
		assert.Equal(t, tcp.Established, i.State, "fd %d", fd)
	}
	assert.Equal(t, uint64(2), b.Drops(sim.DropBacklog))
}

// transfer5000 connects a to a listener on b port 80, writes 5000 bytes
// once established (100 ms) and runs the network to 2 s; it returns a's
// socket.
func transfer5000(t *testing.T, n *Network, a, b *Host) int {
	t.Helper()
	listenOn(t, b, 80, 8)
	return send5000(t, n, a, 100*time.Millisecond, 2*time.Second)
}

// send5000 connects a to b port 80, writes 5000 bytes at written (once
// established) and runs the network to end; it returns a's socket.
func send5000(t *testing.T, n *Network, a *Host, written, end time.Duration) int {
	t.Helper()
	fd, _ := a.Socket()
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(written)))
	sent, err := a.Send(fd, make([]byte, 5000))
	require.NoError(t, err)
	assert.Equal(t, 5000, sent)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(end)))
	return fd
}

// A host sizes its segments to its own interface: on a link with MTU
// 1000 it announces MSS 960 (MTU - 40, as Linux's route advmss) and its
// data gets through in datagrams that fit.
func TestMSSFitsTheInterfaceMTU(t *testing.T) {
	rec := &sim.Recorder{}
	cfg := fastLink("ab")
	cfg.MTU = 1000
	n, a, b := twoHosts(t, rec, cfg)
	fd := transfer5000(t, n, a, b)

	for _, host := range []string{"host/a", "host/b"} {
		out := sends(rec, host)
		require.NotEmpty(t, out, host)
		assert.Regexp(t, `^mss 960,`, out[0].Opts.String(), "%s: the SYN's MSS option", host)
		for _, r := range out {
			assert.LessOrEqual(t, r.Len, 1000, "%s: datagram %v", host, r.ID)
		}
	}
	assert.Zero(t, a.Drops(sim.DropMTU))
	i, _ := a.Info(fd)
	assert.Equal(t, int64(5000), i.Stats.BytesAcked)
	assert.Equal(t, 960-12, i.Stats.MSS, "less the timestamps option (RFC 6691)")
}

// narrowPath builds a - r1 - r2 - b with fast links, the one between the
// routers of MTU 1000, which neither host knows of; it returns the link
// between the routers.
func narrowPath(t *testing.T, rec sim.Sink) (*Network, *Host, *Host, *topology.Link) {
	t.Helper()
	n, a, b := hostsAB(t, rec)
	for _, r := range []string{"r1", "r2"} {
		_, err := n.AddRouter(r)
		require.NoError(t, err)
	}
	_, err := n.AddLink(fastLink("a-r1"), "a", "r1")
	require.NoError(t, err)
	narrow := fastLink("r1-r2")
	narrow.MTU = 1000
	mid, err := n.AddLink(narrow, "r1", "r2")
	require.NoError(t, err)
	_, err = n.AddLink(fastLink("r2-b"), "r2", "b")
	require.NoError(t, err)
	require.NoError(t, n.InstallRoutes())
	return n, a, b, mid
}

// Hosts know only their own interfaces' MTU: when a link between two
// routers has a smaller one, the first router drops the full-size
// segments ("mtu", DF set, no fragmentation) and answers each with ICMP
// fragmentation needed carrying the link's MTU (RFC 1191 §4); the sender
// lowers its MSS to fit and resends what was in flight at once, traced as
// "pmtu" retransmissions (Linux tcp_v4_mtu_reduced,
// tcp_simple_retransmit), and the transfer completes.
func TestPathMTUDiscovery(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b, mid := narrowPath(t, rec)
	fd := transfer5000(t, n, a, b)
	assert.Regexp(t, `^mss 1460,`, sends(rec, "host/a")[0].Opts.String(), "a's own link has MTU 1500")
	assert.Zero(t, mid.Stats(0).Dropped.MTU, "the router drops, not the link")
	r1, _ := n.Router("r1")
	assert.Equal(t, 3, countDrops(rec, "router/r1", sim.DropMTU), "the 3 full segments of the initial window")
	var icmps int
	for _, s := range sends(rec, "router/r1") {
		require.Equal(t, uint8(1), s.Proto)
		assert.Equal(t, addrA, s.Dst)
		assert.Equal(t, r1.Addr(), s.Src)
		icmps++
	}
	assert.Equal(t, 3, icmps, "fragmentation needed is not rate limited")
	mtu, ok := a.PathMTU(addrB)
	require.True(t, ok)
	assert.Equal(t, 1000, mtu)
	var pmtu int
	for _, r := range rec.Records {
		if rt, ok := r.Event.(*sim.TCPRetransmit); ok {
			assert.Equal(t, "pmtu", rt.Reason)
			pmtu++
		}
	}
	assert.Positive(t, pmtu)
	for _, s := range sends(rec, "host/a") {
		if s.ID > sends(rec, "router/r1")[0].ID {
			assert.LessOrEqual(t, s.Len, 1000, "every segment after the ICMP fits the path")
		}
	}
	i, _ := a.Info(fd)
	assert.Equal(t, tcp.Established, i.State)
	assert.Equal(t, int64(5000), int64(i.Stats.BytesAcked))
	assert.Equal(t, 1000-40-12, i.Stats.MSS)
}

// A connection opened toward a destination whose path MTU the host has
// learned starts at that MTU, as Linux's tcp_connect_init syncs the MSS to
// the route's MTU (tcp_sync_mss(sk, dst_mtu(dst))) and announces the
// route's advmss, the path MTU less 40 (ipv4_default_advmss of ipv4_mtu,
// which is the learned rt_pmtu until it expires): its SYN offers 960, it
// sends no segment the narrow link refuses, and nothing is resent. A
// socket that ignores the path MTU (IP_PMTUDISC_DONT) keeps the
// interface's.
func TestConnectUsesLearnedPathMTU(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b, _ := narrowPath(t, rec)
	transfer5000(t, n, a, b)
	learnt := countDrops(rec, "router/r1", sim.DropMTU)
	require.Positive(t, learnt)
	before := len(rec.Records)

	fd := send5000(t, n, a, 2100*time.Millisecond, 4*time.Second)

	var out []*sim.PacketSend
	for _, r := range rec.Records[before:] {
		if s, ok := r.Event.(*sim.PacketSend); ok && r.Subject == "host/a" {
			out = append(out, s)
		}
		if rt, ok := r.Event.(*sim.TCPRetransmit); ok {
			t.Errorf("retransmission %+v: the segments were sized to the path", rt)
		}
	}
	require.NotEmpty(t, out)
	assert.Regexp(t, `^mss 960,`, out[0].Opts.String(), "the SYN offers the path MTU less 40")
	for _, s := range out {
		assert.LessOrEqual(t, s.Len, 1000, "datagram %v", s.ID)
	}
	assert.Equal(t, learnt, countDrops(rec, "router/r1", sim.DropMTU), "no new drop at the narrow link")
	i, _ := a.Info(fd)
	assert.Equal(t, int64(5000), int64(i.Stats.BytesAcked))
	assert.Equal(t, 1000-40-12, i.Stats.MSS)

	dont, _ := a.Socket()
	require.NoError(t, a.SetSockOpt(dont, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT))
	before = len(rec.Records)
	require.Equal(t, EINPROGRESS, a.Connect(dont, netip.AddrPortFrom(addrB, 80)))
	syn := sends(&sim.Recorder{Records: rec.Records[before:]}, "host/a")
	require.NotEmpty(t, syn)
	assert.Regexp(t, `^mss 1460,`, syn[0].Opts.String(), "IP_PMTUDISC_DONT: the interface's MTU")
}

func TestSocketCallErrors(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	lfd := listenOn(t, b, 80, 8)
	fd, _ := a.Socket()
	fd2, _ := a.Socket()
	assert.Equal(t, []int{3, 4}, []int{fd, fd2})

	tests := []struct {
		name string
		err  error
		want Errno
	}{
		{"bind other address", a.Bind(fd, netip.MustParseAddrPort("10.9.9.9:80")), EADDRNOTAVAIL},
		{"bind ipv6", a.Bind(fd, netip.MustParseAddrPort("[::1]:80")), EAFNOSUPPORT},
		{"bad fd", a.Bind(99, netip.MustParseAddrPort("10.0.0.1:80")), EBADF},
		{"bind", a.Bind(fd, netip.MustParseAddrPort("10.0.0.1:5000")), 0},
		{"bind twice", a.Bind(fd, netip.MustParseAddrPort("10.0.0.1:5001")), EINVAL},
		{"port in use", a.Bind(fd2, netip.MustParseAddrPort("0.0.0.0:5000")), EADDRINUSE},
		{"send unconnected", func() error { _, err := a.Send(fd, []byte("x")); return err }(), EPIPE}, // tcp_sendmsg_locked: sk_stream_wait_connect
		{"recv unconnected", func() error { _, err := a.Recv(fd, make([]byte, 1)); return err }(), ENOTCONN},
		{"accept not listening", func() error { _, _, err := a.Accept(fd); return err }(), EINVAL},
		{"shutdown unconnected", a.Shutdown(fd, SHUT_WR), ENOTCONN},
		{"no route", withoutDefaultRoute(t, a, func() error { return a.Connect(fd, netip.MustParseAddrPort("192.168.1.1:80")) }), ENETUNREACH},
		{"connect", a.Connect(fd, netip.AddrPortFrom(addrB, 80)), EINPROGRESS},
		{"connect again", a.Connect(fd, netip.AddrPortFrom(addrB, 80)), EALREADY},
		{"listen on connection", a.Listen(fd, 1), EINVAL},
		{"connect a listener", b.Connect(lfd, netip.AddrPortFrom(addrA, 80)), EINVAL},
		{"bad shutdown", a.Shutdown(fd, How(7)), EINVAL},
	}
	for _, tc := range tests {
		if tc.want == 0 {
			assert.NoError(t, tc.err, tc.name)
			continue
		}
		assert.Equal(t, tc.want, tc.err, tc.name)
	}
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Second)))
	assert.Equal(t, EISCONN, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	_, err := a.Recv(fd, make([]byte, 10))
	assert.Equal(t, EAGAIN, err)

	// Close releases the descriptor at once; the lowest is reused.
	require.NoError(t, a.Close(fd))
	assert.Equal(t, EBADF, a.Close(fd))
	fd3, _ := a.Socket()
	assert.Equal(t, 3, fd3)
}

// Send takes what fits in the send buffer (a partial write) and EAGAIN
// when full; Close still sends the queued data and then a FIN, and the
// peer reads every byte then the end of the stream.
func TestPartialWritesAndCloseFlushes(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	lfd := listenOn(t, b, 80, 8)
	fd, _ := a.Socket()
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	// The automatic send buffer holds half the memory it reports.
	mem, err := a.GetSockOpt(fd, SOL_SOCKET, SO_SNDBUF)
	require.NoError(t, err)
	buf := mem / 2
	sent, err := a.Send(fd, make([]byte, buf+5000))
	require.NoError(t, err)
	assert.Equal(t, buf, sent, "a partial write fills the buffer")
	_, err = a.Send(fd, []byte("more"))
	assert.Equal(t, EAGAIN, err)
	require.NoError(t, a.Close(fd))

	afd, _, err := b.Accept(lfd)
	require.NoError(t, err)
	got, eof := 0, false
	require.NoError(t, b.SetHandler(afd, func(fd int, ev SocketEvent, _ Errno) {
		p := make([]byte, 1<<16)
		for {
			k, err := b.Recv(fd, p)
			got += k
			if k == 0 {
				eof = err == nil
				return
			}
		}
	}))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(5*time.Second)))
	assert.Equal(t, buf, got)
	assert.True(t, eof)
	require.NoError(t, b.Close(afd))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(70*time.Second)))
	assert.Empty(t, a.Conns(), "TIME-WAIT over, the connection is gone")
	assert.Empty(t, b.Conns())
}

// A host reaches its own address over the loopback interface "lo", in
// zero time and with no link.
func TestLoopbackConnection(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, _ := twoHosts(t, rec, fastLink("ab"))
	lfd := listenOn(t, a, 80, 8)
	fd, _ := a.Socket()
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrA, 80)))
	// Linux's tcp_sendmsg_locked waits for the handshake
	// (sk_stream_wait_connect): nothing is taken before it completes.
	_, err := a.Send(fd, []byte("to myself"))
	require.ErrorIs(t, err, EAGAIN)
	require.NoError(t, n.Scheduler().RunUntil(0)) // the handshake, in zero time
	k, err := a.Send(fd, []byte("to myself"))
	require.NoError(t, err)
	require.Equal(t, 9, k)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Millisecond)))
	afd, peer, err := a.Accept(lfd)
	require.NoError(t, err)
	assert.Equal(t, netip.AddrPortFrom(addrA, EphemeralFirst), peer)
	buf := make([]byte, 64)
	got, err := a.Recv(afd, buf)
	require.NoError(t, err)
	assert.Equal(t, "to myself", string(buf[:got]))
	for _, r := range rec.Records {
		if s, ok := r.Event.(*sim.PacketSend); ok {
			assert.Equal(t, "lo", s.Iface)
			assert.Zero(t, r.T, "loopback takes no time")
		}
	}
}

// The errors a connection ends with reach the socket's owner: ETIMEDOUT
// when SYN retries run out (Linux: at 127 s with 6 retries), ECONNRESET
// when the peer closes with unread data (it sends a RST), EPIPE on a
// write after SHUT_WR.
func TestConnectionErrors(t *testing.T) {
	t.Run("ETIMEDOUT", func(t *testing.T) {
		n, a, _ := twoHosts(t, nil, fastLink("ab"))
		n.Links()[0].SetUp(false)
		fd, _ := a.Socket()
		var at sim.Time
		var got Errno
		require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, err Errno) {
			if ev == SockError {
				at, got = a.Now(), err
			}
		}))
		require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(200*time.Second)))
		assert.Equal(t, ETIMEDOUT, got)
		assert.Equal(t, sim.Time(127*time.Second), at)
	})
	t.Run("ECONNRESET", func(t *testing.T) {
		n, a, b := twoHosts(t, nil, fastLink("ab"))
		lfd := listenOn(t, b, 80, 8)
		fd, _ := a.Socket()
		var got Errno
		require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, err Errno) {
			if ev == SockError {
				got = err
			}
		}))
		require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(50*time.Millisecond)))
		_, err := a.Send(fd, []byte("unread"))
		require.NoError(t, err)
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
		afd, _, err := b.Accept(lfd)
		require.NoError(t, err)
		require.NoError(t, b.Close(afd)) // unread data: a RST, not a FIN
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(200*time.Millisecond)))
		assert.Equal(t, ECONNRESET, got)
		_, err = a.Recv(fd, make([]byte, 8))
		assert.Equal(t, ECONNRESET, err)
	})
	t.Run("EPIPE", func(t *testing.T) {
		n, a, b := twoHosts(t, nil, fastLink("ab"))
		listenOn(t, b, 80, 8)
		fd, _ := a.Socket()
		require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(50*time.Millisecond)))
		require.NoError(t, a.Shutdown(fd, SHUT_WR))
		_, err := a.Send(fd, []byte("late"))
		assert.Equal(t, EPIPE, err)
		require.NoError(t, a.Shutdown(fd, SHUT_RD))
		k, err := a.Recv(fd, make([]byte, 8))
		assert.Zero(t, k)
		assert.NoError(t, err, "end of stream after SHUT_RD")
	})
}

// withoutDefaultRoute runs f while h, a host with one link, has no
// default route (InstallRoutes gives it one): nothing is reachable.
func withoutDefaultRoute(t *testing.T, h *Host, f func() error) error {
	t.Helper()
	def := netip.MustParsePrefix("0.0.0.0/0")
	rt, ok := h.Routes().Lookup(netip.MustParseAddr("192.168.1.1"))
	require.True(t, ok)
	require.Equal(t, def, rt.Prefix)
	require.True(t, h.Routes().Remove(def))
	defer func() { require.NoError(t, h.Routes().Add(rt)) }()
	return f()
}

// Fragmentation needed quotes the datagram as the router received it, TTL
// and header checksum included: Linux's ip_forward checks the MTU and
// calls icmp_send before ip_decrease_ttl, so the quoted header is the one
// the sender wrote (RFC 1812 §4.3.2.3, the original datagram).
func TestFragNeededQuotesTheDatagramAsReceived(t *testing.T) {
	n, a, b, _ := narrowPath(t, nil)
	bufs := captureAll(t, n)
	transfer5000(t, n, a, b)
	sent := map[uint16][]byte{} // a's datagrams by IP identification
	var quotes int
	for _, p := range readCapture(t, bufs["a-eth0"].Bytes()) {
		ih, seg, err := ipv4.Decode(p.data)
		require.NoError(t, err)
		if ih.Src == addrA {
			sent[ih.ID] = p.data
			continue
		}
		if ih.Protocol != icmp.Protocol {
			continue
		}
		m, body, err := icmp.Decode(seg)
		require.NoError(t, err)
		if m.Type != icmp.TypeDestUnreach || m.Code != icmp.CodeFragNeeded {
			continue
		}
		require.GreaterOrEqual(t, len(body), ipv4.HeaderLen+8)
		id := uint16(body[4])<<8 | uint16(body[5])
		orig, ok := sent[id]
		require.True(t, ok, "quoted datagram %d was sent by a", id)
		assert.Equal(t, orig[:ipv4.HeaderLen], body[:ipv4.HeaderLen], "the quoted IPv4 header is the one a sent (TTL %d)", orig[8])
		assert.True(t, bytes.Equal(orig[:len(body)], body), "the quote is the start of the datagram a sent")
		quotes++
	}
	assert.Positive(t, quotes)
}

// With TCP_FASTOPEN_CONNECT and a cookie cached for the server, Connect
// returns nil without a SYN and the first Send opens the connection with
// a SYN carrying the data (Linux's tcp_fastopen_defer_connect).
func TestFastOpenConnectSend(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	cfg := tcp.DefaultConfig()
	cfg.FastOpen = tcp.FastOpenClient | tcp.FastOpenServer
	require.NoError(t, a.SetConfig(cfg))
	require.NoError(t, b.SetConfig(cfg))
	lfd := listenOn(t, b, 80, 8)
	require.NoError(t, b.SetSockOpt(lfd, IPPROTO_TCP, TCP_FASTOPEN, 8))
	server := netip.AddrPortFrom(addrB, 80)

	// The first connection asks for a cookie.
	fd, _ := a.Socket()
	require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1))
	require.Equal(t, EINPROGRESS, a.Connect(fd, server))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Second)))
	// The second sends its data in the SYN.
	fd2, _ := a.Socket()
	require.NoError(t, a.SetSockOpt(fd2, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1))
	require.NoError(t, a.Connect(fd2, server))
	// Writable, not hung up: Linux's socket is in SYN-SENT, waiting for
	// the write (tcp_poll's defer_connect case).
	ev, err := a.Poll(fd2)
	require.NoError(t, err)
	assert.Equal(t, POLLOUT, ev)
	// Nothing to read yet, and not ENOTCONN: the socket is connecting
	// (tcp_recvmsg in SYN-SENT, non-blocking).
	_, err = a.Recv(fd2, make([]byte, 8))
	require.Equal(t, EAGAIN, err)
	k, err := a.Send(fd2, []byte("hello"))
	require.NoError(t, err)
	require.Equal(t, 5, k)
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Second+10*time.Millisecond)))
	afd, _, err := b.Accept(lfd) // the first
	require.NoError(t, err)
	require.NoError(t, b.Close(afd))
	afd, _, err = b.Accept(lfd) // accepted at once, with the SYN's data
	require.NoError(t, err)
	// The child has no Fast Open queue of its own (Linux's
	// inet_csk_clone_lock clears its accept queue).
	q, err := b.GetSockOpt(afd, IPPROTO_TCP, TCP_FASTOPEN)
	require.NoError(t, err)
	assert.Zero(t, q)
	buf := make([]byte, 16)
	got, err := b.Recv(afd, buf)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf[:got]))
}
