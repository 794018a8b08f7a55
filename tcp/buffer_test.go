package tcp

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/pattern"
)

// A send buffer keeps pattern bytes by their phase alone while it holds
// nothing else: their views are the pattern's table (which a packet can
// carry by reference); bytes of another kind, or pattern bytes out of
// phase, turn what it holds into bytes, and the views read the same.
func TestSendBufferPattern(t *testing.T) {
	steps := []struct {
		name    string
		write   []byte
		release int  // bytes acknowledged before the write
		wantPat bool // still kept by phase after the write
	}{
		{"pattern into an empty buffer", pattern.At(7, 3000), 0, true},
		{"the pattern continued", pattern.At(3007, 5000), 0, true},
		{"acknowledged in part, continued again", pattern.At(8007, 100), 2500, true},
		{"out of phase", pattern.At(5, 1000), 0, false},
		{"pattern behind bytes", pattern.At(1005, 2000), 0, false},
		{"everything acknowledged, pattern again", pattern.At(40, 1448), 1 << 20, true},
		{"other bytes", []byte("hello, world"), 0, false},
	}
	var b sendBuffer
	b.init(1<<20, 1000)
	var want []byte // the stream from base
	for _, s := range steps {
		if s.release > 0 {
			k := min(s.release, len(want))
			b.releaseTo(b.base.Add(uint32(k)))
			want = want[k:]
		}
		require.Equal(t, len(s.write), b.write(s.write, 1<<20), s.name)
		want = append(want, s.write...)
		require.Equal(t, s.wantPat, b.pat, s.name)
		require.Equal(t, len(want), b.len(), s.name)
		// Every segment-sized view reads the stream.
		for off := 0; off < len(want); off += 1448 {
			n := min(1448, len(want)-off)
			v := b.view(b.base.Add(uint32(off)), n)
			require.True(t, bytes.Equal(want[off:off+n], v), "%s: view at %d", s.name, off)
			_, byPhase := pattern.Phase(v)
			require.Equal(t, s.wantPat, byPhase, "%s: a view by reference exactly when kept by phase", s.name)
		}
	}
	b.releaseTo(b.endSeq())
	require.Zero(t, b.len())
	require.Nil(t, b.block, "a drained buffer holds no block")
}

// Two Conns carry a stream written as a mix of pattern slices (in phase
// and out of it) and other bytes, through loss, duplication and
// reordering: the receiver reads exactly the bytes written.
func TestPairPatternStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var chunks [][]byte
	var want []byte
	off := int64(0)
	for range 300 {
		var c []byte
		switch k := rng.IntN(10); {
		case k < 7: // the pattern, continued
			c = pattern.At(off, 1+rng.IntN(20000))
		case k < 9: // the pattern out of phase
			c = pattern.At(off+1+int64(rng.IntN(250)), 1+rng.IntN(3000))
		default:
			c = testPayload(1+rng.IntN(3000), byte(k))
		}
		chunks = append(chunks, c)
		want = append(want, c...)
		off += int64(len(c))
	}
	ch := newChannel(t, DefaultConfig(), DefaultConfig(), 5*time.Millisecond)
	ch.rng = rand.New(rand.NewPCG(9, 9))
	ch.loss, ch.dup, ch.reorder = 0.02, 0.01, 0.01
	ch.open()
	sent := 0
	for ch.now < 5*time.Minute && (sent < len(chunks) || ch.gotB.Len() < len(want)) {
		for sent < len(chunks) {
			n, err := ch.a.Write(ch.now, chunks[sent])
			if err != nil || n == 0 {
				break
			}
			chunks[sent] = chunks[sent][n:]
			if len(chunks[sent]) == 0 {
				sent++
			}
		}
		if !ch.step() {
			break
		}
	}
	require.Equal(t, len(want), ch.gotB.Len())
	require.True(t, bytes.Equal(want, ch.gotB.Bytes()), "the receiver reads the bytes written")
	require.Positive(t, ch.a.Stats().Retransmits, "the stream was retransmitted in part")
}

// A receive buffer keeps pattern bytes by their phase while everything
// written to it, in order or not, is the pattern in one phase; other
// bytes, or pattern bytes out of phase, turn what it holds into bytes.
// Either way the reader reads what was written.
func TestRecvBufferPattern(t *testing.T) {
	type write struct {
		off int // past the in-order bytes
		p   []byte
	}
	steps := []struct {
		name    string
		writes  []write
		commit  int // bytes made in order after the writes
		read    int // bytes read after the commit
		wantPat bool
	}{
		{"in order", []write{{0, pattern.At(100, 1448)}}, 1448, 0, true},
		{"out of order, same phase", []write{{1448, pattern.At(100+2896, 1448)}}, 0, 0, true},
		{"the hole filled", []write{{0, pattern.At(100+1448, 1448)}}, 2 * 1448, 1000, true},
		{"out of phase", []write{{0, pattern.At(7, 500)}}, 500, 3844, false},
		{"drained, then other bytes", []write{{0, []byte("abc")}}, 3, 0, false},
		{"pattern behind bytes", []write{{0, pattern.At(3, 10)}}, 10, 13, false},
		{"empty again, pattern", []write{{0, pattern.At(9, 100)}, {200, pattern.At(209, 50)}, {100, pattern.At(109, 100)}}, 250, 0, true},
		{"bytes out of order behind the pattern", []write{{0, []byte("xyz")}}, 3, 253, false},
	}
	var b recvBuffer
	b.init(1 << 20)
	var stream []byte // what the writes put at each position from head, in order
	put := func(pos int, p []byte) {
		for len(stream) < pos+len(p) {
			stream = append(stream, 0)
		}
		copy(stream[pos:], p)
	}
	buf := make([]byte, 1<<16)
	for _, s := range steps {
		for _, w := range s.writes {
			b.writeAt(w.off, w.p)
			put(b.n+w.off, w.p)
		}
		b.commit(s.commit)
		require.Equal(t, s.wantPat, b.pat(), s.name)
		if s.read > 0 {
			n := b.read(buf[:s.read])
			require.Equal(t, s.read, n, s.name)
			require.True(t, bytes.Equal(stream[:n], buf[:n]), "%s: read", s.name)
			stream = stream[n:]
		}
	}
	require.Zero(t, b.n)
	require.Nil(t, b.block, "a drained buffer holds no block")
	require.False(t, b.pat())
}

// TestRecvBufferSkipPattern: taking pattern bytes by their phase leaves
// the buffer as reading them does, and the phase before says what they
// were.
func TestRecvBufferSkipPattern(t *testing.T) {
	var a, b recvBuffer
	a.init(1 << 20)
	b.init(1 << 20)
	buf := make([]byte, 1000)
	for i, n := range []int{1448, 700, 251, 5000} {
		off := int64(17 + 1000*i)
		a.writeAt(0, pattern.At(off, n))
		b.writeAt(0, pattern.At(off, n))
		a.commit(n)
		b.commit(n)
		for a.n > 0 {
			phase := b.patPhase()
			got := a.read(buf)
			require.Equal(t, got, b.skipPattern(len(buf)))
			require.True(t, bytes.Equal(buf[:got], pattern.At(int64(phase), got)))
			require.Equal(t, a, b)
		}
	}
	require.Nil(t, b.block)
}
