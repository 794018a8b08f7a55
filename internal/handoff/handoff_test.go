package handoff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWorker: buffers are consumed whole and in order, the buffer handed
// back is the one consumed last, Stop ends the worker and the next Hand
// starts another, and handing over allocates nothing once running.
func TestWorker(t *testing.T) {
	var got []int
	w := New(func(b []int) { got = append(got, b...) })
	next, ok := w.Hand([]int{1, 2})
	assert.False(t, ok, "no buffer consumed yet")
	assert.Nil(t, next)
	next, ok = w.Hand([]int{3})
	assert.True(t, ok)
	assert.Equal(t, []int{1, 2}, next, "the buffer consumed last")
	w.Wait()
	assert.Equal(t, []int{1, 2, 3}, got)
	w.Stop()
	w.Stop() // twice is fine
	w.Hand([]int{4})
	w.Stop()
	assert.Equal(t, []int{1, 2, 3, 4}, got)

	n := 0
	c := New(func(b *int) { n += *b })
	one := 1
	c.Hand(&one)
	allocs := testing.AllocsPerRun(100, func() { c.Hand(&one) })
	c.Stop()
	assert.Zero(t, allocs)
	assert.Equal(t, 102, n)
}

// TestWorkerPanic: a panic while consuming is raised again on the
// caller's goroutine by Wait, with the worker's message, and the worker
// can be stopped afterwards.
func TestWorkerPanic(t *testing.T) {
	w := New(func(b []int) {
		if len(b) > 1 {
			panic("bad batch")
		}
	})
	w.Hand([]int{1, 2})
	defer w.Stop()
	defer func() {
		v := recover()
		assert.Contains(t, v, "bad batch")
		assert.Contains(t, v, "worker goroutine")
	}()
	w.Wait()
	t.Fatal("Wait did not panic")
}

// TestWorkerStopPanic: Stop raises a panic of consume again and still
// ends the goroutine, which would otherwise wait for work forever.
func TestWorkerStopPanic(t *testing.T) {
	w := New(func([]int) { panic("bad batch") })
	w.Hand([]int{1})
	func() {
		defer func() { assert.Contains(t, recover(), "bad batch") }()
		w.Stop()
		t.Fatal("Stop did not panic")
	}()
	assert.Nil(t, w.work, "the goroutine is ended")
}

// TestWorkerPanicDropsBuffer: a buffer whose consume panicked part way is
// not handed back as the next one to fill, so a caller that recovers and
// goes on cannot fill it again after contents that were never consumed.
func TestWorkerPanicDropsBuffer(t *testing.T) {
	var got []int
	w := New(func(b *[]int) {
		for i, v := range *b {
			if v < 0 {
				*b = (*b)[i:] // what is left to consume
				panic("bad value")
			}
			got = append(got, v)
		}
		*b = (*b)[:0] // consumed: emptied, as sim's batches are
	})
	defer w.Stop()
	first := []int{1, -2, 3}
	w.Hand(&first)
	func() {
		defer func() { assert.Contains(t, recover(), "bad value") }()
		w.Wait()
	}()
	next, ok := w.Hand(&[]int{4})
	assert.False(t, ok, "the buffer consume panicked on is not reused")
	assert.Nil(t, next)
	next, ok = w.Hand(&[]int{5})
	assert.True(t, ok)
	assert.Empty(t, *next, "a buffer consumed whole comes back empty")
	w.Wait()
	assert.Equal(t, []int{1, 4, 5}, got)
}
