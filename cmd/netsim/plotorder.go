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
// from, in the order the scenario declares them (hosts, then routers),
// for the sequence figure and the view page to put lifelines at one place
// in that order. The run's folder does not hold the scenario, but its
// manifest.json names the file and its sha256: when that file is still
// there (as named, or relative to the folder above the output folder's
// parent, where `netsim run` was run from for out/NAME) and unchanged,
// its order is used; otherwise nil, and the lifelines fall back to
// natural name order.
func declaredNodes(dir string) []string {
	b, err := capped.ReadFile(filepath.Join(dir, "manifest.json"), capped.MaxInput)
	if err != nil {
		return nil
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Scenario.Path == "" || m.Scenario.SHA256 == "" {
		return nil
	}
	paths := []string{m.Scenario.Path}
	if !filepath.IsAbs(m.Scenario.Path) {
		paths = append(paths, filepath.Join(dir, "..", "..", m.Scenario.Path))
	}
	for _, p := range paths {
		data, err := capped.ReadFile(p, capped.MaxInput)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m.Scenario.SHA256 {
			continue
		}
		// The bytes whose sha256 matched, not the file read again.
		s, err := scenarios.Parse(p, data)
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
