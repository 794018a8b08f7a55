package sweep

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
)

// AggregateRow is one line of aggregate.csv: one metric at one grid point.
type AggregateRow struct {
	Point  string
	Params []string
	Metric string
	Stats
}

// Aggregate reduces rows (in results.csv order) to per-point, per-metric
// statistics: points in the order they first appear, metrics in column
// order. Runs that failed or left a metric undefined do not count in its n.
func Aggregate(rows []Row) []AggregateRow {
	cols := metricColumns(rows)
	var order []string
	byPoint := map[string][]int{}
	for i, r := range rows {
		if _, ok := byPoint[r.Point]; !ok {
			order = append(order, r.Point)
		}
		byPoint[r.Point] = append(byPoint[r.Point], i)
	}
	var out []AggregateRow
	for _, pt := range order {
		idx := byPoint[pt]
		for _, c := range cols {
			var xs []float64
			for _, i := range idx {
				if v, ok := rows[i].Metrics[c]; ok && rows[i].Status == StatusOK {
					xs = append(xs, v)
				}
			}
			out = append(out, AggregateRow{Point: pt, Params: rows[idx[0]].Params, Metric: c, Stats: Describe(xs)})
		}
	}
	return out
}

// WriteAggregate writes aggregate.csv: point, the parameter paths, the
// numeric columns of the parameters that are quantities (PATH_ratio,
// PATH_s, PATH_bps, PATH_bytes), metric, n, mean, stddev, ci95 (the
// half-width), ci95_low, ci95_high. Statistics that need more samples than
// there are are empty cells.
func WriteAggregate(w io.Writer, params []string, agg []AggregateRow) error {
	cw := csv.NewWriter(w)
	values, err := paramValues(params, agg, func(a AggregateRow) (string, []string) { return "point " + a.Point, a.Params })
	if err != nil {
		return err
	}
	head, cells := paramColumns(params, values)
	header := append(append([]string{"point"}, head...), "metric", "n", "mean", "stddev", "ci95", "ci95_low", "ci95_high")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, a := range agg {
		line := append(append([]string{a.Point}, cells(a.Params)...), a.Metric, strconv.Itoa(a.N),
			formatFloat(a.Mean), formatFloat(a.StdDev), formatFloat(a.CI95),
			formatFloat(a.Mean-a.CI95), formatFloat(a.Mean+a.CI95))
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func aggregateBytes(params []string, rows []Row) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteAggregate(&b, params, Aggregate(rows)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
