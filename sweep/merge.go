package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netsimlab/netsim/internal/atomicfile"
	"github.com/netsimlab/netsim/internal/capped"
)

// ErrMerge is wrapped by Merge's errors about the shards themselves: they
// belong to different sweeps, one has not finished, runs are missing, or
// two hold different results for one run.
var ErrMerge = errors.New("cannot merge")

// Merge joins the results of shard folders (each written by Execute with a
// Shard, or whole sweeps) into out: sweep.json, points/, results.csv and
// aggregate.csv, byte for byte what one machine running every run writes.
// Every run of the sweep must be in some folder; a run found in two folders
// must have the same results in both.
func Merge(dirs []string, out string) (*Report, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%w: no folders", ErrMerge)
	}
	if err := checkNotRunDir(out); err != nil {
		return nil, err
	}
	var m Manifest
	byID := map[string]Row{}
	from := map[string]string{}
	for i, dir := range dirs {
		mi, err := ReadManifest(dir)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			m = mi
		} else if !samePlan(m, mi) {
			return nil, fmt.Errorf("%w: %s and %s hold different sweeps (parameters, values, seeds, metrics or base scenario differ)", ErrMerge, dirs[0], dir)
		} else if mi.NetsimVersion != m.NetsimVersion {
			return nil, fmt.Errorf("%w: %s and %s were run by different netsim versions (%q and %q): their results would mix", ErrMerge, dirs[0], dir, m.NetsimVersion, mi.NetsimVersion)
		}
		data, err := capped.ReadFile(filepath.Join(dir, ResultsFile), maxInputBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s has no readable %s: has its shard (%s) finished? %w", ErrMerge, dir, ResultsFile, mi.Shard, err)
		}
		params, rows, err := ReadResults(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ResultsFile), err)
		}
		if !slices.Equal(params, m.Params) {
			return nil, fmt.Errorf("%w: %s: the parameters %v are not those of %s (%v)", ErrMerge, filepath.Join(dir, ResultsFile), params, ManifestFile, m.Params)
		}
		for _, r := range rows {
			if prev, dup := byID[r.RunID]; dup {
				a, _ := resultsBytes(params, []Row{prev})
				b, _ := resultsBytes(params, []Row{r})
				if string(a) != string(b) {
					return nil, fmt.Errorf("%w: run %s has different results in %s and %s", ErrMerge, r.RunID, from[r.RunID], dir)
				}
				continue
			}
			byID[r.RunID] = r
			from[r.RunID] = dir
		}
	}
	order := m.runOrder()
	rows := make([]Row, 0, len(order))
	var missing []string
	for _, run := range order {
		r, ok := byID[run.ID]
		if !ok {
			missing = append(missing, run.ID)
			continue
		}
		rows = append(rows, r)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %d of %d runs are in none of the folders (first: %s)", ErrMerge, len(missing), len(order), strings.Join(missing[:min(len(missing), 5)], ", "))
	}
	if len(byID) != len(order) {
		return nil, fmt.Errorf("%w: the folders hold %d runs that are not in the sweep", ErrMerge, len(byID)-len(order))
	}

	if err := checkSameSweep(out, m.Name, Shard{}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(out, "points"), 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	unlock, err := lockDir(out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	m.Shard = Shard{}.String()
	if err := writeJSON(filepath.Join(out, ManifestFile), m); err != nil {
		return nil, err
	}
	for _, pt := range m.Points {
		src := filepath.Join(dirs[0], PointFile(pt.ID))
		dst := filepath.Join(out, PointFile(pt.ID))
		if filepath.Clean(src) == filepath.Clean(dst) {
			continue
		}
		data, err := capped.ReadFile(src, maxInputBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMerge, err)
		}
		if err := atomicfile.Write(dst, data); err != nil {
			return nil, err
		}
	}
	if err := writeTables(out, m, rows); err != nil {
		return nil, err
	}
	rep := &Report{Rows: rows}
	rep.Total = len(rows)
	for _, r := range rows {
		if r.Status != StatusOK {
			rep.Failed++
		}
	}
	return rep, nil
}
