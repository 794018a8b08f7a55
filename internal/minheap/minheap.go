// Package minheap is a binary min-heap over a slice, for the few places
// that need one off the per-packet path (the descriptor allocator, the
// shortest-path frontiers). The per-packet flight queue in topology keeps
// its own copy: the generic version measured 1.7x slower there. The
// event queue of sim.Scheduler is not one of these either: it is a 4-ary
// heap indexed by slot, so that an event can be cancelled or moved.
package minheap

// Lesser is an element that orders itself: a.Less(b) reports whether a
// comes out of the heap before b.
type Lesser[T any] interface {
	Less(T) bool
}

// Push adds x to the heap h.
func Push[T Lesser[T]](h *[]T, x T) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].Less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

// Pop removes and returns the least element of h, which must not be empty.
func Pop[T Lesser[T]](h *[]T) T {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	var zero T
	s[last] = zero
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].Less(s[m]) {
			m = l
		}
		if r < len(s) && s[r].Less(s[m]) {
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
