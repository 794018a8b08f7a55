package sim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformedTrace is matched (errors.Is) by every error ReadJSONL returns
// for a line that is not a trace record.
var ErrMalformedTrace = errors.New("sim: malformed trace line")

// LineError is an error ReadJSONL met on one line of a trace: a malformed
// line (its Err matches ErrMalformedTrace) or an error returned by the
// caller's function for that line's record.
type LineError struct {
	Line int   // 1-based line number
	Col  int   // 1-based byte column of a syntax error; 0 when not about a position
	Err  error // what went wrong
}

// Error reports the line, the column when known, and the cause.
func (e *LineError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("trace line %d, column %d: %v", e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("trace line %d: %v", e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// syntaxError describes a malformed line; it matches ErrMalformedTrace.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string        { return e.msg }
func (e *syntaxError) Is(target error) bool { return target == ErrMalformedTrace }

// ReadJSONL reads a trace written by JSONLWriter and calls fn with each
// record in file order. Each line must be one JSON object whose first keys
// are "t" (an integer), "kind" (a kind netsim writes) and "subject" (a
// string), in that order; the remaining keys are the fields of the kind's
// type (see trace_events.go), in any order. A field of the wrong JSON type
// or out of its range is an error; a key the type does not have is
// skipped, so that a trace from a later netsim with more fields still
// reads. Blank lines are skipped; a trailing "\r" is allowed.
//
// Each record gets an event of its own, which fn may keep; r itself is
// reused. An error from fn stops the read and is returned inside a
// *LineError; a malformed line returns a *LineError matching
// ErrMalformedTrace; an error from r is returned wrapped with the line it
// stopped at.
func ReadJSONL(r io.Reader, fn func(r *Record) error) error {
	br := bufio.NewReaderSize(r, jsonlBufferSize)
	p := &jsonlParser{intern: make(map[string]string)}
	var rec Record
	var long []byte
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], b...)
			for errors.Is(err, bufio.ErrBufferFull) {
				b, err = br.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read trace line %d: %w", line, err)
		}
		if !blank(b) {
			if col, perr := p.parseLine(b, &rec); perr != nil {
				return &LineError{Line: line, Col: col, Err: perr}
			}
			if ferr := fn(&rec); ferr != nil {
				return &LineError{Line: line, Err: ferr}
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

func blank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// isSpace reports whether c is JSON whitespace (a newline only ends a line).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// maxIntern bounds the parser's string table so that a trace of unique
// strings cannot grow it without limit; kinds, subjects and keys repeat and
// fit easily.
const (
	maxIntern       = 4096
	maxInternLength = 64
)

// jsonlParser parses one line at a time. It keeps a table of the short
// strings it has seen (kinds, subjects, keys, reasons), so that a long trace
// holds one copy of each.
type jsonlParser struct {
	b       []byte
	i       int
	intern  map[string]string
	scratch []byte
}

// fail returns the 1-based column of the parser's position and a syntax
// error.
func (p *jsonlParser) fail(format string, args ...any) (int, error) {
	return p.i + 1, &syntaxError{msg: fmt.Sprintf(format, args...)}
}

func (p *jsonlParser) skipSpace() {
	for p.i < len(p.b) && isSpace(p.b[p.i]) {
		p.i++
	}
}

// peek returns the next byte after whitespace, or 0 at the end of the line.
func (p *jsonlParser) peek() byte {
	p.skipSpace()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// describe names the byte at the parser's position for an error message.
func (p *jsonlParser) describe() string {
	if p.i >= len(p.b) {
		return "end of line"
	}
	return strconv.QuoteRune(rune(p.b[p.i]))
}

// expect consumes c after optional whitespace.
func (p *jsonlParser) expect(c byte, what string) (int, error) {
	if p.peek() != c {
		return p.fail("expected %q %s, found %s", c, what, p.describe())
	}
	p.i++
	return 0, nil
}

// parseLine parses b into rec with a new event. On error it returns the
// column of the error.
func (p *jsonlParser) parseLine(b []byte, rec *Record) (int, error) {
	p.b, p.i = b, 0
	rec.T, rec.Subject, rec.Event = 0, "", nil
	if col, err := p.expect('{', "at the start of a record"); err != nil {
		return col, err
	}
	header := [...]string{"t", "kind", "subject"}
	for n := 0; ; n++ {
		if n > 0 {
			if p.peek() == '}' {
				if n < len(header) {
					return p.fail("record ends before key %q", header[n])
				}
				p.i++
				break
			}
			if col, err := p.expect(',', "between fields"); err != nil {
				return col, err
			}
		}
		if p.peek() != '"' {
			return p.fail("expected a quoted key, found %s", p.describe())
		}
		keyCol := p.i + 1
		key, col, err := p.parseString()
		if err != nil {
			return col, err
		}
		if n < len(header) && key != header[n] {
			return keyCol, &syntaxError{msg: fmt.Sprintf("key %d is %q, want %q", n+1, key, header[n])}
		}
		if col, err := p.expect(':', fmt.Sprintf("after key %q", key)); err != nil {
			return col, err
		}
		p.skipSpace()
		valCol := p.i + 1
		f, col, err := p.parseValue(key)
		if err != nil {
			return col, err
		}
		switch n {
		case 0:
			if f.Type != fieldInt {
				return valCol, &syntaxError{msg: fmt.Sprintf("\"t\" must be an integer number of nanoseconds, found %s", f.describe())}
			}
			rec.T = Time(f.Int)
		case 1:
			if f.Type != fieldString {
				return valCol, &syntaxError{msg: fmt.Sprintf("%q must be a string, found %s", key, f.describe())}
			}
			k, ok := ParseKind(f.Str)
			if !ok {
				return valCol, &syntaxError{msg: fmt.Sprintf("unknown kind %q", f.Str)}
			}
			rec.Event = newEvent(k)
		case 2:
			if f.Type != fieldString {
				return valCol, &syntaxError{msg: fmt.Sprintf("%q must be a string, found %s", key, f.describe())}
			}
			rec.Subject = f.Str
		default:
			if err := setField(rec.Event, &f); err != nil {
				return valCol, &syntaxError{msg: fmt.Sprintf("%s field %q: %v", rec.Event.Kind(), key, err)}
			}
		}
	}
	if p.skipSpace(); p.i < len(p.b) {
		return p.fail("unexpected %s after the record", p.describe())
	}
	return 0, nil
}

// describe names a parsed value's type for an error message.
func (f *field) describe() string {
	switch f.Type {
	case fieldInt, fieldUint:
		return "an integer"
	case fieldFloat:
		return "a float"
	case fieldString:
		return "a string"
	case fieldBool:
		return "a boolean"
	}
	return "a value"
}

func (p *jsonlParser) parseValue(key string) (field, int, error) {
	f := field{Key: key}
	switch c := p.peek(); {
	case c == '"':
		s, col, err := p.parseString()
		if err != nil {
			return f, col, err
		}
		f.Type, f.Str = fieldString, s
	case c == 't' || c == 'f':
		word, v := "false", false
		if c == 't' {
			word, v = "true", true
		}
		if !p.literal(word) {
			col, err := p.fail("invalid literal for key %q", key)
			return f, col, err
		}
		f.Type = fieldBool
		if v {
			f.Int = 1
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return p.parseNumber(key)
	case c == 'n':
		col, err := p.fail("null is not a trace value (key %q)", key)
		return f, col, err
	case c == '{' || c == '[':
		col, err := p.fail("nested objects and arrays are not trace values (key %q)", key)
		return f, col, err
	default:
		col, err := p.fail("expected a value for key %q, found %s", key, p.describe())
		return f, col, err
	}
	return f, 0, nil
}

// literal consumes word if the line continues with it, not followed by
// another letter.
func (p *jsonlParser) literal(word string) bool {
	end := p.i + len(word)
	if end > len(p.b) || string(p.b[p.i:end]) != word {
		return false
	}
	if end < len(p.b) && p.b[end] >= 'a' && p.b[end] <= 'z' {
		return false
	}
	p.i = end
	return true
}

// parseNumber parses a JSON number (RFC 8259 §6): an integer becomes an Int
// field, or a Uint field above math.MaxInt64; a fraction or exponent makes
// a Float field.
func (p *jsonlParser) parseNumber(key string) (field, int, error) {
	start := p.i
	b := p.b
	neg := false
	if b[p.i] == '-' {
		neg = true
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	intStart := p.i
	if n := digits(); n == 0 {
		col, err := p.fail("expected a digit in the number for key %q", key)
		return field{}, col, err
	} else if n > 1 && b[intStart] == '0' {
		p.i = intStart
		col, err := p.fail("leading zero in the number for key %q", key)
		return field{}, col, err
	}
	intEnd := p.i
	isFloat := false
	if p.i < len(b) && b[p.i] == '.' {
		isFloat = true
		p.i++
		if digits() == 0 {
			col, err := p.fail("expected a digit after '.' in the number for key %q", key)
			return field{}, col, err
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			col, err := p.fail("expected a digit in the exponent of the number for key %q", key)
			return field{}, col, err
		}
	}
	if isFloat {
		v, err := strconv.ParseFloat(string(b[start:p.i]), 64)
		if err != nil {
			return field{}, start + 1, &syntaxError{msg: fmt.Sprintf("number %s for key %q is out of range", b[start:p.i], key)}
		}
		return field{Key: key, Type: fieldFloat, Num: v}, 0, nil
	}
	var u uint64
	for _, c := range b[intStart:intEnd] {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return field{}, start + 1, &syntaxError{msg: fmt.Sprintf("integer %s for key %q is out of range", b[start:intEnd], key)}
		}
		u = u*10 + d
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return field{Key: key, Type: fieldInt, Int: int64(u)}, 0, nil
	case !neg:
		return field{Key: key, Type: fieldUint, Uint: u}, 0, nil
	case u <= 1<<63:
		// Negating in two's complement also gives math.MinInt64 for 1<<63.
		return field{Key: key, Type: fieldInt, Int: -int64(u)}, 0, nil
	}
	return field{}, start + 1, &syntaxError{msg: fmt.Sprintf("integer %s for key %q is out of range", b[start:intEnd], key)}
}

// parseString parses a JSON string (RFC 8259 §7) at the parser's position,
// which holds the opening quote. Invalid UTF-8 and unpaired surrogates
// become U+FFFD, as encoding/json does.
func (p *jsonlParser) parseString() (string, int, error) {
	b := p.b
	p.i++ // the opening quote
	start := p.i
	// Fast path: no escapes, all valid; the string is a slice of the line.
	for p.i < len(b) {
		c := b[p.i]
		if c == '"' {
			raw := b[start:p.i]
			if utf8.Valid(raw) {
				p.i++
				return p.internBytes(raw), 0, nil
			}
			break
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	p.i = start
	out := p.scratch[:0]
	for {
		if p.i >= len(b) || b[p.i] == '\n' {
			col, err := p.fail("unterminated string")
			return "", col, err
		}
		c := b[p.i]
		switch {
		case c == '"':
			p.i++
			p.scratch = out
			return p.internBytes(out), 0, nil
		case c < 0x20:
			col, err := p.fail("control character %#x in a string must be escaped", c)
			return "", col, err
		case c == '\\':
			if p.i+1 >= len(b) {
				col, err := p.fail("unterminated escape")
				return "", col, err
			}
			e := b[p.i+1]
			if simple, ok := simpleEscape(e); ok {
				out = append(out, simple)
				p.i += 2
				continue
			}
			if e != 'u' {
				col, err := p.fail("invalid escape %q", "\\"+string(rune(e)))
				return "", col, err
			}
			r, ok := p.hex4(p.i + 2)
			if !ok {
				col, err := p.fail("invalid \\u escape")
				return "", col, err
			}
			p.i += 6
			if utf16.IsSurrogate(r) {
				// RFC 8259 §7: a character outside the BMP is a pair of
				// \u escapes; anything else is an unpaired surrogate.
				high := r
				r = utf8.RuneError
				if p.i+1 < len(b) && b[p.i] == '\\' && b[p.i+1] == 'u' {
					if low, ok := p.hex4(p.i + 2); ok {
						if dec := utf16.DecodeRune(high, low); dec != utf8.RuneError {
							r = dec
							p.i += 6
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(b[p.i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			p.i += size
		}
	}
}

// hex4 parses four hex digits at b[i:].
func (p *jsonlParser) hex4(i int) (rune, bool) {
	if i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// simpleEscape maps the one-letter JSON escapes to their bytes.
func simpleEscape(e byte) (byte, bool) {
	switch e {
	case '"', '\\', '/':
		return e, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// internBytes returns b as a string, sharing one copy of each short string
// seen before.
func (p *jsonlParser) internBytes(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= maxInternLength && len(p.intern) < maxIntern {
		p.intern[s] = s
	}
	return s
}
