package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logger returns an event function factory that appends labels to *log.
func logger(log *[]string) func(label string) func() {
	return func(label string) func() {
		return func() { *log = append(*log, label) }
	}
}

func mustAt(t *testing.T, s *Scheduler, at Time, fn func()) EventID {
	t.Helper()
	id, err := s.At(at, fn)
	require.NoError(t, err)
	return id
}

func TestSchedulerSameTimeRunsFIFO(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	mustAt(t, s, 10, ev("a"))
	mustAt(t, s, 5, ev("early"))
	mustAt(t, s, 10, ev("b"))
	mustAt(t, s, 10, ev("c"))
	mustAt(t, s, 10, func() {
		log = append(log, "d")
		// Scheduled for Now from inside an event: after everything already
		// scheduled for Now.
		mustAt(t, s, 10, ev("f"))
	})
	mustAt(t, s, 10, ev("e"))
	s.Run()
	assert.Equal(t, []string{"early", "a", "b", "c", "d", "e", "f"}, log)
	assert.Equal(t, Time(10), s.Now())
	assert.Equal(t, uint64(7), s.Processed())
	assert.Zero(t, s.Pending())
}

func TestSchedulerCancel(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	a := mustAt(t, s, 1, ev("a"))
	b := mustAt(t, s, 2, ev("b"))
	c := mustAt(t, s, 2, ev("c"))
	assert.Equal(t, 3, s.Pending())

	assert.True(t, s.Cancel(b), "cancel before run")
	assert.False(t, s.Cancel(b), "double cancel is a no-op")
	assert.Equal(t, 2, s.Pending())

	require.NoError(t, s.RunUntil(1))
	assert.False(t, s.Cancel(a), "cancel after run is a no-op")
	assert.Equal(t, 1, s.Pending())

	assert.False(t, s.Cancel(EventID{}), "zero id")
	other := NewScheduler()
	mustAt(t, other, 2, func() {})
	mustAt(t, other, 2, func() {})
	assert.False(t, other.Cancel(c), "an id of another scheduler")
	assert.Equal(t, 2, other.Pending())

	s.Run()
	assert.Equal(t, []string{"a", "c"}, log)
	assert.False(t, s.Cancel(c))
}

func TestSchedulerCancelFromInsideEvent(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	var later EventID
	mustAt(t, s, 1, func() { assert.True(t, s.Cancel(later)) })
	later = mustAt(t, s, 1, ev("cancelled"))
	mustAt(t, s, 2, ev("kept"))
	s.Run()
	assert.Equal(t, []string{"kept"}, log)
}

func TestSchedulerRunUntilBoundary(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	mustAt(t, s, 99, ev("99"))
	mustAt(t, s, 100, func() {
		log = append(log, "100")
		mustAt(t, s, 100, ev("100 from 100")) // at the limit: runs
		mustAt(t, s, 101, ev("101 from 100")) // beyond: waits
	})
	mustAt(t, s, 101, ev("101"))

	require.NoError(t, s.RunUntil(100))
	assert.Equal(t, []string{"99", "100", "100 from 100"}, log)
	assert.Equal(t, Time(100), s.Now())
	assert.Equal(t, 2, s.Pending())
	next, ok := s.Next()
	assert.True(t, ok)
	assert.Equal(t, Time(101), next)

	// The clock advances to the limit even with nothing to run.
	log = nil
	require.NoError(t, s.RunUntil(100))
	assert.Empty(t, log)
	s.Run()
	assert.Equal(t, []string{"101", "101 from 100"}, log)
	require.NoError(t, s.RunUntil(500))
	assert.Equal(t, Time(500), s.Now())
	_, ok = s.Next()
	assert.False(t, ok)
}

func TestSchedulerStopInsideEvent(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	mustAt(t, s, 1, ev("a"))
	mustAt(t, s, 2, func() { log = append(log, "stop"); s.Stop() })
	mustAt(t, s, 2, ev("b"))
	mustAt(t, s, 3, ev("c"))

	require.NoError(t, s.RunUntil(10))
	assert.Equal(t, []string{"a", "stop"}, log)
	assert.Equal(t, Time(2), s.Now(), "Stop leaves the clock at the stopping event")
	assert.Equal(t, 2, s.Pending())
	assert.False(t, s.Running())
	assert.True(t, s.Stopped())

	s.Run()
	assert.Equal(t, []string{"a", "stop", "b", "c"}, log)
	assert.False(t, s.Stopped(), "this run ran out of events")

	// A Stop by the last event due at the limit: the clock is at the
	// limit either way, and Stopped tells the two apart.
	mustAt(t, s, 5, s.Stop)
	require.NoError(t, s.RunUntil(5))
	assert.Equal(t, Time(5), s.Now())
	assert.True(t, s.Stopped())

	// Stop outside a run does nothing: the next run is not cut short.
	mustAt(t, s, 6, ev("d"))
	s.Stop()
	s.Run()
	assert.Equal(t, []string{"a", "stop", "b", "c", "d"}, log)
	assert.False(t, s.Stopped())
}

func TestSchedulerBadInput(t *testing.T) {
	nop := func() {}
	tests := []struct {
		name string
		call func(s *Scheduler) error
		want error
	}{
		{"At before Now", func(s *Scheduler) error { _, err := s.At(49, nop); return err }, ErrPast},
		{"At negative", func(s *Scheduler) error { _, err := s.At(-1, nop); return err }, ErrPast},
		{"At nil fn", func(s *Scheduler) error { _, err := s.At(60, nil); return err }, ErrNilFunc},
		{"After negative", func(s *Scheduler) error { _, err := s.After(-time.Nanosecond, nop); return err }, ErrPast},
		{"After nil fn", func(s *Scheduler) error { _, err := s.After(0, nil); return err }, ErrNilFunc},
		{"After beyond MaxTime", func(s *Scheduler) error {
			_, err := s.After(time.Duration(MaxTime-49), nop)
			return err
		}, ErrTimeOverflow},
		{"RunUntil into the past", func(s *Scheduler) error { return s.RunUntil(10) }, ErrPast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScheduler()
			ran := false
			mustAt(t, s, 50, func() {})
			mustAt(t, s, 70, func() { ran = true })
			require.NoError(t, s.RunUntil(50))
			err := tt.call(s)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, Time(50), s.Now(), "the clock did not move")
			assert.Equal(t, 1, s.Pending(), "nothing was scheduled")
			assert.False(t, ran, "nothing ran")
			s.Run()
			assert.True(t, ran, "the queue still works")
		})
	}
}

func TestSchedulerAfterUpToMaxTime(t *testing.T) {
	s := NewScheduler()
	require.NoError(t, s.RunUntil(50))
	id, err := s.After(time.Duration(MaxTime-50), func() {})
	require.NoError(t, err)
	assert.Equal(t, MaxTime, id.Time())
	s.Run()
	assert.Equal(t, MaxTime, s.Now())
}

func TestSchedulerRunsDoNotNest(t *testing.T) {
	s := NewScheduler()
	var log []string
	ev := logger(&log)
	var nestedErr error
	mustAt(t, s, 1, func() {
		assert.True(t, s.Running())
		s.Run() // a documented no-op
		nestedErr = s.RunUntil(5)
		log = append(log, "outer")
	})
	mustAt(t, s, 2, ev("second"))
	s.Run()
	require.ErrorIs(t, nestedErr, ErrRunning)
	assert.Equal(t, []string{"outer", "second"}, log)
	assert.False(t, s.Running())
}

func TestSchedulerRecoversFromPanickingEvent(t *testing.T) {
	s := NewScheduler()
	mustAt(t, s, 1, func() { panic("boom") })
	ran := false
	mustAt(t, s, 2, func() { ran = true })
	assert.Panics(t, s.Run)
	assert.False(t, s.Running(), "a panic does not leave the scheduler running")
	s.Run()
	assert.True(t, ran)
}

func TestSchedulerHoldAllocatesNothing(t *testing.T) {
	// The hold workload at a small size: after warm-up, an event popped,
	// run and replaced allocates nothing.
	s := NewScheduler()
	delays := holdDelays()
	i, remaining := 0, 0
	var step func()
	step = func() {
		_, _ = s.At(s.Now()+delays[i&holdDelayMask], step)
		i++
		if remaining--; remaining == 0 {
			s.Stop()
		}
	}
	for k := 0; k < 5000; k++ {
		mustAt(t, s, delays[k], step)
	}
	i = 5000
	remaining = 20000
	s.Run()
	allocs := testing.AllocsPerRun(10, func() {
		remaining = 1000
		s.Run()
	})
	assert.Zero(t, allocs)
	assert.Equal(t, 5000, s.Pending())
}

func TestEventIDAccessors(t *testing.T) {
	s := NewScheduler()
	id := mustAt(t, s, 42, func() {})
	assert.False(t, id.IsZero())
	assert.Equal(t, Time(42), id.Time())
	assert.True(t, EventID{}.IsZero())
	assert.Equal(t, "0.000000042s", fmt.Sprint(id.Time()))
}

// TestEarlierMatchesBefore checks the branchless comparison of the heap's
// tournament against before, over keys that differ in time only, in
// sequence number only, in both in opposite directions, and at the ends
// of their ranges.
func TestEarlierMatchesBefore(t *testing.T) {
	times := []Time{0, 1, 2, 1 << 32, MaxTime - 1, MaxTime}
	seqs := []uint64{0, 1, 2, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0) - 1, ^uint64(0)}
	for _, at1 := range times {
		for _, at2 := range times {
			for _, s1 := range seqs {
				for _, s2 := range seqs {
					a, b := entry{at: at1, seq: s1}, entry{at: at2, seq: s2}
					want := uint64(0)
					if a.before(&b) {
						want = 1
					}
					require.Equal(t, want, earlier(&a, &b), "(%d,%d) before (%d,%d)", at1, s1, at2, s2)
				}
			}
		}
	}
}

// TestHeapRunsManyEventsInOrder fills the queue with thousands of events
// at random times, many at the same instant, so that most nodes of the
// heaps have all four children (the tournament of earliestChild), and
// with more than tournamentMax (the comparisons one by one), cancels some
// and checks that the rest run in (time, scheduling order).
func TestHeapRunsManyEventsInOrder(t *testing.T) {
	for _, n := range []int{5000, tournamentMax + 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { testHeapOrder(t, n) })
	}
}

func testHeapOrder(t *testing.T, n int) {
	rng := rand.New(rand.NewPCG(7, 9))
	s := NewScheduler()
	type key struct {
		at  Time
		seq int
	}
	var ran []key
	var ids []EventID
	for i := range n {
		at := Time(rng.IntN(3000)) * Time(time.Microsecond) // within the near heap's horizon
		id, err := s.At(at, func() { ran = append(ran, key{at, i}) })
		require.NoError(t, err)
		ids = append(ids, id)
	}
	cancelled := map[int]bool{}
	for i := 0; i < len(ids); i += 7 {
		require.True(t, s.Cancel(ids[i]))
		cancelled[i] = true
	}
	s.Run()
	require.Len(t, ran, len(ids)-len(cancelled))
	for i := 1; i < len(ran); i++ {
		p, q := ran[i-1], ran[i]
		require.True(t, p.at < q.at || p.at == q.at && p.seq < q.seq, "event %v ran before %v", p, q)
	}
	for _, k := range ran {
		require.False(t, cancelled[k.seq])
	}
}
