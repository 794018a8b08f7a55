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
		pinned[i] = v
	}
	values := distinctValues(m)
	for i, p := range m.Params {
		if i == xi || i == si {
			continue
		}
		if v, ok := pinned[i]; ok {
			if !slices.Contains(values[i], v) {
				return fig, fmt.Errorf("%w: --where %s=%s: not a value of %s (%s)", ErrFigure, p, v, p, strings.Join(values[i], ", "))
			}
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
	fig = plots.SweepFigure{Title: m.Name, XLabel: o.X, YLabel: ylabel}
	if si >= 0 {
		fig.Title += ", by " + o.Series
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

// axisValues turns a parameter's values into numbers when they all read
// as one kind of quantity: plain numbers, percentages, durations (in ms),
// rates (in Mbit/s) or sizes (in bytes); else the axis is categorical and
// the numbers are indexes.
func axisValues(vals []string) (xs []float64, unit string, numeric bool) {
	try := func(unit string, conv func(string) (float64, error)) ([]float64, string, bool) {
		out := make([]float64, len(vals))
		for i, v := range vals {
			x, err := conv(v)
			if err != nil {
				return nil, "", false
			}
			out[i] = x
		}
		return out, unit, true
	}
	convs := []struct {
		unit string
		conv func(string) (float64, error)
	}{
		{"", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }},
		{"%", func(s string) (float64, error) {
			if !strings.HasSuffix(s, "%") {
				return 0, units.ErrSyntax
			}
			r, err := units.ParseRatio(s)
			return float64(r) * 100, err
		}},
		{"ms", func(s string) (float64, error) {
			d, err := units.ParseDuration(s)
			return float64(d) / 1e6, err
		}},
		{"Mbit/s", func(s string) (float64, error) {
			r, err := units.ParseBitRate(s)
			return float64(r) / 1e6, err
		}},
		{"bytes", func(s string) (float64, error) {
			n, err := units.ParseByteSize(s)
			return float64(n), err
		}},
	}
	for _, c := range convs {
		if xs, unit, ok := try(c.unit, c.conv); ok {
			return xs, unit, true
		}
	}
	xs = make([]float64, len(vals))
	for i := range vals {
		xs[i] = float64(i)
	}
	return xs, "", false
}

// yScale returns the factor and label that show a metric column in
// readable units.
func yScale(col string) (float64, string) {
	switch fam, _ := columnKey(col); {
	case fam < len(families) && families[fam].col == ColGoodput:
		return 1e-6, strings.Replace(col, "goodput_bps", "goodput", 1) + " (Mbit/s)"
	case fam < len(families) && families[fam].col == ColCompletion:
		return 1, strings.Replace(col, "completion_s", "completion time", 1) + " (s)"
	}
	return 1, col
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
	np := len(recs[0]) - 1 - len(tail)
	params = slices.Clone(recs[0][1 : 1+np])
	num := func(s string) (float64, error) {
		if s == "" {
			return math.NaN(), nil
		}
		return strconv.ParseFloat(s, 64)
	}
	for li, rec := range recs[1:] {
		a := AggregateRow{Point: rec[0], Params: slices.Clone(rec[1 : 1+np]), Metric: rec[1+np]}
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
