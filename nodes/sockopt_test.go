package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
)

func TestSockOpts(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	lfd, _ := b.Socket()
	require.NoError(t, b.SetSockOpt(lfd, SOL_SOCKET, SO_RCVBUF, 32768))
	require.NoError(t, b.SetSockOpt(lfd, IPPROTO_TCP, TCP_MAXSEG, 1000))
	require.NoError(t, b.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80")))
	require.NoError(t, b.Listen(lfd, 4))

	fd, _ := a.Socket()
	get := func(h *Host, fd, level, name int) int {
		v, err := h.GetSockOpt(fd, level, name)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, 16384, get(a, fd, SOL_SOCKET, SO_SNDBUF), "an automatic buffer starts at Linux's tcp_wmem[1]")
	assert.Equal(t, 0, get(a, fd, IPPROTO_TCP, TCP_NODELAY))
	require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_NODELAY, 1))
	assert.Equal(t, 1, get(a, fd, IPPROTO_TCP, TCP_NODELAY))
	require.NoError(t, a.SetSockOpt(fd, SOL_SOCKET, SO_SNDBUF, 10))
	assert.Equal(t, minSndBuf, get(a, fd, SOL_SOCKET, SO_SNDBUF), "doubled, then raised to the floor")
	assert.Equal(t, ENOPROTOOPT, a.SetSockOpt(fd, SOL_SOCKET, 999, 1))
	assert.Equal(t, EINVAL, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 10))
	_, err := a.GetSockOpt(fd, IPPROTO_TCP, 999)
	assert.Equal(t, ENOPROTOOPT, err)

	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	assert.Equal(t, EISCONN, a.SetSockOpt(fd, SOL_SOCKET, SO_RCVBUF, 1<<20))
	assert.Equal(t, EISCONN, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 1200))
	// The accepted connection inherits the listener's options: its MSS
	// option said 1000, so the client's segments carry 1000 - 12 bytes.
	afd, _, err := b.Accept(lfd)
	require.NoError(t, err)
	assert.Equal(t, 2*32768, get(b, afd, SOL_SOCKET, SO_RCVBUF))
	assert.Equal(t, 1000-12, get(a, fd, IPPROTO_TCP, TCP_MAXSEG))
	// The send buffer the client asked for caps a write.
	k, err := a.Send(fd, make([]byte, 100_000))
	require.NoError(t, err)
	assert.Equal(t, minSndBuf/2, k)
	// SO_SNDBUF may grow on a connected socket, as on Linux: the next
	// write takes up to the new size less what is still unacknowledged.
	require.NoError(t, a.SetSockOpt(fd, SOL_SOCKET, SO_SNDBUF, 50_000))
	assert.Equal(t, 100_000, get(a, fd, SOL_SOCKET, SO_SNDBUF))
	k, err = a.Send(fd, make([]byte, 100_000))
	require.NoError(t, err)
	assert.Equal(t, 50_000-minSndBuf/2, k)
}

// SO_ERROR reports a failed non-blocking connect once, then 0.
func TestSOErrorAfterRefusedConnect(t *testing.T) {
	n, a, _ := twoHosts(t, nil, fastLink("ab"))
	fd, _ := a.Socket()
	var events []SocketEvent
	require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, err Errno) {
		events = append(events, ev)
		if ev == SockError {
			assert.Equal(t, ECONNREFUSED, err)
		}
	}))
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 9)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	assert.Equal(t, []SocketEvent{SockError, SockClosed}, events)
	v, err := a.GetSockOpt(fd, SOL_SOCKET, SO_ERROR)
	require.NoError(t, err)
	assert.Equal(t, int(ECONNREFUSED), v)
	v, _ = a.GetSockOpt(fd, SOL_SOCKET, SO_ERROR)
	assert.Zero(t, v)
	_, err = a.Send(fd, []byte("x"))
	assert.Equal(t, EPIPE, err)
	_, err = a.Recv(fd, make([]byte, 1))
	assert.Equal(t, ECONNREFUSED, err)
	ev, _ := a.Poll(fd)
	// tcp_done sets SHUTDOWN_MASK: tcp_poll adds EPOLLRDHUP to HUP, and
	// EPOLLOUT (a write returns at once).
	assert.Equal(t, POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP, ev)
}

// Closing a listener resets the connections it had not accepted, and
// frees its port.
func TestCloseListenerResetsQueue(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	lfd := listenOn(t, b, 80, 8)
	fd, _ := a.Socket()
	var errs []Errno
	require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, err Errno) {
		if ev == SockError {
			errs = append(errs, err)
		}
	}))
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	ev, _ := b.Poll(lfd)
	assert.Equal(t, POLLIN, ev)
	require.NoError(t, b.Close(lfd))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(200*time.Millisecond)))
	assert.Equal(t, []Errno{ECONNRESET}, errs)
	assert.Empty(t, b.Conns())
	lfd2, _ := b.Socket()
	assert.NoError(t, b.Bind(lfd2, netip.MustParseAddrPort("10.0.0.2:80")), "the port is free again")
}

// SO_REUSEADDR binds a port that only a connection holds, never one a
// listener holds.
func TestReuseAddr(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	listenOn(t, b, 80, 8)
	fd, _ := a.Socket()
	require.NoError(t, a.Bind(fd, netip.MustParseAddrPort("10.0.0.1:7000")))
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	require.NoError(t, a.Close(fd)) // FIN-WAIT, then TIME-WAIT: the port stays held
	fd2, _ := a.Socket()
	assert.Equal(t, EADDRINUSE, a.Bind(fd2, netip.MustParseAddrPort("10.0.0.1:7000")))
	require.NoError(t, a.SetSockOpt(fd2, SOL_SOCKET, SO_REUSEADDR, 1))
	assert.NoError(t, a.Bind(fd2, netip.MustParseAddrPort("10.0.0.1:7000")))

	s2, _ := b.Socket()
	require.NoError(t, b.SetSockOpt(s2, SOL_SOCKET, SO_REUSEADDR, 1))
	assert.Equal(t, EADDRINUSE, b.Bind(s2, netip.MustParseAddrPort("10.0.0.2:80")))
	i, _ := a.Info(fd2)
	assert.Equal(t, tcp.Closed, i.State)
}

// IP_MTU_DISCOVER and IP_TOS as Linux: the mode reads back, values past
// IP_PMTUDISC_OMIT are refused, Don't Fragment goes with WANT and DO only,
// the path MTU is ignored by DONT, INTERFACE and OMIT, TCP keeps the ECN
// bits of the TOS byte, and an accepted connection inherits both.
func TestIPSockOpts(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	lfd, _ := b.Socket()
	s, err := b.socket(lfd)
	require.NoError(t, err)
	assert.True(t, s.dontFragment() && s.acceptsPMTU(), "IP_PMTUDISC_WANT by default")
	for mode, want := range []struct{ df, pmtu bool }{
		IP_PMTUDISC_DONT: {false, false}, IP_PMTUDISC_WANT: {true, true}, IP_PMTUDISC_DO: {true, true},
		IP_PMTUDISC_PROBE: {false, true}, IP_PMTUDISC_INTERFACE: {false, false}, IP_PMTUDISC_OMIT: {false, false},
	} {
		require.NoError(t, b.SetSockOpt(lfd, IPPROTO_IP, IP_MTU_DISCOVER, mode))
		v, err := b.GetSockOpt(lfd, IPPROTO_IP, IP_MTU_DISCOVER)
		require.NoError(t, err)
		assert.Equal(t, mode, v)
		assert.Equal(t, want.df, s.dontFragment(), "mode %d", mode)
		assert.Equal(t, want.pmtu, s.acceptsPMTU(), "mode %d", mode)
	}
	assert.Equal(t, EINVAL, b.SetSockOpt(lfd, IPPROTO_IP, IP_MTU_DISCOVER, 6))
	require.NoError(t, b.SetSockOpt(lfd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT))
	require.NoError(t, b.SetSockOpt(lfd, IPPROTO_IP, IP_TOS, 0xb9))
	tos, err := b.GetSockOpt(lfd, IPPROTO_IP, IP_TOS)
	require.NoError(t, err)
	assert.Equal(t, 0xb8, tos)
	require.NoError(t, b.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80")))
	require.NoError(t, b.Listen(lfd, 4))
	fd, _ := a.Socket()
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	afd, _, err := b.Accept(lfd)
	require.NoError(t, err)
	v, _ := b.GetSockOpt(afd, IPPROTO_IP, IP_MTU_DISCOVER)
	assert.Equal(t, IP_PMTUDISC_DONT, v)
	v, _ = b.GetSockOpt(afd, IPPROTO_IP, IP_TOS)
	assert.Equal(t, 0xb8, v)
}

// TestSetCongestion: TCP_CONGESTION gives one socket its own congestion
// control, which a listener's accepted connections inherit; dctcp makes
// it ask for ECN whatever the host's setting (Linux's tcp_ca_needs_ecn);
// an unknown name is ENOENT; a made connection switches at once
// (tcp_reinit_congestion_control), its ECN as negotiated.
func TestSetCongestion(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	require.NotEqual(t, tcp.ECNOn, a.Config().ECN, "the test needs a host that does not ask for ECN")
	lfd, _ := b.Socket()
	require.NoError(t, b.SetCongestion(lfd, tcp.CongestionBBR))
	require.NoError(t, b.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80")))
	require.NoError(t, b.Listen(lfd, 4))

	fd, _ := a.Socket()
	cc, err := a.Congestion(fd)
	require.NoError(t, err)
	assert.Equal(t, a.Config().Congestion, cc, "the host's until set")
	assert.Equal(t, ENOENT, a.SetCongestion(fd, "westwood"))
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionDCTCP))
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
	s, err := a.socket(fd)
	require.NoError(t, err)
	assert.Equal(t, tcp.CongestionDCTCP, s.conn.CongestionControl().Name())
	assert.Equal(t, tcp.ECNOn, s.conn.Config().ECN, "dctcp asks for ECN")
	assert.NotEqual(t, tcp.ECNOn, a.Config().ECN, "for this socket alone")
	require.True(t, s.conn.ECNCapable())
	cwnd := s.conn.CongestionControl().Cwnd()
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionCubic))
	assert.Equal(t, ENOENT, a.SetCongestion(fd, "westwood"))
	cc, err = a.Congestion(fd)
	require.NoError(t, err)
	assert.Equal(t, tcp.CongestionCubic, cc)
	assert.Equal(t, tcp.CongestionCubic, s.conn.Config().Congestion)
	assert.Equal(t, cwnd, s.conn.CongestionControl().Cwnd(), "the window carries over")
	assert.True(t, s.conn.ECNCapable(), "ECN stays negotiated")
	afd, _, err := b.Accept(lfd)
	require.NoError(t, err)
	cc, err = b.Congestion(afd)
	require.NoError(t, err)
	assert.Equal(t, tcp.CongestionBBR, cc, "inherited from the listener")
	other, _ := a.Socket()
	cc, err = a.Congestion(other)
	require.NoError(t, err)
	assert.Equal(t, a.Config().Congestion, cc, "other sockets keep the host's")
}

// TestSetCongestionBackFromDCTCP: a socket that picked dctcp and then
// another congestion control asks for ECN as the host's setting says
// again, as Linux's tcp_reinit_congestion_control undoes INET_ECN_xmit
// (INET_ECN_dontxmit) and tcp_ecn_send_syn reads the sysctl.
func TestSetCongestionBackFromDCTCP(t *testing.T) {
	_, a, _ := twoHosts(t, nil, fastLink("ab"))
	require.NotEqual(t, tcp.ECNOn, a.Config().ECN, "the test needs a host that does not ask for ECN")
	fd, _ := a.Socket()
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionDCTCP))
	s, err := a.socket(fd)
	require.NoError(t, err)
	assert.Equal(t, tcp.ECNOn, s.config().ECN, "dctcp asks for ECN")
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionCubic))
	assert.Equal(t, a.Config().ECN, s.config().ECN, "cubic asks as the host does")
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionDCTCP))
	require.NoError(t, a.SetCongestion(fd, tcp.CongestionDCTCP))
	assert.Equal(t, tcp.ECNOn, s.config().ECN, "dctcp twice still asks")
}
