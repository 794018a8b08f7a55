package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/units"
)

func genScenario(topology string) string {
	return "version: 1\nname: gen\nduration: 1s\ntopology:\n  - " + topology + "\n"
}

func names[T any](xs []T, name func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

// A k=4 fat-tree: 16 hosts, 4 core, 8 aggregation and 8 edge switches,
// 48 links, every link as the generator says.
func TestFatTreeGenerator(t *testing.T) {
	s, err := Parse("g.yaml", []byte(genScenario("{kind: fat-tree, k: 4, bandwidth: 10Gbps, delay: 1us}")))
	require.NoError(t, err)
	assert.Len(t, s.Hosts, 16)
	assert.Len(t, s.Routers, 20)
	assert.Len(t, s.Links, 48)
	assert.Equal(t, []string{"ft-core-1", "ft-core-2", "ft-core-3", "ft-core-4", "ft-agg-1-1", "ft-agg-1-2", "ft-edge-1-1"},
		names(s.Routers[:7], func(r Router) string { return r.Name }))
	assert.Equal(t, []string{"ft-agg-1-1-ft-core-1", "ft-agg-1-1-ft-core-2", "ft-agg-1-2-ft-core-3", "ft-agg-1-2-ft-core-4",
		"ft-edge-1-1-ft-agg-1-1", "ft-edge-1-1-ft-agg-1-2", "ft-h1-ft-edge-1-1", "ft-h2-ft-edge-1-1"},
		names(s.Links[:8], func(l Link) string { return l.Name }))
	for _, l := range s.Links {
		assert.Equal(t, 10*units.Gbps, l.Bandwidth)
		assert.Equal(t, "1µs", l.Delay.String())
	}
	assert.Equal(t, "ft-h16", s.Hosts[15].Name)
	assert.Equal(t, "10.0.0.16", s.Hosts[15].Address.String())
	p, ok := s.Pos("links[47]")
	require.True(t, ok)
	assert.Equal(t, Pos{Line: 5, Col: 5}, p, "generated links point at their generator")
}

func TestDumbbellGenerator(t *testing.T) {
	s, err := Parse("g.yaml", []byte(genScenario(
		"{kind: dumbbell, pairs: 2, prefix: d, access: {bandwidth: 1Gbps, delay: 100us}, bottleneck: {bandwidth: 10Mbps, delay: 10ms, queue: {limit: 50}}}")))
	require.NoError(t, err)
	assert.Equal(t, []string{"d-left-1", "d-left-2", "d-right-1", "d-right-2"}, names(s.Hosts, func(h Host) string { return h.Name }))
	assert.Equal(t, []string{"d-rl", "d-rr"}, names(s.Routers, func(r Router) string { return r.Name }))
	assert.Equal(t, []string{"d-left-1-d-rl", "d-left-2-d-rl", "d-bottleneck", "d-rr-d-right-1", "d-rr-d-right-2"},
		names(s.Links, func(l Link) string { return l.Name }))
	bn := s.Links[2]
	assert.Equal(t, 10*units.Mbps, bn.Bandwidth)
	assert.Equal(t, "d-rl", bn.A, "side 0 faces the senders")
	assert.Equal(t, units.Gbps, s.Links[0].Bandwidth)
}

// The GML example (in topologies/, beside its GML file, as examples run
// from copies elsewhere cannot find it): its graph, then a run that meets
// its expectations, the same twice.
func TestGMLGenerator(t *testing.T) {
	s, err := Load("topologies/backbone.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"bb-seattle", "bb-denver", "bb-chicago", "bb-new-york", "bb-atlanta"},
		names(s.Routers, func(r Router) string { return r.Name }))
	got := names(s.Links, func(l Link) string { return fmt.Sprintf("%s %v %v", l.Name, l.Bandwidth, l.Delay) })
	assert.Equal(t, []string{
		"bb-seattle-h1-bb-seattle 1Gbps 8ms", "bb-denver-h1-bb-denver 1Gbps 8ms", "bb-chicago-h1-bb-chicago 1Gbps 8ms",
		"bb-new-york-h1-bb-new-york 1Gbps 8ms", "bb-atlanta-h1-bb-atlanta 1Gbps 8ms",
		"bb-seattle-bb-denver 1Gbps 12ms", "bb-denver-bb-chicago 1Gbps 11ms", "bb-chicago-bb-new-york 1Gbps 8ms",
		"bb-denver-bb-atlanta 100Mbps 8ms", "bb-atlanta-bb-new-york 100Mbps 8ms",
	}, got)
	recs, sum, end, _ := runExample(t, s)
	for _, r := range Check(s, recs, end) {
		assert.True(t, r.OK, r.String(s.File))
	}
	_, again, _, _ := runExample(t, s)
	assert.Equal(t, sum, again)
}

// Parallel edges are numbered past the names other edges have: a graph
// with two a-b edges and one from a to a node labelled "b 2" was refused
// (link name "gml-a-gml-b-2" is already used by ... "gml-a-gml-b-2"),
// in either order of the edges.
func TestGMLParallelEdgeNames(t *testing.T) {
	dir := t.TempDir()
	const nodes = `node [ id 0 label "a" ] node [ id 1 label "b" ] node [ id 2 label "b 2" ] `
	for _, tc := range []struct{ edges, want string }{
		{"edge [ source 0 target 1 ] edge [ source 0 target 1 ] edge [ source 0 target 2 ] edge [ source 0 target 1 ]",
			"gml-a-gml-b gml-a-gml-b-3 gml-a-gml-b-2 gml-a-gml-b-4"},
		{"edge [ source 0 target 2 ] edge [ source 0 target 1 ] edge [ source 0 target 1 ]",
			"gml-a-gml-b-2 gml-a-gml-b gml-a-gml-b-3"},
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "p.gml"), []byte("graph [ "+nodes+tc.edges+" ]\n"), 0o644))
		file := filepath.Join(dir, "g.yaml")
		require.NoError(t, os.WriteFile(file, []byte(genScenario("{kind: gml, file: p.gml, hosts: 0, bandwidth: 1Gbps}")+"hosts: {x: {}}\n"), 0o644))
		s, err := Load(file)
		require.NoError(t, err, tc.edges)
		got := names(s.Links, func(l Link) string { return l.Name })
		assert.Equal(t, tc.want, strings.Join(got, " "), tc.edges)
	}
}

// A dumbbell's access or bottleneck written as a rate, not a mapping, is
// one error: it also earned 'missing required key "bandwidth"' at the
// same place, about a key the user cannot add to a rate.
func TestDumbbellPartNotAMapping(t *testing.T) {
	_, err := Parse("g.yaml", []byte(genScenario("{kind: dumbbell, pairs: 2, access: 1Gbps, bottleneck: {bandwidth: 1Mbps}}")))
	require.Error(t, err)
	assert.Equal(t, `g.yaml:5:40: topology[0].access: expected a mapping, got "1Gbps" (a mapping of key: value)`, err.Error())
}

// A generator with an error reports that error alone: apps, faults and
// links that name its nodes are not also reported as unknown (an odd k
// under a scenario of 8 transfers gave 17 lines of "unknown host"). Names
// outside its prefix still are.
func TestFailedGeneratorDoesNotCascade(t *testing.T) {
	text := `version: 1
name: gen
duration: 1s
topology:
  - {kind: fat-tree, k: 5, bandwidth: 1Gbps}
hosts: {x: {}}
links:
  - {between: [x, ft-edge-1-1], bandwidth: 1Gbps}
apps:
  - {type: sink, host: ft-h16, port: 80}
  - {type: bulk-send, host: ft-h1, to: ft-h16:80, bytes: 1KB}
  - {type: bulk-send, host: x, to: nowhere:80, bytes: 1KB}
faults:
  - {at: 1ms, link: ft-agg-1-1-ft-core-1, down: true}
`
	_, err := Parse("g.yaml", []byte(text))
	require.Error(t, err)
	assert.Equal(t, "g.yaml:5:25: topology[0].k: 5 is odd: a fat-tree has k/2 switches per layer in a pod (an even number from 2 to 72)\n"+
		`g.yaml:12:36: apps[2].to: unknown host "nowhere" (a host defined in hosts)`, err.Error())
}

// Hosts that only a failed generator would have joined are not also
// reported as having no path between them: a fat-tree with an odd k, or
// a GML graph without bandwidth, left x and y apart and each of their
// apps earned a "no path of links" error.
func TestFailedGeneratorLeavesNoPathUnreported(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "two.gml"), []byte("graph [ node [ id 0 label \"A\" ] node [ id 1 label \"B\" ] edge [ source 0 target 1 ] ]\n"), 0o644))
	for _, tc := range []struct{ gen, a, b, want string }{
		{"{kind: fat-tree, k: 5, bandwidth: 1Gbps}", "ft-edge-1-1", "ft-edge-2-1",
			"topology[0].k: 5 is odd: a fat-tree has k/2 switches per layer in a pod (an even number from 2 to 72)"},
		{"{kind: gml, file: two.gml, hosts: 0}", "gml-a", "gml-b",
			`topology[0]: missing required key "bandwidth" (add bandwidth: to topology[0])`},
	} {
		t.Run(tc.gen, func(t *testing.T) {
			text := genScenario(tc.gen) + "hosts: {x: {}, y: {}}\nlinks:\n" +
				"  - {between: [x, " + tc.a + "], bandwidth: 1Gbps}\n  - {between: [y, " + tc.b + "], bandwidth: 1Gbps}\n" +
				"apps:\n  - {type: sink, host: y, port: 80}\n  - {type: bulk-send, host: x, to: y:80, bytes: 1KB}\n  - {type: ping, host: y, to: x}\n"
			file := filepath.Join(dir, "g.yaml")
			require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
			_, err := Load(file)
			require.Error(t, err)
			var el ErrorList
			require.ErrorAs(t, err, &el)
			require.Len(t, el, 1, "%v", err)
			assert.Equal(t, tc.want, el[0].Msg+" ("+el[0].Allowed+")")
		})
	}
}

// A topology section that makes nothing is an error, as an empty hosts
// section is: an empty list, a null, an empty item, or generators that
// make no host (gml hosts: 0) when no hosts section is written. All
// four used to validate as a scenario of 0 hosts.
func TestTopologySectionErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "two.gml"), []byte("graph [ node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 ] ]\n"), 0o644))
	for _, tc := range []struct{ body, want string }{
		{"topology: []\n", "g.yaml:4:11: topology: no generators (a list of generators, like - {kind: fat-tree, k: 4, bandwidth: 1Gbps})"},
		{"topology:\n", "g.yaml:4:10: topology: no generators (a list of generators, like - {kind: fat-tree, k: 4, bandwidth: 1Gbps})"},
		{"topology:\n  -\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\n",
			"g.yaml:5:4: topology[0]: empty generator (a mapping like {kind: fat-tree, k: 4, bandwidth: 1Gbps})"},
		{"topology:\n  - {kind: gml, file: two.gml, hosts: 0, bandwidth: 1Gbps}\n",
			"g.yaml:5:3: topology: makes no hosts (a generator that makes hosts (gml hosts: 1 or more), or a hosts section)"},
	} {
		_, err := Parse(filepath.Join(dir, "g.yaml"), []byte("version: 1\nname: gen\nduration: 1s\n"+tc.body))
		require.Error(t, err, tc.body)
		assert.Equal(t, tc.want, strings.ReplaceAll(err.Error(), dir+"/", ""), tc.body)
	}
	// Routers only from the graph, hosts written: fine.
	_, err := Parse(filepath.Join(dir, "g.yaml"), []byte("version: 1\nname: gen\nduration: 1s\nhosts: {x: {}}\n"+
		"links:\n  - {between: [x, gml-n0], bandwidth: 1Gbps}\ntopology:\n  - {kind: gml, file: two.gml, hosts: 0, bandwidth: 1Gbps}\n"))
	require.NoError(t, err)
}

// A graph in Shadow's dialect: directed, every node with a self-loop
// (the latency between two hosts placed on it, which has nothing to make
// here and used to be refused as "joins no two nodes"), latency as text
// and packet_loss as a fraction, which becomes the link's Bernoulli loss.
func TestGMLShadowDialect(t *testing.T) {
	dir := t.TempDir()
	gml := `graph [
  directed 1
  node [ id 0 host_bandwidth_up "81920 Kibit" ]
  node [ id 1 ]
  edge [ source 0 target 0 latency "1 ms" packet_loss 0.0 ]
  edge [ source 0 target 1 latency "50 ms" packet_loss 0.01 ]
  edge [ source 1 target 1 latency "1 ms" ]
]
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shadow.gml"), []byte(gml), 0o644))
	file := filepath.Join(dir, "s.yaml")
	require.NoError(t, os.WriteFile(file, []byte(genScenario("{kind: gml, file: shadow.gml, prefix: sh, bandwidth: 1Gbps, delay: 1ms}")), 0o644))
	s, err := Load(file)
	require.NoError(t, err)
	got := names(s.Links, func(l Link) string { return fmt.Sprintf("%s %v %v %v", l.Name, l.Bandwidth, l.Delay, l.Loss.P) })
	assert.Equal(t, []string{"sh-n0-h1-sh-n0 1Gbps 1ms 0%", "sh-n1-h1-sh-n1 1Gbps 1ms 0%", "sh-n0-sh-n1 1Gbps 50ms 1%"}, got)
	assert.Equal(t, LossBernoulli, s.Links[2].Loss.Model)

	// An edge's packet_loss is what the edge gives, 0 too: the
	// generator's loss fills in only where the edge says nothing.
	gml = "graph [\n  node [ id 0 ]\n  node [ id 1 ]\n  node [ id 2 ]\n  edge [ source 0 target 1 packet_loss 0.0 ]\n  edge [ source 1 target 2 ]\n]\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shadow.gml"), []byte(gml), 0o644))
	require.NoError(t, os.WriteFile(file, []byte(genScenario("{kind: gml, file: shadow.gml, prefix: sh, bandwidth: 1Gbps, delay: 1ms, loss: 5%}")), 0o644))
	s, err = Load(file)
	require.NoError(t, err)
	loss := map[string]string{}
	for _, l := range s.Links {
		loss[l.Name] = fmt.Sprintf("%q %v", l.Loss.Model, l.Loss.P)
	}
	assert.Equal(t, fmt.Sprintf("%q 0%%", ""), loss["sh-n0-sh-n1"], "packet_loss 0.0: no loss")
	assert.Equal(t, fmt.Sprintf("%q 5%%", LossBernoulli), loss["sh-n1-sh-n2"], "no packet_loss: the generator's")
}

func TestGeneratorErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gml")
	require.NoError(t, os.WriteFile(bad, []byte("graph [\n  node [ id 0 ]\n  edge [ source 0 target 7 ]\n]\n"), 0o644))
	// A file past the limit (lowered here to 1 KiB, to stay fast) is
	// refused: file: /dev/zero used to read until memory ran out.
	defer func(old int64) { maxGMLFile = old }(maxGMLFile)
	maxGMLFile = 1 << 10
	huge := filepath.Join(dir, "huge.gml")
	require.NoError(t, os.WriteFile(huge, []byte(strings.Repeat("# comment\n", 200)), 0o644))
	clash := filepath.Join(dir, "clash.gml")
	require.NoError(t, os.WriteFile(clash, []byte("graph [ node [ id 0 label \"x\" ] node [ id 1 label \"x h1\" ] ]\n"), 0o644))
	lossy := filepath.Join(dir, "lossy.gml")
	require.NoError(t, os.WriteFile(lossy, []byte("graph [ node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 packet_loss 2 ] ]\n"), 0o644))
	// Two graphs in one file: the second was ignored without a word.
	two := filepath.Join(dir, "two.gml")
	require.NoError(t, os.WriteFile(two, []byte("graph [ node [ id 0 ] ]\ngraph [ node [ id 1 ] ]\n"), 0o644))
	open := filepath.Join(dir, "open.gml")
	require.NoError(t, os.WriteFile(open, []byte("graph [\n  node [ id 0 label \"a\"\n"), 0o644))
	// An edge's own rate that is no rate of 1 bit/s or more was taken
	// as "not given", and the generator's bandwidth used instead, with
	// no word: LinkSpeedRaw NaN, 0.5 or 1e-300, bandwidth "0bps".
	rate := func(name, attr string) string {
		f := filepath.Join(dir, name+".gml")
		require.NoError(t, os.WriteFile(f, []byte("graph [ node [ id 0 ] node [ id 1 ] edge [ source 0 target 1 "+attr+" ] ]\n"), 0o644))
		return f
	}
	nan, half, tiny, zero := rate("nan", "LinkSpeedRaw NaN"), rate("half", "LinkSpeedRaw 0.5"), rate("tiny", "LinkSpeedRaw 1e-300"), rate("zero", `bandwidth "0bps"`)
	// A link whose edge gives it a delay past the longest time: the
	// error said only the generator's line, not which of the file's
	// edges.
	slow := rate("slow", `latency "100001h"`)
	tests := []struct{ name, gen, want string }{
		{"gml LinkSpeedRaw NaN", "{kind: gml, file: " + nan + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + nan + `:1:62: LinkSpeedRaw "NaN" is not a rate in bit/s`},
		{"gml LinkSpeedRaw 0.5", "{kind: gml, file: " + half + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + half + `:1:62: LinkSpeedRaw "0.5" is not a rate in bit/s`},
		{"gml LinkSpeedRaw 1e-300", "{kind: gml, file: " + tiny + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + tiny + `:1:62: LinkSpeedRaw "1e-300" is not a rate in bit/s`},
		{"gml bandwidth 0bps", "{kind: gml, file: " + zero + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + zero + `:1:62: bandwidth "0bps" is not a rate above 0`},
		{"gml edge too slow says which", "{kind: gml, file: " + slow + ", bandwidth: 1Gbps}",
			"g.yaml:5:5: topology[0] edge " + slow + `:1:37, link "gml-n0-gml-n1": delay 100001h0m0s + jitter 0s + 12µs to send 1500 bytes at 1Gbps is too long`},
		{"k odd", "{kind: fat-tree, k: 5, bandwidth: 1Gbps}",
			"g.yaml:5:25: topology[0].k: 5 is odd: a fat-tree has k/2 switches per layer in a pod (an even number from 2 to 72)"},
		{"k huge", "{kind: fat-tree, k: 1000000000, bandwidth: 1Gbps}",
			"g.yaml:5:25: topology[0].k: 1000000000 is out of range (a whole number from 2 to 72)"},
		{"no bandwidth", "{kind: fat-tree, k: 4}",
			`g.yaml:5:5: topology[0]: missing required key "bandwidth"`},
		{"unknown kind", "{kind: torus, k: 4}", `topology[0].kind`},
		{"unknown key", "{kind: fat-tree, k: 4, bandwidth: 1Gbps, pairs: 3}",
			`g.yaml:5:46: topology[0]: unknown key "pairs" for a fat-tree generator`},
		{"pairs 0", "{kind: dumbbell, pairs: 0, access: {bandwidth: 1Gbps}, bottleneck: {bandwidth: 1Mbps}}",
			"g.yaml:5:29: topology[0].pairs: 0 is out of range"},
		{"no bottleneck", "{kind: dumbbell, pairs: 2, access: {bandwidth: 1Gbps}}",
			`g.yaml:5:5: topology[0]: missing required key "bottleneck"`},
		{"bad access", "{kind: dumbbell, pairs: 2, access: {bandwidth: fast}, bottleneck: {bandwidth: 1Mbps}}",
			`g.yaml:5:52: topology[0].access.bandwidth: `},
		{"gml empty name", "{kind: gml, file: \"\", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: no file name (a GML file, relative to the scenario)"},
		{"gml missing", "{kind: gml, file: nowhere.gml, bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: nowhere.gml: no such file or directory (a GML file, relative to the scenario's folder .)"},
		{"gml edge to nowhere", "{kind: gml, file: " + bad + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + bad + ":3:3: edge 0-7 joins no two nodes"},
		{"gml two graphs", "{kind: gml, file: " + two + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + two + ":2:1: a second graph [ ... ], after the one at 1:1 (one graph per file)"},
		{"gml not closed", "{kind: gml, file: " + open + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + open + ":3:1: unexpected end of file: the [ at 2:8 is not closed"},
		{"gml bad packet_loss", "{kind: gml, file: " + lossy + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + lossy + ":1:62: packet_loss \"2\" is not a fraction from 0 to 1"},
		{"gml too large", "{kind: gml, file: " + huge + ", bandwidth: 1Gbps}",
			"g.yaml:5:23: topology[0].file: " + huge + ": the file is too large (a GML file of at most 64 MiB)"},
		{"gml label like a host", "{kind: gml, file: " + clash + ", bandwidth: 1Gbps}",
			`g.yaml:5:5: topology[0]: makes "gml-x-h1" both as a host and as a router`},
		{"missing bandwidth says where", "{kind: gml, file: " + open + "}",
			`g.yaml:5:5: topology[0]: missing required key "bandwidth" (add bandwidth: to topology[0])`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(genScenario(tc.gen)))
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tc.want), "want %q in\n%s", tc.want, err)
		})
	}
}

// A generator whose hosts or routers take names already used (written in
// hosts or routers, or made by an earlier generator with the same prefix)
// is refused at load with one error that names the clash: before, the
// file validated and netsim run failed with "the name is taken", or a
// second fat-tree gave one error per link and none about its nodes.
func TestGeneratorNameClashes(t *testing.T) {
	const head = "version: 1\nname: gen\nduration: 1s\n"
	tests := []struct{ name, body, want string }{
		{"host written", "topology:\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\nhosts:\n  ft-h1: {}\n",
			`g.yaml:5:5: topology[0]: makes the host "ft-h1", which is already a host (line 7) (prefix: a prefix no other host or router name starts with)`},
		{"router written", "topology:\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\nrouters:\n  ft-core-1: {}\n",
			`g.yaml:5:5: topology[0]: makes the router "ft-core-1", which is already a router (line 7) (prefix: a prefix no other host or router name starts with)`},
		{"router as host", "topology:\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\nrouters:\n  ft-h2: {}\n",
			`g.yaml:5:5: topology[0]: makes the host "ft-h2", which is already a router (line 7) (prefix: a prefix no other host or router name starts with)`},
		{"group member", "topology:\n  - {kind: dumbbell, pairs: 1, prefix: x, access: {bandwidth: 1Gbps}, bottleneck: {bandwidth: 1Gbps}}\nhosts:\n  x-left: {count: 2}\n",
			`g.yaml:5:5: topology[0]: makes the host "x-left-1", which is already a host (line 7) (prefix: a prefix no other host or router name starts with)`},
		{"group name", "topology:\n  - {kind: dumbbell, pairs: 1, access: {bandwidth: 1Gbps}, bottleneck: {bandwidth: 1Gbps}}\nhosts:\n  db-rl: {count: 2}\n",
			`g.yaml:5:5: topology[0]: makes the router "db-rl", which is already a host group (line 7) (prefix: a prefix no other host or router name starts with)`},
		{"same prefix twice", "topology:\n  - {kind: fat-tree, k: 4, bandwidth: 1Gbps}\n  - {kind: fat-tree, k: 2, bandwidth: 1Gbps}\n",
			`g.yaml:6:5: topology[1]: makes the host "ft-h1", which is already a host of topology[0] (line 5) (and 6 more) (prefix: a prefix no other host or router name starts with)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(head+tc.body))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// The GML reader never panics and bounds its nesting.
func FuzzParseGML(f *testing.F) {
	data, err := os.ReadFile("topologies/five-pops.gml")
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte("graph [ node [ id 0 ] ]"))
	f.Add([]byte(strings.Repeat("a [ ", 100)))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseGML(b)
	})
}

// A generator whose kind is misspelt or missing, with no prefix written,
// reports that one error: the nodes and links it would have made (under
// the default prefix of any kind, ft, db or gml) are not also reported
// as unknown wherever apps, links, faults and expectations name them.
// Names outside those prefixes still are.
func TestMisspeltGeneratorKindDoesNotCascade(t *testing.T) {
	const rest = `hosts: {x: {}}
links:
  - {between: [x, ft-edge-1-1], bandwidth: 1Gbps}
apps:
  - {type: sink, host: ft-h16, port: 80}
  - {type: bulk-send, host: ft-h1, to: ft-h16:80, bytes: 1KB}
  - {type: sink, host: db-r1, port: 80}
  - {type: bulk-send, host: x, to: nowhere:80, bytes: 1KB}
faults:
  - {at: 1ms, link: ft-agg-1-1-ft-core-1, down: true}
expect:
  - delivered: {to: ft-h16:80, bytes: 1KB}
`
	const nowhere = `g.yaml:13:36: apps[3].to: unknown host "nowhere" (a host defined in hosts)`
	for _, tc := range []struct{ generator, want string }{
		{"{kind: fat-tre, k: 4, bandwidth: 1Gbps}",
			`g.yaml:5:12: topology[0].kind: unknown value "fat-tre", did you mean "fat-tree"? (one of: fat-tree, dumbbell, gml)`},
		{"{kind: clos, k: 4, bandwidth: 1Gbps}",
			`g.yaml:5:12: topology[0].kind: unknown value "clos" (one of: fat-tree, dumbbell, gml)`},
		{"{k: 4, bandwidth: 1Gbps}",
			`g.yaml:5:5: topology[0]: missing required key "kind" (kind: one of fat-tree, dumbbell, gml)`},
	} {
		t.Run(tc.generator, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(genScenario(tc.generator)+rest))
			require.Error(t, err)
			assert.Equal(t, tc.want+"\n"+nowhere, err.Error())
		})
	}
}

// A label too long for a name (60 characters with the prefix) falls
// back to n<id>, as one with no usable character does; it used to fail
// the whole file with "no usable name", under a rule about unique ids.
func TestGMLLongLabelFallsBackToID(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("Kaiserslautern", 6)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g.gml"), []byte(`graph [ node [ id 0 label "`+long+`" ] node [ id 1 label "B" ] edge [ source 0 target 1 ] ]`), 0o644))
	file := filepath.Join(dir, "g.yaml")
	require.NoError(t, os.WriteFile(file, []byte(genScenario("{kind: gml, file: g.gml, bandwidth: 1Gbps}")), 0o644))
	s, err := Load(file)
	require.NoError(t, err)
	assert.Equal(t, []string{"gml-n0", "gml-b"}, names(s.Routers, func(r Router) string { return r.Name }))

	// When n<id> is taken too, the error says what would do.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g.gml"), []byte(`graph [ node [ id 1 label "N0" ] node [ id 0 label "`+long+`" ] ]`), 0o644))
	_, err = Load(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `g.gml:1:34: node "0": no usable name: its label and n0 make a name that is taken or longer than 60 characters (labels, or else ids, that make distinct names)`)
}
