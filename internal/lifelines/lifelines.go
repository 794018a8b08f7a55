// Package lifelines is the order in which a sequence diagram puts
// lifelines that the network puts at one place: the order the scenario
// declares its nodes in, when it is known, and natural name order for the
// rest. netsim plot's sequence figure (plots) and netsim view's page
// (view) both use it.
package lifelines

import (
	"cmp"
	"sort"
	"strings"
)

// Less reports whether the lifeline named a goes left of the one named b
// when the network puts them at the same place (the receivers of a
// dumbbell, all one hop behind the same router): names in natural order,
// runs of digits compared as numbers, so sink-1, sink-2, …, sink-10 read as
// a person numbered them, whatever order their packets came in.
func Less(a, b string) bool {
	if c := naturalCompare(a, b); c != 0 {
		return c < 0
	}
	return a < b // "x07" and "x7": still one order
}

// naturalCompare compares a and b with runs of digits as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := leadingZerosOff(a[:da]), leadingZerosOff(b[:db])
			if len(na) != len(nb) {
				return cmp.Compare(len(na), len(nb))
			}
			if na != nb {
				return strings.Compare(na, nb)
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitRun returns the length of the run of ASCII digits s starts with.
func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// leadingZerosOff drops the leading zeros of a run of digits, keeping one digit.
func leadingZerosOff(d string) string {
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

// Order puts lifelines at one place in the order a scenario declares its
// nodes (hosts, then routers, each in file order), and the nodes it does
// not declare after those, in Less order. The zero Order is Less order.
type Order struct {
	declared map[string]int
}

// Declared returns the Order of names, a scenario's nodes in the order it
// declares them.
func Declared(names []string) Order {
	o := Order{declared: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := o.declared[n]; !dup {
			o.declared[n] = i
		}
	}
	return o
}

// Less reports whether the lifeline named a goes left of the one named b
// when the network puts them at the same place.
func (o Order) Less(a, b string) bool {
	pa, oka := o.declared[a]
	pb, okb := o.declared[b]
	switch {
	case oka && okb:
		return pa < pb
	case oka != okb:
		return oka
	}
	return Less(a, b)
}

// Ranks returns each name's place among names in Less order, for a page
// whose script breaks ties between lifelines by rank.
func Ranks(names []string) []int {
	return Order{}.Ranks(names)
}

// Ranks returns each name's place among names in o's order.
func (o Order) Ranks(names []string) []int {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return o.Less(names[idx[a]], names[idx[b]]) })
	ranks := make([]int, len(names))
	for r, i := range idx {
		ranks[i] = r
	}
	return ranks
}
