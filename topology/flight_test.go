package topology

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// TestInOrderIsFIFO runs the in-order flights (the oldest kept in the
// direction's line, the rest in a ring) against a slice: any mix of
// launches and arrivals gives the packets back in the order they left,
// with their arrival times and corruption marks.
func TestInOrderIsFIFO(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var q inOrder
	var model []flight
	var seq uint64
	for step := range 20000 {
		if len(model) == 0 || rng.IntN(3) > 0 && len(model) < 40 {
			seq++
			f := newFlight(sim.Time(step), seq, &Packet{ID: seq}, rng.IntN(5) == 0)
			q.push(f)
			model = append(model, f)
		} else {
			require.Equal(t, model[0], *q.front())
			got := q.pop()
			require.Equal(t, model[0], got)
			require.Equal(t, model[0].p.ID<<1, got.key&^1)
			model = model[1:]
		}
		require.Equal(t, len(model), q.len())
	}
	require.LessOrEqual(t, q.rest.len(), 40)
}

// TestFlightKeyOrder: the key of a flight orders flights as their order of
// leaving does, whether or not a copy was corrupted.
func TestFlightKeyOrder(t *testing.T) {
	a := newFlight(5, 7, nil, true)
	b := newFlight(5, 8, nil, false)
	require.True(t, a.corrupt())
	require.False(t, b.corrupt())
	require.True(t, flightLess(&a, &b))
	require.False(t, flightLess(&b, &a))
	c := newFlight(4, 9, nil, false)
	require.True(t, flightLess(&c, &a), "the earlier arrival first")
}
