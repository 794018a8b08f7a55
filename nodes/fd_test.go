package nodes

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// Socket returns the lowest free descriptor (from 3), as a linear scan
// does, under random opens and closes.
func TestSocketReturnsLowestFreeDescriptor(t *testing.T) {
	n := NewNetwork(1, nil)
	h, err := n.AddHost("a", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	require.NoError(t, err)
	open := map[int]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		if len(open) > 0 && rng.IntN(100) < 45 {
			// Close a random open descriptor.
			fd := firstFD + rng.IntN(len(open)*2+1)
			for !open[fd] {
				fd = firstFD + rng.IntN(len(open)*2+1)
			}
			require.NoError(t, h.Close(fd))
			delete(open, fd)
			continue
		}
		want := firstFD
		for open[want] {
			want++
		}
		fd, err := h.Socket()
		require.NoError(t, err)
		require.Equal(t, want, fd, "step %d", i)
		open[fd] = true
	}
}

// BenchmarkSocketManyOpen opens a socket and closes it with 100,000
// others open below it: O(log n), not a scan of the 100,000.
func BenchmarkSocketManyOpen(b *testing.B) {
	n := NewNetwork(1, nil)
	h, _ := n.AddHost("a", netip.MustParseAddr("10.0.0.1"), tcp.DefaultConfig())
	for range 100000 {
		_, _ = h.Socket()
	}
	b.ResetTimer()
	for range b.N {
		fd, _ := h.Socket()
		_ = h.Close(fd)
	}
}
