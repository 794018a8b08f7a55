package nodes

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

// chain builds a - r1 - r2 - b with a shortcut a - r2 that is slower, and
// a second host c on r1.
func chainNet(t *testing.T) *Network {
	t.Helper()
	n := NewNetwork(1, nil)
	for _, h := range []struct{ name, addr string }{{"a", "10.0.0.1"}, {"b", "10.0.0.2"}, {"c", "10.0.0.3"}} {
		_, err := n.AddHost(h.name, netip.MustParseAddr(h.addr), tcp.DefaultConfig())
		require.NoError(t, err)
	}
	for _, r := range []string{"r1", "r2"} {
		_, err := n.AddRouter(r)
		require.NoError(t, err)
	}
	slow := fastLink("slow")
	slow.Delay *= 10
	for _, l := range []struct {
		cfg  topology.LinkConfig
		a, b string
	}{
		{fastLink(""), "a", "r1"}, {fastLink(""), "r1", "r2"}, {fastLink(""), "r2", "b"},
		{slow, "a", "r2"}, {fastLink(""), "c", "r1"},
	} {
		_, err := n.AddLink(l.cfg, l.a, l.b)
		require.NoError(t, err)
	}
	require.NoError(t, n.InstallRoutes())
	return n
}

func routeStrings(rt *RoutingTable) []string {
	var out []string
	for _, r := range rt.Routes() {
		out = append(out, r.String())
	}
	return out
}

func TestInstallRoutesShortestPath(t *testing.T) {
	n := chainNet(t)
	a, _ := n.Host("a")
	r1, _ := n.Router("r1")
	r2, _ := n.Router("r2")
	// Interfaces are numbered per node in order of attachment: a has eth0
	// to r1 and eth1 (slow) to r2.
	assert.Equal(t, []string{"10.0.0.2/32 dev eth0", "10.0.0.3/32 dev eth0"}, routeStrings(a.Routes()))
	assert.Equal(t, []string{"10.0.0.1/32 dev eth0", "10.0.0.2/32 dev eth1", "10.0.0.3/32 dev eth2"}, routeStrings(r1.Routes()))
	assert.Equal(t, []string{"10.0.0.1/32 dev eth0", "10.0.0.2/32 dev eth1", "10.0.0.3/32 dev eth0"}, routeStrings(r2.Routes()))
	assert.Len(t, a.Interfaces(), 2)
	assert.Equal(t, "eth1", a.Interfaces()[1].Name())
}

func TestNetworkBuildErrors(t *testing.T) {
	n := NewNetwork(1, nil)
	_, err := n.AddHost("a", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	require.NoError(t, err)
	tests := []struct {
		name string
		err  error
	}{
		{"duplicate address", func() error {
			_, err := n.AddHost("b", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
			return err
		}()},
		{"duplicate name", func() error { _, err := n.AddRouter("a"); return err }()},
		{"bad name", func() error { _, err := n.AddRouter("R 1"); return err }()},
		{"ipv6", func() error {
			_, err := n.AddHost("c", netip.MustParseAddr("::1"), tcp.DefaultConfig())
			return err
		}()},
		{"unknown node", func() error { _, err := n.AddLink(fastLink(""), "a", "zz"); return err }()},
		{"bad config", func() error {
			cfg := tcp.DefaultConfig()
			cfg.MSS = 1
			_, err := n.AddHost("d", netip.MustParseAddr("10.0.0.4"), cfg)
			return err
		}()},
	}
	for _, tc := range tests {
		assert.ErrorIs(t, tc.err, ErrInvalid, tc.name)
	}
}

// Connection IDs: both ends share one, assigned in the order of first
// SYNs; a server end seeing a 4-tuple again gets a new one, unless the
// server end before it gave up the handshake.
func TestConnIDs(t *testing.T) {
	n := NewNetwork(1, nil)
	c, s := netip.MustParseAddrPort("10.0.0.1:49152"), netip.MustParseAddrPort("10.0.0.2:80")
	c2 := netip.MustParseAddrPort("10.0.0.1:49153")
	assert.Equal(t, uint64(1), n.connID(c, s, true))
	assert.Equal(t, uint64(2), n.connID(c2, s, true))
	assert.Equal(t, uint64(1), n.connID(c, s, false), "the server end joins its client")
	assert.Equal(t, uint64(3), n.connID(c, s, false), "an injected SYN reusing the tuple")
	assert.Equal(t, uint64(4), n.connID(c, s, true), "a new connect on the same tuple")
	assert.Equal(t, uint64(4), n.connID(c, s, false))
	k := connKey{endpointOf(c), endpointOf(s)}
	n.conns.release(k, 4)
	n.conns.handshakeAbandoned(k, 4)
	assert.Equal(t, uint64(4), n.connID(c, s, false), "the server starts the handshake again")
	assert.Equal(t, uint64(5), n.connID(c, s, false), "while it holds it, a second SYN is another")
	id, ok := n.lookupConnID(c2, s)
	assert.True(t, ok)
	assert.Equal(t, uint64(2), id)
}

// RecomputeRoutes over the links that are up: a host with two links whose
// first goes down routes everything out of the other (it has no default
// route to fall back on), and gets its first route back when the link
// comes up again.
func TestRecomputeRoutesMultiHomedHost(t *testing.T) {
	n := chainNet(t)
	a, _ := n.Host("a")
	ar1, ok := n.Link("a-r1")
	require.True(t, ok)
	ar1.SetUp(false)
	changed, err := n.RecomputeRoutes()
	require.NoError(t, err)
	assert.Positive(t, changed)
	assert.Equal(t, []string{"10.0.0.2/32 dev eth1", "10.0.0.3/32 dev eth1"}, routeStrings(a.Routes()))
	ar1.SetUp(true)
	_, err = n.RecomputeRoutes()
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.2/32 dev eth0", "10.0.0.3/32 dev eth0"}, routeStrings(a.Routes()))
	// Both links down: no route at all, rather than a stale one.
	ar1.SetUp(false)
	ar2, ok := n.Link("slow")
	require.True(t, ok)
	ar2.SetUp(false)
	_, err = n.RecomputeRoutes()
	require.NoError(t, err)
	assert.Empty(t, routeStrings(a.Routes()))
}
