package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimerRearmAndStop(t *testing.T) {
	s := NewScheduler()
	var fired []Time
	tm := s.NewTimer(func() { fired = append(fired, s.Now()) })
	assert.False(t, tm.Armed())
	_, ok := tm.When()
	assert.False(t, ok)

	require.NoError(t, tm.Reset(100))
	require.NoError(t, tm.Reset(50)) // earlier: replaces
	require.NoError(t, tm.Reset(70)) // later: replaces again
	when, ok := tm.When()
	assert.True(t, ok)
	assert.Equal(t, Time(70), when)
	assert.Equal(t, 1, s.Pending(), "one event per timer")

	s.Run()
	assert.Equal(t, []Time{70}, fired)
	assert.False(t, tm.Armed(), "a fired timer is stopped")
	assert.False(t, tm.Stop(), "stopping a fired timer is a no-op")

	require.NoError(t, tm.ResetAfter(30*time.Nanosecond))
	assert.True(t, tm.Stop())
	assert.False(t, tm.Armed())
	assert.False(t, tm.Stop(), "double stop is a no-op")
	assert.Zero(t, s.Pending())
	s.Run()
	assert.Equal(t, []Time{70}, fired)
}

func TestTimerResetFromItsCallback(t *testing.T) {
	s := NewScheduler()
	var fired []Time
	var tm *Timer
	tm = s.NewTimer(func() {
		fired = append(fired, s.Now())
		if len(fired) < 3 {
			require.NoError(t, tm.ResetAfter(10))
		}
	})
	require.NoError(t, tm.Reset(5))
	s.Run()
	assert.Equal(t, []Time{5, 15, 25}, fired)
	assert.False(t, tm.Armed())
}

func TestTimerStoppedByAnotherEventAtTheSameTime(t *testing.T) {
	s := NewScheduler()
	fired := false
	tm := s.NewTimer(func() { fired = true })
	mustAt(t, s, 10, func() { assert.True(t, tm.Stop()) })
	require.NoError(t, tm.Reset(10)) // scheduled after the stopper
	s.Run()
	assert.False(t, fired)
}

func TestTimerBadInput(t *testing.T) {
	s := NewScheduler()
	require.NoError(t, s.RunUntil(100))

	tm := s.NewTimer(func() {})
	require.NoError(t, tm.Reset(200))
	tests := []struct {
		name  string
		timer *Timer
		call  func(tm *Timer) error
		want  error
	}{
		{"Reset before Now", tm, func(tm *Timer) error { return tm.Reset(99) }, ErrPast},
		{"ResetAfter negative", tm, func(tm *Timer) error { return tm.ResetAfter(-1) }, ErrPast},
		{"ResetAfter beyond MaxTime", tm, func(tm *Timer) error { return tm.ResetAfter(time.Duration(MaxTime)) }, ErrTimeOverflow},
		{"nil function", s.NewTimer(nil), func(tm *Timer) error { return tm.Reset(200) }, ErrNilFunc},
		{"zero Timer Reset", &Timer{}, func(tm *Timer) error { return tm.Reset(200) }, ErrNoScheduler},
		{"zero Timer ResetAfter", &Timer{}, func(tm *Timer) error { return tm.ResetAfter(1) }, ErrNoScheduler},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			armed := tt.timer.Armed()
			when, _ := tt.timer.When()
			require.ErrorIs(t, tt.call(tt.timer), tt.want)
			assert.Equal(t, armed, tt.timer.Armed(), "the timer is unchanged")
			got, _ := tt.timer.When()
			assert.Equal(t, when, got)
		})
	}
	assert.Equal(t, 1, s.Pending())
	assert.False(t, (&Timer{}).Stop())
	assert.False(t, (&Timer{}).Armed())
}

func TestTimerResetAllocatesNothing(t *testing.T) {
	s := NewScheduler()
	tm := s.NewTimer(func() {})
	for k := 0; k < 100; k++ {
		mustAt(t, s, Time(k), func() {})
	}
	at := Time(0)
	allocs := testing.AllocsPerRun(1000, func() {
		at = (at + 7) % 200
		_ = tm.Reset(at)
	})
	assert.Zero(t, allocs)
}

// owner keeps two timers inside itself, as a link direction does, each
// with its own handler type converted from the owner.
type owner struct {
	s            *Scheduler
	first, other Timer
	log          []string
}

type firstFired owner

func (o *firstFired) Fire() { o.log = append(o.log, "first") }

type otherFired owner

func (o *otherFired) Fire() {
	o.log = append(o.log, "other")
	if len(o.log) < 4 {
		_ = o.other.ResetAfter(5) // re-armed from its own handler
	}
}

// TestInitTimer runs timers kept inside a struct: each calls its own
// handler, re-arms from it, orders with plain events as NewTimer's do,
// and neither making nor re-arming one allocates.
func TestInitTimer(t *testing.T) {
	s := NewScheduler()
	o := &owner{s: s}
	allocs := testing.AllocsPerRun(10, func() {
		s.InitTimer(&o.first, (*firstFired)(o))
		s.InitTimer(&o.other, (*otherFired)(o))
	})
	assert.Zero(t, allocs, "InitTimer")
	mustAt(t, s, 10, func() { o.log = append(o.log, "event") })
	require.NoError(t, o.first.Reset(10)) // after the plain event at 10
	require.NoError(t, o.other.Reset(3))
	allocs = testing.AllocsPerRun(100, func() { _ = o.other.Reset(4) })
	assert.Zero(t, allocs, "Reset")
	s.Run()
	assert.Equal(t, []string{"other", "other", "event", "first", "other"}, o.log)
	assert.Equal(t, Time(14), s.Now())
	assert.False(t, o.first.Armed())

	var nilTimer Timer
	s.InitTimer(&nilTimer, nil)
	require.ErrorIs(t, nilTimer.Reset(s.Now()), ErrNilFunc)
}

// TestTimerResetOrdersAsStopThenAt re-arms timers earlier, at the same
// time and later, among plain events at equal times, and checks that
// everything runs in the order of the sorted-slice model where each Reset
// is a Cancel followed by an At: moving an event in place must give it a
// new sequence number exactly as scheduling it anew would.
func TestTimerResetOrdersAsStopThenAt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		s := NewScheduler()
		m := &modelEngine{}
		var got, want []int
		const nTimers = 6
		timers := make([]*Timer, nTimers)
		handles := make([]int, nTimers)
		for i := range timers {
			timers[i] = s.NewTimer(func() { got = append(got, i) })
			handles[i] = -1
		}
		for op := 0; op < 60; op++ {
			at := Time(r.IntN(8)) // few distinct times: many ties
			switch k := r.IntN(nTimers + 2); {
			case k < nTimers:
				require.NoError(t, timers[k].Reset(at))
				if handles[k] >= 0 {
					m.Cancel(handles[k])
				}
				handles[k], _ = m.At(at, func() { want = append(want, k) })
			case k == nTimers:
				tag := 100 + op
				_, err := s.At(at, func() { got = append(got, tag) })
				require.NoError(t, err)
				_, _ = m.At(at, func() { want = append(want, tag) })
			default:
				i := r.IntN(nTimers)
				timers[i].Stop()
				if handles[i] >= 0 {
					m.Cancel(handles[i])
					handles[i] = -1
				}
			}
			require.Equal(t, m.Pending(), s.Pending(), "round %d op %d", round, op)
		}
		s.Run()
		m.Run()
		require.Equal(t, want, got, "round %d", round)
	}
}

// TestTimerSize holds a Timer in Go's 48-byte size class: every TCP
// connection has one, so 100,000 of them would take 1.6 MB more in the
// 64-byte class.
func TestTimerSize(t *testing.T) {
	require.LessOrEqual(t, unsafe.Sizeof(Timer{}), uintptr(48))
}

// timerWorld drives either the Scheduler (timers re-armed with Reset) or
// the sorted-slice model (a re-arm is Cancel then At) through the same
// program: every event, when it runs, draws its actions from a stream
// seeded by its own tag, so both sides act alike as long as they run the
// same events in the same order.
type timerWorld struct {
	now     func() Time
	reset   func(i int, at Time)
	stop    func(i int)
	at      func(at Time, fn func())
	next    func() (Time, bool)
	log     []string
	round   int
	nextTag int
	ops     int // actions taken: a world stops acting after maxLazyOps
}

const maxLazyOps = 600

// act is what the event called tag does: re-arm timers later, at the
// same time or earlier, stop them, schedule plain events, ask Next.
func (w *timerWorld) act(tag int) {
	r := rand.New(rand.NewPCG(uint64(w.round), uint64(tag)))
	for range r.IntN(4) {
		if w.ops++; w.ops > maxLazyOps {
			return
		}
		now := w.now()
		switch k := r.IntN(10); {
		case k < 6:
			w.reset(r.IntN(lazyTimers), now+Time(r.IntN(12)))
		case k < 7:
			w.stop(r.IntN(lazyTimers))
		case k < 9:
			if w.nextTag < 400 {
				w.nextTag++
				t := w.nextTag
				w.at(now+Time(r.IntN(6)), func() { w.log = append(w.log, fmt.Sprint("e", t, "@", w.now())); w.act(t) })
			}
		default:
			at, ok := w.next()
			w.log = append(w.log, fmt.Sprint("next ", at, ok))
		}
	}
}

const lazyTimers = 5

// TestLazyRearmRunsAsEager checks the lazy re-arm (a timer moved later
// keeps its heap entry until the entry reaches the root) against the
// model where every re-arm is a cancel and a new event: re-arms from
// inside events, earlier, later and at equal times among plain events,
// stops, Next from inside and outside events, and RunUntil boundaries
// falling between a stale entry's old time and its timer's.
func TestLazyRearmRunsAsEager(t *testing.T) {
	for round := 0; round < 150*len(testHorizons); round++ {
		s := newSchedulerHorizon(testHorizons[round%len(testHorizons)])
		real := &timerWorld{round: round, now: s.Now, next: s.Next}
		timers := make([]*Timer, lazyTimers)
		for i := range timers {
			timers[i] = s.NewTimer(func() { real.log = append(real.log, fmt.Sprint("t", i, "@", s.Now())); real.act(1000 + i) })
		}
		real.reset = func(i int, at Time) { require.NoError(t, timers[i].Reset(at)) }
		real.stop = func(i int) { timers[i].Stop() }
		real.at = func(at Time, fn func()) { _, err := s.At(at, fn); require.NoError(t, err) }

		m := &modelEngine{}
		model := &timerWorld{round: round, now: m.Now, next: m.Next}
		handles := make([]int, lazyTimers)
		for i := range handles {
			handles[i] = -1
		}
		var fire func(i int) func()
		fire = func(i int) func() {
			return func() {
				handles[i] = -1
				model.log = append(model.log, fmt.Sprint("t", i, "@", m.Now()))
				model.act(1000 + i)
			}
		}
		model.reset = func(i int, at Time) {
			if handles[i] >= 0 {
				m.Cancel(handles[i])
			}
			handles[i], _ = m.At(at, fire(i))
		}
		model.stop = func(i int) {
			if handles[i] >= 0 {
				m.Cancel(handles[i])
				handles[i] = -1
			}
		}
		model.at = func(at Time, fn func()) { _, _ = m.At(at, fn) }

		real.act(0)
		model.act(0)
		r := rand.New(rand.NewPCG(7, uint64(round)))
		for step := 0; s.Pending() > 0 || m.Pending() > 0; step++ {
			require.Less(t, step, 10000, "round %d does not end", round)
			limit := s.Now() + Time(r.IntN(5))
			require.NoError(t, s.RunUntil(limit))
			require.NoError(t, m.RunUntil(limit))
			gotAt, gotOK := s.Next()
			wantAt, wantOK := m.Next()
			require.Equal(t, []any{wantAt, wantOK, m.Pending(), m.Processed(), m.Now()},
				[]any{gotAt, gotOK, s.Pending(), s.Processed(), s.Now()}, "round %d step %d", round, step)
		}
		require.Equal(t, model.log, real.log, "round %d", round)
	}
}
