package scenarios

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
	"github.com/netsimlab/netsim/units"
)

// TestInvalidScenarios loads every testdata/invalid/*.yaml and compares the
// full error text (every FILE:LINE:COL line) with the .err file beside it.
func TestInvalidScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 25)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			s, err := Load(f)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalid)
			got := err.Error() + "\n"
			want := strings.TrimSuffix(f, ".yaml") + ".err"
			if testflags.Update() {
				require.NoError(t, os.WriteFile(want, []byte(got), 0o644))
				return
			}
			exp, err := os.ReadFile(want)
			require.NoError(t, err, "run go test ./scenarios -update to create it")
			assert.Equal(t, string(exp), got)
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				assert.Regexp(t, `^testdata/invalid/[a-z0-9-]+\.yaml:\d+:\d+: .+`, line)
			}
		})
	}
}

// TestExamplesLoad checks that every example scenario is valid.
func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		s, err := Load(f)
		require.NoError(t, err, f)
		assert.Equal(t, strings.TrimSuffix(f, ".yaml"), s.Name, "an example is named after its file")
		assert.Empty(t, s.Warnings, f)
	}
}

const valid = `version: 1
name: t
duration: 2s
hosts:
  a: {}
  b: {address: 10.0.0.1}
  c:
    tcp: {congestion: cubic, mss: 1000}
routers:
  r: {}
links:
  - {between: [a, r], bandwidth: 10Mbps}
  - {between: [r, b], bandwidth: 1Gbps, delay: 1ms, queue: {kind: droptail, limit: 64KiB}, loss: {model: gilbert-elliott, p: 1%, r: 30%}}
  - {name: third, between: [r, c], bandwidth: 1.5Mbps, loss: 0.5%, jitter: 2ms, reorder: true, duplicate: 0.01, corrupt: 1%, overhead: 38}
`

// outputs.pcap takes true, false or the nodes to capture; snaplen the
// bytes kept per packet.
func TestParseOutputsPcap(t *testing.T) {
	for _, tc := range []struct {
		extra string
		want  Outputs
	}{
		{"outputs: {pcap: false}\n", Outputs{Trace: true, Format: "png"}},
		{"outputs: {pcap: [a, r], snaplen: 128}\n", Outputs{PCAP: true, PCAPNodes: []string{"a", "r"}, SnapLen: 128, Trace: true, Format: "png"}},
		{"outputs: {pcap: []}\n", Outputs{PCAPNodes: []string{}, Trace: true, Format: "png"}},
	} {
		s, err := Parse("t.yaml", []byte(valid+tc.extra))
		require.NoError(t, err, tc.extra)
		assert.Equal(t, tc.want, s.Outputs, tc.extra)
	}
}

func TestParseValid(t *testing.T) {
	s, err := Parse("t.yaml", []byte(valid+`defaults:
  tcp: {congestion: newreno, initial_cwnd: 4, delayed_ack: 0s}
apps:
  - {type: sink, host: b, port: 80}
  - {type: request-response, host: b, port: 81, request: 100B, response: 10KB}
  - {type: request-response, host: a, to: b:81, request: 100B, response: 10KB, count: 5, think: 10ms}
  - {type: on-off, host: c, to: b:80, rate: 1Mbps, on: 100ms, off: 50ms, start: 1s, stop: 1.5s}
faults:
  - {at: 1s, link: third, set: {bandwidth: 1Mbps, loss: 0%}}
  - {at: 1.5s, partition: [[a], [b, c]]}
  - {at: 2s, heal: true}
expect:
  - delivered: {to: b:80, bytes: 1MB}
`))
	require.NoError(t, err)
	// Hosts keep file order; a and c get the lowest free addresses.
	require.Len(t, s.Hosts, 3)
	assert.Equal(t, []string{"a", "b", "c"}, []string{s.Hosts[0].Name, s.Hosts[1].Name, s.Hosts[2].Name})
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), s.Hosts[0].Address)
	assert.True(t, s.Hosts[0].AutoAddress)
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), s.Hosts[1].Address)
	assert.False(t, s.Hosts[1].AutoAddress)
	assert.Equal(t, netip.MustParseAddr("10.0.0.3"), s.Hosts[2].Address)
	// Defaults under host settings.
	tcpValue := func(h int, name string) any { v, _ := s.Hosts[h].Effective.Value(name); return v }
	assert.Equal(t, "cubic", tcpValue(2, "congestion"))
	assert.Equal(t, int64(1000), tcpValue(2, "mss"))
	assert.Equal(t, int64(4), tcpValue(2, "initial_cwnd"))
	assert.Equal(t, "newreno", tcpValue(0, "congestion"))
	assert.Nil(t, tcpValue(0, "mss"))
	assert.Equal(t, time.Duration(0), tcpValue(0, "delayed_ack"))
	assert.Equal(t, "congestion=newreno initial_cwnd=4 delayed_ack=0", s.Hosts[0].Effective.String())
	// Links.
	require.Len(t, s.Links, 3)
	assert.Equal(t, "a-r", s.Links[0].Name)
	assert.Equal(t, Queue{Kind: QueueDropTail, LimitPackets: DefaultQueueLimit, Discipline: topology.DropTail{}}, s.Links[0].Queue)
	assert.Equal(t, DefaultMTU, s.Links[0].MTU)
	assert.Equal(t, Queue{Kind: QueueDropTail, LimitBytes: 64 * units.KiB, Discipline: topology.DropTail{}}, s.Links[1].Queue)
	assert.Equal(t, Loss{Model: LossGilbertElliott, P: 0.01, R: 0.3, LossBad: 1}, s.Links[1].Loss)
	assert.Equal(t, Loss{Model: LossBernoulli, P: 0.005}, s.Links[2].Loss)
	assert.Equal(t, 1500*units.Kbps, s.Links[2].Bandwidth)
	assert.Equal(t, units.ByteSize(38), s.Links[2].Overhead)
	assert.True(t, s.Links[2].Reorder)
	// Apps.
	require.Len(t, s.Apps, 4)
	assert.True(t, s.Apps[1].Server())
	assert.Equal(t, Endpoint{Host: "b", Port: 81}, s.Apps[2].To)
	assert.Equal(t, 5, s.Apps[2].Count)
	assert.Equal(t, 1500*time.Millisecond, s.Apps[3].Stop)
	// Faults.
	require.Len(t, s.Faults, 3)
	assert.Equal(t, FaultSet, s.Faults[0].Action)
	assert.Equal(t, units.Mbps, *s.Faults[0].Set.Bandwidth)
	assert.Equal(t, Loss{}, *s.Faults[0].Set.Loss)
	assert.Equal(t, [][]string{{"a"}, {"b", "c"}}, s.Faults[1].Partition)
	assert.Equal(t, FaultHeal, s.Faults[2].Action)
	// Outputs default.
	assert.Equal(t, Outputs{PCAP: true, Trace: true, Format: "png"}, s.Outputs)
	p, ok := s.Pos("links[2].name")
	assert.True(t, ok)
	assert.Equal(t, Pos{Line: 14, Col: 12}, p)
}

// TestParseErrors holds single problems and the exact message each gives.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"self-alias", "apps: &a [*a]\n", "t.yaml:15:7: apps[0]: expected a mapping, got a list"},
		{"alias-fan-out", "x: &a [a, a, a, a, a, a, a, a]\nfaults: [{at: 1s, partition: [*a, *a, *a, *a]}]\n", `t.yaml:15:1: unknown key "x"`},
		{"merge-key", "x: &m {bandwidth: 1Mbps}\n", `t.yaml:15:1: unknown key "x"`},
		{"request-response-both", "apps:\n  - {type: request-response, host: a, port: 1, to: b:1, request: 1, response: 1}\n",
			"t.yaml:16:5: apps[0]: a request-response app is either a server (port) or a client (to), not both (port: for the server, to: for the client)"},
		{"fault-set-nothing", "faults:\n  - {at: 1s, link: third, set: {}}\n", "t.yaml:16:32: faults[0].set: nothing to set"},
		{"partition-empty-list", "faults:\n  - {at: 1s, partition: []}\n", "t.yaml:16:25: faults[0].partition: a partition needs at least two groups, got 0"},
		{"heal-false", "faults:\n  - {at: 1s, heal: false}\n", "t.yaml:16:20: faults[0].heal: false does nothing (to heal nothing, delete the fault) (heal: true)"},
		{"partition-one-group", "faults:\n  - {at: 1s, partition: [[a, b]]}\n", "t.yaml:16:25: faults[0].partition: a partition needs at least two groups, got 1"},
		{"router-named-like-host", "routers:\n  a: {}\n", `t.yaml:15:1: duplicate key "routers", first at line 9`},
		{"down-false", "faults:\n  - {at: 1s, link: third, down: false}\n", "t.yaml:16:33: faults[0].down: false does nothing (to undo, use up: true) (down: true)"},
		{"heal-with-link", "faults:\n  - {at: 1s, link: third, heal: true}\n", "t.yaml:16:14: faults[0]: heal takes no link (link: only with set, down or up)"},
		{"mss-too-small", "defaults:\n  tcp: {mss: 10}\n", "t.yaml:16:14: defaults.tcp.mss: 10 bytes is too small (auto or 88 to 65495 bytes)"},
		{"syn-retries-too-many", "defaults:\n  tcp: {syn_retries: 31}\n", "t.yaml:16:22: defaults.tcp.syn_retries: 31 is too large (0 to 30 retransmissions)"},
		{"rto-min-zero", "defaults:\n  tcp: {rto_min: 0s}\n", "t.yaml:16:18: defaults.tcp.rto_min: 0 is too short (more than 0)"},
		{"rack-not-bool", "defaults:\n  tcp: {rack: 1}\n", `t.yaml:16:15: defaults.tcp.rack: "1" is not a boolean (true or false)`},
		{"initial-cwnd-not-number", "defaults:\n  tcp: {initial_cwnd: ten}\n", `t.yaml:16:23: defaults.tcp.initial_cwnd: "ten" is not a whole number (a whole number from 1 to 1000 segments)`},
		{"tcp-drill-spelling", "defaults:\n  tcp: {init_cwnd: 4}\n", `t.yaml:16:9: defaults.tcp: unknown key "init_cwnd", did you mean "initial_cwnd"? (allowed keys: mss, congestion, initial_cwnd,`},
		{"udp-send-unknown-host", "apps:\n  - {type: udp-send, host: a, to: nohost:9000, rate: 1Mbps, size: 100}\n", `t.yaml:16:35: apps[0].to: unknown host "nohost"`},
		{"udp-send-rate-zero", "apps:\n  - {type: udp-send, host: a, to: b:9000, rate: 0bps, size: 100}\n", "t.yaml:16:49: apps[0].rate: must be greater than 0"},
		{"udp-send-size-too-big", "apps:\n  - {type: udp-send, host: a, to: b:9000, rate: 1Mbps, size: 65508}\n", "t.yaml:16:62: apps[0].size: 65508 bytes is out of range (a size from 1 to 65507 bytes)"},
		{"udp-send-stop-before-start", "apps:\n  - {type: udp-send, host: a, to: b:9000, rate: 1Mbps, size: 100, start: 2s, stop: 1s}\n", "apps[0]: stop 1s is not after start 2s"},
		{"udp-send-on-off-missing", "apps:\n  - {type: udp-send, host: a, to: b:9000, rate: 1Mbps, size: 100, pattern: on-off}\n", "t.yaml:16:5: apps[0]: pattern on-off needs on and off"},
		{"ping-unknown-host", "apps:\n  - {type: ping, host: a, to: nohost}\n", `t.yaml:16:31: apps[0].to: unknown host "nohost"`},
		{"ping-port", "apps:\n  - {type: ping, host: a, to: b, port: 1}\n", `apps[0]: unknown key "port" for a ping app`},
		{"typo-suggestion", "outputs: {formt: svg}\n", `t.yaml:15:11: outputs: unknown key "formt", did you mean "format"? (allowed keys: pcap, snaplen, trace, plots, format, flows)`},
		{"pcap-unknown-node", "outputs: {pcap: [a, rr]}\n", `t.yaml:15:21: outputs.pcap[1]: unknown node "rr" (a host or router defined in hosts or routers; did you mean "r"?)`},
		{"pcap-twice", "outputs: {pcap: [a, a]}\n", `t.yaml:15:21: outputs.pcap[1]: "a" is listed twice (each node once)`},
		{"pcap-not-bool", "outputs: {pcap: yes please}\n", `t.yaml:15:17: outputs.pcap: "yes please" is not a boolean (true or false)`},
		{"snaplen-zero", "outputs: {snaplen: 0}\n", `t.yaml:15:20: outputs.snaplen: 0 bytes is out of range (a size from 1 to 262144 bytes)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(valid+tc.extra))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A fault's set with only a key that is no link property is that one
// error: it was also reported as "nothing to set" at the same place.
func TestFaultSetUnknownKeyOnly(t *testing.T) {
	_, err := Parse("t.yaml", []byte(valid+"faults:\n  - {at: 1s, link: third, set: {between: [a, b]}}\n"))
	require.Error(t, err)
	assert.Equal(t, `t.yaml:16:33: faults[0].set: unknown key "between" (allowed keys: bandwidth, delay, mtu, queue, loss, jitter, reorder, duplicate, corrupt, overhead)`, err.Error())
}

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and
// must return exactly one of a scenario or an error that names positions.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("*.yaml")
	more, _ := filepath.Glob("testdata/*/*.yaml")
	top, _ := filepath.Glob("testdata/*.yaml")
	more = append(more, top...)
	for _, name := range append(files, more...) {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(valid))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatalf("both a scenario and an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if s == nil || s.Name == "" || len(s.Hosts) == 0 || s.Duration <= 0 {
			t.Fatalf("a valid scenario that is not complete: %+v", s)
		}
	})
}

func TestReachability(t *testing.T) {
	s := &Scenario{
		Hosts:   []Host{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}, {Name: "e"}},
		Routers: []Router{{Name: "r1"}, {Name: "r2"}, {Name: "r3"}},
		Links: []Link{
			{A: "a", B: "r1"}, {A: "r1", B: "r2"}, {A: "r2", B: "b"}, // a - r1 - r2 - b
			{A: "b", B: "c"},  // a direct host link
			{A: "c", B: "d"},  // d only behind c: c never forwards
			{A: "e", B: "r3"}, // r3 is cut off from r1 and r2
		},
	}
	r := newReachability(s)
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"a", "b", true}, {"b", "a", true}, {"b", "c", true}, {"c", "b", true},
		{"a", "c", false}, {"b", "d", false}, {"a", "e", false}, {"e", "a", false},
	} {
		assert.Equal(t, tc.want, r.connected(tc.from, tc.to), "%s -> %s", tc.from, tc.to)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"svr", "srv", 1}, {"bandwith", "bandwidth", 1},
		{"formt", "format", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"ab", "ba", 1},
	} {
		assert.Equal(t, tc.d, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.d, editDistance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

// TestWarnings holds what is valid but flagged, with the exact messages.
func TestWarnings(t *testing.T) {
	s, err := Parse("w.yaml", []byte(`version: 1
name: w
duration: 2s
hosts:
  a: {}
  b: {}
  lonely: {}
links:
  - {between: [a, b], bandwidth: 100}
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 1KB, start: 3s}
  - {type: bulk-send, host: a, to: b:81, bytes: 1KB}
faults:
  - {at: 2s, link: a-b, set: {bandwidth: 1Mbps}}
expect:
  - delivered: {to: b:80, bytes: 1KB, by: 5s}
`))
	require.NoError(t, err)
	assert.Equal(t, `w.yaml:7:3: warning: hosts.lonely: no link reaches this host (a link with between: [..., lonely])
w.yaml:9:34: warning: links[0].bandwidth: 100 has no unit, so it is 100 bit/s (write the unit: bps, kbps, Mbps or Gbps)
w.yaml:12:61: warning: apps[1]: start 3s is not before the end of the run (duration 2s): it never starts (a time before duration, or a longer duration)
w.yaml:13:36: warning: apps[2]: no app listens on b:81: the connection will be refused (a sink, echo or request-response app with that host and port)
w.yaml:15:10: warning: faults[0]: at 2s is not before the end of the run (duration 2s): it never applies (a time before duration, or a longer duration)
w.yaml:17:43: warning: expect[0].delivered: by 5s is after the end of the run (duration 2s): it is checked at the end (a time before duration, or a longer duration)`, s.Warnings.Error())
}

// TestTCPSettingsReachConfig: every key of the settings table is a YAML
// key, an enum alias stands for its value, and a host's settings override
// the defaults key by key.
func TestTCPSettingsReachConfig(t *testing.T) {
	s, err := Parse("t.yaml", []byte(valid+`defaults:
  tcp:
    mss: 1000
    congestion: reno
    initial_cwnd: 4
    rto_initial: 2s
    rto_min: 100ms
    rto_max: 60s
    delayed_ack: 0s
    time_wait: 1s
    max_tw_buckets: 1000
    rfc1337: true
    nagle: false
    sack: false
    window_scale: false
    timestamps: false
    ecn: on
    send_buffer: 64KiB
    send_buffer_initial: 32KiB
    send_buffer_max: 8MiB
    recv_buffer: 15MiB
    recv_buffer_initial: 256KiB
    recv_buffer_max: 16MiB
    syn_retries: 3
    synack_retries: 2
    data_retries: 8
    user_timeout: 20s
    keepalive: true
    keepalive_time: 600s
    keepalive_intvl: 10s
    keepalive_probes: 5
    notsent_lowat: 128KiB
    rack: false
    tlp: false
    slow_start_after_idle: false
    hystart: false
    rescue_retransmit: true
    pacing: true
    pacing_ss_ratio: 150
    pacing_ca_ratio: 110
    fastopen: 3
    fastopen_key: 01234567-89abcdef-fedcba98-76543210
`))
	require.NoError(t, err)
	want := tcp.Config{
		MSS: 1000, Congestion: "reno", InitialCwnd: 4,
		RTOInitial: 2 * time.Second, RTOMin: 100 * time.Millisecond, RTOMax: time.Minute,
		DelayedAck: 0, TimeWait: time.Second, MaxTimeWait: 1000, RFC1337: true,
		SendBuffer: 64 << 10, RecvBuffer: 15 << 20,
		SendBufferInitial: 32 << 10, SendBufferMax: 8 << 20,
		RecvBufferInitial: 256 << 10, RecvBufferMax: 16 << 20,
		SynRetries: 3, SynAckRetries: 2, DataRetries: 8, UserTimeout: 20 * time.Second, NotsentLowat: 128 << 10, RescueRetransmit: true,
		Keepalive: true, KeepaliveTime: 10 * time.Minute, KeepaliveIntvl: 10 * time.Second, KeepaliveProbes: 5,
		ECN: tcp.ECNOn, Pacing: tcp.PacingOn, PacingSSRatio: 150, PacingCARatio: 110,
		FastOpen: 3, FastOpenKey: "01234567-89abcdef-fedcba98-76543210",
	}
	assert.Equal(t, tcp.SettingNames(), s.Defaults.TCP.Written(), "the test sets every setting")
	// a has no settings of its own; c has congestion and mss.
	assert.Equal(t, want, s.Hosts[0].Effective.Config())
	c := s.Hosts[2].Effective.Config()
	assert.Equal(t, "cubic", c.Congestion, "the host's own setting wins")
	assert.Equal(t, 4, c.InitialCwnd, "the defaults fill in the rest")
}

// TestTCPBufferAuto: auto is Linux's autotuning (stored as 0), a size
// fixes the buffer, and anything else is an error at its line.
func TestTCPBufferAuto(t *testing.T) {
	s, err := Parse("t.yaml", []byte(valid+"defaults:\n  tcp: {recv_buffer: auto, send_buffer: 1MiB}\n"))
	require.NoError(t, err)
	c := s.Hosts[0].Effective.Config()
	assert.Equal(t, 0, c.RecvBuffer, "auto")
	assert.Equal(t, 1<<20, c.SendBuffer, "fixed")
	assert.Equal(t, "recv_buffer=auto send_buffer=1MiB", sortedSettings(s.Defaults.TCP.String()))
	_, err = Parse("t.yaml", []byte(valid+"defaults:\n  tcp: {recv_buffer: automatic}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "recv_buffer")
}

// sortedSettings sorts the words of a TCP.String.
func sortedSettings(s string) string {
	f := strings.Fields(s)
	slices.Sort(f)
	return strings.Join(f, " ")
}

// TestContractExample loads the example of the scenario contract verbatim:
// every key it shows is understood, and it holds only the warnings its
// timing earns (faults and a deadline after its 2 s duration).
func TestContractExample(t *testing.T) {
	s, err := Load("testdata/contract.yaml")
	require.NoError(t, err)
	assert.Equal(t, "handshake", s.Name)
	cc := func(h int) any { v, _ := s.Hosts[h].Effective.Value("congestion"); return v }
	assert.Equal(t, "cubic", cc(1))
	assert.Equal(t, "newreno", cc(0))
	assert.Len(t, s.Links, 2)
	assert.Equal(t, "r1-server", s.Links[1].Name)
	assert.Len(t, s.Faults, 4)
	assert.Len(t, s.Expect, 2)
	assert.Equal(t, []PlotKind{PlotSequence, PlotTimeSequence, PlotCwnd, PlotThroughput, PlotQueue}, s.Outputs.Plots)
	var msgs []string
	for _, w := range s.Warnings {
		msgs = append(msgs, w.Msg)
	}
	assert.Equal(t, []string{
		"warning: faults[2]: at 3s is not before the end of the run (duration 2s): it never applies",
		"warning: faults[3]: at 4s is not before the end of the run (duration 2s): it never applies",
		"warning: expect[1].delivered: by 5s is after the end of the run (duration 2s): it is checked at the end",
	}, msgs)
}

// TestMergeKeys: anchors in x- keys, merged with <<, the mapping's own keys
// winning; problems inside a template point into the template.
func TestMergeKeys(t *testing.T) {
	s, err := Parse("m.yaml", []byte(`version: 1
name: m
duration: 1s
x-wan: &wan {bandwidth: 10Mbps, delay: 20ms, queue: {kind: droptail, limit: 50}}
x-lan: &lan {bandwidth: 1Gbps, mtu: 9000}
hosts: {a: {}, b: {}}
routers: {r: {}}
links:
  - {<<: *wan, between: [a, r], delay: 5ms}
  - {<<: [*lan, *wan], between: [r, b]}
`))
	require.NoError(t, err)
	require.Len(t, s.Links, 2)
	assert.Equal(t, 10*units.Mbps, s.Links[0].Bandwidth)
	assert.Equal(t, 5*time.Millisecond, s.Links[0].Delay, "the mapping's own key wins")
	assert.Equal(t, 50, s.Links[0].Queue.LimitPackets)
	assert.Equal(t, units.Gbps, s.Links[1].Bandwidth, "the first merged mapping wins")
	assert.Equal(t, 9000, s.Links[1].MTU)
	assert.Equal(t, 20*time.Millisecond, s.Links[1].Delay)

	for _, tc := range []struct{ name, yaml, want string }{
		{"bad key in template", "x-t: &t {bandwith: 1Mbps}\nlinks: [{<<: *t, between: [a, b], bandwidth: 1Mbps}]\n",
			`m.yaml:4:10: links[0]: unknown key "bandwith", did you mean "bandwidth"?`},
		{"merge a scalar", "links: [{<<: 3, between: [a, b], bandwidth: 1Mbps}]\n",
			"m.yaml:4:14: links[0]: << must merge a mapping, got \"3\""},
		{"unknown top key", "y-t: 1\n", `m.yaml:4:1: unknown key "y-t"`},
		{"a template that merges itself", "x-a: &a {<<: *a}\nlinks: [{<<: *a, between: [a, b], bandwidth: 1Mbps}]\n",
			"links[0]: merges nested more than 8 deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte("version: 1\nname: m\nduration: 1s\n"+tc.yaml+"hosts: {a: {}, b: {}}\n"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestEveryTopKeyDecodes: a top-level key is decoded in place (the
// scalars and defaults) or by its section's decoder, never by neither:
// decode calls sections[key] for every other key of topKeys.
func TestEveryTopKeyDecodes(t *testing.T) {
	inPlace := []string{"version", "name", "description", "seed", "duration", "defaults"}
	for _, k := range topKeys {
		assert.True(t, slices.Contains(inPlace, k) != (sections[k] != nil), "%s: decoded in place or by sections, exactly one", k)
	}
	for k := range sections {
		assert.Contains(t, topKeys, k)
	}
}

// A queue that can hold more than a gigabyte is warned about: netsim keeps
// every queued datagram in memory, so 100000 packets of 65535 bytes make
// a run take 6.6 GB once a fast source fills them. The default queues,
// and a byte limit up to 1 GiB, are not.
func TestHugeQueueWarning(t *testing.T) {
	warnings := func(link string) string {
		s, err := Parse("q.yaml", []byte(`version: 1
name: q
duration: 2s
hosts: {a: {}, b: {}}
links:
  - `+link+`
`))
		require.NoError(t, err)
		return s.Warnings.Error()
	}
	assert.Equal(t, "q.yaml:6:84: warning: links[0].queue.limit: a full queue holds 100000 packets of up to 65535 bytes, 6.6 GB in memory, in each direction (a queue of at most 1 GiB: fewer packets, a smaller MTU or a byte limit like 64MiB)",
		warnings("{between: [a, b], bandwidth: 1Gbps, mtu: 65535, queue: {kind: droptail, limit: 100000}}"))
	assert.Equal(t, "q.yaml:6:69: warning: links[0].queue.limit: a full queue holds 2.0 GB in memory, in each direction (a queue of at most 1 GiB: fewer packets, a smaller MTU or a byte limit like 64MiB)",
		warnings("{between: [a, b], bandwidth: 1Gbps, queue: {kind: codel, limit: 2GB}}"))
	for _, ok := range []string{
		"{between: [a, b], bandwidth: 1Gbps, mtu: 65535, queue: {kind: fq-codel}}",
		"{between: [a, b], bandwidth: 1Gbps, queue: {kind: droptail, limit: 1GiB}}",
		"{between: [a, b], bandwidth: 1Gbps, queue: {kind: droptail, limit: 700000}}",
	} {
		assert.Empty(t, warnings(ok), ok)
	}

	// A generator's links have no queue.limit position of their own:
	// they are warned about at the generator's item.
	s, err := Parse("q.yaml", []byte(`version: 1
name: q
duration: 2s
topology:
  - {kind: fat-tree, k: 4, bandwidth: 1Gbps, mtu: 65535, queue: {kind: droptail, limit: 100000}}
`))
	require.NoError(t, err)
	require.NotEmpty(t, s.Warnings)
	assert.Contains(t, s.Warnings[0].Error(), `q.yaml:5:5: warning: topology[0] link "ft-agg-1-1-ft-core-1".queue.limit: a full queue holds 100000 packets of up to 65535 bytes, 6.6 GB`)
}

// Past 100 warnings the rest are counted in one last line rather than
// dropped without a word: 300 hosts that no link reaches are 100 lines
// and "and 200 more warnings".
func TestTooManyWarningsAreCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nname: w\nduration: 1s\nhosts:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  h%d: {}\n", i)
	}
	s, err := Parse("w.yaml", []byte(b.String()))
	require.NoError(t, err)
	require.Equal(t, 101, len(s.Warnings))
	assert.Equal(t, "w.yaml:105:3: warning: and 200 more warnings (fix the ones above first)", s.Warnings[100].Error())

	// The members of a group warned at one place past the first 100 are
	// all counted, not only the three that place would have listed: 100
	// hosts no link reaches, then 50 members' apps that no app listens
	// to, make 100 lines and "and 50 more warnings".
	b.Reset()
	b.WriteString("version: 1\nname: w\nduration: 1s\nhosts:\n  server: {}\n  c: {count: 50}\n")
	for i := range 100 {
		fmt.Fprintf(&b, "  h%d: {}\n", i)
	}
	b.WriteString("links:\n  - {between: [c, server], bandwidth: 1Mbps}\napps:\n  - {type: bulk-send, host: c, to: server:80, bytes: 1000}\n")
	s, err = Parse("w.yaml", []byte(b.String()))
	require.NoError(t, err)
	require.Equal(t, 101, len(s.Warnings))
	assert.Contains(t, s.Warnings[100].Error(), "warning: and 50 more warnings (fix the ones above first)")
}
