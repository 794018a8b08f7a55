package nodes

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// star builds n hosts h1..hn around router hub, with routes.
func star(tb testing.TB, n int) *Network {
	tb.Helper()
	net := NewNetwork(1, nil)
	_, err := net.AddRouter("hub")
	require.NoError(tb, err)
	cfg := tcp.DefaultConfig()
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("h%d", i)
		_, err := net.AddHost(name, netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), cfg)
		require.NoError(tb, err)
		_, err = net.AddLink(topology.LinkConfig{Rate: units.Gbps, Delay: time.Millisecond}, name, "hub")
		require.NoError(tb, err)
	}
	require.NoError(tb, net.InstallRoutes())
	return net
}

// A star's hub has one route per host; every host has only its default
// route.
func TestStarTables(t *testing.T) {
	n := star(t, 300)
	hub, _ := n.Router("hub")
	require.Equal(t, 300, hub.Routes().Len())
	for _, h := range n.Hosts() {
		require.Equal(t, []string{"0.0.0.0/0 dev eth0"}, routeStrings(h.Routes()))
	}
	r, ok := hub.Routes().Lookup(netip.MustParseAddr("10.0.1.44"))
	require.True(t, ok)
	require.Equal(t, "10.0.1.44/32 dev eth299", r.String())
}

// BenchmarkStarBuild builds a star of 10,000 hosts: hosts, links and
// routes.
func BenchmarkStarBuild(b *testing.B) {
	for range b.N {
		star(b, 10000)
	}
}
