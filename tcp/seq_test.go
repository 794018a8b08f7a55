package tcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSeqCompare: RFC 9293 §3.4 comparisons are modulo 2^32, so they hold
// across the wrap from 2^32-1 to 0 exactly as away from it.
func TestSeqCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b Seq
		less bool // a before b
	}{
		{name: "plain", a: 1, b: 2, less: true},
		{name: "plain reversed", a: 2, b: 1},
		{name: "across the wrap", a: 0xffffffff, b: 0, less: true},
		{name: "across the wrap reversed", a: 0, b: 0xffffffff},
		{name: "far across the wrap", a: 0xfffff000, b: 0x00000fff, less: true},
		{name: "just under half the space", a: 0, b: 0x7fffffff, less: true},
		{name: "just under half across the wrap", a: 0x80000001, b: 0, less: true},
		{name: "half and one more is behind", a: 0, b: 0x80000001},
		{name: "high to low without wrap", a: 0x7fffffff, b: 0x80000000, less: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.less, tt.a.LessThan(tt.b))
			assert.Equal(t, tt.less, tt.a.LessEq(tt.b))
			assert.Equal(t, tt.less, tt.b.GreaterThan(tt.a))
			assert.Equal(t, tt.less, tt.b.GreaterEq(tt.a))
			assert.Equal(t, !tt.less, tt.a.GreaterThan(tt.b))
			assert.Equal(t, !tt.less, tt.b.LessThan(tt.a))
			if tt.less {
				assert.Equal(t, tt.b, Max(tt.a, tt.b))
				assert.Equal(t, tt.a, Min(tt.b, tt.a))
				assert.Positive(t, tt.b.Sub(tt.a))
				assert.Negative(t, tt.a.Sub(tt.b))
			}
		})
	}
	for _, s := range []Seq{0, 1, 0x7fffffff, 0x80000000, 0xffffffff} {
		assert.True(t, s.LessEq(s))
		assert.True(t, s.GreaterEq(s))
		assert.False(t, s.LessThan(s))
		assert.False(t, s.GreaterThan(s))
		assert.Equal(t, int32(0), s.Sub(s))
	}
}

func TestSeqAddWraps(t *testing.T) {
	assert.Equal(t, Seq(0), Seq(0xffffffff).Add(1))
	assert.Equal(t, Seq(1447), Seq(0xffffffff).Add(1448))
	assert.Equal(t, int32(1448), Seq(0xffffffff).Add(1448).Sub(0xffffffff))
	assert.Equal(t, int32(-2), Seq(0xffffffff).Sub(1))
}

// TestSeqInWindow: RFC 9293 §3.10.7.4's acceptability test is
// RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, modulo 2^32.
func TestSeqInWindow(t *testing.T) {
	tests := []struct {
		name  string
		s     Seq
		start Seq
		size  uint32
		in    bool
	}{
		{name: "at start", s: 100, start: 100, size: 10, in: true},
		{name: "last byte", s: 109, start: 100, size: 10, in: true},
		{name: "one past", s: 110, start: 100, size: 10},
		{name: "one before", s: 99, start: 100, size: 10},
		{name: "empty window holds nothing", s: 100, start: 100, size: 0},
		{name: "window across the wrap, before it", s: 0xfffffffe, start: 0xfffffff0, size: 0x20, in: true},
		{name: "window across the wrap, after it", s: 0x0f, start: 0xfffffff0, size: 0x20, in: true},
		{name: "window across the wrap, past it", s: 0x10, start: 0xfffffff0, size: 0x20},
		{name: "window across the wrap, before start", s: 0xffffffef, start: 0xfffffff0, size: 0x20},
		{name: "largest window, last byte", s: 0xfffffffe, start: 0, size: 0xffffffff, in: true},
		{name: "largest window, one past", s: 0xffffffff, start: 0, size: 0xffffffff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.in, tt.s.InWindow(tt.start, tt.size))
			assert.Equal(t, tt.in, tt.s.InRange(tt.start, tt.start.Add(tt.size)))
		})
	}
}
