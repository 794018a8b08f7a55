package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// TestRunWithoutProgressIsRunUntil checks that Run without a progress
// function, which cuts the run into slices (so that it can ask for huge
// pages between them), runs exactly what one RunUntil runs, and keeps
// RunUntil's answers to a limit in the past or at the present.
func TestRunWithoutProgressIsRunUntil(t *testing.T) {
	until := sim.FromDuration(3e9)
	sliced, whole := buildDumbbell(t), buildDumbbell(t)
	end, err := sliced.Run(until, nil)
	require.NoError(t, err)
	require.NoError(t, whole.Net.Scheduler().RunUntil(until))
	require.Equal(t, until, end)
	require.Equal(t, whole.Events(), sliced.Events())
	require.Positive(t, sliced.Events())
	a, ok := sliced.Net.Link("bottleneck")
	require.True(t, ok)
	b, _ := whole.Net.Link("bottleneck")
	require.Equal(t, b.Stats(0), a.Stats(0))
	require.Equal(t, b.Stats(1), a.Stats(1))

	_, err = sliced.Run(until-1, nil)
	require.ErrorIs(t, err, sim.ErrPast)
	ran := false
	_, err = sliced.Net.Scheduler().At(until, func() { ran = true })
	require.NoError(t, err)
	end, err = sliced.Run(until, nil)
	require.NoError(t, err)
	require.Equal(t, until, end)
	require.True(t, ran, "an event due now runs, as RunUntil(Now) runs it")
}

// TestRunAnswersAlikeWithProgress checks that a progress function changes
// nothing but the reports: a limit in the past is ErrPast with one as
// without, and an event that calls the scheduler's Stop ends the run at
// that event, with no error, instead of the next slice going on.
func TestRunAnswersAlikeWithProgress(t *testing.T) {
	w := buildDumbbell(t)
	calls := 0
	progress := func(sim.Time) bool { calls++; return true }
	until := sim.FromDuration(1e9)
	_, err := w.Run(until, progress)
	require.NoError(t, err)
	_, err = w.Run(until-1, progress)
	require.ErrorIs(t, err, sim.ErrPast)

	sched := w.Net.Scheduler()
	stopAt := until + sim.FromDuration(1e6)
	_, err = sched.At(stopAt, sched.Stop)
	require.NoError(t, err)
	calls = 0
	end, err := w.Run(until+sim.FromDuration(1e9), progress)
	require.NoError(t, err)
	require.Equal(t, stopAt, end, "the run ends at the event that called Stop")
	require.Equal(t, stopAt, sched.Now())
	require.Zero(t, calls, "no slice ran after the Stop")
}

// TestRunStopsAtASliceEnd: an event that calls the scheduler's Stop at
// the very end of one of Run's slices ends the run there, as one earlier
// in a slice does. Run told a Stop from a slice run out by the clock
// being short of the slice's end, so a Stop at the end went unseen and
// the run went on to its limit.
func TestRunStopsAtASliceEnd(t *testing.T) {
	for _, progress := range []func(sim.Time) bool{nil, func(sim.Time) bool { return true }} {
		w := buildDumbbell(t)
		until := sim.FromDuration(2e9)
		stopAt := until / progressSlices * 3 // the end of the third slice
		sched := w.Net.Scheduler()
		_, err := sched.At(stopAt, sched.Stop)
		require.NoError(t, err)
		end, err := w.Run(until, progress)
		require.NoError(t, err)
		require.Equal(t, stopAt, end, "the run ends at the event that called Stop")
		require.Equal(t, stopAt, sched.Now())
	}
}

// buildDumbbell builds the dumbbell example with seed 1.
func buildDumbbell(t *testing.T) *World {
	t.Helper()
	s, err := Load("dumbbell.yaml")
	require.NoError(t, err)
	w, err := Build(s, BuildOptions{Seed: 1})
	require.NoError(t, err)
	return w
}
