package tcp

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// establishedPair returns two Conns that completed a handshake through
// direct segment exchange.
func establishedPair(tb testing.TB, cfg Config) (a, b *Conn) {
	a, err := NewConn(cfg, epA, epB, 1000, 1)
	require.NoError(tb, err)
	b, err = NewConn(cfg, epB, epA, 900000, 2)
	require.NoError(tb, err)
	require.NoError(tb, b.Listen(0))
	b.Events(func(*Event) {})
	require.NoError(tb, a.Connect(0))
	a.Events(func(*Event) {})
	now := time.Duration(0)
	for range 4 {
		now += time.Millisecond
		// Drain events after each step, as a socket layer does.
		a.Segments(func(h *Header, p []byte) { b.Input(now, h, p) })
		b.Events(func(*Event) {})
		b.Segments(func(h *Header, p []byte) { a.Input(now, h, p) })
		a.Events(func(*Event) {})
	}
	require.Equal(tb, Established, a.State())
	require.Equal(tb, Established, b.State())
	return a, b
}

// bulkRig moves a bulk stream from A to B with no loss, handing each
// segment straight to the other Conn; step is one round at 50 µs.
type bulkRig struct {
	src, dst *Conn
	now      time.Duration
	segs     int
	chunk    []byte
	buf      []byte
	toB, toA func(h *Header, p []byte)
	drop     func(*Event)
}

func newBulkRig(tb testing.TB) *bulkRig {
	r := &bulkRig{now: time.Second, chunk: make([]byte, 64<<10), buf: make([]byte, 64<<10)}
	r.src, r.dst = establishedPair(tb, DefaultConfig())
	r.toB = func(h *Header, p []byte) {
		if len(p) > 0 {
			r.segs++
		}
		r.dst.Input(r.now, h, p)
	}
	r.toA = func(h *Header, p []byte) { r.src.Input(r.now, h, p) }
	r.drop = func(*Event) {}
	for range 2000 { // reach steady state: full windows, grown slices
		r.step()
	}
	return r
}

func (r *bulkRig) step() {
	r.now += 50 * time.Microsecond
	for r.src.Writable() > 0 {
		if _, err := r.src.Write(r.now, r.chunk); err != nil {
			break
		}
	}
	r.src.Segments(r.toB)
	for r.dst.Readable() > 0 {
		_, _ = r.dst.Read(r.now, r.buf)
	}
	r.dst.Segments(r.toA)
	if d, ok := r.src.Deadline(); ok && d <= r.now {
		r.src.Tick(r.now)
	}
	if d, ok := r.dst.Deadline(); ok && d <= r.now {
		r.dst.Tick(r.now)
	}
	r.src.Events(r.drop)
	r.dst.Events(r.drop)
}

// BenchmarkBulkTransfer: one op is one data segment through both state
// machines (sender and receiver, with the ACKs); allocs/op are the
// allocations per segment in steady state.
func BenchmarkBulkTransfer(b *testing.B) {
	r := newBulkRig(b)
	b.ReportAllocs()
	b.SetBytes(int64(r.src.Stats().MSS))
	b.ResetTimer()
	r.segs = 0
	for r.segs < b.N {
		r.step()
	}
	b.StopTimer()
	require.Zero(b, r.src.Stats().Retransmits)
}

// TestBulkTransferAllocatesNothing holds the zero-allocation target for
// the steady state.
func TestBulkTransferAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("200 rounds of a bulk transfer: skipped in -short mode")
	}
	r := newBulkRig(t)
	r.segs = 0
	// Each round moves a whole window (about 1,450 segments) once the rig
	// is in steady state, so 200 rounds are nearly 300,000 segments.
	allocs := testing.AllocsPerRun(200, r.step)
	require.Greater(t, r.segs, 100000, "data moved")
	require.Zero(t, allocs, "allocations per round")
}

// idleConnBytes measures the heap held by an established, idle connection
// whose buffers were never touched (they are allocated on first use).
func idleConnBytes(tb testing.TB) float64 {
	const n = 500
	conns := make([]*Conn, 0, 2*n)
	// Twice: buffer blocks other tests gave back wait in a sync.Pool,
	// which the first collection only moves to its victim cache.
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		a, b := establishedPair(tb, DefaultConfig())
		conns = append(conns, a, b)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(conns)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(len(conns))
}

// BenchmarkIdleConnMemory reports the bytes per established idle
// connection, buffers excluded.
func BenchmarkIdleConnMemory(b *testing.B) {
	var v float64
	for range b.N {
		v = idleConnBytes(b)
	}
	b.ReportMetric(v, "bytes/conn")
}

// TestIdleConnMemory holds the target of at most 2 KiB per idle
// established connection, excluding buffers.
func TestIdleConnMemory(t *testing.T) {
	require.LessOrEqual(t, idleConnBytes(t), 2048.0)
}

// TestConnSizeClass holds a Conn in Go's 1,152-byte size class: the
// allocator puts an 8-byte header before an object of more than 512
// bytes that holds pointers, so a Conn may be 1,144 bytes; one more field
// past it costs 128 bytes per connection (the next class is 1,280). State
// most connections never use lives behind pointers made on first use
// (the SACK recovery's retransmissions, data held out of order, the
// queues of a busy connection), and the settings are shared.
func TestConnSizeClass(t *testing.T) {
	const mallocHeader = 8
	require.LessOrEqual(t, unsafe.Sizeof(Conn{})+mallocHeader, uintptr(1152))
}

// TestBeyondFourGiB: a bulk transfer runs past 2^32 bytes, where SND.UNA
// comes round to the ISS again, without stalling (RFC 9293 §3.4: sequence
// numbers are modulo 2^32; the state machine must not mistake SND.UNA ==
// ISS for an unacknowledged SYN).
func TestBeyondFourGiB(t *testing.T) {
	testflags.SkipUnlessLong(t, "moves 4 GiB through two state machines")
	r := newBulkRig(t)
	for r.src.Stats().BytesAcked < 1<<32+1<<20 {
		before := r.src.Stats().BytesAcked
		for range 1000 {
			r.step()
		}
		require.Greater(t, r.src.Stats().BytesAcked, before, "progress at %d bytes", before)
	}
	require.Equal(t, r.src.Stats().BytesAcked, r.dst.Stats().BytesDelivered+int64(r.dst.Readable()))
}

// afterBurst returns a channel whose A sent n bytes at once, all of them
// delivered to B (default settings, 10 ms each way).
func afterBurst(t *testing.T, n int) *channel {
	t.Helper()
	ch := newChannel(t, DefaultConfig(), DefaultConfig(), 10*time.Millisecond)
	ch.open()
	ch.toWriteA = testPayload(n, 1)
	ch.runUntil(2 * time.Second)
	require.Equal(t, n, ch.gotB.Len())
	return ch
}

// A connection that goes idle after a burst keeps no queue capacity, even
// with a far timer armed: here A sent 300 kB (hundreds of segments and
// events), closed, and waits in FIN-WAIT-2 for the peer's FIN, 60 s away.
// The next call after a quiet spell (an application's poll) finds it
// trimmed.
func TestIdleAfterBurstKeepsNoQueues(t *testing.T) {
	ch := afterBurst(t, 300000)
	require.NoError(t, ch.a.Close(ch.now))
	for i := 0; i < 100 && (ch.a.State() != FinWait2 || len(ch.pkts) > 0); i++ {
		ch.step() // not runUntil: it would go on to the FIN-WAIT-2 timeout
	}
	require.Equal(t, FinWait2, ch.a.State())
	d, on := ch.a.Deadline()
	require.True(t, on)
	require.Greater(t, d, ch.now+30*time.Second, "the FIN-WAIT-2 timer")
	ch.now += 10 * time.Millisecond
	_, err := ch.a.Read(ch.now, ch.buf)
	require.Error(t, err)
	ch.a.Events(func(*Event) {})
	require.Nil(t, ch.a.q, "segment and event queues")
	require.False(t, ch.a.busySpell, "counted as busy")
}

// A connection whose last call came in a burst keeps its queues
// (TrimPending) until its owner offers Trim: Trim gives them back once
// nothing called for a millisecond, asks to be offered again before, and
// does nothing while a timer is due soon.
func TestTrimAfterBurst(t *testing.T) {
	ch := afterBurst(t, 30000)
	b := ch.b
	for range 2 { // the second call comes in a burst: quiet 0
		_, err := b.Read(ch.now, ch.buf)
		require.Error(t, err)
	}
	require.NoError(t, b.SetSendBuffer(64<<10)) // an event: the queue has room
	b.Events(func(*Event) {})
	require.True(t, b.busySpell)
	require.Nil(t, b.q, "drained queues are lent back at once")
	require.True(t, b.TrimPending())
	require.True(t, b.Trim(ch.now+time.Microsecond), "called too recently: offer again")
	require.True(t, b.busySpell)
	require.False(t, b.Trim(ch.now+TrimDelay))
	require.False(t, b.busySpell)
	require.False(t, b.TrimPending(), "nothing left to give back")
}

// sizeClass returns the size of the allocator's class for an object of n
// bytes holding pointers (an 8-byte header above 512 bytes).
func sizeClass(n uintptr) uintptr {
	if n > 512 {
		n += 8
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	for _, c := range m.BySize {
		if uintptr(c.Size) >= n {
			return uintptr(c.Size)
		}
	}
	return n
}

// TestQueuesSizeClass keeps a busy connection's queues, made when it
// wakes and given up when it falls idle, out of the size class of the
// long-lived connections (and of their congestion controls): freed, they
// would leave holes in the pages of those that stay.
func TestQueuesSizeClass(t *testing.T) {
	q := sizeClass(unsafe.Sizeof(queues{}))
	for _, long := range []uintptr{unsafe.Sizeof(Conn{}), unsafe.Sizeof(Cubic{}), unsafe.Sizeof(NewReno{})} {
		require.NotEqual(t, sizeClass(long), q)
	}
	t.Logf("queues %d bytes in class %d; Conn class %d", unsafe.Sizeof(queues{}), q, sizeClass(unsafe.Sizeof(Conn{})))
}
