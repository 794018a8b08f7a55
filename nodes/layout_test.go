package nodes

import (
	"net/netip"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// mallocHeader is the header Go puts before an object with pointers of
// more than 512 bytes, in its size class's slot (whose slots start on
// cache lines): the object's lines start mallocHeader bytes early.
const mallocHeader = 8

// TestHostLines checks that what a host touches for every segment it
// sends or receives sits in the first two cache lines of its object, in
// Go's 768-byte size class: with a thousand hosts taking turns each is
// cold when its segment comes, and every line read is a miss.
func TestHostLines(t *testing.T) {
	n := NewNetwork(1, nil)
	for i := range 8 {
		h, err := n.AddHost(string(rune('a'+i)), netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), tcp.DefaultConfig())
		require.NoError(t, err)
		require.Equal(t, uintptr(mallocHeader), uintptr(unsafe.Pointer(h))%64, "a Host starts mallocHeader bytes after a line")
	}
	var h Host
	require.LessOrEqual(t, unsafe.Sizeof(h)+mallocHeader, uintptr(768))
	for _, end := range []uintptr{
		unsafe.Offsetof(h.lastConn), unsafe.Offsetof(h.notes), unsafe.Offsetof(h.dispatching),
		unsafe.Offsetof(h.delivered) + unsafe.Sizeof(h.delivered),
		unsafe.Offsetof(h.addr) + unsafe.Sizeof(h.addr), unsafe.Offsetof(h.net),
		unsafe.Offsetof(h.sent), unsafe.Offsetof(h.ipID),
		unsafe.Offsetof(h.routes) + unsafe.Offsetof(h.routes.only) + unsafe.Sizeof(h.routes.only),
	} {
		// end: the end of a field (or its start, which must then not be
		// past the second line either).
		require.LessOrEqual(t, end+mallocHeader, uintptr(2*64))
	}
}
