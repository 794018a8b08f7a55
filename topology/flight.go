package topology

import (
	"unsafe"

	"github.com/netsimlab/netsim/internal/prefetch"
	"github.com/netsimlab/netsim/sim"
)

// flight is a packet whose last bit has left and that will arrive at a
// given time.
type flight struct {
	at      sim.Time
	seq     uint64 // order of leaving: breaks ties between equal arrivals
	p       *Packet
	corrupt bool
}

func flightLess(a, b *flight) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
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

// flights holds a direction's packets in flight: a FIFO for those launched
// in order (their arrivals never decrease, so the oldest is the next), and
// a heap for those launched while reordering was on. The next arrival is
// the earlier of the two heads, so switching Reorder at run time keeps
// every packet's arrival time.
type flights struct {
	fifo ring[flight]
	heap flightHeap
}

func (f *flights) len() int { return f.fifo.len() + len(f.heap) }

func (f *flights) push(x flight, reorder bool) {
	if reorder {
		f.heap.push(x)
	} else {
		f.fifo.push(x)
	}
}

// next returns the flight that arrives first; f must not be empty.
func (f *flights) next() *flight {
	if len(f.heap) == 0 {
		return f.fifo.front()
	}
	if f.fifo.len() == 0 || flightLess(&f.heap[0], f.fifo.front()) {
		return &f.heap[0]
	}
	return f.fifo.front()
}

// prefetch starts loading what the next arrivals will read first, while
// the one before them is handled: the datagram's bytes of the next one
// in order and the Packet of the one after it. Between their
// transmission and their arrival (a bandwidth-delay product of packets
// later, and a full queue's worth) they have left the caches, and the
// receiver's first read of the IPv4 header waited for memory.
func (f *flights) prefetch() {
	r := &f.fifo
	if r.n > 0 {
		if d := r.buf[r.head].p.Data; cap(d) > 0 {
			prefetch.Line(unsafe.Pointer(unsafe.SliceData(d)))
		}
	}
	if r.n > 1 {
		i := r.head + 1
		if i == len(r.buf) {
			i = 0
		}
		prefetch.Line(unsafe.Pointer(r.buf[i].p))
	}
}

// pop removes and returns the flight that arrives first.
func (f *flights) pop() flight {
	if len(f.heap) == 0 {
		return f.fifo.pop()
	}
	if f.fifo.len() == 0 || flightLess(&f.heap[0], f.fifo.front()) {
		return f.heap.pop()
	}
	return f.fifo.pop()
}
