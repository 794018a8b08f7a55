package sim

// FieldType says which value a Field holds.
type FieldType uint8

// The kinds of value a trace field holds.
const (
	FieldInt FieldType = iota
	FieldUint
	FieldFloat
	FieldString
	FieldBool
)

// Field is one named value of a trace record. Fields are typed values rather
// than interfaces so that building a record allocates nothing.
type Field struct {
	Key  string
	Type FieldType
	Int  int64
	Uint uint64
	Num  float64
	Str  string
}

// Int returns an integer field.
func Int(key string, v int64) Field { return Field{Key: key, Type: FieldInt, Int: v} }

// Uint returns an unsigned integer field.
func Uint(key string, v uint64) Field { return Field{Key: key, Type: FieldUint, Uint: v} }

// Float returns a floating-point field (for display values only).
func Float(key string, v float64) Field { return Field{Key: key, Type: FieldFloat, Num: v} }

// String returns a string field.
func String(key, v string) Field { return Field{Key: key, Type: FieldString, Str: v} }

// Bool returns a boolean field.
func Bool(key string, v bool) Field {
	f := Field{Key: key, Type: FieldBool}
	if v {
		f.Int = 1
	}
	return f
}

// Value returns the field's value as an interface, for tests and tools.
func (f Field) Value() any {
	switch f.Type {
	case FieldInt:
		return f.Int
	case FieldUint:
		return f.Uint
	case FieldFloat:
		return f.Num
	case FieldString:
		return f.Str
	case FieldBool:
		return f.Int != 0
	}
	return nil
}

// Record is one thing that happened: when, what kind, what it concerns (a
// node, link, interface or connection, e.g. "link/uplink/a>b" or
// "conn/1"), and its fields in a fixed order.
type Record struct {
	T       Time
	Kind    string
	Subject string
	Fields  []Field
}

// Get returns the field called key and whether it exists.
func (r *Record) Get(key string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Sink receives trace records in simulated-time order. A sink must not keep
// r or r.Fields after Emit returns: the producer may reuse them.
type Sink interface {
	Emit(r *Record)
}

// Recorder is an in-memory Sink for tests and plots; it copies each record.
type Recorder struct {
	Records []Record
}

// Emit appends a copy of r.
func (rec *Recorder) Emit(r *Record) {
	c := *r
	c.Fields = append([]Field(nil), r.Fields...)
	rec.Records = append(rec.Records, c)
}

// Tee is a Sink that forwards each record to every sink it holds, in order.
type Tee []Sink

// Emit forwards r to each sink.
func (t Tee) Emit(r *Record) {
	for _, s := range t {
		s.Emit(r)
	}
}
