package nodes

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// fatTree builds the k-ary fat-tree of Al-Fares et al. (SIGCOMM 2008):
// k pods of k/2 edge and k/2 aggregation switches, (k/2)² core switches,
// k/2 hosts per edge switch; every link the same, so that all paths
// between pods cost the same.
func fatTree(tb testing.TB, k int, routing Routing) *Network {
	tb.Helper()
	n := NewNetwork(1, nil)
	n.SetRouting(routing)
	cfg := topology.LinkConfig{Rate: 10 * units.Gbps, Delay: time.Microsecond}
	link := func(a, b string) {
		_, err := n.AddLink(cfg, a, b)
		require.NoError(tb, err)
	}
	router := func(name string) {
		_, err := n.AddRouter(name)
		require.NoError(tb, err)
	}
	half := k / 2
	for c := range half * half {
		router(fmt.Sprintf("core-%d", c))
	}
	tcpCfg := tcp.DefaultConfig()
	for p := range k {
		for a := range half {
			router(fmt.Sprintf("agg-%d-%d", p, a))
			for c := range half {
				link(fmt.Sprintf("agg-%d-%d", p, a), fmt.Sprintf("core-%d", a*half+c))
			}
		}
		for e := range half {
			edge := fmt.Sprintf("edge-%d-%d", p, e)
			router(edge)
			for a := range half {
				link(edge, fmt.Sprintf("agg-%d-%d", p, a))
			}
			for h := range half {
				name := fmt.Sprintf("h-%d-%d-%d", p, e, h)
				_, err := n.AddHost(name, netip.AddrFrom4([4]byte{10, byte(p), byte(e), byte(h + 2)}), tcpCfg)
				require.NoError(tb, err)
				link(name, edge)
			}
		}
	}
	require.NoError(tb, n.InstallRoutes())
	return n
}

// walk follows the tables from src to dst for the flow's datagram, with
// each router's own choice among equal-cost hops, and returns the nodes
// visited after src.
func walk(t *testing.T, n *Network, src *Host, dst netip.Addr, sport, dport uint16) []string {
	t.Helper()
	b := make([]byte, 24)
	b[0], b[9] = 0x45, tcp.ProtocolTCP
	s4, d4 := src.Addr().As4(), dst.As4()
	copy(b[12:16], s4[:])
	copy(b[16:20], d4[:])
	binary.BigEndian.PutUint16(b[20:], sport)
	binary.BigEndian.PutUint16(b[22:], dport)
	out := src.route(dst)
	var path []string
	for range 64 {
		require.NotNil(t, out, "no route after %v", path)
		far, ok := out.link.Endpoint(1 - out.side).(*Interface)
		require.True(t, ok)
		nd := far.node
		path = append(path, nd.name)
		r, isRouter := n.Router(nd.name)
		if !isRouter {
			h, _ := n.Host(nd.name)
			require.Equal(t, dst, h.Addr())
			return path
		}
		iface, ecmp, ok := r.routes.nextHop(dst)
		require.True(t, ok, "%s has no route to %v", r.name, dst)
		out = r.egress(iface, ecmp, b)
	}
	t.Fatalf("loop: %v", path)
	return nil
}

// coreLoad sends 1,000 flows between random hosts of different pods and
// counts the flows each core switch carries.
func coreLoad(t *testing.T, n *Network, k int) map[string]int {
	t.Helper()
	hosts := n.Hosts()
	rng := rand.New(rand.NewPCG(3, 4))
	load := map[string]int{}
	for range 1000 {
		a, b := hosts[rng.IntN(len(hosts))], hosts[rng.IntN(len(hosts))]
		for a.Addr().As4()[1] == b.Addr().As4()[1] { // same pod
			b = hosts[rng.IntN(len(hosts))]
		}
		path := walk(t, n, a, b.Addr(), uint16(EphemeralFirst+rng.IntN(10000)), 80)
		require.Len(t, path, 6, "host, edge, agg, core, agg, edge, host")
		load[path[2]]++
	}
	return load
}

// ECMP spreads 1,000 flows over every core switch of a fat-tree within
// 20% of even, the same way on every build; without ECMP every flow
// takes the first path.
func TestECMPSpreadsFlowsOverFatTreeCores(t *testing.T) {
	const k = 4
	cores := (k / 2) * (k / 2)
	load := coreLoad(t, fatTree(t, k, Routing{ECMP: true}), k)
	require.Len(t, load, cores)
	even := 1000.0 / float64(cores)
	for core, c := range load {
		assert.InDelta(t, even, float64(c), 0.2*even, "%s carries %d flows", core, c)
	}
	assert.Equal(t, load, coreLoad(t, fatTree(t, k, Routing{ECMP: true}), k), "deterministic")

	plain := coreLoad(t, fatTree(t, k, Routing{}), k)
	assert.Less(t, len(plain), cores, "without ECMP fewer cores carry traffic: %v", plain)
}

// A router's ECMP route lists every equal-cost interface, shared among
// the destinations that have the same list.
func TestECMPRoutesListEqualCostHops(t *testing.T) {
	n := fatTree(t, 4, Routing{ECMP: true})
	edge, _ := n.Router("edge-0-0")
	rt, ok := edge.Routes().Lookup(netip.MustParseAddr("10.3.1.2"))
	require.True(t, ok)
	assert.Equal(t, "10.3.1.2/32 dev eth0 ecmp eth1", rt.String(), "both aggregation switches")
	rt2, _ := edge.Routes().Lookup(netip.MustParseAddr("10.2.0.3"))
	assert.Same(t, &rt.ECMP[0], &rt2.ECMP[0], "one shared list")
	local, _ := edge.Routes().Lookup(netip.MustParseAddr("10.0.0.3"))
	assert.Nil(t, local.ECMP, "one way to a host of its own")
}

// BenchmarkFatTreeBuild builds a k=16 fat-tree (1,024 hosts, 320
// switches) with ECMP routes.
func BenchmarkFatTreeBuild(b *testing.B) {
	for range b.N {
		fatTree(b, 16, Routing{ECMP: true})
	}
}
