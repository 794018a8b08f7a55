package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAsyncPassesEveryRecordInOrder: several batches' worth of records,
// every kind, reach the wrapped sink whole and in order, each a copy the
// producer's later changes do not reach, and Emit allocates nothing once
// both batches exist.
func TestAsyncPassesEveryRecordInOrder(t *testing.T) {
	rec := &Recorder{}
	a := NewAsync(rec)
	var want []Record
	emit := func(from, to int) {
		for i := from; i < to; i++ {
			r := everyKind[i%len(everyKind)]
			r.T = Time(i)
			a.Emit(&r)
			want = append(want, Copy(&r))
		}
	}
	a.Emit(nil)       // ignored
	a.Emit(&Record{}) // no event: ignored
	emit(0, 5*jsonlBatchRecords+7)
	a.Wait()
	require.Len(t, rec.Records, len(want))
	assert.Equal(t, want, rec.Records)
	emit(len(want), len(want)+3) // after Wait, on to the next records
	a.Wait()
	assert.Equal(t, want, rec.Records)

	// Every batch the queue can hold exists before allocations are
	// counted: the sink holds the worker at its first record until
	// batchesInFlight batches wait and the run fills one more.
	gate := make(chan struct{})
	null := NewAsync(SinkFunc(func(*Record) { <-gate }))
	r := everyKind[0]
	for null.q.w.InFlight() < batchesInFlight || len(null.q.batch.recs) == 0 {
		null.Emit(&r)
	}
	close(gate)
	for range (batchesInFlight + 1) * jsonlBatchRecords { // each fills whole once
		null.Emit(&r)
	}
	allocs := testing.AllocsPerRun(10, func() {
		for range jsonlBatchRecords {
			null.Emit(&r)
		}
	})
	null.Wait()
	assert.Zero(t, allocs, "one worker goroutine, no allocation per record or batch")
}
