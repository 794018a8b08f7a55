package lifelines

import (
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/netsimlab/netsim/internal/testflags"
)

func TestLess(t *testing.T) {
	want := []string{"a", "a1", "a2", "a10", "b", "h1-2", "h1-10", "h2", "sink-1", "sink-01x", "sink-1x", "sink-2", "sink-10"}
	got := append([]string(nil), want...)
	slices.Reverse(got)
	sort.SliceStable(got, func(i, j int) bool { return Less(got[i], got[j]) })
	assert.Equal(t, want, got)
	assert.False(t, Less("x7", "x7"))
	assert.NotEqual(t, Less("x07", "x7"), Less("x7", "x07"), "one order for equal numbers written differently")
}

// TestRanks: a page ranks its nodes for the diagram's tie-break by Less,
// not by the order they came in: the dumbbell's receivers, met as sink-2,
// sink-3, sink-4, sink-1, rank sink-1 first.
func TestRanks(t *testing.T) {
	names := []string{"reno-1", "left", "right", "sink-2", "cubic-1", "sink-3", "reno-2", "sink-4", "cubic-2", "sink-1", "sink-10"}
	ranks := Ranks(names)
	byRank := make([]string, len(names))
	for i, r := range ranks {
		byRank[r] = names[i]
	}
	assert.Equal(t, []string{"cubic-1", "cubic-2", "left", "reno-1", "reno-2", "right", "sink-1", "sink-2", "sink-3", "sink-4", "sink-10"}, byRank)
}

// TestDeclaredOrder: the dumbbell declares reno-1, reno-2, cubic-1,
// cubic-2 and its sinks; those come in that order, a node it does not
// declare after them, and the zero Order is natural name order.
func TestDeclaredOrder(t *testing.T) {
	o := Declared([]string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-1", "sink-2", "sink-3", "sink-4", "left", "right"})
	names := []string{"sink-10", "cubic-2", "sink-2", "reno-2", "cubic-1", "sink-1", "reno-1", "extra-1"}
	ranks := o.Ranks(names)
	byRank := make([]string, len(names))
	for i, r := range ranks {
		byRank[r] = names[i]
	}
	assert.Equal(t, []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-1", "sink-2", "extra-1", "sink-10"}, byRank)
	assert.True(t, o.Less("sink-4", "left"), "declared order, not names")
	assert.False(t, Order{}.Less("sink-4", "left"))
	assert.Equal(t, Ranks(names), Order{}.Ranks(names))
}
