package sim

// Event is the typed content of one trace record: one of the types of
// trace_events.go (*PacketSend, *TCPState, *App, ...), always a pointer.
// Its unexported methods keep the set closed, so a switch over the types
// sees every kind there is.
type Event interface {
	// Kind returns the record's kind.
	Kind() Kind
	// walk walks the record's fields in order, to append them as JSON or
	// assign one read back from JSONL.
	walk(w fieldWalker) fieldWalker
	// hash mixes the record's fields into a fingerprint.
	hash(h hasher) hasher
	// clone returns a copy that shares nothing the producer will reuse.
	clone() Event
}

// Record is one thing that happened: when, what it concerns (a node, link
// direction or app, e.g. "link/uplink/a>b" or "host/client"), and what,
// as a typed Event.
type Record struct {
	T       Time
	Subject string
	Event   Event
}

// Kind returns the kind of the record's event, 0 when it has none.
func (r *Record) Kind() Kind {
	if r.Event == nil {
		return 0
	}
	return r.Event.Kind()
}

// Sink receives trace records in simulated-time order. A sink must not keep
// r or r.Event after Emit returns: producers fill the same event again for
// their next record (Recorder shows how to keep a copy).
type Sink interface {
	Emit(r *Record)
}

// SinkFunc adapts a function to the Sink interface.
type SinkFunc func(r *Record)

// Emit calls f(r).
func (f SinkFunc) Emit(r *Record) { f(r) }

// Recorder is an in-memory Sink for tests and plots; it copies each record.
type Recorder struct {
	Records []Record
}

// Emit appends a copy of r. A nil r, or one without an event, is ignored.
func (rec *Recorder) Emit(r *Record) {
	if r == nil || r.Event == nil {
		return
	}
	rec.Records = append(rec.Records, Copy(r))
}

// Copy returns a copy of r whose event is its own, safe to keep after the
// Emit that received r returns.
func Copy(r *Record) Record {
	c := *r
	if r.Event != nil {
		c.Event = r.Event.clone()
	}
	return c
}

// Tee is a Sink that forwards each record to every sink it holds, in order.
type Tee []Sink

// Emit forwards r to each sink.
func (t Tee) Emit(r *Record) {
	for _, s := range t {
		s.Emit(r)
	}
}
