package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONLGolden(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want string
	}{
		{"header only", Record{T: 0, Kind: "k"},
			`{"t":0,"kind":"k","subject":""}`},
		{"packet", Record{T: 1_200_000, Kind: KindPacketTx, Subject: "link/l/a>b", Fields: []Field{
			Int("id", 7), Int("len", 1500), Uint("seq", math.MaxUint64), Bool("corrupt", false), Bool("up", true),
		}}, `{"t":1200000,"kind":"pkt.tx","subject":"link/l/a>b","id":7,"len":1500,"seq":18446744073709551615,"corrupt":false,"up":true}`},
		{"negative", Record{T: -5, Kind: "k", Fields: []Field{Int("min", math.MinInt64)}},
			`{"t":-5,"kind":"k","subject":"","min":-9223372036854775808}`},
		{"escapes", Record{Kind: "a\"b\\c", Subject: "x\ny", Fields: []Field{String("k\t", "\x00\x1f\u2028é")}},
			`{"t":0,"kind":"a\"b\\c","subject":"x\ny","k\t":"\u0000\u001f\u2028é"}`},
		{"unknown field type", Record{Kind: "k", Fields: []Field{{Key: "x", Type: 42}}},
			`{"t":0,"kind":"k","subject":"","x":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want+"\n", string(AppendJSONL(nil, &tt.rec)))
		})
	}
}

func TestJSONLFloats(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0.25, `0.25`},
		{3, `3.0`}, // 'g' gives "3": ".0" keeps it a float when read back
		{-0.0, `0.0`},
		{math.Copysign(0, -1), `-0.0`},
		{123456, `123456.0`},
		{1e6, `1e+06`},
		{1e21, `1e+21`},
		{1e-7, `1e-07`},
		{0.1, `0.1`},
		{math.MaxFloat64, `1.7976931348623157e+308`},
		{math.SmallestNonzeroFloat64, `5e-324`},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := string(appendJSONFloat(nil, tt.v))
			assert.Equal(t, tt.want, got)
			assert.True(t, json.Valid([]byte(got)))
		})
	}
}

func TestJSONLStringsMatchEncodingJSON(t *testing.T) {
	inputs := []string{
		"", "plain", `quote " and \ backslash`, "\b\f\n\r\t\x00\x01\x1f\x7f",
		"<html> & friends", "é ü 中文 😀", "\u2028\u2029", "\xff", "a\xc3(b", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", strings.Repeat("x", 1000),
	}
	for _, s := range inputs {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(s))
			got := appendJSONString(nil, s)
			assert.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(got))
		})
	}
}

// traceRun runs a small deterministic simulation, two senders at random
// intervals over a lossy channel, and returns its JSONL trace and hash.
func traceRun(t testing.TB, seed uint64) ([]byte, string) {
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	s := NewScheduler()
	st := NewStreams(seed)
	rec := &Record{Fields: make([]Field, 0, 8)}
	id := int64(0)
	for _, host := range []string{"client", "server"} {
		gap := st.Rand("host/" + host + "/gap")
		loss := st.Rand("link/" + host + "/loss")
		var send func()
		send = func() {
			id++
			rec.T, rec.Kind, rec.Subject = s.Now(), KindPacketSend, "host/"+host
			rec.Fields = append(rec.Fields[:0], Int("id", id), Int("len", 1500), Float("load", float64(id)/3))
			w.Emit(rec)
			if loss.Bernoulli(0.1) {
				rec.Kind, rec.Fields = KindPacketDrop, append(rec.Fields[:0], Int("id", id), String("reason", DropLoss))
				w.Emit(rec)
			}
			if _, err := s.After(gap.ExponentialDuration(time.Millisecond), send); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.At(0, send); err != nil {
			t.Fatal(err)
		}
	}
	require.NoError(t, s.RunUntil(FromDuration(200*time.Millisecond)))
	require.NoError(t, w.Flush())
	require.NoError(t, w.Err())
	assert.Equal(t, int64(buf.Len()), w.Bytes())
	assert.Equal(t, uint64(bytes.Count(buf.Bytes(), []byte("\n"))), w.Records())
	return buf.Bytes(), w.Sum()
}

// goldenTraceSum is the sha256 of traceRun(t, 1). It changes only when the
// trace format, the scheduler's order or the random streams change; each is
// a change to every golden trace in the project, so update it on purpose.
const goldenTraceSum = "6754ac40a417e83617be9ba4b46e7d7cfc278d1ce6138f6d531dd0e86c0783a9"

func TestJSONLDeterministicAndHashed(t *testing.T) {
	a, sumA := traceRun(t, 1)
	b, sumB := traceRun(t, 1)
	require.Greater(t, len(a), 1000)
	assert.Equal(t, a, b, "the same run gives the same bytes")
	assert.Equal(t, sumA, sumB)
	h := sha256.Sum256(a)
	assert.Equal(t, hex.EncodeToString(h[:]), sumA, "Sum is the sha256 of the bytes written")
	assert.Equal(t, goldenTraceSum, sumA)

	c, sumC := traceRun(t, 2)
	assert.NotEqual(t, a, c, "another seed gives another run")
	assert.NotEqual(t, sumA, sumC)

	// Every line is valid JSON.
	for _, line := range bytes.Split(bytes.TrimSuffix(a, []byte("\n")), []byte("\n")) {
		require.True(t, json.Valid(line), "%s", line)
	}
	empty := NewJSONLWriter(io.Discard)
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty.Sum())
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestJSONLWriterKeepsFirstError(t *testing.T) {
	w := NewJSONLWriter(&failingWriter{n: 100})
	r := &Record{Kind: "k", Subject: strings.Repeat("s", 200)}
	for i := 0; i < 1000; i++ { // more than the buffer holds
		w.Emit(r)
	}
	require.ErrorIs(t, w.Err(), errDiskFull)
	require.ErrorIs(t, w.Flush(), errDiskFull)
	assert.Equal(t, uint64(1000), w.Records(), "records are still counted and hashed")

	w = NewJSONLWriter(&failingWriter{n: 10})
	w.Emit(r)
	assert.NoError(t, w.Err(), "buffered: nothing written yet")
	require.ErrorIs(t, w.Flush(), errDiskFull)
	require.ErrorIs(t, w.Err(), errDiskFull)
}

func TestJSONLEmitAllocatesNothing(t *testing.T) {
	w := NewJSONLWriter(io.Discard)
	r := &Record{Kind: KindTCPState, Subject: "host/client", Fields: []Field{
		Int("conn", 1), String("side", "client"), String("from", "SYN-SENT"), String("to", "ESTABLISHED"),
		Float("x", 1.5), Uint("u", 3), Bool("b", true),
	}}
	w.Emit(r)
	w.Emit(nil) // ignored
	assert.Equal(t, uint64(1), w.Records())
	allocs := testing.AllocsPerRun(1000, func() {
		r.T++
		w.Emit(r)
	})
	assert.Zero(t, allocs)
}

// roundTripRecords exercise every field type and its edge values.
var roundTripRecords = []Record{
	{T: 0, Kind: KindTCPState, Subject: "host/client", Fields: []Field{
		Int("conn", 1), String("side", "client"), String("from", "CLOSED"), String("to", "SYN-SENT"),
	}},
	{T: 1, Kind: "edge", Subject: "", Fields: []Field{
		Int("min", math.MinInt64), Int("max", math.MaxInt64), Int("zero", 0),
		Uint("umax", math.MaxUint64), Uint("uabove", 1<<63),
		Float("f", 0.1), Float("whole", 3), Float("neg", -2.5e-300), Float("big", 1e300), Float("negzero", math.Copysign(0, -1)),
		Bool("yes", true), Bool("no", false),
	}},
	{T: MaxTime, Kind: "strings", Subject: "link/é/a>b", Fields: []Field{
		String("empty", ""), String("ctl", "\x00\b\f\n\r\t\x1f\x7f"), String("quotes", `"\/`),
		String("unicode", "中文 😀 \u2028"), String("t", "a field named t"), String("kind", "and kind"),
	}},
	{T: -1, Kind: "duplicate keys", Subject: "s", Fields: []Field{Int("x", 1), Int("x", 2)}},
}

func TestJSONLRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	for i := range roundTripRecords {
		w.Emit(&roundTripRecords[i])
	}
	require.NoError(t, w.Flush())

	var got Recorder
	require.NoError(t, ReadJSONL(&buf, func(r *Record) error { got.Emit(r); return nil }))
	require.Len(t, got.Records, len(roundTripRecords))
	for i, want := range roundTripRecords {
		g := got.Records[i]
		assert.Equal(t, want.T, g.T)
		assert.Equal(t, want.Kind, g.Kind)
		assert.Equal(t, want.Subject, g.Subject)
		require.Len(t, g.Fields, len(want.Fields))
		for k, f := range want.Fields {
			// Float compares bit for bit so that -0 and 0 differ.
			if f.Type == FieldFloat {
				assert.Equal(t, FieldFloat, g.Fields[k].Type, f.Key)
				assert.Equal(t, math.Float64bits(f.Num), math.Float64bits(g.Fields[k].Num), f.Key)
				continue
			}
			assert.Equal(t, f, g.Fields[k])
		}
	}
}

func TestJSONLRoundTripSpecialValues(t *testing.T) {
	// Values whose type cannot survive JSON read back in a documented form.
	line := AppendJSONL(nil, &Record{Kind: "k", Fields: []Field{
		Uint("small", 5), Float("nan", math.NaN()), Float("inf", math.Inf(1)), Float("ninf", math.Inf(-1)),
		String("bad", "a\xffb"),
	}})
	require.NoError(t, ReadJSONL(bytes.NewReader(line), func(r *Record) error {
		f, _ := r.Get("small")
		assert.Equal(t, Int("small", 5), f, "a small Uint reads back as Int")
		u, ok := r.UintField("small")
		assert.True(t, ok)
		assert.Equal(t, uint64(5), u)
		v, ok := r.FloatField("nan")
		assert.True(t, ok)
		assert.True(t, math.IsNaN(v))
		v, _ = r.FloatField("inf")
		assert.Equal(t, math.Inf(1), v)
		v, _ = r.FloatField("ninf")
		assert.Equal(t, math.Inf(-1), v)
		s, _ := r.StrField("bad")
		assert.Equal(t, "a\uFFFDb", s, "invalid UTF-8 reads back as U+FFFD")
		return nil
	}))
}

func TestReadJSONLAcceptsValidJSON(t *testing.T) {
	input := "\n" +
		"  { \"t\" : 5 , \"kind\":\"k\",\"subject\":\"s\" , \"a\" : -0 , \"b\":1E3, \"c\":2.5e-1 }\r\n" +
		"   \t\n" +
		`{"t":6,"kind":"\u0041\/","subject":"\ud83d\ude00 \ud800 x \udc00\u00e9","s":"\"\\\b\f\n\r\t","yes":true}` + "\n" +
		`{"t":7,"kind":"no newline at end","subject":""}`
	var got Recorder
	require.NoError(t, ReadJSONL(strings.NewReader(input), func(r *Record) error { got.Emit(r); return nil }))
	assert.Equal(t, []Record{
		{T: 5, Kind: "k", Subject: "s", Fields: []Field{Int("a", 0), Float("b", 1000), Float("c", 0.25)}},
		{T: 6, Kind: "A/", Subject: "😀 \uFFFD x \uFFFDé", Fields: []Field{String("s", "\"\\\b\f\n\r\t"), Bool("yes", true)}},
		{T: 7, Kind: "no newline at end", Subject: ""},
	}, got.Records)
}

func TestReadJSONLLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*jsonlBufferSize)
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	w.Emit(&Record{Kind: "a", Subject: long})
	w.Emit(&Record{Kind: "b", Fields: []Field{String("v", long)}})
	require.NoError(t, w.Flush())
	var got Recorder
	require.NoError(t, ReadJSONL(&buf, func(r *Record) error { got.Emit(r); return nil }))
	require.Len(t, got.Records, 2)
	assert.Equal(t, long, got.Records[0].Subject)
	s, _ := got.Records[1].StrField("v")
	assert.Equal(t, long, s)
}

func TestReadJSONLErrors(t *testing.T) {
	const ok = `{"t":1,"kind":"k","subject":"s"}` + "\n"
	tests := []struct {
		name  string
		input string
		line  int
		col   int
		msg   string
	}{
		{"not an object", "[1]", 1, 1, `expected '{' at the start of a record, found '['`},
		{"empty object", "{}", 1, 2, `expected a quoted key, found '}'`},
		{"missing kind", `{"t":1}`, 1, 7, `record ends before key "kind"`},
		{"missing subject", `{"t":1,"kind":"k"}`, 1, 18, `record ends before key "subject"`},
		{"wrong first key", `{"kind":"k","t":1,"subject":""}`, 1, 2, `key 1 is "kind", want "t"`},
		{"t a float", `{"t":1.5,"kind":"k","subject":""}`, 1, 6, `"t" must be an integer number of nanoseconds, found a float`},
		{"t too big", `{"t":9223372036854775808,"kind":"k","subject":""}`, 1, 6, `found an integer`},
		{"kind a number", `{"t":1,"kind":2,"subject":""}`, 1, 15, `"kind" must be a string, found an integer`},
		{"second line", ok + `{"t":1,"kind":"k","subject":"s","x":}`, 2, 37, `expected a value for key "x", found '}'`},
		{"after blank lines", ok + "\n\n" + `{"t":1,"kind":"k","subject":"s","x":null}`, 4, 37, `null is not a trace value (key "x")`},
		{"nested", `{"t":1,"kind":"k","subject":"s","x":{}}`, 1, 37, `nested objects and arrays are not trace values`},
		{"array", `{"t":1,"kind":"k","subject":"s","x":[1]}`, 1, 37, `nested objects and arrays`},
		{"missing colon", `{"t" 1}`, 1, 6, `expected ':' after key "t", found '1'`},
		{"missing comma", `{"t":1 "kind":"k"}`, 1, 8, `expected ',' between fields, found '"'`},
		{"trailing comma", `{"t":1,"kind":"k","subject":"s",}`, 1, 33, `expected a quoted key, found '}'`},
		{"unterminated object", `{"t":1,"kind":"k","subject":"s"`, 1, 32, `expected ',' between fields, found end of line`},
		{"trailing garbage", `{"t":1,"kind":"k","subject":"s"} x`, 1, 34, `unexpected 'x' after the record`},
		{"two objects", `{"t":1,"kind":"k","subject":"s"}{}`, 1, 33, `unexpected '{' after the record`},
		{"bad literal", `{"t":1,"kind":"k","subject":"s","x":tru}`, 1, 37, `invalid literal for key "x"`},
		{"literal run-on", `{"t":1,"kind":"k","subject":"s","x":truex}`, 1, 37, `invalid literal`},
		{"leading zero", `{"t":01,"kind":"k","subject":"s"}`, 1, 6, `leading zero`},
		{"bare minus", `{"t":-,"kind":"k","subject":"s"}`, 1, 7, `expected a digit in the number for key "t"`},
		{"plus sign", `{"t":+1,"kind":"k","subject":"s"}`, 1, 6, `expected a value for key "t", found '+'`},
		{"dot without digits", `{"t":1,"kind":"k","subject":"s","x":1.}`, 1, 39, `expected a digit after '.'`},
		{"leading dot", `{"t":1,"kind":"k","subject":"s","x":.5}`, 1, 37, `expected a value for key "x", found '.'`},
		{"empty exponent", `{"t":1,"kind":"k","subject":"s","x":1e+}`, 1, 40, `expected a digit in the exponent`},
		{"float out of range", `{"t":1,"kind":"k","subject":"s","x":1e400}`, 1, 37, `number 1e400 for key "x" is out of range`},
		{"integer beyond uint64", `{"t":1,"kind":"k","subject":"s","x":18446744073709551616}`, 1, 37, `integer 18446744073709551616 for key "x" is out of range`},
		{"integer below int64", `{"t":1,"kind":"k","subject":"s","x":-9223372036854775809}`, 1, 37, `integer -9223372036854775809 for key "x" is out of range`},
		{"unterminated string", `{"t":1,"kind":"k`, 1, 17, `unterminated string`},
		{"raw control character", "{\"t\":1,\"kind\":\"a\tb\"}", 1, 17, `control character 0x9 in a string must be escaped`},
		{"bad escape", `{"t":1,"kind":"\x"}`, 1, 16, `invalid escape "\\x"`},
		{"short unicode escape", `{"t":1,"kind":"\u12"}`, 1, 16, `invalid \u escape`},
		{"escape at end", `{"t":1,"kind":"\`, 1, 16, `unterminated escape`},
		{"unquoted key", `{t:1}`, 1, 2, `expected a quoted key, found 't'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := ReadJSONL(strings.NewReader(tt.input), func(*Record) error { calls++; return nil })
			require.Error(t, err)
			require.ErrorIs(t, err, ErrMalformedTrace)
			var le *LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.line, le.Line, "line")
			assert.Equal(t, tt.col, le.Col, "column")
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), fmt.Sprintf("trace line %d, column %d: ", tt.line, tt.col))
			assert.Equal(t, strings.Count(tt.input, ok), calls, "records before the bad line were delivered")
		})
	}
}

func TestReadJSONLCallbackAndReaderErrors(t *testing.T) {
	input := `{"t":1,"kind":"a","subject":""}` + "\n" + `{"t":2,"kind":"b","subject":""}` + "\n"
	errStop := errors.New("enough")
	err := ReadJSONL(strings.NewReader(input), func(r *Record) error {
		if r.Kind == "b" {
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop)
	assert.NotErrorIs(t, err, ErrMalformedTrace)
	assert.EqualError(t, err, "trace line 2: enough")

	err = ReadJSONL(io.MultiReader(strings.NewReader(input), &failingReader{}), func(*Record) error { return nil })
	require.ErrorIs(t, err, errDiskFull)
	assert.Contains(t, err.Error(), "read trace line 3")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDiskFull }

// FuzzReadJSONL checks that the reader never panics, and that what it
// accepts is a fixed point: written again and read again, the records are
// the same, and the written lines are valid JSON.
func FuzzReadJSONL(f *testing.F) {
	for _, r := range roundTripRecords {
		f.Add(AppendJSONL(nil, &r))
	}
	f.Add([]byte(`{"t":6,"kind":"\u0041\/","subject":"\ud83d\ude00 \ud800","x":1E3}` + "\r\n\n"))
	f.Add([]byte(`{"t":1,"kind":"k","subject":"s","x":-0.0,"y":"a\xffb"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var first Recorder
		if err := ReadJSONL(bytes.NewReader(data), func(r *Record) error { first.Emit(r); return nil }); err != nil {
			var le *LineError
			if !errors.As(err, &le) || !errors.Is(err, ErrMalformedTrace) || le.Line < 1 || le.Col < 1 {
				t.Fatalf("error without a line and column: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		w := NewJSONLWriter(&buf)
		for i := range first.Records {
			w.Emit(&first.Records[i])
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
			if len(line) > 0 && !json.Valid(line) {
				t.Fatalf("invalid JSON written: %s", line)
			}
		}
		var second Recorder
		if err := ReadJSONL(&buf, func(r *Record) error { second.Emit(r); return nil }); err != nil {
			t.Fatalf("cannot read back what was written: %v\n%s", err, buf.Bytes())
		}
		if len(first.Records) != len(second.Records) {
			t.Fatalf("%d records, then %d", len(first.Records), len(second.Records))
		}
		for i := range first.Records {
			a, b := AppendJSONL(nil, &first.Records[i]), AppendJSONL(nil, &second.Records[i])
			if !bytes.Equal(a, b) {
				t.Fatalf("record %d changed:\n%s%s", i, a, b)
			}
		}
	})
}

// FuzzJSONLString checks the string encoder against encoding/json's
// decoder and the reader: any Go string becomes valid JSON that both decode
// to the same text, which is the input itself when it is valid UTF-8.
func FuzzJSONLString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\"\\\u2028", "a\xffb", "\xed\xa0\x80", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := AppendJSONL(nil, &Record{Kind: s, Subject: "x", Fields: []Field{String(s, s)}})
		var decoded map[string]any
		if err := json.Unmarshal(line, &decoded); err != nil {
			t.Fatalf("invalid JSON for %q: %v\n%s", s, err, line)
		}
		want, _ := decoded["kind"].(string)
		err := ReadJSONL(bytes.NewReader(line), func(r *Record) error {
			if r.Kind != want {
				return fmt.Errorf("kind %q, encoding/json %q", r.Kind, want)
			}
			if got, _ := r.StrField(want); got != want {
				return fmt.Errorf("field %q, encoding/json %q", got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if isValidUTF8(s) && want != s {
			t.Fatalf("valid string %q read back as %q", s, want)
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
