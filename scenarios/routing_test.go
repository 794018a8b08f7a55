package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// reroute is a diamond: the short path r1-r2 fails at 300 ms while a
// transfer runs; a longer path through r3 remains.
const reroute = `version: 1
name: reroute
duration: 10s
hosts:
  client: {address: 10.0.0.1}
  server: {address: 10.0.0.2}
routers: {r1: {}, r2: {}, r3: {}}
links:
  - {between: [client, r1], bandwidth: 10Mbps, delay: 1ms}
  - {name: short, between: [r1, r2], bandwidth: 10Mbps, delay: 5ms}
  - {between: [r1, r3], bandwidth: 10Mbps, delay: 10ms}
  - {between: [r3, r2], bandwidth: 10Mbps, delay: 10ms}
  - {between: [r2, server], bandwidth: 10Mbps, delay: 1ms}
apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: client, to: server:80, start: 100ms, bytes: 1MB}
faults:
  - {at: 300ms, link: short, down: true}
expect:
  - delivered: {to: server:80, bytes: 1MB, by: 10s}
`

func runReroute(t *testing.T, routing string) ([]sim.Record, []Result) {
	t.Helper()
	s, err := Parse("reroute.yaml", []byte(reroute+routing))
	require.NoError(t, err)
	records, end := recordRun(t, s)
	return records, Check(s, records, end)
}

// With recompute, the transfer survives the failed link: r1 and r2
// reroute through r3 50 ms after the fault, and the trace says so.
// Without it, the routes keep pointing at the dead link.
func TestRecomputeReroutesAroundAFailedLink(t *testing.T) {
	recs, results := runReroute(t, "routing: {recompute: true, convergence: 50ms}\n")
	require.Len(t, results, 1)
	assert.True(t, results[0].OK, results[0].Detail)
	var changes []string
	for _, r := range recs {
		if r.Kind() == sim.KindRouteChange {
			assert.Equal(t, sim.Time(350e6), r.T, "50ms after the fault")
			changes = append(changes, r.Subject)
		}
	}
	assert.Equal(t, []string{"router/r1", "router/r2"}, changes)
	forwardedBy := map[string]int{}
	for _, r := range recs {
		if r.Kind() == sim.KindPacketForward {
			forwardedBy[r.Subject]++
		}
	}
	assert.Positive(t, forwardedBy["router/r3"], "the detour carries the rest")

	_, results = runReroute(t, "")
	require.Len(t, results, 1)
	assert.False(t, results[0].OK, "static routes black-hole the transfer")
}

// Faults at the same instant are followed by one recompute, not one
// each: a switch failing as its eight links going down at once computed
// every table eight times over (175 ms each on a k=16 fat-tree), the
// last seven finding nothing to change. The trace is the same.
func TestSimultaneousFaultsRecomputeOnce(t *testing.T) {
	run := func(faults string) (uint64, []string) {
		text := strings.Replace(reroute, "  - {at: 300ms, link: short, down: true}\n", "  - {at: 300ms, link: short, down: true}\n"+faults, 1)
		s, err := Parse("reroute.yaml", []byte(text+"routing: {recompute: true, convergence: 50ms}\n"))
		require.NoError(t, err)
		rec := &sim.Recorder{}
		w, err := Build(s, BuildOptions{Seed: 1, Trace: rec})
		require.NoError(t, err)
		_, err = w.Run(0, nil)
		require.NoError(t, err)
		var changes []string
		for _, r := range rec.Records {
			if r.Kind() == sim.KindRouteChange {
				changes = append(changes, fmt.Sprintf("%d %s", r.T, r.Subject))
			}
		}
		return w.Net.Scheduler().Processed(), changes
	}
	one, changes1 := run("")
	four, changes4 := run("  - {at: 300ms, link: r1-r3, set: {delay: 10ms}}\n  - {at: 300ms, link: r3-r2, down: true}\n  - {at: 300ms, link: r3-r2, up: true}\n")
	assert.Equal(t, changes1, changes4)
	// Three more faults, each one event (a set changes no link's state
	// and asks for no recompute), and no more recomputes.
	assert.Equal(t, uint64(3), four-one, "events: %d with one fault, %d with four", one, four)
}

func TestRoutingSectionErrors(t *testing.T) {
	_, err := Parse("r.yaml", []byte(reroute+"routing: {ecmp: maybe, convergence: -1s, fast: true}\n"))
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`r.yaml:21:17: routing.ecmp: "maybe" is not a boolean (true or false)`,
		`r.yaml:21:37: routing.convergence: duration "-1s": must not be negative (a duration like 250us, 5ms or 1.5s)`,
		`r.yaml:21:42: routing: unknown key "fast" (allowed keys: ecmp, recompute, convergence)`,
	}, "\n"), err.Error())
	s, err := Parse("r.yaml", []byte(reroute+"routing: {convergence: 1s}\n"))
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), "r.yaml:21:11: warning: routing.convergence: has no effect without recompute: true")
	// Held to the limit of every time: a fault at 100000h plus this
	// could not be scheduled.
	_, err = Parse("r.yaml", []byte(reroute+"routing: {recompute: true, convergence: 2562047h}\n"))
	require.Error(t, err)
	assert.Equal(t, `r.yaml:21:41: routing.convergence: 2562047h0m0s is too long (at most 100000h (about 11 years))`, err.Error())
}

// chainScenario is client - r1 - ... - rN - server, with the middle
// link's MTU mtu.
func chainScenario(routers, mtu int) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: chain\nduration: 1s\nhosts: {client: {}, server: {}}\nrouters:\n")
	for i := 1; i <= routers; i++ {
		fmt.Fprintf(&b, "  r%d: {}\n", i)
	}
	b.WriteString("links:\n  - {between: [client, r1], bandwidth: 1Gbps}\n")
	for i := 1; i < routers; i++ {
		m := 1500
		if i == routers/2 {
			m = mtu
		}
		fmt.Fprintf(&b, "  - {between: [r%d, r%d], bandwidth: 1Gbps, mtu: %d}\n", i, i+1, m)
	}
	fmt.Fprintf(&b, "  - {between: [r%d, server], bandwidth: 1Gbps}\n", routers)
	b.WriteString("apps:\n  - {type: sink, host: server, port: 80}\n  - {type: bulk-send, host: client, to: server:80, bytes: 1KB}\n")
	return b.String()
}

// warningLines parses text as the file name and returns its warnings as
// netsim prints them.
func warningLines(t *testing.T, name, text string) []string {
	t.Helper()
	s, err := Parse(name, []byte(text))
	require.NoError(t, err)
	var out []string
	for _, w := range s.Warnings {
		out = append(out, w.Error())
	}
	return out
}

// Validation warns, without failing, about a path of more routers than
// the TTL crosses, and about UDP datagrams larger than the path's MTU.
func TestPathWarnings(t *testing.T) {
	warnings := func(routers, mtu int) []string {
		return warningLines(t, "c.yaml", chainScenario(routers, mtu))
	}
	assert.Empty(t, warnings(63, 1500), "63 routers: TTL 64 is enough")
	lines := 5 + 64 + 1 + 64 + 1 + 3 // the bulk-send line
	assert.Equal(t, []string{fmt.Sprintf("c.yaml:%d:5: warning: apps[1]: the path from client to server crosses 64 routers: every datagram's TTL (64) runs out on the way (at most 63 routers between two hosts (TTL 64))", lines)},
		warnings(64, 1500))
	assert.Empty(t, warnings(4, 1000), "TCP finds a narrow link by path-MTU discovery")
	assert.Empty(t, warnings(4, 1500))

	// UDP has no path-MTU discovery: datagrams larger than the path's
	// narrowest link allows are warned about, at their size.
	udp := func(size int) []string {
		text := chainScenario(4, 1000) + fmt.Sprintf("  - {type: udp-send, host: client, to: server:5004, rate: 1Mbps, size: %d}\n  - {type: udp-sink, host: server, port: 5004}\n", size)
		return warningLines(t, "u.yaml", text)
	}
	assert.Empty(t, udp(972), "972 bytes and 28 of headers fit an MTU of 1000")
	assert.Equal(t, []string{"u.yaml:19:72: warning: apps[2]: the path from client to server has a link of MTU 1000, below the 973-byte datagrams plus 28 bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)"},
		udp(973))

	// A ping's echo requests do not fit either: 20 bytes of IPv4 and 8
	// of ICMP under its data, sent with Don't Fragment and never
	// fragmented, so the first is dropped and the rest fail.
	ping := func(size string) []string {
		text := chainScenario(4, 1000) + "  - {type: ping, host: client, to: server" + size + "}\n"
		return warningLines(t, "p.yaml", text)
	}
	assert.Empty(t, ping(""), "56 bytes fit")
	assert.Empty(t, ping(", size: 972"))
	assert.Equal(t, []string{"p.yaml:19:50: warning: apps[2]: the path from client to server has a link of MTU 1000, below the 973-byte echo requests plus 28 bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)"},
		ping(", size: 973"))
}

// The MTU warning follows the path routing takes among equal-cost ones
// (the neighbor of smallest name), and with ECMP any of them: it used to
// pick the widest, so a narrow link on the routed path went unwarned
// while every datagram died there. Each case is also run, so the warning
// and the drops agree.
func TestPathWarningsFollowRouting(t *testing.T) {
	diamond := func(narrow, routing string) string {
		return `version: 1
name: diamond
duration: 100ms
hosts: {a: {}, b: {}}
routers: {r1: {}, ra: {}, rb: {}, r2: {}}
links:
  - {between: [a, r1], bandwidth: 1Gbps, delay: 1ms}
  - {between: [r1, ra], bandwidth: 1Gbps, delay: 1ms}
  - {between: [r1, rb], bandwidth: 1Gbps, delay: 1ms}
  - {between: [ra, r2], bandwidth: 1Gbps, delay: 1ms` + map[bool]string{true: ", mtu: 576"}[narrow == "ra"] + `}
  - {between: [rb, r2], bandwidth: 1Gbps, delay: 1ms` + map[bool]string{true: ", mtu: 576"}[narrow == "rb"] + `}
  - {between: [r2, b], bandwidth: 1Gbps, delay: 1ms}
apps:
  - {type: udp-sink, host: b, port: 9}
  - {type: udp-send, host: a, to: b:9, rate: 1Mbps, size: 1000, stop: 50ms}
` + routing
	}
	const routed = "d.yaml:15:59: warning: apps[1]: the path from a to b has a link of MTU 576, below the 1000-byte datagrams plus 28 bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)"
	const hashed = "d.yaml:15:59: warning: apps[1]: a path routers may hash it onto (ECMP) from a to b has a link of MTU 576, below the 1000-byte datagrams plus 28 bytes of headers: they are dropped there (mtu) and later sends fail with EMSGSIZE (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)"
	for _, tc := range []struct {
		narrow, routing, want string
		drops                 bool
	}{
		{"ra", "", routed, true},
		{"rb", "", "", false},
		{"rb", "routing: {ecmp: true}\n", hashed, true}, // seed 1 hashes this flow onto rb
	} {
		s, err := Parse("d.yaml", []byte(diamond(tc.narrow, tc.routing)))
		require.NoError(t, err)
		var got []string
		for _, w := range s.Warnings {
			got = append(got, w.Error())
		}
		if tc.want == "" {
			assert.Empty(t, got, tc.narrow)
		} else {
			assert.Equal(t, []string{tc.want}, got, tc.narrow)
		}
		records, _ := recordRun(t, s)
		drops := 0
		for _, r := range records {
			if d, ok := r.Event.(*sim.PacketDrop); ok && d.Reason == "mtu" {
				drops++
			}
		}
		assert.Equal(t, tc.drops, drops > 0, "%s %s: %d mtu drops", tc.narrow, tc.routing, drops)
	}
}

// A host whose own link is narrower than a segment it built is answered
// by itself with fragmentation needed, as Linux's ip_fragment does, and
// path-MTU discovery lowers the segment to fit, down to 48 bytes of data
// (Linux's tcp_min_snd_mss): with 40 bytes of headers and 12 of
// timestamps, a link of MTU 100 carries data and one of 99 does not.
// Only the second is warned about, for each end that sends data (the
// clients, and the echo server answering one; its answers' path first), and each case is run to show the
// warning is right. (A link under 128 bytes, below the 88-byte MSS a
// SYN offers at the least, was once warned about as never delivering:
// its segments died at the host's interface.)
func TestTCPLinkWarning(t *testing.T) {
	text := func(mtu int) string {
		return fmt.Sprintf(`version: 1
name: narrow
duration: 2s
hosts: {c: {}, d: {}}
links:
  - {between: [c, d], bandwidth: 10Mbps, delay: 1ms, mtu: %d}
apps:
  - {type: sink, host: d, port: 80}
  - {type: bulk-send, host: c, to: d:80, bytes: 2KB}
  - {type: bulk-send, host: d, to: c:81, bytes: 1KB}
  - {type: echo, host: c, port: 81}
  - {type: bulk-send, host: c, to: d:80, bytes: 0}
`, mtu)
	}
	const ts = " (links of MTU 100 or more: path-MTU discovery lowers a segment to 48 bytes of data at the least (Linux's tcp_min_snd_mss), under 40 bytes of headers and 12 of timestamps)"
	for _, tc := range []struct {
		mtu       int
		want      []string
		delivered int64
	}{
		{99, []string{
			"n.yaml:9:5: warning: apps[1]: the path from c to d has a link of MTU 99, below TCP's smallest segment: c's data is dropped there (mtu) and the transfer never completes" + ts,
			"n.yaml:10:5: warning: apps[2]: the path from d to c has a link of MTU 99, below TCP's smallest segment: d's data is dropped there (mtu) and the transfer never completes" + ts,
			"n.yaml:10:5: warning: apps[2]: the path from c to d has a link of MTU 99, below TCP's smallest segment: c's data is dropped there (mtu) and the transfer never completes" + ts,
		}, 0},
		{100, nil, 2000},
		{127, nil, 2000},
	} {
		s, err := Parse("n.yaml", []byte(text(tc.mtu)))
		require.NoError(t, err)
		var got []string
		for _, w := range s.Warnings {
			got = append(got, w.Error())
		}
		assert.Equal(t, tc.want, got, "mtu %d", tc.mtu)
		records, _ := recordRun(t, s)
		var delivered int64
		for _, c := range Summarize(records).Conns {
			if c.Server == "10.0.0.2:80" {
				delivered += c.BytesDelivered
			}
		}
		assert.Equal(t, tc.delivered, delivered, "mtu %d", tc.mtu)
	}
}

// Path-MTU discovery lowers a segment to 48 bytes of data at the least
// (Linux's tcp_min_snd_mss): under 40 bytes of headers and 12 of
// timestamps that is 100 bytes, so a narrower link between routers
// drops every data segment and the transfer never completes. That used
// to pass without a word, the docs saying path-MTU discovery copes with
// a narrow link further on. It is warned about for each end that sends
// data (the client, and the echo server answering it; the answers'
// path first, as its router comes first in the file), and each case is
// run to show the warning is right.
func TestTCPPathMTUWarning(t *testing.T) {
	text := func(mtu int, tcp string) string {
		return fmt.Sprintf(`version: 1
name: narrow-path
duration: 3s
%shosts: {a: {}, b: {}}
routers: {r1: {}, r2: {}}
links:
  - {between: [a, r1], bandwidth: 10Mbps, delay: 1ms}
  - {between: [r1, r2], bandwidth: 10Mbps, delay: 1ms, mtu: %d}
  - {between: [r2, b], bandwidth: 10Mbps, delay: 1ms}
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 2KB}
  - {type: echo, host: b, port: 7}
  - {type: bulk-send, host: a, to: b:7, bytes: 1KB}
`, tcp, mtu)
	}
	const ts = " (links of MTU 100 or more: path-MTU discovery lowers a segment to 48 bytes of data at the least (Linux's tcp_min_snd_mss), under 40 bytes of headers and 12 of timestamps)"
	for _, tc := range []struct {
		mtu       int
		tcp       string
		want      []string
		delivered int64
	}{
		{99, "", []string{
			"p.yaml:12:5: warning: apps[1]: the path from a to b has a link of MTU 99, below TCP's smallest segment: a's data is dropped there (mtu) and the transfer never completes" + ts,
			"p.yaml:14:5: warning: apps[3]: the path from b to a has a link of MTU 99, below TCP's smallest segment: b's data is dropped there (mtu) and the transfer never completes" + ts,
			"p.yaml:14:5: warning: apps[3]: the path from a to b has a link of MTU 99, below TCP's smallest segment: a's data is dropped there (mtu) and the transfer never completes" + ts,
		}, 0},
		{100, "", nil, 3000},
		{88, "defaults: {tcp: {timestamps: false}}\n", nil, 3000},
		{87, "defaults: {tcp: {timestamps: false}}\n", []string{
			"p.yaml:13:5: warning: apps[1]: the path from a to b has a link of MTU 87, below TCP's smallest segment: a's data is dropped there (mtu) and the transfer never completes (links of MTU 88 or more: path-MTU discovery lowers a segment to 48 bytes of data at the least (Linux's tcp_min_snd_mss), under 40 bytes of headers)",
			"p.yaml:15:5: warning: apps[3]: the path from b to a has a link of MTU 87, below TCP's smallest segment: b's data is dropped there (mtu) and the transfer never completes (links of MTU 88 or more: path-MTU discovery lowers a segment to 48 bytes of data at the least (Linux's tcp_min_snd_mss), under 40 bytes of headers)",
			"p.yaml:15:5: warning: apps[3]: the path from a to b has a link of MTU 87, below TCP's smallest segment: a's data is dropped there (mtu) and the transfer never completes (links of MTU 88 or more: path-MTU discovery lowers a segment to 48 bytes of data at the least (Linux's tcp_min_snd_mss), under 40 bytes of headers)",
		}, 0},
	} {
		s, err := Parse("p.yaml", []byte(text(tc.mtu, tc.tcp)))
		require.NoError(t, err)
		var got []string
		for _, w := range s.Warnings {
			got = append(got, w.Error())
		}
		assert.Equal(t, tc.want, got, "mtu %d %s", tc.mtu, tc.tcp)
		// With ECMP the narrow link is on a path a flow may be hashed
		// onto: the warning says so.
		ecmp, err := Parse("p.yaml", []byte(text(tc.mtu, tc.tcp)+"routing: {ecmp: true}\n"))
		require.NoError(t, err)
		for i, w := range ecmp.Warnings {
			want := strings.Replace(tc.want[i], ": the path from", ": a path routers may hash it onto (ECMP) from", 1)
			want = strings.Replace(want, "the transfer never completes", "a transfer hashed onto it never completes", 1)
			assert.Equal(t, want, w.Error())
		}
		assert.Len(t, ecmp.Warnings, len(tc.want))
		records, _ := recordRun(t, s)
		var delivered int64
		for _, c := range Summarize(records).Conns {
			delivered += c.BytesDelivered
		}
		assert.Equal(t, tc.delivered, delivered, "mtu %d %s", tc.mtu, tc.tcp)
	}
}

// Forwarding tables past about 20 million routes are warned about with
// their cost, before a run spends minutes and gigabytes building them (a
// k=72 fat-tree validated as fine and then needed some 130 GB).
func TestTableWarning(t *testing.T) {
	for _, tc := range []struct {
		routers, hosts int
		split          bool // two networks: each router reaches half the hosts
		want           string
	}{
		{2000, 10000, false, ""},
		{2001, 10000, false, "g.yaml:3:1: warning: 2001 nodes with forwarding tables and 10000 hosts make 20.0 million routes: about 4 GB of memory and 40s to build them (at most about 20 million routes: a k=32 fat-tree (8,192 hosts, 1,280 switches) makes 10.5 million)"},
		// Two networks side by side hold half the routes: no tables
		// hold a route to a host of the other network. This was
		// warned about as 40 million routes.
		{4000, 10000, true, ""},
		{4004, 10000, true, "g.yaml:3:1: warning: 4004 nodes with forwarding tables and 10000 hosts make 20.0 million routes: about 4 GB of memory and 40s to build them (at most about 20 million routes: a k=32 fat-tree (8,192 hosts, 1,280 switches) makes 10.5 million)"},
	} {
		// A chain of routers with the hosts on its routers, in turn;
		// split, two chains, each with half the hosts.
		s := &Scenario{}
		for i := range tc.routers {
			s.Routers = append(s.Routers, Router{Name: fmt.Sprintf("r%d", i)})
			if i > 0 && (!tc.split || i != tc.routers/2) {
				s.Links = append(s.Links, Link{A: fmt.Sprintf("r%d", i-1), B: fmt.Sprintf("r%d", i)})
			}
		}
		for i := range tc.hosts {
			s.Hosts = append(s.Hosts, Host{Name: fmt.Sprintf("h%d", i)})
			r := i % tc.routers
			if tc.split {
				r = i % (tc.routers / 2)
				if i >= tc.hosts/2 {
					r += tc.routers / 2
				}
			}
			s.Links = append(s.Links, Link{A: fmt.Sprintf("h%d", i), B: fmt.Sprintf("r%d", r)})
		}
		d := newDecoder("g.yaml")
		d.pos.set("routers", Pos{Line: 3, Col: 1})
		d.tableWarning(s, linksByNode(s))
		if tc.want == "" {
			assert.Empty(t, d.warns, "%d routers, split %v", tc.routers, tc.split)
			continue
		}
		require.Len(t, d.warns, 1)
		assert.Equal(t, tc.want, d.warns[0].Error())
	}
}

// A rule that warns for every member of a group (they share their app's
// line) is written out three times, then counted: a group of 1,000
// behind a long chain gave 100 lines, the cap on problems.
func TestWarningsFoldPerPlace(t *testing.T) {
	text := strings.Replace(chainScenario(64, 1500), "hosts: {client: {}, server: {}}", "hosts: {client: {count: 10}, server: {}}", 1)
	s, err := Parse("c.yaml", []byte(text))
	require.NoError(t, err)
	var got []string
	for _, w := range s.Warnings {
		got = append(got, w.Error())
	}
	line := 5 + 64 + 1 + 64 + 1 + 3
	rule := "(at most 63 routers between two hosts (TTL 64))"
	want := []string{}
	for i := 1; i <= 3; i++ {
		want = append(want, fmt.Sprintf("c.yaml:%d:5: warning: apps[1] (client-%d): the path from client-%d to server crosses 64 routers: every datagram's TTL (64) runs out on the way %s", line, i, i, rule))
	}
	want = append(want, fmt.Sprintf("c.yaml:%d:5: warning: and 7 more like this at this place (the other members of a group, or links of a generator) %s", line, rule))
	assert.Equal(t, want, got)
	// Three or fewer are all written out, with no count.
	s, err = Parse("c.yaml", []byte(strings.Replace(text, "{count: 10}", "{count: 3}", 1)))
	require.NoError(t, err)
	assert.Len(t, s.Warnings, 3)
}

// A fault that lowers the MTU of the sender's own link under a transfer
// (here to 800 bytes, at 300 ms) left every later segment too big for
// the interface: each was dropped at the host (mtu) and the transfer
// stalled for good. As Linux's ip_fragment answers a Don't Fragment
// datagram too big for its device with fragmentation needed, sent to
// the host itself, the connection lowers its MSS to the new MTU, resends
// what was in flight (pmtu), and completes.
func TestHostLinkMTULoweredUnderATransfer(t *testing.T) {
	s, err := Parse("m.yaml", []byte(`version: 1
name: mtu-fault
duration: 3s
hosts: {a: {}, b: {}}
routers: {r: {}}
links:
  - {between: [a, r], bandwidth: 20Mbps, delay: 2ms}
  - {between: [r, b], bandwidth: 20Mbps, delay: 2ms}
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 2MB}
faults:
  - {at: 300ms, link: a-r, set: {mtu: 800}}
`))
	require.NoError(t, err)
	records, _ := recordRun(t, s)
	conns := Summarize(records).Conns
	require.Len(t, conns, 1)
	assert.Equal(t, int64(2000000), conns[0].BytesDelivered)
	drops, pmtu, big := 0, 0, 0
	for _, r := range records {
		switch e := r.Event.(type) {
		case *sim.PacketDrop:
			if e.Reason == sim.DropMTU {
				drops++
			}
		case *sim.TCPRetransmit:
			if e.Reason == "pmtu" {
				pmtu++
			}
		case *sim.PacketTx:
			if r.T > sim.FromDuration(400*time.Millisecond) && r.Subject == "link/a-r/a>r" && e.Len > 800 {
				big++
			}
		}
	}
	assert.Positive(t, drops, "segments built for 1500 bytes meet the 800-byte link")
	assert.Positive(t, pmtu, "and are sent again at the new size")
	assert.Zero(t, big, "nothing above 800 bytes leaves a afterwards")
}

// A udp-send or ping whose datagrams do not fit its own host's link never
// puts one on the wire: the host knows that link's MTU, and every send
// fails with EMSGSIZE at once. The warning said they were dropped there
// (mtu) first, as at a router further on; it now says what happens, and
// the run shows it: no mtu drop, every send an EMSGSIZE error.
func TestDatagramTooBigForItsOwnLink(t *testing.T) {
	s, err := Parse("o.yaml", []byte(`version: 1
name: own-link
duration: 1s
hosts: {a: {}, b: {}}
routers: {r: {}}
links:
  - {between: [a, r], bandwidth: 10Mbps, mtu: 576}
  - {between: [r, b], bandwidth: 10Mbps}
apps:
  - {type: udp-sink, host: b, port: 9}
  - {type: udp-send, host: a, to: b:9, rate: 80kbps, size: 1000}
  - {type: ping, host: a, to: b, size: 1000, interval: 200ms}
`))
	require.NoError(t, err)
	var got []string
	for _, w := range s.Warnings {
		got = append(got, w.Error())
	}
	assert.Equal(t, []string{
		"o.yaml:11:60: warning: apps[1]: a's own link has an MTU of 576, below the 1000-byte datagrams plus 28 bytes of headers: every send fails with EMSGSIZE, none leaves a (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)",
		"o.yaml:12:40: warning: apps[2]: a's own link has an MTU of 576, below the 1000-byte echo requests plus 28 bytes of headers: every send fails with EMSGSIZE, none leaves a (datagrams that fit the path: size at most the smallest MTU less 28 bytes of headers)",
	}, got)
	records, _ := recordRun(t, s)
	errs := 0
	for _, r := range records {
		switch e := r.Event.(type) {
		case *sim.PacketDrop:
			assert.NotEqual(t, sim.DropMTU, e.Reason, "nothing leaves a to be dropped")
		case *sim.App:
			if e.Event == sim.AppError && e.Errno == "EMSGSIZE" {
				errs++
			}
		}
	}
	assert.Equal(t, 11+5, errs, "every datagram (each 100 ms, from 0 to the 1 s end) and every request (each 200 ms, none at the end)")
}
