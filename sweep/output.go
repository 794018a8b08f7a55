package sweep

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/internal/capped"
)

// The files of a sweep's output folder.
const (
	ManifestFile  = "sweep.json"
	ResultsFile   = "results.csv"
	AggregateFile = "aggregate.csv"
	runsDir       = "runs"
)

// Manifest is sweep.json: the expanded plan a folder holds results of, so
// that merge can check that shards belong to one sweep and order their rows.
type Manifest struct {
	Format  int             `json:"format"`
	Name    string          `json:"name"`
	Sweep   string          `json:"sweep"` // the sweep file, as given
	Shard   string          `json:"shard"` // "K/N", or "all"
	Params  []string        `json:"params"`
	Metrics []string        `json:"metrics"`
	Seeds   []uint64        `json:"seeds"`
	Points  []ManifestPoint `json:"points"`
	Runs    int             `json:"runs"` // in the whole sweep, every shard
	// NetsimVersion is the version that ran the sweep ("" in folders of
	// a netsim older than the field).
	NetsimVersion string `json:"netsim_version,omitempty"`
	// SeedlessPoints, written once every run is done, lists the grid
	// points whose seeds all gave the same metrics (SeedlessPoints): the
	// scenario has no randomness there, so their confidence interval of 0
	// says nothing about variability. Null while the sweep runs.
	SeedlessPoints []string `json:"seedless_points"`
}

// ManifestPoint is one grid point of a Manifest.
type ManifestPoint struct {
	ID             string   `json:"id"`
	Values         []string `json:"values"`
	ScenarioSHA256 string   `json:"scenario_sha256"`
}

// Label returns "path=value, ..." for the point pointID, as Plan.Label
// does, or "" when the manifest has no such point with its values.
func (m Manifest) Label(pointID string) string {
	for _, pt := range m.Points {
		if pt.ID == pointID && len(pt.Values) == len(m.Params) && len(pt.Values) > 0 {
			return joinLabel(m.Params, pt.Values)
		}
	}
	return ""
}

// Manifest describes the plan, as run on shard.
func (p *Plan) Manifest(shard Shard) Manifest {
	m := Manifest{Format: 1, Name: p.Sweep.Name, Sweep: p.Sweep.File, Shard: shard.String(),
		Metrics: slices.Clone(p.Sweep.Metrics), Seeds: slices.Clone(p.Sweep.Seeds), Runs: len(p.Runs)}
	for _, prm := range p.Sweep.Params {
		m.Params = append(m.Params, prm.Path.String())
	}
	for _, pt := range p.Points {
		mp := ManifestPoint{ID: pt.ID, ScenarioSHA256: pt.ScenarioSHA256}
		for _, v := range pt.Values {
			mp.Values = append(mp.Values, v.Text)
		}
		m.Points = append(m.Points, mp)
	}
	return m
}

// samePlan reports whether two manifests describe the same runs.
func samePlan(a, b Manifest) bool {
	return a.Format == b.Format && slices.Equal(a.Params, b.Params) && slices.Equal(a.Metrics, b.Metrics) &&
		slices.Equal(a.Seeds, b.Seeds) && slices.EqualFunc(a.Points, b.Points, func(x, y ManifestPoint) bool {
		return x.ID == y.ID && x.ScenarioSHA256 == y.ScenarioSHA256 && slices.Equal(x.Values, y.Values)
	})
}

// runOrder lists (run ID, point index, seed) in plan order from a manifest.
func (m Manifest) runOrder() []Run {
	var runs []Run
	for i, pt := range m.Points {
		canon := canonicalText(m.Params, pt.Values)
		for _, seed := range m.Seeds {
			runs = append(runs, Run{ID: runID(canon, seed), Point: i, Seed: seed})
		}
	}
	return runs
}

// ReadManifest reads DIR/sweep.json.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	data, err := capped.ReadFile(filepath.Join(dir, ManifestFile), maxInputBytes)
	if err != nil {
		return m, fmt.Errorf("%s is not a sweep folder: %w", dir, err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Format != 1 {
		return m, fmt.Errorf("%s: format %d is not supported", filepath.Join(dir, ManifestFile), m.Format)
	}
	return m, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, append(data, '\n'))
}

// writeTables writes results.csv and aggregate.csv of rows into dir, then
// sweep.json, m with the points whose seeds all agreed.
func writeTables(dir string, m Manifest, rows []Row) error {
	params := m.Params
	res, err := resultsBytes(params, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", ResultsFile, err)
	}
	agg, err := aggregateBytes(params, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", AggregateFile, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, ResultsFile), res); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, AggregateFile), agg); err != nil {
		return err
	}
	m.SeedlessPoints = SeedlessPoints(rows)
	if m.SeedlessPoints == nil {
		m.SeedlessPoints = []string{}
	}
	return writeJSON(filepath.Join(dir, ManifestFile), m)
}
