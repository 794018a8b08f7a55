package scenarios

import "github.com/netsimlab/netsim/internal/addrcache"

// subjectCache finds what the summary keeps for a record's subject (a link
// direction's accumulator, a host's end of a connection) by the address of
// the subject's string (addrcache): no string compare, no reordering (a
// list of the most recent subjects, before, was reordered, with write
// barriers, each time a transfer's records moved from one link direction
// or host to the other). Eight slots: one is kept per connection.
type subjectCache[V any] struct {
	slots [8]addrcache.Slot[V]
}

// get returns the value kept for s.
func (c *subjectCache[V]) get(s string) (V, bool) {
	if sl := &c.slots[addrcache.Index(s, len(c.slots))]; sl.Holds(s) {
		return sl.V, true
	}
	var zero V
	return zero, false
}

// put keeps v for s, in place of what its slot held. The empty string is
// not kept.
func (c *subjectCache[V]) put(s string, v V) {
	c.slots[addrcache.Index(s, len(c.slots))].Keep(s, v)
}
