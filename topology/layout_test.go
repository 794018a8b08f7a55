package topology

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// mallocHeader is the header Go puts before an object with pointers of
// more than 512 bytes, in its size class's slot (whose slots start on
// cache lines): the object's lines start mallocHeader bytes early.
const mallocHeader = 8

// lineOf returns the cache line of the byte at offset off in a Link.
func lineOf(off uintptr) uintptr { return (off + mallocHeader) / 64 }

// TestDirectionLines checks the layout a packet's passage relies on: with
// a thousand flows each access link is cold when its packet comes, so
// every line its fields span is a cache miss. The link's hot fields fill
// its first two lines, and each direction starts on a line and keeps
// what a packet touches in its first five.
func TestDirectionLines(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout held here is that of 64-bit builds")
	}
	// NewLink's links start mallocHeader bytes after a line.
	var ids IDs
	for range 8 {
		nl, err := NewLink(sim.NewScheduler(), sim.NewStreams(1), nil, ids.Next, LinkConfig{Name: "l"}, "a", "b")
		require.NoError(t, err)
		require.Equal(t, uintptr(mallocHeader), uintptr(unsafe.Pointer(nl))%64)
	}
	var l Link
	// 1,152 bytes and the header fit Go's 1,280-byte size class.
	require.LessOrEqual(t, unsafe.Sizeof(l)+mallocHeader, uintptr(1280))
	require.Zero(t, unsafe.Sizeof(direction{})%64, "a direction spans whole lines")
	for _, off := range []uintptr{unsafe.Offsetof(l.s), unsafe.Offsetof(l.kinds), unsafe.Offsetof(l.ends) + unsafe.Sizeof(l.ends) - 1,
		unsafe.Offsetof(l.up)} {
		require.Equal(t, uintptr(0), lineOf(off))
	}
	for _, off := range []uintptr{unsafe.Offsetof(l.cfg.Rate), unsafe.Offsetof(l.cfg.Delay), unsafe.Offsetof(l.cfg.MTU),
		unsafe.Offsetof(l.cfg.Overhead), unsafe.Offsetof(l.cfg.Jitter), unsafe.Offsetof(l.cfg.Duplicate),
		unsafe.Offsetof(l.cfg.Corrupt), unsafe.Offsetof(l.cfg.Reorder)} {
		require.Equal(t, uintptr(1), lineOf(unsafe.Offsetof(l.cfg)+off))
	}
	dirs := unsafe.Offsetof(l.dirs)
	require.Zero(t, (dirs+mallocHeader)%64, "the directions start on a line")
	first := lineOf(dirs)
	var d direction
	for i, offs := range [][]uintptr{
		{unsafe.Offsetof(d.l), unsafe.Offsetof(d.queue), unsafe.Offsetof(d.wire), unsafe.Offsetof(d.wireDelay),
			unsafe.Offsetof(d.lastArrival), unsafe.Offsetof(d.seq), unsafe.Offsetof(d.from), unsafe.Offsetof(d.fifo),
			unsafe.Offsetof(d.held)},
		{unsafe.Offsetof(d.txDone), unsafe.Offsetof(d.sent) + unsafe.Sizeof(d.sent) - 1},
		{unsafe.Offsetof(d.arrival), unsafe.Offsetof(d.transmitted) + unsafe.Sizeof(d.transmitted) - 1},
		{unsafe.Offsetof(d.flights), unsafe.Offsetof(d.flights) + unsafe.Sizeof(d.flights) - 1},
		{unsafe.Offsetof(d.loss), unsafe.Offsetof(d.dirTrace), unsafe.Offsetof(d.delivered),
			unsafe.Offsetof(d.sojourn) + unsafe.Sizeof(d.sojourn) - 1},
	} {
		for _, off := range offs {
			require.Equal(t, first+uintptr(i), lineOf(dirs+off))
		}
	}
}
