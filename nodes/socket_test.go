package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
