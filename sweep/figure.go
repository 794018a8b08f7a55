package sweep

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/units"
)

// ErrFigure is wrapped by the errors of Figure about what was asked: an
// unknown metric or parameter, or parameters left ambiguous.
var ErrFigure = errors.New("cannot draw the sweep")

// FigureOptions choose what Figure draws.
type FigureOptions struct {
	// Metric is a metric name (goodput) or an aggregate.csv column
	// (goodput_bps_conn2, delay_p99_ns_flow1).
	Metric string
	// X is the parameter on the x axis.
	X string
	// Series is the parameter whose values are the lines; empty draws one.
	Series string
	// Where pins other parameters: "links[uplink].queue.limit=100".
	Where []string
}

// Figure reads a sweep folder's sweep.json and aggregate.csv and lays out
// the metric against the parameter X, one series per value of Series, each
// point its mean in its 95% interval. Every other parameter with more than
// one value must be pinned with Where.
func Figure(dir string, o FigureOptions) (plots.SweepFigure, error) {
	var fig plots.SweepFigure
	m, err := ReadManifest(dir)
	if err != nil {
		return fig, err
	}
	col, ok := MetricColumn(o.Metric)
	if !ok && !strings.Contains(o.Metric, "_conn") && !strings.Contains(o.Metric, "_flow") {
		return fig, fmt.Errorf("%w: unknown metric %q (%s, or a column of %s)", ErrFigure, o.Metric, strings.Join(Metrics, ", "), AggregateFile)
	}
	if !ok {
		col = o.Metric
	}
	xi := slices.Index(m.Params, o.X)
	if xi < 0 {
		return fig, fmt.Errorf("%w: --x %q is not a parameter of the sweep (%s)", ErrFigure, o.X, strings.Join(m.Params, ", "))
	}
	si := -1
	if o.Series != "" {
		if si = slices.Index(m.Params, o.Series); si < 0 || si == xi {
			return fig, fmt.Errorf("%w: --series %q is not a parameter of the sweep other than --x (%s)", ErrFigure, o.Series, strings.Join(m.Params, ", "))
		}
	}
	pinned := map[int]string{}
	for _, w := range o.Where {
		p, v, ok := strings.Cut(w, "=")
		i := slices.Index(m.Params, p)
		if !ok || i < 0 {
			return fig, fmt.Errorf("%w: --where %q: want PARAM=VALUE with PARAM one of %s", ErrFigure, w, strings.Join(m.Params, ", "))
		}
		switch _, twice := pinned[i]; {
		case twice:
			return fig, fmt.Errorf("%w: --where %s: %s is pinned twice (one --where per parameter)", ErrFigure, w, p)
		case i == xi || i == si:
			return fig, fmt.Errorf("%w: --where %s: %s is what the figure draws (--x or --series), it cannot be pinned too", ErrFigure, w, p)
		}
		pinned[i] = v
	}
	values := distinctValues(m)
	for i, p := range m.Params {
		if i == xi || i == si {
			continue
		}
		if v, ok := pinned[i]; ok {
			grid, ok := pinValue(values[i], v)
			if !ok {
				return fig, fmt.Errorf("%w: --where %s=%s: not a value of %s (%s)", ErrFigure, p, v, p, strings.Join(values[i], ", "))
			}
			pinned[i] = grid
			continue
		}
		if len(values[i]) > 1 {
			return fig, fmt.Errorf("%w: %s has values %s: pin one with --where %s=VALUE, or make it the --series", ErrFigure, p, strings.Join(values[i], ", "), p)
		}
	}

	data, err := capped.ReadFile(filepath.Join(dir, AggregateFile), maxInputBytes)
	if err != nil {
		return fig, fmt.Errorf("%s has no readable %s: has the sweep finished? %w", dir, AggregateFile, err)
	}
	params, agg, err := ReadAggregate(bytes.NewReader(data))
	if err != nil {
		return fig, fmt.Errorf("%s: %w", filepath.Join(dir, AggregateFile), err)
	}
	if !slices.Equal(params, m.Params) {
		return fig, fmt.Errorf("%s: the parameters are not those of %s", filepath.Join(dir, AggregateFile), ManifestFile)
	}

	xs, unit, numeric := axisValues(values[xi])
	scale, ylabel := yScale(col)
	fig = plots.SweepFigure{Title: m.Name, XLabel: ParamTitle(o.X), YLabel: ylabel}
	if si >= 0 {
		fig.Title += ", by " + ParamTitle(o.Series)
	}
	if unit != "" {
		fig.XLabel += " (" + unit + ")"
	}
	if !numeric {
		fig.XTicks = values[xi]
	}
	seriesOf := []string{""}
	if si >= 0 {
		seriesOf = values[si]
	}
	found := false
	for _, sv := range seriesOf {
		s := plots.SweepSeries{Name: sv}
	rows:
		for _, a := range agg {
			if a.Metric != col || (si >= 0 && a.Params[si] != sv) {
				continue
			}
			for i, v := range pinned {
				if a.Params[i] != v {
					continue rows
				}
			}
			xat := slices.Index(values[xi], a.Params[xi])
			if xat < 0 || a.Point != "" && !slices.ContainsFunc(m.Points, func(p ManifestPoint) bool { return p.ID == a.Point }) {
				return fig, fmt.Errorf("%w: %s holds grid point %s (%s=%s) that %s lacks: the folder mixes the results of two sweeps; run the sweep again into a new folder",
					ErrFigure, filepath.Join(dir, AggregateFile), a.Point, o.X, a.Params[xi], ManifestFile)
			}
			found = true
			x := xs[xat]
			s.Points = append(s.Points, plots.SweepPoint{X: x, Mean: a.Mean * scale,
				Low: (a.Mean - a.CI95) * scale, High: (a.Mean + a.CI95) * scale})
		}
		fig.Series = append(fig.Series, s)
	}
	if !found {
		return fig, fmt.Errorf("%w: %s has no column %q", ErrFigure, AggregateFile, col)
	}
	if si < 0 {
		fig.Series[0].Name = ""
	}
	return fig, nil
}

// ParamTitle names a parameter path as an axis title does: the setting
// in words, then what it belongs to, without the path's syntax:
// "links[uplink].queue.limit" is "queue limit of link uplink",
// "defaults.tcp.congestion" is "TCP congestion control".
func ParamTitle(path string) string {
	var words, owners []string
	for _, seg := range splitPath(path) {
		name, key, keyed := strings.Cut(seg, "[")
		if keyed {
			owners = append([]string{strings.TrimSuffix(name, "s") + " " + strings.TrimSuffix(key, "]")}, owners...)
			continue
		}
		if name == "defaults" {
			continue
		}
		if w, ok := settingWords[name]; ok {
			name = w
		}
		words = append(words, strings.ReplaceAll(name, "_", " "))
	}
	if len(words) == 0 {
		return path
	}
	t := strings.Join(words, " ")
	if len(owners) > 0 {
		t += " of " + strings.Join(owners, ", ")
	}
	return t
}

// settingWords spells out the path names that are abbreviations or that
// read badly alone.
var settingWords = map[string]string{
	"tcp": "TCP", "udp": "UDP", "ecn": "ECN", "mss": "MSS", "mtu": "MTU", "rto": "RTO",
	"congestion": "congestion control", "recv_buffer": "receive buffer", "min_th": "min threshold",
	"max_th": "max threshold", "p_max": "max drop probability",
}

// splitPath splits a parameter path at its dots, keeping a [key] (which
// may hold dots, as an address does) with its name.
func splitPath(path string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range path {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, path[start:i])
				start = i + 1
			}
		}
	}
	return append(out, path[start:])
}

// distinctValues lists each parameter's values in the order of the points.
func distinctValues(m Manifest) [][]string {
	out := make([][]string, len(m.Params))
	for _, pt := range m.Points {
		for i, v := range pt.Values {
			if !slices.Contains(out[i], v) {
				out[i] = append(out[i], v)
			}
		}
	}
	return out
}

// axisValues turns a parameter's values into numbers when they are plain
// numbers or all one quantity (a percentage, a duration in ms, a rate in
// Mbit/s, a size in bytes); else the axis is categorical and the numbers
// are indexes.
func axisValues(vals []string) (xs []float64, unit string, numeric bool) {
	xs = make([]float64, len(vals))
	if q, base, ok := quantityOf(vals); ok {
		for i, x := range base {
			xs[i] = x * q.scale
		}
		return xs, q.display, true
	}
	for i, v := range vals {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			for i := range vals {
				xs[i] = float64(i)
			}
			return xs, "", false
		}
		xs[i] = x
	}
	return xs, "", true
}

// yScale returns the factor and label that show a metric column in
// readable units: "mean RTT (ms)", "goodput of connection 2 (Mbit/s)";
// a column netsim does not know keeps its name.
func yScale(col string) (float64, string) {
	fam, n := columnKey(col)
	if fam >= len(families) {
		return 1, col
	}
	f, t := families[fam].col, families[fam].title
	label := t.name
	switch rest := strings.TrimPrefix(col, f); {
	case strings.HasPrefix(rest, "_conn"):
		label += fmt.Sprintf(" of connection %d", n)
	case strings.HasPrefix(rest, "_flow"):
		label += fmt.Sprintf(" of flow %d", n)
	}
	if t.unit != "" {
		label += " (" + t.unit + ")"
	}
	return t.scale, label
}

// ReadAggregate reads an aggregate.csv written by WriteAggregate.
func ReadAggregate(r io.Reader) (params []string, rows []AggregateRow, err error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrResults, err)
	}
	tail := []string{"metric", "n", "mean", "stddev", "ci95", "ci95_low", "ci95_high"}
	if len(recs) == 0 || len(recs[0]) < 1+len(tail) || recs[0][0] != "point" || !slices.Equal(recs[0][len(recs[0])-len(tail):], tail) {
		return nil, nil, fmt.Errorf("%w: not an aggregate.csv header", ErrResults)
	}
	params, numeric, err := paramHeader(recs[0][1 : len(recs[0])-len(tail)])
	if err != nil {
		return nil, nil, err
	}
	np := len(params) + numeric
	num := func(s string) (float64, error) {
		if s == "" {
			return math.NaN(), nil
		}
		return strconv.ParseFloat(s, 64)
	}
	for li, rec := range recs[1:] {
		a := AggregateRow{Point: rec[0], Params: slices.Clone(rec[1 : 1+len(params)]), Metric: rec[1+np]}
		t := rec[1+np:]
		var errs [4]error
		a.N, errs[0] = strconv.Atoi(t[1])
		a.Mean, errs[1] = num(t[2])
		a.StdDev, errs[2] = num(t[3])
		a.CI95, errs[3] = num(t[4])
		if err := errors.Join(errs[:]...); err != nil {
			return nil, nil, fmt.Errorf("%w: line %d: %w", ErrResults, li+2, err)
		}
		rows = append(rows, a)
	}
	return params, rows, nil
}

// pinValue returns the value of vals that v names: v itself, or the one
// equal to it once both are read as the parameter's quantity (0.01 for
// 1%, 20.0 for 20, 5 ms for 5ms), so that --where need not repeat the
// grid's spelling; false when none is.
func pinValue(vals []string, v string) (string, bool) {
	if slices.Contains(vals, v) {
		return v, true
	}
	read := func(s string) (float64, error) { return strconv.ParseFloat(strings.TrimSpace(s), 64) }
	if q, _, ok := quantityOf(vals); ok {
		read = func(s string) (float64, error) {
			if x, err := q.parse(s); err == nil {
				return x, nil
			}
			if q.suffix == "ratio" { // a fraction for a percentage
				r, err := units.ParseRatio(s)
				return float64(r), err
			}
			return 0, units.ErrSyntax
		}
	}
	x, err := read(v)
	if err != nil {
		return "", false
	}
	for _, c := range vals {
		if y, err := read(c); err == nil && y == x {
			return c, true
		}
	}
	return "", false
}
