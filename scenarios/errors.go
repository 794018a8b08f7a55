package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a scenario file: 1-based line and column. The zero
// value means "no position" and prints as 1:1.
type Pos struct {
	Line, Col int
}

// Error is one problem in a scenario, printed as
// "FILE:LINE:COL: what is wrong (what is allowed)".
type Error struct {
	File    string
	Pos     Pos
	Msg     string // what is wrong, e.g. `links[0]: unknown host "srever"`
	Allowed string // what is allowed, e.g. "a host or router defined in hosts or routers"
	// Override is the PATH=VALUE (netsim run --set) that wrote the value
	// at fault, "" for a problem in the file itself; Pos then only orders
	// the problems (it is not printed).
	Override string
}

// Error implements error: "FILE:LINE:COL: what (allowed)", or for a value
// given on the command line, "FILE: --set PATH=VALUE: what (allowed)".
func (e *Error) Error() string {
	if e.Override != "" {
		s := fmt.Sprintf("%s: --set %s: %s", e.File, e.Override, e.Msg)
		if e.Allowed != "" {
			s += " (" + e.Allowed + ")"
		}
		return s
	}
	line, col := e.Pos.Line, e.Pos.Col
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	s := fmt.Sprintf("%s:%d:%d: %s", e.File, line, col, e.Msg)
	if e.Allowed != "" {
		s += " (" + e.Allowed + ")"
	}
	return s
}

// ErrInvalid matches (with errors.Is) every ErrorList and *Error: the
// scenario is not valid and nothing may run.
var ErrInvalid = errors.New("invalid scenario")

// Is makes errors.Is(err, ErrInvalid) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ErrorList is every problem found in a scenario, sorted by position.
type ErrorList []*Error

// Error implements error: one problem per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true for every ErrorList.
func (l ErrorList) Is(target error) bool { return target == ErrInvalid }

// sort orders the list by line, then column, keeping the order in which
// problems were found among equal positions.
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Col, b.Pos.Col)
	})
}
