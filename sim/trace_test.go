package sim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRecordAccessors(t *testing.T) {
	r := &Record{T: 5, Kind: KindPacketDrop, Subject: "link/l/a>b", Fields: []Field{
		Int("id", 7),
		Int("neg", -3),
		Uint("small", 9),
		Uint("huge", math.MaxUint64),
		Float("util", 0.5),
		String("reason", DropQueue),
		String("nan", "NaN"),
		String("inf", "+Inf"),
		String("ninf", "-Inf"),
		Bool("up", true),
		Bool("down", false),
	}}
	type want struct {
		i   int64
		iok bool
		u   uint64
		uok bool
		f   float64
		fok bool
		s   string
		sok bool
		b   bool
		bok bool
	}
	tests := []struct {
		key  string
		want want
	}{
		{"id", want{i: 7, iok: true, u: 7, uok: true, f: 7, fok: true}},
		{"neg", want{i: -3, iok: true, f: -3, fok: true}},
		{"small", want{i: 9, iok: true, u: 9, uok: true, f: 9, fok: true}},
		{"huge", want{u: math.MaxUint64, uok: true, f: math.MaxUint64, fok: true}},
		{"util", want{f: 0.5, fok: true}},
		{"reason", want{s: "queue", sok: true}},
		{"nan", want{s: "NaN", sok: true, f: math.NaN(), fok: true}},
		{"inf", want{s: "+Inf", sok: true, f: math.Inf(1), fok: true}},
		{"ninf", want{s: "-Inf", sok: true, f: math.Inf(-1), fok: true}},
		{"up", want{b: true, bok: true}},
		{"down", want{b: false, bok: true}},
		{"missing", want{}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var got want
			got.i, got.iok = r.IntField(tt.key)
			got.u, got.uok = r.UintField(tt.key)
			got.f, got.fok = r.FloatField(tt.key)
			got.s, got.sok = r.StrField(tt.key)
			got.b, got.bok = r.BoolField(tt.key)
			if math.IsNaN(tt.want.f) {
				assert.True(t, math.IsNaN(got.f))
				got.f, tt.want.f = 0, 0
			}
			assert.Equal(t, tt.want, got)
		})
	}
	f, ok := r.Get("reason")
	assert.True(t, ok)
	assert.Equal(t, "queue", f.Value())
	_, ok = r.Get("missing")
	assert.False(t, ok)
}

func TestFieldValue(t *testing.T) {
	assert.Equal(t, int64(-1), Int("k", -1).Value())
	assert.Equal(t, uint64(1), Uint("k", 1).Value())
	assert.Equal(t, 1.5, Float("k", 1.5).Value())
	assert.Equal(t, "s", String("k", "s").Value())
	assert.Equal(t, true, Bool("k", true).Value())
	assert.Equal(t, false, Bool("k", false).Value())
	assert.Nil(t, Field{Key: "k", Type: 99}.Value())
}

func TestRecorderCopiesAndTeeForwards(t *testing.T) {
	var rec Recorder
	var seen []string
	sink := Tee{&rec, SinkFunc(func(r *Record) { seen = append(seen, r.Kind) })}

	r := &Record{T: 1, Kind: "a", Fields: []Field{Int("x", 1)}}
	sink.Emit(r)
	// The producer reuses its record: the recorder's copy must not change.
	r.T, r.Kind, r.Fields[0] = 2, "b", Int("x", 2)
	sink.Emit(r)

	var nilRec *Record
	rec.Emit(nilRec) // ignored
	assert.Equal(t, []string{"a", "b"}, seen)
	assert.Equal(t, []Record{
		{T: 1, Kind: "a", Fields: []Field{Int("x", 1)}},
		{T: 2, Kind: "b", Fields: []Field{Int("x", 2)}},
	}, rec.Records)
}
