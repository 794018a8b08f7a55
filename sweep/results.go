package sweep

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Run statuses in results.csv.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// Row is one run's line of results.csv, and the record of a finished run
// that resume reads back.
type Row struct {
	RunID  string   `json:"run_id"`
	Point  string   `json:"point"`
	Params []string `json:"params"` // values, in grid order
	Seed   uint64   `json:"seed"`
	Status string   `json:"status"`
	// ExpectFailed counts the scenario's expect entries that failed: the
	// run is valid data, but the reader may want to know.
	ExpectFailed int                `json:"expect_failed"`
	Metrics      map[string]float64 `json:"metrics"`
	TraceSHA256  string             `json:"trace_sha256"`
	Error        string             `json:"error"`
	// Replay is the netsim run command that replays the run, from the
	// sweep's output folder.
	Replay string `json:"replay"`
	// ScenarioSHA256 is the sha256 of the point's scenario the run used
	// (kept in the run record, not in results.csv).
	ScenarioSHA256 string `json:"scenario_sha256,omitempty"`
}

// ReplayCommand is the command that replays a run, from the sweep's output
// folder.
func ReplayCommand(pointID string, seed uint64) string {
	return "netsim run " + PointFile(pointID) + " --seed " + strconv.FormatUint(seed, 10)
}

// fixed columns of results.csv around the parameters and metrics.
var (
	headCols = []string{"run_id", "point"}
	midCols  = []string{"seed", "status", "expect_failed"}
	tailCols = []string{"trace_sha256", "error", "replay"}
)

// metricColumns is the union of the rows' metric columns, in fixed order.
func metricColumns(rows []Row) []string {
	seen := map[string]bool{}
	var cols []string
	for _, r := range rows {
		for k := range r.Metrics {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	sortColumns(cols)
	return cols
}

// formatFloat writes the shortest text that reads back as the same float64,
// so results.csv round-trips bit for bit (what makes merge exact).
func formatFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteResults writes results.csv: one row per run in the order given,
// columns run_id, point, the parameter paths, the numeric columns of the
// parameters that are quantities (as in aggregate.csv), seed, status, expect_failed,
// the metric columns, trace_sha256, error, replay. A metric a run did not
// define is an empty cell.
func WriteResults(w io.Writer, params []string, rows []Row) error {
	cols := metricColumns(rows)
	cw := csv.NewWriter(w)
	values, err := paramValues(params, rows, func(r Row) (string, []string) { return "run " + r.RunID, r.Params })
	if err != nil {
		return err
	}
	head, cells := paramColumns(params, values)
	header := append(append(append(append(append([]string{}, headCols...), head...), midCols...), cols...), tailCols...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		line := append([]string{r.RunID, r.Point}, cells(r.Params)...)
		line = append(line, strconv.FormatUint(r.Seed, 10), r.Status, strconv.Itoa(r.ExpectFailed))
		for _, c := range cols {
			v, ok := r.Metrics[c]
			if ok {
				line = append(line, formatFloat(v))
			} else {
				line = append(line, "")
			}
		}
		line = append(line, r.TraceSHA256, oneLine(r.Error), r.Replay)
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// oneLine keeps an error on one CSV line: spreadsheets and grep read it.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// ErrResults is wrapped by the errors of ReadResults.
var ErrResults = errors.New("malformed results.csv")

// ReadResults reads a results.csv written by WriteResults; params are the
// parameter paths of its header, in order.
func ReadResults(r io.Reader) (params []string, rows []Row, err error) {
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrResults, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%w: no header", ErrResults)
	}
	h := recs[0]
	seedAt := -1
	for i, c := range h {
		if c == "seed" {
			seedAt = i
			break
		}
	}
	n := len(h)
	if seedAt < len(headCols) || n < seedAt+len(midCols)+len(tailCols) ||
		!slices.Equal(h[:len(headCols)], headCols) || !slices.Equal(h[seedAt:seedAt+len(midCols)], midCols) || !slices.Equal(h[n-len(tailCols):], tailCols) {
		return nil, nil, fmt.Errorf("%w: unexpected header %q", ErrResults, strings.Join(h, ","))
	}
	params, _, err = paramHeader(h[len(headCols):seedAt])
	if err != nil {
		return nil, nil, err
	}
	metrics := h[seedAt+len(midCols) : n-len(tailCols)]
	for li, rec := range recs[1:] {
		line := li + 2
		row := Row{RunID: rec[0], Point: rec[1], Params: slices.Clone(rec[len(headCols) : len(headCols)+len(params)]), Status: rec[seedAt+1], Metrics: map[string]float64{}}
		if row.Seed, err = strconv.ParseUint(rec[seedAt], 10, 64); err != nil {
			return nil, nil, fmt.Errorf("%w: line %d: seed %q", ErrResults, line, rec[seedAt])
		}
		if row.ExpectFailed, err = strconv.Atoi(rec[seedAt+2]); err != nil {
			return nil, nil, fmt.Errorf("%w: line %d: expect_failed %q", ErrResults, line, rec[seedAt+2])
		}
		for i, c := range metrics {
			cell := rec[seedAt+len(midCols)+i]
			if cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("%w: line %d: %s %q is not a number", ErrResults, line, c, cell)
			}
			row.Metrics[c] = v
		}
		row.TraceSHA256, row.Error, row.Replay = rec[n-3], rec[n-2], rec[n-1]
		rows = append(rows, row)
	}
	return params, rows, nil
}

// resultsBytes renders results.csv in memory.
func resultsBytes(params []string, rows []Row) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteResults(&b, params, rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SeedlessPoints lists the grid points (in row order) whose runs all gave
// the same results whatever the seed: at least two successful runs, with
// different seeds, and the same value of every metric. The seed still
// changes initial sequence numbers and ports, but nothing that matters:
// the point has no randomness (no loss, jitter or random start), so its
// spread over seeds is 0 and its confidence interval says nothing about
// variability.
func SeedlessPoints(rows []Row) []string {
	type seen struct {
		first map[string]float64
		seeds map[uint64]bool
		mixed bool
	}
	var order []string
	by := map[string]*seen{}
	for _, r := range rows {
		if r.Status != StatusOK || len(r.Metrics) == 0 {
			continue
		}
		s, ok := by[r.Point]
		if !ok {
			s = &seen{first: r.Metrics, seeds: map[uint64]bool{}}
			by[r.Point] = s
			order = append(order, r.Point)
		}
		s.seeds[r.Seed] = true
		s.mixed = s.mixed || !maps.Equal(r.Metrics, s.first)
	}
	var out []string
	for _, p := range order {
		if s := by[p]; !s.mixed && len(s.seeds) >= 2 {
			out = append(out, p)
		}
	}
	return out
}
