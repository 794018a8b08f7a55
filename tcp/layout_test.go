package tcp

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// connLine returns the cache line of the byte at offset off in a Conn:
// Go puts an 8-byte header before an object with pointers of more than
// 512 bytes, in a slot of its size class that starts on a line
// (TestConnSizeClass), so a Conn's lines start 8 bytes early.
func connLine(off uintptr) uintptr { return (off + 8) / 64 }

// TestConnLines holds the layout Conn's comment describes. With a
// thousand flows each connection is cold when its next segment comes, and
// every line a segment touches is a cache miss: a bulk receiver's data
// segments touch the receiver's lines and the common ones (lines 0 to 8),
// a bulk sender's ACKs the common lines and the sender's (2 to 15), and
// the rarely read fields come after both. A field added to a group that
// pushes it past its lines fails here: put it with the rare ones, or make
// room.
func TestConnLines(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout held here is that of 64-bit builds")
	}
	for range 8 {
		c, err := NewConn(DefaultConfig(), epA, epB, 1000, 1)
		require.NoError(t, err)
		require.Equal(t, uintptr(8), uintptr(unsafe.Pointer(c))%64, "a Conn starts 8 bytes into a line")
	}
	var c Conn
	end := func(off, size uintptr) uintptr { return off + size - 1 }
	// The receiver's own fields, then the common ones.
	require.Zero(t, unsafe.Offsetof(c.rcvTune))
	require.Equal(t, uintptr(2), connLine(unsafe.Offsetof(c.rb)+unsafe.Offsetof(c.rb.n)),
		"the window the sender reads shares the first common line")
	require.Equal(t, uintptr(2), connLine(unsafe.Offsetof(c.cfg)))
	commonEnd := unsafe.Offsetof(c.rtt) + unsafe.Offsetof(c.rtt.hasSample)
	require.Equal(t, uintptr(8), connLine(commonEnd), "the common lines end on line 8")
	for _, off := range []uintptr{unsafe.Offsetof(c.rtt) + unsafe.Offsetof(c.rtt.rto),
		unsafe.Offsetof(c.rtt) + unsafe.Offsetof(c.rtt.max), unsafe.Offsetof(c.passive)} {
		require.LessOrEqual(t, off, commonEnd)
	}
	// The sender's fields, to the counter of duplicate ACKs.
	require.Greater(t, unsafe.Offsetof(c.rtt)+unsafe.Offsetof(c.rtt.srtt), commonEnd)
	senderEnd := end(unsafe.Offsetof(c.losses)+unsafe.Offsetof(c.losses.DupAcksReceived), 8)
	require.LessOrEqual(t, connLine(senderEnd), uintptr(15), "the sender's lines end on line 15")
	for _, off := range []uintptr{unsafe.Offsetof(c.cc), unsafe.Offsetof(c.rack), unsafe.Offsetof(c.rate),
		unsafe.Offsetof(c.board), unsafe.Offsetof(c.prr)} {
		require.Greater(t, off, commonEnd)
		require.Less(t, off, senderEnd)
	}
	// The rest comes after both.
	for _, off := range []uintptr{unsafe.Offsetof(c.ecn), unsafe.Offsetof(c.localAddr), unsafe.Offsetof(c.iss),
		unsafe.Offsetof(c.tw), unsafe.Offsetof(c.spaceWake)} {
		require.Greater(t, off, senderEnd)
	}
}
