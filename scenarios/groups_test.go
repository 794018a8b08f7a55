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

const groupStar = `version: 1
name: group-star
duration: 5s
hosts:
  client: {count: 3}
  server: {}
routers: {r1: {}}
links:
  - {between: [client, r1], bandwidth: 100Mbps, delay: 1ms}
  - {name: up, between: [r1, server], bandwidth: 1Gbps, delay: 1ms}
apps:
  - {type: request-response, host: server, port: 80, request: 100, response: 1000}
  - {type: request-response, host: client, to: server:80, request: 100, response: 1000, start: {uniform: [0s, 1s]}}
  - {type: bulk-send, host: client, to: server:81, bytes: 10KB, start: {exponential: 100ms}}
  - {type: sink, host: server, port: 81}
`

// A group expands into its members, one link and one app per member, in
// member order; errors still point at the file.
func TestGroupExpansion(t *testing.T) {
	s, err := Parse("g.yaml", []byte(groupStar))
	require.NoError(t, err)
	var hosts, links, apps []string
	for _, h := range s.Hosts {
		hosts = append(hosts, fmt.Sprintf("%s=%v", h.Name, h.Address))
	}
	for _, l := range s.Links {
		links = append(links, fmt.Sprintf("%s:%s>%s", l.Name, l.A, l.B))
	}
	for _, a := range s.Apps {
		apps = append(apps, fmt.Sprintf("%s@%s", a.Type, a.Host))
	}
	assert.Equal(t, []string{"client-1=10.0.0.1", "client-2=10.0.0.2", "client-3=10.0.0.3", "server=10.0.0.4"}, hosts)
	assert.Equal(t, []string{"client-1-r1:client-1>r1", "client-2-r1:client-2>r1", "client-3-r1:client-3>r1", "up:r1>server"}, links)
	assert.Equal(t, []string{"request-response@server",
		"request-response@client-1", "request-response@client-2", "request-response@client-3",
		"bulk-send@client-1", "bulk-send@client-2", "bulk-send@client-3", "sink@server"}, apps)
	assert.Equal(t, []Group{{Name: "client", Count: 3, Members: []string{"client-1", "client-2", "client-3"}}}, s.Groups)
	p, ok := s.Pos("links[2]")
	require.True(t, ok)
	assert.Equal(t, Pos{Line: 9, Col: 5}, p, "every member's link keeps the file position")
	p, _ = s.Pos("apps[6].start")
	assert.Equal(t, 14, p.Line, "bulk-send of client-3")
	p, ok = s.Pos("apps[7].port")
	require.True(t, ok)
	assert.Equal(t, Pos{Line: 15, Col: 38}, p, "the sink written after the group's apps")
	_, ok = s.Pos("apps[8]")
	assert.False(t, ok, "there are 8 apps")
	assert.Equal(t, &StartDraw{Kind: "uniform", Max: time.Second}, s.Apps[1].StartDraw)

	// Each member starts at its own draw, the same on every run.
	starts := func() []sim.Time {
		records, _ := recordRun(t, s)
		var out []sim.Time
		for _, r := range records {
			if st, ok := r.Event.(*sim.TCPState); ok && strings.HasPrefix(r.Subject, "host/client-") && st.To == "SYN-SENT" {
				out = append(out, r.T)
			}
		}
		return out
	}
	first := starts()
	require.Len(t, first, 6)
	assert.Equal(t, first, starts())
	distinct := map[sim.Time]bool{}
	for _, t := range first {
		distinct[t] = true
	}
	assert.Len(t, distinct, 6, "random starts: %v", first)
}

func TestGroupErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"count 0", strings.Replace(groupStar, "{count: 3}", "{count: 0}", 1),
			"g.yaml:5:19: hosts.client.count: 0 is out of range (a whole number from 1 to 100000)"},
		{"count 10^9", strings.Replace(groupStar, "{count: 3}", "{count: 1000000000}", 1),
			"g.yaml:5:19: hosts.client.count: 1000000000 is out of range (a whole number from 1 to 100000)"},
		{"address", strings.Replace(groupStar, "{count: 3}", "{count: 3, address: 10.0.0.9}", 1),
			"g.yaml:5:3: hosts.client: a group (count) takes no address (no address: a group's members are given addresses in turn)"},
		{"member taken", strings.Replace(groupStar, "server: {}", "server: {}\n  client-2: {}", 1),
			`g.yaml:7:3: hosts: "client-2" is both a host and a group's member`},
		{"router named as a group", strings.Replace(groupStar, "routers: {r1: {}}", "routers: {r1: {}, client: {}}", 1),
			`g.yaml:7:19: routers: "client" is already a host group (line 5) (a name used once across hosts, groups and routers)`},
		{"router named as a member", strings.Replace(groupStar, "routers: {r1: {}}", "routers: {r1: {}, client-2: {}}", 1),
			`g.yaml:7:19: routers: "client-2" is already a member of the group "client" (line 5) (a name used once across hosts and routers)`},
		{"member past the count", strings.Replace(groupStar, "host: server, port: 81}", "host: client-4, port: 81}", 1),
			`g.yaml:15:24: apps[3].host: unknown host "client-4": the group "client" has 3 members (a member client-1 ... client-3, or a larger count)`},
		{"link to a member past the count", strings.Replace(groupStar, "between: [r1, server]", "between: [r1, client-9]", 1),
			`links[1].between[1]: unknown node "client-9": the group "client" has 3 members (a member client-1 ... client-3, or a larger count)`},
		{"fault on a member past the count", groupStar + "faults:\n  - {at: 1s, link: client-7-r1, down: true}\n",
			`g.yaml:17:20: faults[0]: unknown link "client-7-r1": the group "client" has 3 members (a link of a member client-1 ... client-3)`},
		{"two groups", strings.Replace(strings.Replace(groupStar, "server: {}", "server: {}\n  more: {count: 2}", 1), "[client, r1]", "[client, more]", 1),
			`g.yaml:10:16: links[0].between: "client" and "more" are both groups`},
		{"group as peer", strings.Replace(groupStar, "to: server:81", "to: client:81", 1),
			`g.yaml:14:41: apps[2].to: "client" is a group`},
		{"uniform backwards", strings.Replace(groupStar, "[0s, 1s]", "[2s, 1s]", 1),
			"g.yaml:13:106: apps[1].start.uniform: 1s is before 2s"},
		{"bad draw", strings.Replace(groupStar, "{exponential: 100ms}", "{normal: 1s}", 1),
			`g.yaml:14:73: apps[2].start: unknown key "normal"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Errors found after groups are expanded name apps and links as the
// file numbers them, with the member for a group's: they used to carry
// the index after the expansion (a bad host written fifth in the file
// was "apps[8]"), and a group written as a peer was also reported once
// per member as an unknown host.
func TestGroupErrorsNameTheFilesItems(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"group as peer, once", strings.Replace(groupStar, "to: server:81", "to: client:81", 1),
			`g.yaml:14:41: apps[2].to: "client" is a group (a host: a group may be an app's host, not its peer)`},
		{"after a group", groupStar + "  - {type: bulk-send, host: nobody, to: server:81, bytes: 1KB}\n",
			`g.yaml:16:29: apps[4].host: unknown host "nobody" (a host defined in hosts)`},
		{"members", groupStar + "  - {type: sink, host: client, port: 7}\n  - {type: echo, host: client, port: 7}\n",
			`g.yaml:17:38: apps[5] (client-1): port 7 on "client-1" is already taken by apps[4] (client-1) (line 16) (one listening app per host and port)` + "\n" +
				`g.yaml:17:38: apps[5] (client-2): port 7 on "client-2" is already taken by apps[4] (client-2) (line 16) (one listening app per host and port)` + "\n" +
				`g.yaml:17:38: apps[5] (client-3): port 7 on "client-3" is already taken by apps[4] (client-3) (line 16) (one listening app per host and port)`},
		{"a group's links in a fault", strings.Replace(groupStar, "{between: [client, r1]", "{name: cl, between: [client, r1]", 1) +
			"faults:\n  - {at: 1s, link: cl, down: true}\n",
			`g.yaml:17:20: faults[0]: "cl" is a group's links (one link of a group's members: cl-1 ... cl-3)`},
		{"a group's unnamed links in a fault", groupStar + "faults:\n  - {at: 1s, link: client-r1, down: true}\n",
			`g.yaml:17:20: faults[0]: "client-r1" is a group's links (one link of a group's members: client-1-r1 ... client-3-r1)`},
		{"a group in expect", groupStar + "expect:\n  - established: {from: client, to: server:80}\n  - delivered: {to: client:80, bytes: 1}\n",
			`g.yaml:17:25: expect[0].established.from: "client" is a group (a host: one of the group's members)` + "\n" +
				`g.yaml:18:21: expect[1].delivered.to: "client" is a group (a host: one of the group's members)`},
		{"generated link", "version: 1\nname: gen\nduration: 1s\nhosts:\n  a: {}\n  b: {}\nlinks:\n" +
			"  - {name: ft-h1-ft-edge-1-1, between: [a, b], bandwidth: 1Gbps}\ntopology:\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\n",
			`g.yaml:10:5: topology[0] link "ft-h1-ft-edge-1-1": link name "ft-h1-ft-edge-1-1" is already used by links[0] (a unique name per link; name: sets one)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// A group whose count is refused makes no members: the apps, faults,
// expect entries and captures that name its members or their links are
// not also reported as unknown (a count of 0 gave one error per name).
func TestGroupWithBadCountDoesNotCascade(t *testing.T) {
	rest := `links:
  - {between: [c, s], bandwidth: 1Gbps}
  - {name: up, between: [c, r], bandwidth: 1Gbps}
  - {between: [r, s], bandwidth: 1Gbps}
apps:
  - {type: sink, host: s, port: 80}
  - {type: bulk-send, host: c-1, to: s:80, bytes: 1KB}
  - {type: sink, host: c-2, port: 80}
  - {type: bulk-send, host: s, to: c-2:80, bytes: 1KB}
  - {type: bulk-send, host: cx, to: s:80, bytes: 1KB}
faults:
  - {at: 1ms, link: c-1-s, down: true}
  - {at: 1ms, link: up-2, down: true}
  - {at: 1ms, partition: [[c-3], [s]]}
expect:
  - delivered: {to: c-2:80, bytes: 1KB}
outputs: {pcap: [c, c-1]}
`
	for _, tc := range []struct{ count, want string }{
		{"0", "g.yaml:5:14: hosts.c.count: 0 is out of range (a whole number from 1 to 100000)"},
		{"many", `g.yaml:5:14: hosts.c.count: "many" is not a whole number (a whole number from 1 to 100000)`},
		{"1000000000", "g.yaml:5:14: hosts.c.count: 1000000000 is out of range (a whole number from 1 to 100000)"},
	} {
		t.Run(tc.count, func(t *testing.T) {
			y := "version: 1\nname: t\nduration: 1s\nhosts:\n  c: {count: " + tc.count + "}\n  s: {}\nrouters: {r: {}}\n" + rest
			_, err := Parse("g.yaml", []byte(y))
			require.Error(t, err)
			// cx is no member of c: it is still reported.
			assert.Equal(t, tc.want+"\n"+`g.yaml:17:29: apps[4].host: unknown host "cx" (a host defined in hosts; did you mean "c"?)`, err.Error())
		})
	}
}

// A group's name in a partition stands for its members, as it does in
// outputs.pcap: the partition cuts every member's link.
func TestGroupInPartition(t *testing.T) {
	s, err := Parse("g.yaml", []byte(groupStar+"faults:\n  - {at: 1s, partition: [[client, r1], [server]]}\n"))
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"client-1", "client-2", "client-3", "r1"}, {"server"}}, s.Faults[0].Partition)
	p, ok := s.Pos("faults[0].partition[0][2]")
	require.True(t, ok)
	assert.Equal(t, Pos{Line: 17, Col: 27}, p, "a member points at the group's name")
	_, err = Parse("g.yaml", []byte(groupStar+"faults:\n  - {at: 1s, partition: [[client, r1], [client-2]]}\n"))
	require.Error(t, err)
	assert.Equal(t, `g.yaml:17:41: faults[0].partition[1][0]: "client-2" is already in group 0 (each node in one group at most)`, err.Error())
}

// Members that no link reaches are one warning for their group, not one
// per member (a group of 10,000 gave 10,000 lines).
func TestGroupUnlinkedWarning(t *testing.T) {
	for _, tc := range []struct{ hosts, want string }{
		{"  idle: {count: 5}\n", `g.yaml:7:3: warning: hosts.idle: no link reaches the group's 5 members (a link with between: [..., idle])`},
		{"  lone: {}\n", `g.yaml:7:3: warning: hosts.lone: no link reaches this host (a link with between: [..., lone])`},
	} {
		s, err := Parse("g.yaml", []byte(strings.Replace(groupStar, "  server: {}\n", "  server: {}\n"+tc.hosts, 1)))
		require.NoError(t, err)
		var got []string
		for _, w := range s.Warnings {
			got = append(got, w.Error())
		}
		assert.Equal(t, []string{tc.want}, got)
	}
	// Some members linked, others not: the others are named.
	s, err := Parse("g.yaml", []byte(strings.Replace(groupStar, "{count: 3}", "{count: 8}", 1)+
		"  - {type: sink, host: client-1, port: 9}\n"))
	require.NoError(t, err)
	require.Empty(t, s.Warnings)
	text := strings.Replace(groupStar, "  - {between: [client, r1], bandwidth: 100Mbps, delay: 1ms}\n",
		"  - {between: [client-2, r1], bandwidth: 100Mbps, delay: 1ms}\n", 1)
	text = strings.Replace(text, "host: client, to", "host: client-2, to", -1)
	text = strings.Replace(text, "{count: 3}", "{count: 6}", 1)
	s, err = Parse("g.yaml", []byte(text))
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, `g.yaml:5:3: warning: hosts.client: no link reaches client-1, client-3, client-4 and 2 more, of the group's 6 members (a link with between: [..., <member>])`, s.Warnings[0].Error())
}

// A member's random start does not move when other apps are added or
// removed around it: its stream is named after its host, type and rank
// (app/client-2/bulk-send/1/start), not after its index in the expanded
// list, which a sink written above the group used to shift by one, so
// that every member took its neighbor's draw.
func TestGroupStartsIgnoreOtherApps(t *testing.T) {
	starts := func(text string) map[string]sim.Time {
		s, err := Parse("g.yaml", []byte(text))
		require.NoError(t, err)
		records, _ := recordRun(t, s)
		out := map[string]sim.Time{}
		for _, r := range records {
			if st, ok := r.Event.(*sim.TCPState); ok && strings.HasPrefix(r.Subject, "host/client-") && st.To == "SYN-SENT" {
				key := fmt.Sprintf("%s:%d", r.Subject, st.Remote.Port())
				if _, seen := out[key]; !seen {
					out[key] = r.T
				}
			}
		}
		return out
	}
	base := starts(groupStar)
	require.Len(t, base, 6)
	more := strings.Replace(groupStar, "apps:\n", "apps:\n  - {type: sink, host: server, port: 82}\n  - {type: udp-sink, host: server, port: 9}\n"+
		"  - {type: udp-send, host: client, to: server:9, rate: 1Mbps, size: 100, start: {uniform: [0s, 10ms]}, stop: 20ms}\n", 1)
	fewer := strings.Replace(groupStar, "  - {type: request-response, host: client,", "  - {type: request-response, host: client-1,", 1)
	assert.Equal(t, base, starts(more))
	got := starts(fewer)
	for k, v := range got {
		assert.Equal(t, base[k], v, k)
	}
	assert.Len(t, got, 4)
}

// A fault may name a link whose name a group's link would have had: the
// group's link took its members' names, the name is the other link's.
func TestFaultOnLinkNamedLikeAGroupsLink(t *testing.T) {
	text := strings.Replace(groupStar, "name: up,", "name: client-r1,", 1) + "faults:\n  - {at: 1s, link: client-r1, down: true}\n"
	s, err := Parse("g.yaml", []byte(text))
	require.NoError(t, err)
	assert.Equal(t, "client-r1", s.Faults[0].Link)
}

// Unknown names in a file with a large group are reported as fast as in a
// small one: each "did you mean" compared the name with every host (and
// allocated three rows per comparison), and was worked out even for the
// errors dropped past "too many errors". 2,000 misspelt hosts and 2,000
// misspelt links among 100,000 members took 145 s to validate.
func TestUnknownNamesAmongManyMembersAreQuick(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: dym\nduration: 1s\nhosts:\n  c: {count: 20000}\n  s: {}\nlinks:\n  - {between: [c, s], bandwidth: 1Gbps}\napps:\n")
	for i := range 500 {
		fmt.Fprintf(&b, "  - {type: bulk-send, host: cc-%d, to: s:80, bytes: 1KB}\n", i)
	}
	b.WriteString("faults:\n")
	for i := range 500 {
		fmt.Fprintf(&b, "  - {at: 1ms, link: cc-%d-s, down: true}\n", i)
	}
	start := time.Now()
	_, err := Parse("g.yaml", []byte(b.String()))
	took := time.Since(start)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `g.yaml:11:29: apps[1].host: unknown host "cc-1" (a host defined in hosts; did you mean "c-1"?)`)
	assert.Contains(t, err.Error(), "too many errors")
	assert.Less(t, took, 3*time.Second)

	names := make([]string, 100000)
	for i := range names {
		names[i] = fmt.Sprintf("c-%d", i+1)
	}
	assert.Zero(t, testing.AllocsPerRun(3, func() { suggest("cc-29", names) }), "suggest allocates")
}

// One mistake in an app written on a group is not one error per member:
// a misspelt to: on a group of 5,000 was 100 errors and "too many
// errors", which hid the next mistake of the file. Three are written out
// and the rest counted, as for warnings.
func TestGroupMembersErrorsAreCounted(t *testing.T) {
	text := `version: 1
name: np
duration: 1s
hosts:
  c: {count: 5000}
  server: {}
  t: {}
routers: {r: {}}
links:
  - {between: [c, r], bandwidth: 1Gbps}
  - {between: [t, server], bandwidth: 1Gbps}
apps:
  - {type: sink, host: server, port: 80}
  - {type: bulk-send, host: c, to: srever:80, bytes: 1KB}
  - {type: bulk-send, host: c, to: server:80, bytes: 1KB}
  - {type: sink, host: t, port: 80}
  - {type: echo, host: t, port: 80}
`
	_, err := Parse("g.yaml", []byte(text))
	require.Error(t, err)
	assert.Equal(t, `g.yaml:14:36: apps[1] (c-1).to: unknown host "srever" (a host defined in hosts; did you mean "server"?)
g.yaml:14:36: apps[1] (c-2).to: unknown host "srever" (a host defined in hosts; did you mean "server"?)
g.yaml:14:36: apps[1] (c-3).to: unknown host "srever" (a host defined in hosts; did you mean "server"?)
g.yaml:14:36: and 4997 more like this at this place (the other members of a group, or links of a generator) (a host defined in hosts; did you mean "server"?)
g.yaml:15:36: apps[2] (c-1): no path of links from "c-1" to "server" (hosts joined by links through routers; hosts do not forward)
g.yaml:15:36: apps[2] (c-2): no path of links from "c-2" to "server" (hosts joined by links through routers; hosts do not forward)
g.yaml:15:36: apps[2] (c-3): no path of links from "c-3" to "server" (hosts joined by links through routers; hosts do not forward)
g.yaml:15:36: and 4997 more like this at this place (the other members of a group, or links of a generator) (hosts joined by links through routers; hosts do not forward)
g.yaml:17:33: apps[4]: port 80 on "t" is already taken by apps[3] (line 16) (one listening app per host and port)`, err.Error())
}

// A misspelt group name is suggested, and a link with an unknown end is
// the one error: the hosts it would have joined are not also reported
// as having no path between them (three errors and a count for a group,
// one per app otherwise).
func TestMisspeltLinkEndIsOneError(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"between: [client, r1]", "between: [clinet, r1]",
			`g.yaml:9:16: links[0].between[0]: unknown node "clinet" (a host or router defined in hosts or routers; did you mean "client"?)`},
		{"host: client, to: server:80", "host: clinet, to: server:80",
			`g.yaml:13:36: apps[1].host: unknown host "clinet" (a host defined in hosts; did you mean "client"?)`},
		{"{name: up, between: [r1, server]", "{name: up, between: [r1, srever]",
			`g.yaml:10:30: links[1].between[1]: unknown node "srever" (a host or router defined in hosts or routers; did you mean "server"?)`},
	} {
		t.Run(tc.to, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(strings.Replace(groupStar, tc.from, tc.to, 1)))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
