// Package addrcache keeps a value per string by the string's address and
// length instead of its bytes. The producers of trace records name a node
// or a link direction with the same string every time, so a consumer that
// keeps something per subject (the fingerprint's digest, the summary's
// accumulator) finds it with one slot read, no hashing of the bytes and no
// string compare. A slot holds a pointer to its string's bytes, so no other
// string can take that address while it is kept: a match is never a false
// one. A miss costs only the caller's slower lookup.
//
// The caller owns the slots (an array whose length is a power of two), so
// that each cache is sized for its use: a few per connection, more for a
// whole network.
package addrcache

import "unsafe"

// Slot holds a value for one string.
type Slot[V any] struct {
	p *byte
	n int
	// V is the value kept for the string.
	V V
}

// Index returns the slot of s among size slots; size is a power of two.
func Index(s string, size int) int {
	return int((uintptr(unsafe.Pointer(unsafe.StringData(s)))>>3 ^ uintptr(len(s))) & uintptr(size-1))
}

// Holds reports whether sl holds a value for s: the same bytes at the same
// address, not an equal copy.
func (sl *Slot[V]) Holds(s string) bool {
	return sl.p != nil && sl.p == unsafe.StringData(s) && sl.n == len(s)
}

// Keep makes sl hold v for s, in place of what it held. The empty string
// is not kept.
func (sl *Slot[V]) Keep(s string, v V) {
	if len(s) > 0 {
		*sl = Slot[V]{unsafe.StringData(s), len(s), v}
	}
}
