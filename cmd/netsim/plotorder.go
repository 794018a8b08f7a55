package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/scenarios"
)

// declaredNodes returns the nodes of the scenario the run in dir was made
// from, as that run loaded it (its --set overrides applied, which may add,
// drop or reorder nodes), in the order the scenario declares them (hosts,
// then routers), for the sequence figure and the view page to put
// lifelines at one place in that order. The run's folder does not hold the
// scenario, but its manifest.json names the file (as given and made
// absolute), its sha256 and the overrides: when that file is still there
// and unchanged, its order is used; otherwise nil, and the lifelines fall
// back to natural name order. A manifest without abs_path (written before
// it existed) is tried, besides the path as given, relative to the folder
// above the output folder's parent, where `netsim run` was run from for
// out/NAME.
func declaredNodes(dir string) []string {
	b, err := capped.ReadFile(filepath.Join(dir, "manifest.json"), capped.MaxInput)
	if err != nil {
		return nil
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Scenario.Path == "" || m.Scenario.SHA256 == "" {
		return nil
	}
	sets := make([]scenarios.Override, len(m.Set))
	for i, arg := range m.Set {
		if sets[i], err = scenarios.ParseOverride(arg); err != nil {
			return nil
		}
	}
	paths := []string{m.Scenario.AbsPath, m.Scenario.Path}
	if m.Scenario.AbsPath == "" && !filepath.IsAbs(m.Scenario.Path) {
		paths = append(paths, filepath.Join(dir, "..", "..", m.Scenario.Path))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		data, err := capped.ReadFile(p, capped.MaxInput)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m.Scenario.SHA256 {
			continue
		}
		// The bytes whose sha256 matched, not the file read again.
		s, err := scenarios.ParseWith(p, data, sets)
		if err != nil {
			return nil
		}
		return scenarioNodes(s)
	}
	return nil
}

// scenarioNodes lists a scenario's hosts, then its routers, each in the
// order the file declares them.
func scenarioNodes(s *scenarios.Scenario) []string {
	names := make([]string, 0, len(s.Hosts)+len(s.Routers))
	for _, h := range s.Hosts {
		names = append(names, h.Name)
	}
	for _, r := range s.Routers {
		names = append(names, r.Name)
	}
	return names
}
