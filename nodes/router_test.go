package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/inet"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// fastLink is a 1 Gbps link with 1 ms of delay.
func fastLink(name string) topology.LinkConfig {
	return topology.LinkConfig{Name: name, Rate: units.BitRate(1e9), Delay: time.Millisecond}
}

// inject sends a bare segment from h to dst as the host's IP layer would.
func inject(h *Host, dst netip.Addr, hdr tcp.Header, payload []byte) {
	h.output(dst, &hdr, payload, segmentInfo{})
}

func mustRoute(t *testing.T, rt *RoutingTable, prefix string, iface int) {
	t.Helper()
	require.NoError(t, rt.Add(Route{Prefix: netip.MustParsePrefix(prefix), Iface: iface}))
}

func countDrops(rec *sim.Recorder, subject, reason string) int {
	n := 0
	for _, r := range rec.Records {
		if d, ok := r.Event.(*sim.PacketDrop); ok && r.Subject == subject && d.Reason == reason {
			n++
		}
	}
	return n
}

// A routing loop made on purpose (r1 and r2 each send 10.9.0.0/16 to the
// other) ends with the datagram's TTL running out at one of them:
// RFC 1812 §5.3.1.
func TestRouterTTLExpiresOnRoutingLoop(t *testing.T) {
	rec := &sim.Recorder{}
	n := NewNetwork(1, rec)
	a, err := n.AddHost("a", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	require.NoError(t, err)
	r1, err := n.AddRouter("r1")
	require.NoError(t, err)
	r2, err := n.AddRouter("r2")
	require.NoError(t, err)
	_, err = n.AddLink(fastLink("a-r1"), "a", "r1")
	require.NoError(t, err)
	_, err = n.AddLink(fastLink("r1-r2"), "r1", "r2")
	require.NoError(t, err)
	mustRoute(t, a.Routes(), "0.0.0.0/0", 0)
	mustRoute(t, r1.Routes(), "10.9.0.0/16", 1) // r1 eth1 -> r2
	mustRoute(t, r2.Routes(), "10.9.0.0/16", 0) // r2 eth0 -> r1

	inject(a, netip.MustParseAddr("10.9.0.1"), tcp.Header{SrcPort: 1, DstPort: 2, Flags: tcp.FlagSYN}, nil)
	n.Scheduler().Run()

	// TTL 64 leaves a; r1 forwards at 64, 62, ..., 2 (TTL after: 63, 61,
	// ...), r2 at 63, ..., 3; the router that receives TTL 1 drops it.
	assert.Equal(t, uint64(63), r1.Forwarded()+r2.Forwarded())
	assert.Equal(t, uint64(1), r1.Drops(sim.DropTTL)+r2.Drops(sim.DropTTL))
	assert.Equal(t, 1, countDrops(rec, "router/r2", sim.DropTTL)+countDrops(rec, "router/r1", sim.DropTTL))
}

func TestRouterDropsWithReasons(t *testing.T) {
	rec := &sim.Recorder{}
	n := NewNetwork(1, rec)
	a, _ := n.AddHost("a", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	r, _ := n.AddRouter("r")
	_, err := n.AddLink(fastLink("a-r"), "a", "r")
	require.NoError(t, err)
	mustRoute(t, a.Routes(), "0.0.0.0/0", 0)

	// No route at the router.
	inject(a, netip.MustParseAddr("10.7.0.1"), tcp.Header{SrcPort: 1, DstPort: 2, Flags: tcp.FlagSYN}, nil)
	n.Scheduler().Run()
	assert.Equal(t, uint64(1), r.Drops(sim.DropNoRoute))
	assert.Equal(t, 1, countDrops(rec, "router/r", sim.DropNoRoute))

	// A header checksum broken on the way; a truncated header.
	ifc := a.Interfaces()[0]
	bad := []byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0xde, 0xad, 10, 0, 0, 1, 10, 7, 0, 1}
	ifc.send(&topology.Packet{ID: n.NextPacketID(), Data: bad})
	ifc.send(&topology.Packet{ID: n.NextPacketID(), Data: []byte{0x45, 0, 0}})
	v6 := append([]byte{0x65}, bad[1:]...) // version 6, checksum right
	v6[10], v6[11] = 0, 0
	c := inet.Checksum(v6, 0)
	v6[10], v6[11] = byte(c>>8), byte(c)
	ifc.send(&topology.Packet{ID: n.NextPacketID(), Data: v6})
	n.Scheduler().Run()
	assert.Equal(t, uint64(1), r.Drops(sim.DropChecksum))
	assert.Equal(t, uint64(2), r.Drops(sim.DropMalformed))
}

// A router that cannot forward a SYN answers as a Linux router does, and
// the connect fails at once with the errno the code maps to (Linux's
// tcp_v4_err in SYN-SENT): no route to the destination is network
// unreachable (ip_error on the FIB lookup's ENETUNREACH), ENETUNREACH; a
// next hop whose link is down is host unreachable, EHOSTUNREACH.
func TestRouterUnreachableCodes(t *testing.T) {
	n, a := linkDownWorld(t)
	mustRoute(t, a.Routes(), "0.0.0.0/0", 0) // a sends anything to r1, which has no route for 10.7/16
	for _, tc := range []struct {
		to   netip.Addr
		want Errno
	}{
		{netip.MustParseAddr("10.7.0.1"), ENETUNREACH},
		{addrB, EHOSTUNREACH},
	} {
		fd, err := a.Socket()
		require.NoError(t, err)
		var got Errno
		require.NoError(t, a.SetHandler(fd, func(_ int, ev SocketEvent, e Errno) {
			if ev == SockError {
				got = e
			}
		}))
		require.ErrorIs(t, a.Connect(fd, netip.AddrPortFrom(tc.to, 80)), EINPROGRESS)
		require.NoError(t, n.Scheduler().RunUntil(n.Scheduler().Now().Add(100*time.Millisecond)))
		assert.Equal(t, tc.want, got, "connect to %v", tc.to)
	}
}

// linkDownWorld is a -- r1 -- b with routes installed and the link from r1
// to b down: what a sends to b, r1 cannot forward.
func linkDownWorld(t *testing.T) (*Network, *Host) {
	t.Helper()
	n, a, _ := hostsAB(t, nil)
	_, err := n.AddRouter("r1")
	require.NoError(t, err)
	_, err = n.AddLink(fastLink("a-r1"), "a", "r1")
	require.NoError(t, err)
	down, err := n.AddLink(fastLink("r1-b"), "r1", "b")
	require.NoError(t, err)
	require.NoError(t, n.InstallRoutes())
	down.SetUp(false)
	return n, a
}
