package scenarios

import "unsafe"

// subjectCache finds what the summary keeps for a record's subject (a link
// direction's accumulator, a host's end of a connection) without reading
// the subject's bytes. The producers name a node or link direction with
// the same string every time, so a subject is found by the address and
// length of its string: one slot chosen by the address, no string
// compare, no reordering (a list of the most recent subjects, before,
// was reordered, with write barriers, each time a transfer's records
// moved from one link direction or host to the other). A miss only costs
// the caller's slower lookup; the slot then keeps the subject (and so
// its string alive: no other string can take its address meanwhile).
type subjectCache[V any] struct {
	slots [subjectCacheSlots]subjectSlot[V]
}

type subjectSlot[V any] struct {
	p *byte
	n int
	v V
}

// subjectCacheSlots is the size of a subjectCache, a power of two.
const subjectCacheSlots = 8

func (c *subjectCache[V]) slot(s string) *subjectSlot[V] {
	p := unsafe.StringData(s)
	return &c.slots[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))&(subjectCacheSlots-1)]
}

// get returns the value kept for s.
func (c *subjectCache[V]) get(s string) (V, bool) {
	if sl := c.slot(s); sl.p == unsafe.StringData(s) && sl.n == len(s) && sl.p != nil {
		return sl.v, true
	}
	var zero V
	return zero, false
}

// put keeps v for s, in place of what its slot held. The empty string is
// not kept.
func (c *subjectCache[V]) put(s string, v V) {
	if len(s) > 0 {
		*c.slot(s) = subjectSlot[V]{unsafe.StringData(s), len(s), v}
	}
}
