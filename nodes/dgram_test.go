package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// A UDP datagram goes from sendto to recvfrom whole, with its sender; its
// one-way delay on an idle link is serialization (IPv4 + UDP + payload)
// plus propagation, to the nanosecond.
func TestUDPSendRecv(t *testing.T) {
	cfg := topology.LinkConfig{Name: "ab", Rate: units.BitRate(8e6), Delay: 3 * time.Millisecond} // 1 byte/us
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, cfg)
	rfd, err := b.SocketUDP()
	require.NoError(t, err)
	require.NoError(t, b.Bind(rfd, netip.AddrPortFrom(netip.IPv4Unspecified(), 9000)))
	var at sim.Time
	require.NoError(t, b.SetHandler(rfd, func(fd int, ev SocketEvent, _ Errno) {
		if ev == SockReadable && at == 0 {
			at = b.Now()
		}
	}))
	sfd, err := a.SocketUDP()
	require.NoError(t, err)
	got, err := a.SendTo(sfd, []byte("hello"), netip.AddrPortFrom(addrB, 9000))
	require.NoError(t, err)
	assert.Equal(t, 5, got)
	n.Scheduler().Run()
	assert.Equal(t, sim.Time((20+8+5)*time.Microsecond+3*time.Millisecond), at)
	buf := make([]byte, 100)
	k, from, err := b.RecvFrom(rfd, buf)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf[:k]))
	assert.Equal(t, netip.AddrPortFrom(addrA, EphemeralFirst), from)
	_, _, err = b.RecvFrom(rfd, buf)
	assert.Equal(t, EAGAIN, err)
	s := sends(rec, "host/a")
	require.Len(t, s, 1)
	assert.Equal(t, uint8(17), s[0].Proto)
	assert.Equal(t, 5, s[0].PLen)

	_, err = a.SendTo(sfd, make([]byte, 1473), netip.AddrPortFrom(addrB, 9000))
	assert.Equal(t, EMSGSIZE, err, "28 + 1473 bytes exceed the MTU of 1500")
	_, err = a.Send(sfd, []byte("x"))
	assert.Equal(t, EDESTADDRREQ, err)
	assert.Equal(t, EADDRINUSE, b.Bind(mustUDP(t, b), netip.AddrPortFrom(addrB, 9000)))
	tfd, _ := b.Socket()
	assert.NoError(t, b.Bind(tfd, netip.AddrPortFrom(addrB, 9000)), "TCP's ports are apart from UDP's")
}

func mustUDP(t *testing.T, h *Host) int {
	fd, err := h.SocketUDP()
	require.NoError(t, err)
	return fd
}

// A datagram to a port with no socket is dropped ("noport") and answered
// with ICMP port unreachable (RFC 1122 §4.1.3.1), which a connected
// socket reports as ECONNREFUSED once (Linux udp_err); the errors are
// limited to a burst of 6 then one a second per destination
// (icmp_ratelimit).
func TestUDPPortUnreachable(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	fd := mustUDP(t, a)
	var errs []Errno
	require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, e Errno) {
		if ev == SockError {
			errs = append(errs, e)
		}
	}))
	require.NoError(t, a.Connect(fd, netip.AddrPortFrom(addrB, 7)))
	for range 10 {
		_, err := a.Send(fd, []byte("x"))
		require.NoError(t, err)
	}
	n.Scheduler().Run()
	assert.Equal(t, uint64(10), b.Drops(sim.DropNoPort))
	st := b.Stats()
	assert.Equal(t, uint64(6), st.ICMPSent)
	assert.Equal(t, uint64(4), st.ICMPRateLimited)
	require.NotEmpty(t, errs)
	assert.Equal(t, ECONNREFUSED, errs[0])
	_, err := a.Send(fd, []byte("x"))
	assert.Equal(t, ECONNREFUSED, err)
	_, err = a.Send(fd, []byte("x"))
	assert.NoError(t, err, "the error is reported once")
	// A second later the bucket holds one more token.
	require.NoError(t, n.Scheduler().RunUntil(n.Now().Add(time.Second)))
	_, _ = a.Send(fd, []byte("x"))
	n.Scheduler().Run()
	assert.Equal(t, uint64(7), b.Stats().ICMPSent)
}

// A receive buffer that is full drops datagrams ("rcvbuf") and counts
// them; reading makes room again.
func TestUDPReceiveBufferDrops(t *testing.T) {
	n, a, b := twoHosts(t, nil, fastLink("ab"))
	rfd := mustUDP(t, b)
	require.NoError(t, b.Bind(rfd, netip.AddrPortFrom(addrB, 9000)))
	fd := mustUDP(t, a)
	const size = 1000
	for i := range 300 {
		// Paced, so that the link's queue takes every one.
		_, err := n.Scheduler().After(time.Duration(i)*20*time.Microsecond, func() {
			_, err := a.SendTo(fd, make([]byte, size), netip.AddrPortFrom(addrB, 9000))
			require.NoError(t, err)
		})
		require.NoError(t, err)
	}
	n.Scheduler().Run()
	kept := DefaultDgramRcvBuf/(size+dgramOverhead) + 1
	drops, err := b.DgramDrops(rfd)
	require.NoError(t, err)
	assert.Equal(t, uint64(300-kept), drops)
	assert.Equal(t, drops, b.Drops(sim.DropRcvBuf))
	buf := make([]byte, 2000)
	for range kept {
		k, _, err := b.RecvFrom(rfd, buf)
		require.NoError(t, err)
		require.Equal(t, size, k)
	}
	_, _, err = b.RecvFrom(rfd, buf)
	assert.Equal(t, EAGAIN, err)
	require.NoError(t, b.Close(rfd))
	assert.NoError(t, b.Bind(mustUDP(t, b), netip.AddrPortFrom(addrB, 9000)), "close frees the port")
}

// A ping socket's echo request comes back as a reply with the same
// identifier (the socket's port), sequence number and data, one RTT
// later.
func TestPing(t *testing.T) {
	n, a, _ := twoHosts(t, nil, fastLink("ab"))
	fd, err := a.SocketPing()
	require.NoError(t, err)
	req := icmp.Echo(icmp.TypeEchoRequest, 0, 5)
	_, err = a.SendTo(fd, req.AppendTo(nil, []byte("0123456789")), netip.AddrPortFrom(addrB, 0))
	require.NoError(t, err)
	n.Scheduler().Run()
	buf := make([]byte, 100)
	k, from, err := a.RecvFrom(fd, buf)
	require.NoError(t, err)
	assert.Equal(t, addrB, from.Addr())
	m, body, err := icmp.Decode(buf[:k])
	require.NoError(t, err)
	assert.Equal(t, icmp.TypeEchoReply, m.Type)
	assert.Equal(t, uint16(EphemeralFirst), m.ID())
	assert.Equal(t, uint16(5), m.Seq())
	assert.Equal(t, "0123456789", string(body))
	_, err = a.SendTo(fd, []byte{0, 0, 0, 0, 0, 0, 0, 0}, netip.AddrPortFrom(addrB, 0))
	assert.Equal(t, EINVAL, err, "only echo requests")
}

// An ICMP error about one of a ping socket's echo requests reaches that
// socket, as on Linux's ping socket with IP_RECVERR (what ping(8) sets):
// a SockError event, then RecvError gives the request's sequence number,
// the errno and who sent the error; ping(8) prints it ("From 100.64.0.1
// icmp_seq=3 Destination Host Unreachable") and counts it in "+N
// errors". Here r1's link to b is down: host unreachable from r1.
func TestPingSocketGetsICMPErrors(t *testing.T) {
	n, a := linkDownWorld(t)
	fd, err := a.SocketPing()
	require.NoError(t, err)
	var events int
	require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, _ Errno) {
		if ev == SockError {
			events++
		}
	}))
	req := icmp.Echo(icmp.TypeEchoRequest, 0, 3)
	_, err = a.SendTo(fd, req.AppendTo(nil, []byte("data")), netip.AddrPortFrom(addrB, 0))
	require.NoError(t, err)
	require.NoError(t, n.Scheduler().RunUntil(n.Scheduler().Now().Add(100*time.Millisecond)))
	assert.Equal(t, 1, events)
	r1, _ := n.Router("r1")
	e, ok, err := a.RecvError(fd)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, PingError{Seq: 3, From: r1.Addr(), Type: icmp.TypeDestUnreach, Code: icmp.CodeHostUnreach, Errno: EHOSTUNREACH}, e)
	_, ok, err = a.RecvError(fd)
	require.NoError(t, err)
	assert.False(t, ok, "one error, read once")
	buf := make([]byte, 64)
	_, _, err = a.RecvFrom(fd, buf)
	assert.Equal(t, EAGAIN, err, "an error is not a reply")
}
