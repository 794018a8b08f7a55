package nodes

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoutingTableLongestPrefixMatch(t *testing.T) {
	var rt RoutingTable
	for _, r := range []Route{
		{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Iface: 0, Via: netip.MustParseAddr("10.0.0.254")},
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Iface: 1},
		{Prefix: netip.MustParsePrefix("10.1.0.0/16"), Iface: 2},
		{Prefix: netip.MustParsePrefix("10.1.2.3/32"), Iface: 3, Via: netip.MustParseAddr("10.1.0.1")},
		{Prefix: netip.MustParsePrefix("10.1.2.77/24"), Iface: 4}, // masked to 10.1.2.0/24
	} {
		require.NoError(t, rt.Add(r))
	}
	tests := []struct {
		dst   string
		iface int
		ok    bool
	}{
		{"10.1.2.3", 3, true},
		{"10.1.2.4", 4, true},
		{"10.1.3.1", 2, true},
		{"10.2.0.1", 1, true},
		{"192.168.1.1", 0, true},
		{"::1", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.dst, func(t *testing.T) {
			r, ok := rt.Lookup(netip.MustParseAddr(tc.dst))
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.iface, r.Iface)
		})
	}
	assert.Equal(t, 5, rt.Len())

	// Replacing keeps the count; removing falls back to the next prefix.
	require.NoError(t, rt.Add(Route{Prefix: netip.MustParsePrefix("10.1.2.3/32"), Iface: 7}))
	assert.Equal(t, 5, rt.Len())
	r, _ := rt.Lookup(netip.MustParseAddr("10.1.2.3"))
	assert.Equal(t, 7, r.Iface)
	assert.True(t, rt.Remove(netip.MustParsePrefix("10.1.2.3/32")))
	assert.False(t, rt.Remove(netip.MustParsePrefix("10.1.2.3/32")))
	r, _ = rt.Lookup(netip.MustParseAddr("10.1.2.3"))
	assert.Equal(t, 4, r.Iface)
	assert.True(t, rt.Remove(netip.MustParsePrefix("0.0.0.0/0")))
	_, ok := rt.Lookup(netip.MustParseAddr("192.168.1.1"))
	assert.False(t, ok, "no default route left")
}

func TestRoutingTableRejectsIPv6(t *testing.T) {
	var rt RoutingTable
	require.ErrorIs(t, rt.Add(Route{Prefix: netip.MustParsePrefix("::/0")}), ErrNotIPv4)
	require.ErrorIs(t, rt.Add(Route{}), ErrNotIPv4)
}

func TestRoutingTableRoutesOrder(t *testing.T) {
	var rt RoutingTable
	for _, p := range []string{"10.0.0.9/32", "10.0.0.0/24", "10.0.0.2/32", "0.0.0.0/0"} {
		require.NoError(t, rt.Add(Route{Prefix: netip.MustParsePrefix(p)}))
	}
	var got []string
	for _, r := range rt.Routes() {
		got = append(got, r.String())
	}
	assert.Equal(t, []string{"10.0.0.2/32 dev eth0", "10.0.0.9/32 dev eth0", "10.0.0.0/24 dev eth0", "0.0.0.0/0 dev eth0"}, got)
}

// lpmReference is the obvious linear longest-prefix match, to check the
// fast table against.
func lpmReference(routes []Route, dst netip.Addr) (Route, bool) {
	best, found := Route{}, false
	for _, r := range routes {
		if r.Prefix.Contains(dst) && (!found || r.Prefix.Bits() > best.Prefix.Bits()) {
			best, found = r, true
		}
	}
	return best, found
}

func FuzzRoutingTable(f *testing.F) {
	f.Add([]byte{10, 0, 0, 0, 8, 10, 1, 0, 0, 16}, uint32(0x0a010203))
	f.Fuzz(func(t *testing.T, spec []byte, dst uint32) {
		var rt RoutingTable
		var routes []Route
		for i := 0; i+5 <= len(spec); i += 5 {
			a := netip.AddrFrom4([4]byte(spec[i : i+4]))
			p := netip.PrefixFrom(a, int(spec[i+4]%33)).Masked()
			r := Route{Prefix: p, Iface: i}
			require.NoError(t, rt.Add(r))
			// The table replaces a prefix already present; so does the model.
			routes = slicesDeletePrefix(routes, p)
			routes = append(routes, r)
		}
		d := netip.AddrFrom4([4]byte{byte(dst >> 24), byte(dst >> 16), byte(dst >> 8), byte(dst)})
		want, wok := lpmReference(routes, d)
		got, gok := rt.Lookup(d)
		require.Equal(t, wok, gok)
		require.Equal(t, want, got)
		require.Equal(t, len(routes), rt.Len())
	})
}

func slicesDeletePrefix(rs []Route, p netip.Prefix) []Route {
	out := rs[:0]
	for _, r := range rs {
		if r.Prefix != p {
			out = append(out, r)
		}
	}
	return out
}

// TestRoutingTableCacheFollowsChanges looks destinations up in a table
// large enough to cache its lookups while routes come and go, and checks
// every answer against a scan of all the routes for the longest prefix
// that contains the destination (and nextHop against that route): a
// cached answer must never outlive the change that makes it wrong, nor
// an entry its eviction.
func TestRoutingTableCacheFollowsChanges(t *testing.T) {
	// 40 destinations fit the cache; 3,000 make them evict each other.
	for _, ndst := range []int{40, 3000} {
		r := rand.New(rand.NewPCG(4, 2))
		var tbl RoutingTable
		scan := func(dst netip.Addr) (Route, bool) {
			best, ok := Route{}, false
			for _, rt := range tbl.Routes() {
				if rt.Prefix.Contains(dst) && (!ok || rt.Prefix.Bits() > best.Prefix.Bits()) {
					best, ok = rt, true
				}
			}
			return best, ok
		}
		lens := []int{8, 16, 24, 30, 32}
		add := func() {
			a := netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(2)), byte(r.IntN(256))})
			p := netip.PrefixFrom(a, lens[r.IntN(len(lens))]).Masked()
			rt := Route{Prefix: p, Iface: r.IntN(8)}
			if r.IntN(4) == 0 {
				rt.ECMP = []int{rt.Iface, r.IntN(8)}
			}
			require.NoError(t, tbl.Add(rt))
		}
		for tbl.Len() <= 2*cachedRoutes {
			add()
		}
		// A few destinations looked up again and again hit the cache between
		// the changes.
		var dsts []netip.Addr
		for range ndst {
			// Many destinations spread over 10.0.0.0/18 (the /8 and /16
			// routes hold them), so that sets overflow.
			dsts = append(dsts, netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(max(2, ndst/50))), byte(r.IntN(256))}))
		}
		for i := 0; i < 5000; i++ {
			switch k := r.IntN(40); {
			case k == 0:
				add()
			case k == 1 && tbl.Len() > cachedRoutes+1:
				routes := tbl.Routes()
				tbl.Remove(routes[r.IntN(len(routes))].Prefix)
			default:
				dst := dsts[r.IntN(len(dsts))]
				want, wantOK := scan(dst)
				got, ok := tbl.Lookup(dst)
				require.Equal(t, wantOK, ok, "lookup %v", dst)
				require.Equal(t, want.Prefix, got.Prefix, "lookup %v", dst)
				require.Equal(t, want.Iface, got.Iface, "lookup %v", dst)
				iface, ecmp, ok := tbl.nextHop(dst)
				require.Equal(t, wantOK, ok, "next hop %v", dst)
				require.Equal(t, want.Iface, iface, "next hop %v", dst)
				if len(want.ECMP) > 1 {
					require.Equal(t, want.ECMP, ecmp, "next hop %v", dst)
				} else {
					require.Nil(t, ecmp, "next hop %v", dst)
				}
			}
		}
		require.NotNil(t, tbl.cache, "the table never grew large enough to cache")
	}
}
