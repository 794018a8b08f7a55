package sim

import "github.com/netsimlab/netsim/internal/handoff"

// jsonlBatchRecords is the number of records a batchQueue (of a
// JSONLWriter or an Async) gathers before it hands them to its goroutine.
// Each hand-over may wake the goroutine (a futex call on the run's
// thread): with 4096 records that is under 10 ns per data packet of a
// bulk transfer, where 1024 cost about 30 and 256 several times more.
const jsonlBatchRecords = 4096

// batchesInFlight is the number of full batches a batchQueue hands over
// before it waits for the first of them to be consumed. With the trace
// on, netsim run has three goroutines at work on two cores (the
// simulation, the Async that sums up and encodes, the trace writer's
// sha256 and writes): with one batch in flight the simulation waited for
// the Async whenever the Async waited for a core, so the two took turns.
// Eight let each run ahead of the other by up to 32k records (a few MB
// of copies); docs/performance.md (Where issue 14 stands) has the 1 Gbps
// bulk transfer's figures before and after.
const batchesInFlight = 8

// batchQueue is the buffering of JSONLWriter and Async: records are
// copied into a batch, and each full batch is handed to a worker
// goroutine (internal/handoff) while the caller fills another one. At
// most batchesInFlight batches are in flight and one more exists; the
// worker sees only copies of finished records, in order. Its owner stops
// the worker whenever the caller is done or reads the results.
type batchQueue struct {
	batch *recordBatch // the records not handed over yet
	w     *handoff.Worker[*recordBatch]
}

// newBatchQueue returns a queue whose batches go to consume, which must
// empty them.
func newBatchQueue(consume func(*recordBatch)) batchQueue {
	return batchQueue{batch: newRecordBatch(), w: handoff.NewDepth(consume, batchesInFlight)}
}

// add copies r, which has an event, into the current batch and, when that
// fills it, hands the batch to the worker.
func (q *batchQueue) add(r *Record) {
	q.batch.add(r)
	if !q.batch.full() {
		return
	}
	next, ok := q.w.Hand(q.batch)
	if !ok {
		next = newRecordBatch()
	}
	q.batch = next
}

// stop waits for the batches in flight and ends the worker; the next full
// batch starts another.
func (q *batchQueue) stop() { q.w.Stop() }

// recordBatch holds copies of the records a batchQueue has been given and
// not consumed yet. A producer fills the same event again for its next
// record (see Sink), so each event is copied by value into the array of
// its type, and the batch's Record points at the copy. The arrays grow as
// a batch fills (a copy made before an array moved stays where it was,
// unchanged, and the Record that points at it keeps it), so a short run
// takes little memory; emptied, a batch keeps them, and once a batch has
// been full it is reused without allocating.
type recordBatch struct {
	recs  []Record
	send  []PacketSend
	enq   []PacketEnqueue
	tx    []PacketTx
	rx    []PacketRx
	drop  []PacketDrop
	fwd   []PacketForward
	dlv   []PacketDeliver
	dup   []PacketDuplicate
	mark  []PacketMark
	state []TCPState
	cwnd  []TCPCwnd
	rtt   []TCPRTT
	rexmt []TCPRetransmit
	timer []TCPTimer
	tcErr []TCPError
	rate  []TCPRate
	bbr   []TCPBBR
	app   []App
	fault []Fault
	link  []LinkState
	route []RouteChange
}

func newRecordBatch() *recordBatch { return &recordBatch{} }

// full reports whether the batch holds jsonlBatchRecords records.
func (b *recordBatch) full() bool { return len(b.recs) >= jsonlBatchRecords }

// add appends a copy of r, which has an event, to the batch.
func (b *recordBatch) add(r *Record) {
	var e Event
	switch x := r.Event.(type) {
	case *PacketSend:
		e = keep(&b.send, x)
	case *PacketEnqueue:
		e = keep(&b.enq, x)
	case *PacketTx:
		e = keep(&b.tx, x)
	case *PacketRx:
		e = keep(&b.rx, x)
	case *PacketDrop:
		e = keep(&b.drop, x)
	case *PacketForward:
		e = keep(&b.fwd, x)
	case *PacketDeliver:
		e = keep(&b.dlv, x)
	case *PacketDuplicate:
		e = keep(&b.dup, x)
	case *PacketMark:
		e = keep(&b.mark, x)
	case *TCPState:
		e = keep(&b.state, x)
	case *TCPCwnd:
		e = keep(&b.cwnd, x)
	case *TCPRTT:
		e = keep(&b.rtt, x)
	case *TCPRetransmit:
		e = keep(&b.rexmt, x)
	case *TCPTimer:
		e = keep(&b.timer, x)
	case *TCPError:
		e = keep(&b.tcErr, x)
	case *TCPRate:
		e = keep(&b.rate, x)
	case *TCPBBR:
		e = keep(&b.bbr, x)
	case *App:
		e = keep(&b.app, x)
	case *Fault:
		e = keep(&b.fault, x)
	case *LinkState:
		e = keep(&b.link, x)
	case *RouteChange:
		e = keep(&b.route, x)
	default:
		// Event's set is closed (its methods are unexported), so this is
		// a kind added to trace_events.go and not here: a copy that
		// allocates, rather than a trace that loses a record.
		e = r.Event.clone()
	}
	b.recs = append(b.recs, Record{T: r.T, Subject: r.Subject, Event: e})
}

// keep appends a copy of *e to *s and returns the copy.
func keep[T any](s *[]T, e *T) *T {
	*s = append(*s, *e)
	return &(*s)[len(*s)-1]
}

// reset empties the batch, keeping its arrays.
func (b *recordBatch) reset() {
	b.recs = b.recs[:0]
	b.send, b.enq, b.tx, b.rx, b.drop, b.fwd = b.send[:0], b.enq[:0], b.tx[:0], b.rx[:0], b.drop[:0], b.fwd[:0]
	b.dlv, b.dup, b.mark, b.state, b.cwnd = b.dlv[:0], b.dup[:0], b.mark[:0], b.state[:0], b.cwnd[:0]
	b.rtt, b.rexmt, b.timer, b.tcErr, b.rate = b.rtt[:0], b.rexmt[:0], b.timer[:0], b.tcErr[:0], b.rate[:0]
	b.bbr, b.app, b.fault, b.link, b.route = b.bbr[:0], b.app[:0], b.fault[:0], b.link[:0], b.route[:0]
}
