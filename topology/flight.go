package topology

import "github.com/netsimlab/netsim/sim"

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
// departure order). Without reordering arrivals are pushed in order and
// every push and pop is O(1) in practice; with reordering it is what lets a
// later packet overtake an earlier one. Written out rather than with
// container/heap, whose interface boxing would allocate per packet.
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
