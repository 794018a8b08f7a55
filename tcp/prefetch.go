package tcp

import (
	"unsafe"

	"github.com/netsimlab/netsim/internal/prefetch"
)

// Prefetch asks the processor to start loading every cache line of the
// connection's state, as a host does once it has found the connection a
// segment is for: with a thousand flows taking turns, the Conn has left
// the caches since its previous segment, and Input reads fields on most
// of its lines, each miss waited for in turn where the prefetches load
// them together. A hint only: it changes nothing the connection does.
func (c *Conn) Prefetch() {
	prefetch.Lines(unsafe.Pointer(c), unsafe.Sizeof(*c))
}
