package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
)

func TestExpandOrderAndCount(t *testing.T) {
	p := expand(t, gridSweep)
	require.Len(t, p.Points, 4*2*2)
	require.Len(t, p.Runs, 4*2*2*5)
	// An odometer: the first parameter turns slowest, seeds fastest.
	assert.Equal(t, "links[uplink].loss=0%, defaults.tcp.congestion=newreno, links[uplink].queue.limit=20", p.Label(0))
	assert.Equal(t, "links[uplink].loss=0%, defaults.tcp.congestion=newreno, links[uplink].queue.limit=100", p.Label(1))
	assert.Equal(t, "links[uplink].loss=2%, defaults.tcp.congestion=cubic, links[uplink].queue.limit=100", p.Label(15))
	for i, r := range p.Runs {
		assert.Equal(t, i/5, r.Point)
		assert.Equal(t, uint64(i%5+1), r.Seed)
	}
	// The point's scenario carries the values, and the scenarios package
	// accepts it.
	s, err := scenarios.Parse("p.yaml", p.Points[15].Scenario)
	require.NoError(t, err)
	cc, ok := s.Defaults.TCP.Value("congestion")
	require.True(t, ok)
	assert.Equal(t, "cubic", cc)
}

func TestIDsStableWhenReordered(t *testing.T) {
	a := expand(t, gridSweep)
	b := expand(t, `version: 1
seeds: [5, 4, 3, 2, 1]
grid:
  links[uplink].queue.limit: [100, 20]
  defaults.tcp.congestion: [cubic, newreno]
  links[uplink].loss: [2%, 1%, 0.5%, 0%]
base: base.yaml
`)
	describe := func(p *Plan) map[string]string {
		m := map[string]string{}
		for _, r := range p.Runs {
			pt := p.Points[r.Point]
			vals := map[string]string{}
			for i, prm := range p.Sweep.Params {
				vals[prm.Path.String()] = pt.Values[i].Text
			}
			m[r.ID] = vals["links[uplink].loss"] + "/" + vals["defaults.tcp.congestion"] + "/" + vals["links[uplink].queue.limit"] + "/" + itoa(int(r.Seed))
		}
		return m
	}
	da, db := describe(a), describe(b)
	assert.Len(t, da, len(a.Runs), "run IDs are unique")
	assert.Equal(t, da, db, "the same runs get the same IDs whatever the order in the file")
	assert.NotEqual(t, a.Runs[0].ID, b.Runs[0].ID, "the order of runs does follow the file")
}

func TestExpandInvalidPoint(t *testing.T) {
	s := loadSweep(t, `version: 1
base: base.yaml
grid:
  defaults.tcp.congestion: [newreno, westwood]
  links[uplink].loss: [1%, 150%]
  links[uplink].queue.limit: [20, 64KiB]
seeds: 1
`)
	_, err := Expand(s)
	require.ErrorIs(t, err, scenarios.ErrInvalid)
	var list scenarios.ErrorList
	require.ErrorAs(t, err, &list)
	msgs := strings.Split(err.Error(), "\n")
	require.Len(t, list, 2, "each bad value once, not once per grid point: %s", err)
	assert.True(t, strings.HasSuffix(msgs[0], `sweep.yaml:4:38: grid point defaults.tcp.congestion=westwood: the scenario is invalid: defaults.tcp.congestion: unknown value "westwood" (one of: bbr, cubic, dctcp, newreno, reno, vegas)`), msgs[0])
	assert.Contains(t, msgs[1], "sweep.yaml:5:28: grid point links[uplink].loss=150%: the scenario is invalid: links[2].loss: 150% is more than 100%")
	assert.NotContains(t, err.Error(), "points/", "positions in the generated scenario mean nothing to the user")
}

func TestExpandInvalidCombination(t *testing.T) {
	// Each value is fine alone; one combination is not: the scenario
	// refuses a receive buffer smaller than the MSS.
	s := loadSweep(t, `version: 1
base: base.yaml
set: {defaults.tcp.mss: 536, hosts.client-b.tcp: {}}
grid:
  defaults.tcp.mss: [536, 1460]
  defaults.tcp.recv_buffer: [1000, 64KiB]
seeds: 1
`)
	_, err := Expand(s)
	require.ErrorIs(t, err, scenarios.ErrInvalid)
	var list scenarios.ErrorList
	require.ErrorAs(t, err, &list)
	require.Len(t, list, 1, "%s", err)
	assert.Contains(t, err.Error(), "sweep.yaml:6:30: grid point defaults.tcp.mss=1460, defaults.tcp.recv_buffer=1000: the scenario is invalid: defaults.tcp: recv_buffer = 1000: at least one mss")
}

func TestExpandBadPath(t *testing.T) {
	s := loadSweep(t, "version: 1\nbase: base.yaml\ngrid:\n  links[downlink].loss: [1%]\nseeds: 1\n")
	_, err := Expand(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `sweep.yaml:4:26: grid point links[downlink].loss=1%: bad path: links[downlink]: no element is named "downlink"`)
}

func TestExpandSetAndNoGrid(t *testing.T) {
	p := expand(t, "version: 1\nbase: base.yaml\nset: {duration: 1s, hosts.client-b.tcp: {}}\nseeds: 1..3\n")
	require.Len(t, p.Points, 1)
	require.Len(t, p.Runs, 3)
	s, err := scenarios.Parse("p.yaml", p.Points[0].Scenario)
	require.NoError(t, err)
	assert.Equal(t, "1s", s.Duration.String())
}

func TestExampleSweepExpands(t *testing.T) {
	path := filepath.Join("..", "scenarios", "sweeps", "loss-vs-cc.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skip("the example sweep is not there yet")
	}
	s, err := Load(path)
	require.NoError(t, err)
	p, err := Expand(s)
	require.NoError(t, err)
	assert.NotEmpty(t, p.Runs)
}

// A base scenario with a gml generator names its graph relative to its own
// folder; each point's scenario is read as points/<id>.yaml, where the
// graph was looked for, so every point of such a sweep was invalid
// ("g.gml: no such file or directory ... the scenario's folder points").
// The point's scenario now names the graph by its absolute path, and runs.
func TestExpandFindsGMLBesideTheBase(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g.gml"),
		[]byte("graph [ node [ id 0 label \"a\" ] node [ id 1 label \"b\" ] edge [ source 0 target 1 ] ]\n"), 0o644))
	// A decoy where a relative name would be looked for from nets/.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "nets", "points"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nets", "points", "g.gml"), []byte("graph [ node [ id 0 label \"c\" ] ]\n"), 0o644))
	// The graph's name written out, and through an alias (whose anchor
	// also names the description, which must stay as written).
	for _, head := range []string{"", "description: &g g.gml\n"} {
		file := "g.gml"
		if head != "" {
			file = "*g"
		}
		t.Run(file, func(t *testing.T) { expandGMLBesideBase(t, dir, head, file) })
	}
}

func expandGMLBesideBase(t *testing.T, dir, head, file string) {
	require.NoError(t, os.WriteFile(filepath.Join(dir, "base.yaml"), []byte(`version: 1
name: g
duration: 100ms
`+head+`topology:
  - {kind: gml, file: `+file+`, bandwidth: 1Gbps}
apps:
  - {type: sink, host: gml-b-h1, port: 80}
  - {type: bulk-send, host: gml-a-h1, to: gml-b-h1:80, bytes: 10KB}
`), 0o644))
	path := filepath.Join(dir, "sweep.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nbase: base.yaml\ngrid:\n  topology[0].delay: [1ms, 2ms]\nseeds: 1\n"), 0o644))
	s, err := Load(path)
	require.NoError(t, err)
	p, err := Expand(s)
	require.NoError(t, err)
	require.Len(t, p.Points, 2)
	// From another working directory, as a run of a point reads it.
	t.Chdir(filepath.Join(dir, "nets"))
	for _, pt := range p.Points {
		sc, err := scenarios.Parse(PointFile(pt.ID), pt.Scenario)
		require.NoError(t, err)
		assert.Len(t, sc.Routers, 2, "the graph beside the base, not nets/points/g.gml")
		if head != "" {
			assert.Equal(t, "g.gml", sc.Description, "the anchor's other use stays as written")
		}
		res, err := InProcess{}.Run(context.Background(), RunSpec{File: PointFile(pt.ID), Scenario: pt.Scenario, Seed: 1})
		require.NoError(t, err)
		require.Len(t, res.Summary.Conns, 1)
		assert.Equal(t, int64(10000), res.Summary.Conns[0].BytesDelivered)
	}
}

// A point's scenario carries the sha256 of the graph it reads, so that
// its ScenarioSHA256 changes when the graph does: a resumed sweep reused
// the runs of a GML file since edited, as the scenario text had not
// changed.
func TestPointHashFollowsItsGML(t *testing.T) {
	dir := t.TempDir()
	graph := filepath.Join(dir, "g.gml")
	write := func(latency string) {
		require.NoError(t, os.WriteFile(graph, []byte("graph [ node [ id 0 label \"a\" ] node [ id 1 label \"b\" ] edge [ source 0 target 1 latency \""+latency+"\" ] ]\n"), 0o644))
	}
	write("1 ms")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("version: 1\nname: g\nduration: 100ms\ntopology:\n  - {kind: gml, file: g.gml, bandwidth: 1Gbps}\n"), 0o644))
	path := filepath.Join(dir, "sweep.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nbase: base.yaml\ngrid:\n  topology[0].mtu: [1500]\nseeds: 1\n"), 0o644))
	hash := func() string {
		s, err := Load(path)
		require.NoError(t, err)
		p, err := Expand(s)
		require.NoError(t, err)
		return p.Points[0].ScenarioSHA256
	}
	before := hash()
	assert.Equal(t, before, hash(), "the same graph, the same hash")
	write("5 ms")
	assert.NotEqual(t, before, hash(), "an edited graph")
}
