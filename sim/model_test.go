package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The property test: random programs of schedule, cancel, stop, run and
// run-until calls, good and bad, some made from inside events, drive the
// Scheduler and a plain sorted-slice model of it. Both must produce the same
// transcript: the same results, errors, clock, counts and order of events.

// engine is what the driver needs of a scheduler. Events are named by
// handles, indexes into a list of every schedule call made (failed ones
// too), so that the driver can cancel any of them, stale or not.
type engine interface {
	Now() Time
	At(t Time, fn func()) (int, error)
	After(d time.Duration, fn func()) (int, error)
	Cancel(h int) bool
	Stop()
	Run()
	RunUntil(t Time) error
	Pending() int
	Processed() uint64
	Running() bool
	Next() (Time, bool)
}

// realEngine adapts Scheduler.
type realEngine struct {
	s   *Scheduler
	ids []EventID
}

func (e *realEngine) add(id EventID, err error) (int, error) {
	e.ids = append(e.ids, id)
	return len(e.ids) - 1, err
}

func (e *realEngine) Now() Time                         { return e.s.Now() }
func (e *realEngine) At(t Time, fn func()) (int, error) { return e.add(e.s.At(t, fn)) }
func (e *realEngine) After(d time.Duration, fn func()) (int, error) {
	return e.add(e.s.After(d, fn))
}
func (e *realEngine) Cancel(h int) bool {
	if h < 0 || h >= len(e.ids) {
		return e.s.Cancel(EventID{})
	}
	return e.s.Cancel(e.ids[h])
}
func (e *realEngine) Stop()                 { e.s.Stop() }
func (e *realEngine) Run()                  { e.s.Run() }
func (e *realEngine) RunUntil(t Time) error { return e.s.RunUntil(t) }
func (e *realEngine) Pending() int          { return e.s.Pending() }
func (e *realEngine) Processed() uint64     { return e.s.Processed() }
func (e *realEngine) Running() bool         { return e.s.Running() }
func (e *realEngine) Next() (Time, bool)    { return e.s.Next() }

// modelEngine is the reference: a slice kept sorted by (time, sequence),
// searched and shifted in O(n), written for obviousness, not speed.
type modelEngine struct {
	q         []modelEvent
	seqs      []uint64 // per handle; 0 for a failed schedule
	now       Time
	seq       uint64
	processed uint64
	running   bool
	stopped   bool
}

type modelEvent struct {
	at  Time
	seq uint64
	fn  func()
}

func (m *modelEngine) Now() Time { return m.now }

func (m *modelEngine) At(t Time, fn func()) (int, error) {
	var err error
	switch {
	case t < m.now:
		err = ErrPast
	case fn == nil:
		err = ErrNilFunc
	}
	if err != nil {
		m.seqs = append(m.seqs, 0)
		return len(m.seqs) - 1, err
	}
	m.seq++
	// Later sequence numbers sort after equal times: insert after every
	// event at or before t.
	i := sort.Search(len(m.q), func(i int) bool { return m.q[i].at > t })
	m.q = append(m.q, modelEvent{})
	copy(m.q[i+1:], m.q[i:])
	m.q[i] = modelEvent{at: t, seq: m.seq, fn: fn}
	m.seqs = append(m.seqs, m.seq)
	return len(m.seqs) - 1, nil
}

func (m *modelEngine) After(d time.Duration, fn func()) (int, error) {
	switch {
	case d < 0:
		m.seqs = append(m.seqs, 0)
		return len(m.seqs) - 1, ErrPast
	case Time(d) > MaxTime-m.now:
		m.seqs = append(m.seqs, 0)
		return len(m.seqs) - 1, ErrTimeOverflow
	}
	return m.At(m.now+Time(d), fn)
}

func (m *modelEngine) Cancel(h int) bool {
	if h < 0 || h >= len(m.seqs) || m.seqs[h] == 0 {
		return false
	}
	for i, e := range m.q {
		if e.seq == m.seqs[h] {
			m.q = append(m.q[:i], m.q[i+1:]...)
			return true
		}
	}
	return false
}

func (m *modelEngine) Stop() {
	if m.running {
		m.stopped = true
	}
}

func (m *modelEngine) run(limit Time) bool {
	m.running, m.stopped = true, false
	defer func() { m.running, m.stopped = false, false }()
	for !m.stopped {
		if len(m.q) == 0 || m.q[0].at > limit {
			return true
		}
		e := m.q[0]
		m.q = m.q[1:]
		m.now = e.at
		m.processed++
		e.fn()
	}
	return false
}

func (m *modelEngine) Run() {
	if !m.running {
		m.run(MaxTime)
	}
}

func (m *modelEngine) RunUntil(t Time) error {
	switch {
	case m.running:
		return ErrRunning
	case t < m.now:
		return ErrPast
	}
	if m.run(t) {
		m.now = t
	}
	return nil
}

func (m *modelEngine) Pending() int      { return len(m.q) }
func (m *modelEngine) Processed() uint64 { return m.processed }
func (m *modelEngine) Running() bool     { return m.running }
func (m *modelEngine) Next() (Time, bool) {
	if len(m.q) == 0 {
		return 0, false
	}
	return m.q[0].at, true
}

// errClass names an error by the sentinel it matches.
func errClass(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{{ErrPast, "past"}, {ErrNilFunc, "nil"}, {ErrTimeOverflow, "overflow"}, {ErrRunning, "running"}} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if err == nil {
		return "ok"
	}
	return "other: " + err.Error()
}

// driver runs one random program against an engine and writes the
// transcript. Its draws depend only on the seed and on what the engine
// returned, so two engines that agree draw the same program.
type driver struct {
	e      engine
	r      *rand.Rand
	log    []string
	budget int // events that may still be scheduled from inside events
	label  int
}

func (d *driver) logf(format string, args ...any) {
	d.log = append(d.log, fmt.Sprintf(format, args...))
}

// state logs what every engine must agree on after each call.
func (d *driver) state() {
	next, ok := d.e.Next()
	d.logf("  now=%d pending=%d processed=%d running=%v next=%d,%v",
		d.e.Now(), d.e.Pending(), d.e.Processed(), d.e.Running(), next, ok)
}

// offset draws a time offset from Now: mostly ahead, sometimes behind,
// often equal, so that ties and past times are common.
func (d *driver) offset() Time {
	switch d.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return -Time(d.r.IntN(30))
	}
	return Time(d.r.IntN(100))
}

// event returns a new event function; a nil one now and then.
func (d *driver) event() func() {
	if d.r.IntN(25) == 0 {
		return nil
	}
	d.label++
	label := d.label
	return func() {
		d.logf("run e%d at %d", label, d.e.Now())
		d.inside()
	}
}

// inside is what a running event does: schedule, cancel, stop, try to
// nest, look at what is pending.
func (d *driver) inside() {
	for n := d.r.IntN(3); n > 0; n-- {
		switch k := d.r.IntN(20); {
		case k < 8 && d.budget > 0:
			d.budget--
			d.schedule()
		case k < 12:
			d.cancel()
		case k < 13:
			d.e.Stop()
			d.logf("  stop")
		case k < 14:
			d.e.Run()
			d.logf("  nested run")
		case k < 15:
			d.logf("  nested run until -> %s", errClass(d.e.RunUntil(d.e.Now()+d.offset())))
		case k < 17:
			d.state() // Pending and Next from inside an event
		}
	}
}

func (d *driver) schedule() {
	if d.r.IntN(2) == 0 {
		t := d.e.Now() + d.offset()
		h, err := d.e.At(t, d.event())
		d.logf("at %d -> h%d %s", t, h, errClass(err))
		return
	}
	delay := time.Duration(d.offset())
	if d.r.IntN(30) == 0 {
		delay = time.Duration(MaxTime) - time.Duration(d.r.IntN(2)) // overflow, or not at Now=0
	}
	h, err := d.e.After(delay, d.event())
	d.logf("after %d -> h%d %s", delay, h, errClass(err))
}

func (d *driver) cancel() {
	h := d.r.IntN(d.label+d.budget+2) - 1 // includes -1 and stale handles
	d.logf("cancel h%d -> %v", h, d.e.Cancel(h))
}

// program runs n top-level calls.
func (d *driver) program(n int) []string {
	for i := 0; i < n; i++ {
		switch k := d.r.IntN(20); {
		case k < 9:
			d.schedule()
		case k < 12:
			d.cancel()
		case k < 16:
			t := d.e.Now() + d.offset()*3
			d.logf("run until %d -> %s", t, errClass(d.e.RunUntil(t)))
		case k < 18:
			d.e.Run()
			d.logf("run")
		default:
			d.e.Stop()
			d.logf("stop outside a run")
		}
		d.state()
	}
	d.e.Run()
	d.logf("final run")
	d.state()
	return d.log
}

func runProgram(e engine, seed uint64, n int) []string {
	d := &driver{e: e, r: rand.New(rand.NewPCG(seed, 0x5eed)), budget: n}
	return d.program(n)
}

// requireSameTranscript fails at the first line where the transcripts
// differ, showing the lines before it.
func requireSameTranscript(t testing.TB, want, got []string, seed uint64) {
	t.Helper()
	for i := 0; i < len(want) || i < len(got); i++ {
		if i < len(want) && i < len(got) && want[i] == got[i] {
			continue
		}
		from := max(0, i-8)
		line := func(s []string) string {
			if i < len(s) {
				return s[i]
			}
			return "<end>"
		}
		t.Fatalf("seed %d: transcripts differ at line %d\ncontext:\n  %s\nmodel:     %s\nscheduler: %s",
			seed, i, strings.Join(want[from:i], "\n  "), line(want), line(got))
	}
}

func TestSchedulerMatchesSortedSliceModel(t *testing.T) {
	for _, h := range testHorizons {
		for seed := uint64(0); seed < 300; seed++ {
			want := runProgram(&modelEngine{}, seed, 150)
			got := runProgram(&realEngine{s: newSchedulerHorizon(h)}, seed, 150)
			requireSameTranscript(t, want, got, seed)
		}
	}
}

// testHorizons are the far heap's horizons the property tests run the
// scheduler with: the default, which their programs (delays of up to 100
// ns) never reach but for the events near MaxTime, and horizons of a few
// nanoseconds, which send most of their events through the far heap, its
// draining and its jumps over idle time.
var testHorizons = []Time{farHorizon, 1, 2, 7, 40}

// newSchedulerHorizon is NewScheduler with the far heap's horizon h.
func newSchedulerHorizon(h Time) *Scheduler {
	s := NewScheduler()
	s.horizon = h
	return s
}

func TestModelProgramsExerciseEveryPath(t *testing.T) {
	// The property test is only as good as its programs: check that they
	// reach every outcome it compares.
	seen := map[string]bool{}
	for seed := uint64(0); seed < 300; seed++ {
		for _, line := range runProgram(&modelEngine{}, seed, 150) {
			for _, want := range []string{
				" past", " nil", " overflow", "nested run until -> running", "  stop", "nested run",
				"cancel h-1 -> false", "-> true", "run e", "stop outside a run",
			} {
				if strings.Contains(line, want) {
					seen[want] = true
				}
			}
		}
	}
	for _, want := range []string{
		" past", " nil", " overflow", "nested run until -> running", "  stop", "nested run",
		"cancel h-1 -> false", "-> true", "run e", "stop outside a run",
	} {
		require.True(t, seen[want], "no program produced %q", want)
	}
}

// FuzzSchedulerModel runs the property test on seeds and lengths the
// fuzzer picks.
func FuzzSchedulerModel(f *testing.F) {
	f.Add(uint64(1), uint16(100))
	f.Add(uint64(42), uint16(500))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		n %= 1000
		want := runProgram(&modelEngine{}, seed, int(n))
		for _, h := range testHorizons {
			got := runProgram(&realEngine{s: newSchedulerHorizon(h)}, seed, int(n))
			requireSameTranscript(t, want, got, seed)
		}
	})
}
