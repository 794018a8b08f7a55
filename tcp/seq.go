package tcp

// Seq is a TCP sequence number. Comparisons are modulo 2^32 (RFC 9293 §3.4):
// a is less than b when the signed 32-bit distance from a to b is positive.
// Never compare raw uint32 values of sequence numbers.
type Seq uint32

// Add returns s advanced by n bytes (modulo 2^32).
func (s Seq) Add(n uint32) Seq { return s + Seq(n) }

// Sub returns the signed distance s-o, valid when the two are less than 2^31
// apart.
func (s Seq) Sub(o Seq) int32 { return int32(s - o) }

// LessThan reports whether s comes before o.
func (s Seq) LessThan(o Seq) bool { return int32(s-o) < 0 }

// LessEq reports whether s comes before o or equals it.
func (s Seq) LessEq(o Seq) bool { return int32(s-o) <= 0 }

// GreaterThan reports whether s comes after o.
func (s Seq) GreaterThan(o Seq) bool { return int32(s-o) > 0 }

// GreaterEq reports whether s comes after o or equals it.
func (s Seq) GreaterEq(o Seq) bool { return int32(s-o) >= 0 }

// InWindow reports whether s lies in [start, start+size). An empty window
// holds nothing.
func (s Seq) InWindow(start Seq, size uint32) bool {
	return uint32(s-start) < size
}

// InRange reports whether s lies in [lo, hi) modulo 2^32.
func (s Seq) InRange(lo, hi Seq) bool {
	return uint32(s-lo) < uint32(hi-lo)
}

// Max returns the later of a and b.
func Max(a, b Seq) Seq {
	if a.LessThan(b) {
		return b
	}
	return a
}

// Min returns the earlier of a and b.
func Min(a, b Seq) Seq {
	if a.LessThan(b) {
		return a
	}
	return b
}
