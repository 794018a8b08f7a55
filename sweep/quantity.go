package sweep

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/units"
)

// quantity is a kind of value a sweep parameter takes, as its text in the
// sweep file says: a percentage, a duration, a bit rate or a size. The
// tables give such a parameter a second column holding the value as a
// plain number in the base unit its suffix names (loss_ratio 0.01,
// bandwidth_bps 2e7), so that a spreadsheet or pandas reads it without
// parsing "1%" or "20Mbps"; the figures show it in a readable unit.
type quantity struct {
	// suffix ends the numeric column's name: PATH_suffix.
	suffix string
	// parse reads a value in the base unit.
	parse func(string) (float64, error)
	// display is the unit an axis shows and the factor from the base unit.
	display string
	scale   float64
}

// quantities are tried in order; the first that reads every value wins.
var quantities = []quantity{
	{"ratio", func(s string) (float64, error) {
		if !strings.HasSuffix(s, "%") {
			return 0, units.ErrSyntax
		}
		r, err := units.ParseRatio(s)
		return float64(r), err
	}, "%", 100},
	{"s", func(s string) (float64, error) {
		d, err := units.ParseDuration(s)
		return d.Seconds(), err
	}, "ms", 1e3},
	{"bps", func(s string) (float64, error) {
		r, err := units.ParseBitRate(s)
		return float64(r), err
	}, "Mbit/s", 1e-6},
	{"bytes", func(s string) (float64, error) {
		n, err := units.ParseByteSize(s)
		return float64(n), err
	}, "bytes", 1},
}

// quantityOf returns the quantity every value reads as, and the values in
// its base unit; false when the values are plain numbers already (they
// need no second column) or not all one kind of quantity.
func quantityOf(vals []string) (quantity, []float64, bool) {
	if len(vals) == 0 {
		return quantity{}, nil, false
	}
	plain := true
	for _, v := range vals {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			plain = false
			break
		}
	}
	if plain {
		return quantity{}, nil, false
	}
next:
	for _, q := range quantities {
		xs := make([]float64, len(vals))
		for i, v := range vals {
			x, err := q.parse(v)
			if err != nil {
				continue next
			}
			xs[i] = x
		}
		return q, xs, true
	}
	return quantity{}, nil, false
}

// numericColumn is the second column of one parameter: its index among
// the parameters, the column's name and each row's value.
type numericColumn struct {
	param int
	name  string
	q     quantity
}

// numericColumns lists the parameters (paths params) whose values, in
// values[row][param], are all one quantity, with their columns' names.
func numericColumns(params []string, values [][]string) []numericColumn {
	var out []numericColumn
	for i, p := range params {
		col := make([]string, 0, len(values))
		for _, row := range values {
			col = append(col, row[i])
		}
		if q, _, ok := quantityOf(col); ok {
			out = append(out, numericColumn{param: i, name: p + "_" + q.suffix, q: q})
		}
	}
	return out
}

// cell is a parameter value as its numeric column writes it.
func (c numericColumn) cell(v string) string {
	x, err := c.q.parse(v)
	if err != nil {
		return ""
	}
	return formatFloat(x)
}

// paramHeader splits the parameter part of a table's header into the
// parameter paths and the count of numeric columns after them: a column
// named PATH_SUFFIX, with PATH an earlier column and SUFFIX a quantity's,
// is the number of that parameter. Tables written before the numeric
// columns have none, and read the same.
func paramHeader(cols []string) (params []string, numeric int, err error) {
	for i, c := range cols {
		switch {
		case isNumericOf(c, cols[:i]):
			numeric++
		case numeric > 0:
			return nil, 0, fmt.Errorf("%w: parameter %q after the numeric columns", ErrResults, c)
		default:
			params = append(params, c)
		}
	}
	return params, numeric, nil
}

// isNumericOf reports whether column c is the numeric column of one of the
// columns before it.
func isNumericOf(c string, before []string) bool {
	for _, q := range quantities {
		if p, ok := strings.CutSuffix(c, "_"+q.suffix); ok && slices.Contains(before, p) {
			return true
		}
	}
	return false
}

// paramValues returns the parameter values of each row (of returns the
// row's name, "run ID" or "point ID", and its values), or an error naming
// the first row whose values do not match params.
func paramValues[T any](params []string, rows []T, of func(T) (string, []string)) ([][]string, error) {
	values := make([][]string, len(rows))
	for i, r := range rows {
		name, vals := of(r)
		if len(vals) != len(params) {
			return nil, fmt.Errorf("%s has %d parameter values, want %d", name, len(vals), len(params))
		}
		values[i] = vals
	}
	return values, nil
}

// paramColumns returns the header cells of the parameters and their
// numeric columns, and a function giving a row's cells from its values.
func paramColumns(params []string, values [][]string) ([]string, func(vals []string) []string) {
	num := numericColumns(params, values)
	head := slices.Clone(params)
	for _, c := range num {
		head = append(head, c.name)
	}
	return head, func(vals []string) []string {
		out := slices.Clone(vals)
		for _, c := range num {
			out = append(out, c.cell(vals[c.param]))
		}
		return out
	}
}
