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

// TestWorkerDepth: with depth buffers in flight, Hand returns at once
// until depth are waiting, then waits for one to be consumed; buffers are
// consumed in order, come back to be filled again (never more than
// depth+1 exist), and handing over allocates nothing once they have.
func TestWorkerDepth(t *testing.T) {
	gate := make(chan struct{})
	var got []int
	w := NewDepth(func(b *[]int) {
		<-gate
		got = append(got, *b...)
		*b = (*b)[:0]
	}, 3)
	bufs := map[*[]int]bool{}
	b := &[]int{}
	for i := range 3 {
		*b = append(*b, i)
		bufs[b] = true
		next, ok := w.Hand(b) // returns while the worker waits at the gate
		assert.False(t, ok, "none consumed yet")
		b = &[]int{}
		_ = next
	}
	handed := make(chan *[]int)
	go func() {
		*b = append(*b, 3)
		bufs[b] = true
		next, ok := w.Hand(b) // waits for a buffer in flight
		assert.True(t, ok)
		handed <- next
	}()
	select {
	case <-handed:
		t.Fatal("Hand returned with depth buffers in flight")
	default:
	}
	gate <- struct{}{}
	next := <-handed
	assert.True(t, bufs[next], "a buffer handed over before")
	assert.Empty(t, *next, "consumed")
	close(gate)
	w.Wait()
	assert.Equal(t, []int{0, 1, 2, 3}, got)
	n := 0
	for range 10 {
		*next = append(*next, n)
		n++
		next, _ = w.Hand(next)
		assert.True(t, next == nil || bufs[next], "no buffer beyond depth+1")
		if next == nil {
			next = &[]int{}
			bufs[next] = true
		}
	}
	w.Wait()
	assert.LessOrEqual(t, len(bufs), 4)
	allocs := testing.AllocsPerRun(100, func() {
		*next = append(*next, 0)
		next, _ = w.Hand(next)
	})
	w.Stop()
	assert.Zero(t, allocs)
	assert.Len(t, got, 4+10+101)
}

// TestWorkerDepthPanic: when consume panics on a buffer, the buffers
// handed over after it before the caller saw the panic are not consumed
// (they would follow data that was not), the panic is raised once, and
// the buffers handed over after it are consumed.
func TestWorkerDepthPanic(t *testing.T) {
	gate := make(chan struct{})
	var got []int
	w := NewDepth(func(b []int) {
		<-gate
		if b[0] < 0 {
			panic("bad buffer")
		}
		got = append(got, b...)
	}, 3)
	defer w.Stop()
	w.Hand([]int{1})
	w.Hand([]int{-2})
	w.Hand([]int{3})
	close(gate)
	func() {
		defer func() { assert.Contains(t, recover(), "bad buffer") }()
		w.Wait()
		t.Fatal("Wait did not panic")
	}()
	w.Hand([]int{4})
	w.Wait()
	assert.Equal(t, []int{1, 4}, got)
}
