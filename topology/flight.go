package topology

import (
	"unsafe"

	"github.com/netsimlab/netsim/internal/prefetch"
	"github.com/netsimlab/netsim/sim"
)

// flight is a packet whose last bit has left and that will arrive at a
// given time. It is 24 bytes, so that one fits in a direction's line
// beside the FIFO of the others (inOrder).
type flight struct {
	at sim.Time
	// key is the order of leaving (which breaks ties between equal
	// arrivals) times two, plus one for a copy the link corrupted: the
	// order is unique per direction, so keys order flights as the order
	// of leaving does.
	key uint64
	p   *Packet
}

// newFlight returns the flight of p, the seq-th packet to leave its
// direction, arriving at at.
func newFlight(at sim.Time, seq uint64, p *Packet, corrupt bool) flight {
	f := flight{at: at, key: seq << 1, p: p}
	if corrupt {
		f.key |= 1
	}
	return f
}

// corrupt reports whether the link flipped a bit of the packet.
func (f *flight) corrupt() bool { return f.key&1 != 0 }

func flightLess(a, b *flight) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.key < b.key
}

// flightHeap is a binary min-heap of packets in flight ordered by (arrival,
// departure order): what lets a later packet overtake an earlier one when
// reordering is on. (In order, packets in flight wait in a plain FIFO.)
// Written out rather than with container/heap, whose interface boxing
// would allocate per packet, and rather than with internal/minheap (as
// routes.go and the descriptor allocator do), whose comparisons Go calls through a
// dictionary: that made push-pop about 1.7 times slower here, on a path
// taken per packet.
type flightHeap []flight

func (h *flightHeap) push(f flight) {
	*h = append(*h, f)
	s := *h
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !flightLess(&s[i], &s[parent]) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *flightHeap) pop() flight {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = flight{}
	s = s[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && flightLess(&s[l], &s[m]) {
			m = l
		}
		if r < len(s) && flightLess(&s[r], &s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// inOrder holds a direction's packets launched in order (their arrivals
// never decrease, so the oldest is the next): the oldest in first, the
// others in rest. With a thousand flows an access link has one packet in
// flight at a time, which then stays in the direction's own line rather
// than in a buffer of its own, another cache miss at every launch.
type inOrder struct {
	first flight // first.p is nil when none is in flight
	rest  ring[flight]
}

func (q *inOrder) len() int {
	if q.first.p == nil {
		return 0
	}
	return 1 + q.rest.len()
}

func (q *inOrder) push(x flight) {
	if q.first.p == nil {
		q.first = x
		return
	}
	q.rest.push(x)
}

// front returns the oldest flight; q must not be empty.
func (q *inOrder) front() *flight { return &q.first }

func (q *inOrder) pop() flight {
	x := q.first
	if q.rest.len() > 0 {
		q.first = q.rest.pop()
	} else {
		q.first = flight{}
	}
	return x
}

// prefetch starts loading what the next arrivals will read first, while
// the one before them is handled: the datagram's bytes of the next one
// in order and the Packet of the one after it. Between their
// transmission and their arrival (a bandwidth-delay product of packets
// later, and a full queue's worth) they have left the caches, and the
// receiver's first read of the IPv4 header waited for memory.
func (q *inOrder) prefetch() {
	if q.first.p == nil {
		return
	}
	if d := q.first.p.Data; cap(d) > 0 {
		prefetch.Line(unsafe.Pointer(unsafe.SliceData(d)))
	}
	if q.rest.len() > 0 {
		prefetch.Line(unsafe.Pointer(q.rest.front().p))
	}
}

// The packets in flight of a direction are those of its inOrder FIFO and
// those launched while reordering was on, in a heap (d.reordered). The
// next arrival is the earlier of the two heads, so switching Reorder at
// run time keeps every packet's arrival time.

// inFlight returns how many packets are in flight.
func (d *direction) inFlight() int {
	n := d.flights.len()
	if d.reordering {
		n += len(*d.reordered)
	}
	return n
}

func (d *direction) pushFlight(x flight, reorder bool) {
	if !reorder {
		d.flights.push(x)
		return
	}
	if d.reordered == nil {
		d.reordered = new(flightHeap)
	}
	d.reordered.push(x)
	d.reordering = true
}

// reorderedFirst returns the packet of the reordered heap that arrives
// first, if it arrives before the first one in order (or there is none in
// order), else nil.
func (d *direction) reorderedFirst() *flight {
	if !d.reordering {
		return nil
	}
	h := *d.reordered
	if d.flights.len() == 0 || flightLess(&h[0], d.flights.front()) {
		return &h[0]
	}
	return nil
}

// nextFlight returns the flight that arrives first; there must be one.
func (d *direction) nextFlight() *flight {
	if f := d.reorderedFirst(); f != nil {
		return f
	}
	return d.flights.front()
}

// popFlight removes and returns the flight that arrives first.
func (d *direction) popFlight() flight {
	if d.reorderedFirst() == nil {
		return d.flights.pop()
	}
	x := d.reordered.pop()
	d.reordering = len(*d.reordered) > 0
	return x
}
