package sweep

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/scenarios"
)

func TestParseSweep(t *testing.T) {
	s, err := Parse("dir/s.yaml", []byte(`version: 1
name: loss-grid
base: ../base.yaml
set:
  duration: 3s
grid:
  links[uplink].loss: [0%, {model: gilbert-elliott, p: 1%, r: 30%}]
  hosts.client-a.tcp.mss: [536, 1460]
seeds: [1..3, 10]
metrics: [fairness, goodput]
`))
	require.NoError(t, err)
	assert.Equal(t, "loss-grid", s.Name)
	assert.Equal(t, filepath.Join("base.yaml"), s.BasePath)
	require.Len(t, s.Set, 1)
	assert.Equal(t, "duration", s.Set[0].Path.String())
	require.Len(t, s.Params, 2)
	assert.Equal(t, "links[uplink].loss", s.Params[0].Path.String())
	assert.Equal(t, "0%", s.Params[0].Values[0].Text)
	assert.Equal(t, "{model: gilbert-elliott, p: 1%, r: 30%}", s.Params[0].Values[1].Text)
	assert.Equal(t, []uint64{1, 2, 3, 10}, s.Seeds)
	assert.Equal(t, []string{MetricGoodput, MetricFairness}, s.Metrics, "metrics come in canonical order")

	d, err := Parse("d/loss vs CC.yaml", []byte("version: 1\nbase: b.yaml\nseeds: 4\n"))
	require.NoError(t, err)
	assert.Equal(t, "loss-vs-cc", d.Name, "the name defaults to the file's")
	assert.Equal(t, DefaultMetrics, d.Metrics, "the default metrics")
	assert.Equal(t, []uint64{4}, d.Seeds)
}

func TestParseSweepErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown key", "version: 1\nbase: b.yaml\nseeds: 1\ngird: {}\n", `s.yaml:4:1: unknown key "gird"`},
		{"missing seeds", "version: 1\nbase: b.yaml\n", "s.yaml:1:1: seeds is missing"},
		{"version", "version: 2\nbase: b.yaml\nseeds: 1\n", `s.yaml:1:10: version "2" is not supported`},
		{"bad path", "version: 1\nbase: b.yaml\nseeds: 1\ngrid:\n  links[up.loss: [1%]\n", `s.yaml:5:3: bad path: "links[up.loss"`},
		{"values not a list", "version: 1\nbase: b.yaml\nseeds: 1\ngrid:\n  links[0].loss: 1%\n", "s.yaml:5:18: links[0].loss: the values must be a list"},
		{"duplicate value", "version: 1\nbase: b.yaml\nseeds: 1\ngrid:\n  links[0].loss: [1%, 1%]\n", "s.yaml:5:23: links[0].loss: value 1% is listed twice"},
		{"reversed range", "version: 1\nbase: b.yaml\nseeds: 5..1\n", `s.yaml:3:8: seeds "5..1" is not a usable range`},
		{"negative seed", "version: 1\nbase: b.yaml\nseeds: [-1]\n", `s.yaml:3:9: seed "-1" is not a whole number`},
		{"duplicate seed", "version: 1\nbase: b.yaml\nseeds: [1..3, 2]\n", "s.yaml:3:15: seed 2 is listed twice"},
		{"unknown metric", "version: 1\nbase: b.yaml\nseeds: 1\nmetrics: [goodput, latency]\n", `s.yaml:4:20: unknown metric "latency"`},
		{"too many runs", "version: 1\nbase: b.yaml\nseeds: 1..999999\ngrid:\n  a: [1, 2]\n", "more than 1000000 runs"},
		{"set twice", "version: 1\nbase: b.yaml\nseeds: 1\nset:\n  duration: 1s\n  duration: 2s\n", "s.yaml:6:3: set: duration is given twice"},
		{"not yaml", "version: [1\n", "s.yaml:2:1: YAML syntax error: did not find expected ',' or ']'"},
		// A YAML syntax error is at its line and column, as in a scenario:
		// it was at 1:1 with yaml.v3's own 0-based "line 3" in the text.
		{"syntax error at its line", "version: 1\nbase: b.yaml\ngrid:\n  links[0].delay: [1ms, 2ms\nseeds: 1\n", "s.yaml:4:3: YAML syntax error: did not find expected ',' or ']' (valid YAML"},
		{"tab at its place", "version: 1\nbase: b.yaml\n\tseeds: 1\n", "s.yaml:3:1: YAML syntax error: found a tab character that violates indentation"},
		// A scenario given to netsim sweep is named as such, not as five
		// unknown keys and a missing base.
		{"a scenario", "version: 1\nname: x\nduration: 1s\nhosts: {a: {}}\n", "s.yaml:3:1: a scenario, not a sweep file (run it with netsim run, or name it as the base of a sweep file: version, base, grid, seeds)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "too many runs" {
				t.Skip("Parse takes more than a second to refuse the grid: skipped in -short mode")
			}
			_, err := Parse("s.yaml", []byte(tc.text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			if tc.name == "a scenario" {
				assert.Equal(t, tc.want, err.Error(), "one error, not one per scenario key")
			}
		})
	}
}

func TestLoadMissingBase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	require.NoError(t, atomicfile.Write(path, []byte("version: 1\nbase: nowhere.yaml\nseeds: 1\n")))
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "s.yaml:2:7: cannot read the base scenario")
}

func TestLoadBaseSyntaxErrorOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	require.NoError(t, atomicfile.Write(filepath.Join(dir, "base.yaml"), []byte("name: x\nhosts:\n  - name: a\n   - name: b\n")))
	require.NoError(t, atomicfile.Write(path, []byte("version: 1\nbase: base.yaml\nseeds: 1\ngrid:\n  links[l].loss: [1%, 2%]\n")))
	_, err := Load(path)
	require.Error(t, err)
	var list scenarios.ErrorList
	require.ErrorAs(t, err, &list)
	require.Len(t, list, 1, "one error for the base, not one per grid point: %v", err)
	assert.True(t, strings.HasPrefix(list[0].Error(), filepath.Join(dir, "base.yaml")+":4:4: YAML syntax error: "), "%v", list[0])
}
