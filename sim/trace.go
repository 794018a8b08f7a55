package sim

import "math"

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

// IntField returns the integer value of the field called key. It accepts an
// Int field, or a Uint field up to math.MaxInt64, and reports false for any
// other field or a missing key.
func (r *Record) IntField(key string) (int64, bool) {
	f, ok := r.Get(key)
	switch {
	case !ok:
		return 0, false
	case f.Type == FieldInt:
		return f.Int, true
	case f.Type == FieldUint && f.Uint <= math.MaxInt64:
		return int64(f.Uint), true
	}
	return 0, false
}

// UintField returns the unsigned value of the field called key. It accepts
// a Uint field, or a non-negative Int field, and reports false for any
// other field or a missing key.
func (r *Record) UintField(key string) (uint64, bool) {
	f, ok := r.Get(key)
	switch {
	case !ok:
		return 0, false
	case f.Type == FieldUint:
		return f.Uint, true
	case f.Type == FieldInt && f.Int >= 0:
		return uint64(f.Int), true
	}
	return 0, false
}

// StrField returns the value of the string field called key, and false for
// a field of another type or a missing key.
func (r *Record) StrField(key string) (string, bool) {
	f, ok := r.Get(key)
	if !ok || f.Type != FieldString {
		return "", false
	}
	return f.Str, true
}

// FloatField returns the value of the field called key as a float64, for
// display and plotting. It accepts a Float field, an Int or Uint field
// (converted), and the strings "NaN", "+Inf" and "-Inf" that JSONLWriter
// writes for the floats JSON cannot hold; it reports false otherwise.
func (r *Record) FloatField(key string) (float64, bool) {
	f, ok := r.Get(key)
	if !ok {
		return 0, false
	}
	switch f.Type {
	case FieldFloat:
		return f.Num, true
	case FieldInt:
		return float64(f.Int), true
	case FieldUint:
		return float64(f.Uint), true
	case FieldString:
		switch f.Str {
		case "NaN":
			return math.NaN(), true
		case "+Inf":
			return math.Inf(1), true
		case "-Inf":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

// BoolField returns the value of the boolean field called key, and false
// for a field of another type or a missing key.
func (r *Record) BoolField(key string) (value, ok bool) {
	f, ok := r.Get(key)
	if !ok || f.Type != FieldBool {
		return false, false
	}
	return f.Int != 0, true
}

// Sink receives trace records in simulated-time order. A sink must not keep
// r or r.Fields after Emit returns: the producer may reuse them.
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

// Emit appends a copy of r. A nil r is ignored.
func (rec *Recorder) Emit(r *Record) {
	if r == nil {
		return
	}
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
