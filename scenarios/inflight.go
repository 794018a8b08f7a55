package scenarios

// inFlightTable maps the IDs of packets in flight (sent and not yet
// delivered, enqueued and not yet transmitted) to what the summary keeps
// of them until then. A Go map costs a hash, a probe and, as entries come
// and go, rehashing, for each of the several records of every packet. But
// packet IDs are handed out in increasing order, one run-wide counter, and
// packets mostly leave a link or reach their host in about the order they
// were sent; so a window of slots indexed by ID, from the oldest one
// still pending, serves nearly every lookup with one array access. An
// entry that holds the window up for too long (a packet that will never be
// delivered: it was lost) moves to a map, as does one whose ID falls behind
// the window; lookups fall back to that map, so the table answers exactly
// as a map would, whatever the order.
type inFlightTable[V any] struct {
	slots []inFlightSlot[V] // a ring; len is 0 or a power of two
	head  int               // the ring index of base
	base  uint64            // the ID of slots[head]
	span  int               // IDs [base, base+span) may be in the ring
	live  int               // entries in the ring
	old   map[uint64]V
}

type inFlightSlot[V any] struct {
	v  V
	ok bool
}

// firstInFlightSlots is the ring's size when first used: most tables
// (a link direction of a large network, its queue mostly empty) never
// hold more than a few entries at a time. Up to minInFlightSlots the ring
// doubles whenever an ID falls past its end, so that a window over
// sparse IDs (other links' packets take the IDs between) is not sent to
// the map; beyond, only while it is dense.
const (
	firstInFlightSlots = 8
	minInFlightSlots   = 256
)

// put sets the entry of id.
func (t *inFlightTable[V]) put(id uint64, v V) {
	if t.span == 0 {
		t.base = id
	}
	if id < t.base {
		t.spill(id, v)
		return
	}
	for id-t.base >= uint64(len(t.slots)) {
		// The window is full: grow it while it is dense enough to be worth
		// its memory, or else move its oldest entries out.
		if len(t.slots) < minInFlightSlots || t.live >= len(t.slots)/4 {
			t.grow()
			continue
		}
		t.evictFront(id)
	}
	off := int(id - t.base)
	s := &t.slots[(t.head+off)&(len(t.slots)-1)]
	if !s.ok {
		t.live++
	}
	s.v, s.ok = v, true
	t.span = max(t.span, off+1)
}

// take removes and returns the entry of id.
func (t *inFlightTable[V]) take(id uint64) (V, bool) {
	if id >= t.base && id-t.base < uint64(t.span) {
		s := &t.slots[(t.head+int(id-t.base))&(len(t.slots)-1)]
		if s.ok {
			v := s.v
			*s = inFlightSlot[V]{}
			t.live--
			t.trim()
			return v, true
		}
	}
	v, ok := t.old[id]
	if ok {
		delete(t.old, id)
	}
	return v, ok
}

// drop removes the entry of id, if any.
func (t *inFlightTable[V]) drop(id uint64) { t.take(id) }

// trim moves the window's start past the IDs no longer pending.
func (t *inFlightTable[V]) trim() {
	mask := len(t.slots) - 1
	for t.span > 0 && !t.slots[t.head].ok {
		t.head = (t.head + 1) & mask
		t.base++
		t.span--
	}
}

// evictFront moves the oldest entries to the map until id fits in the
// window.
func (t *inFlightTable[V]) evictFront(id uint64) {
	mask := len(t.slots) - 1
	for t.span > 0 && id-t.base >= uint64(len(t.slots)) {
		if s := &t.slots[t.head]; s.ok {
			t.spill(t.base, s.v)
			*s = inFlightSlot[V]{}
			t.live--
		}
		t.head = (t.head + 1) & mask
		t.base++
		t.span--
		t.trim()
	}
	if t.span == 0 {
		t.base = id
	}
}

func (t *inFlightTable[V]) spill(id uint64, v V) {
	if t.old == nil {
		t.old = map[uint64]V{}
	}
	t.old[id] = v
}

// grow doubles the ring, keeping the entries at their IDs.
func (t *inFlightTable[V]) grow() {
	n := max(firstInFlightSlots, 2*len(t.slots))
	slots := make([]inFlightSlot[V], n)
	for i := range t.span {
		slots[i] = t.slots[(t.head+i)&(len(t.slots)-1)]
	}
	t.slots, t.head = slots, 0
}
