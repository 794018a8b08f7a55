package tcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/pattern"
)

var (
	epA = Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Port: 40000}
	epB = Endpoint{Addr: netip.MustParseAddr("10.0.0.2"), Port: 80}
)

// wirePkt is a segment on the test channel.
type wirePkt struct {
	at      time.Duration
	order   int
	toB     bool
	h       Header
	payload []byte
	ect, ce bool // the IP header's ECN field: ECN-capable, marked CE
}

// channel joins two Conns with a one-way delay and, when seeded, loss,
// duplication, reordering and jitter. It plays the simulator's part: it
// moves segments and calls Tick at each Conn's deadline.
type channel struct {
	t                  testing.TB
	now                time.Duration
	a, b               *Conn
	delay              time.Duration
	rng                *rand.Rand
	loss, dup, reorder float64
	jitter             time.Duration
	// perByteAB, when set, makes the A-to-B direction a bottleneck with an
	// unbounded FIFO queue: each segment is serialized for its length
	// plus 40 bytes of headers at this much time per byte, after the one
	// before it, then travels delay.
	perByteAB             time.Duration
	freeAB                time.Duration // when the bottleneck has sent what it holds
	pkts                  []wirePkt
	order                 int
	sentAB, sentBA        int
	dropped, dupd, reordd int
	// app side
	toWriteA, toWriteB []byte
	gotA, gotB         bytes.Buffer
	eofA, eofB         bool
	closeWhenDone      bool
	buf                []byte
	trace              bool
	// drop, when set, decides to lose a segment (deterministic faults).
	drop func(toB bool, h *Header, n int) bool
	// mark, when set, decides to mark an ECN-capable segment CE.
	mark func(toB bool, h *Header, n int) bool
	// onEventA sees A's events.
	onEventA func(now time.Duration, e Event)
	// transcript, when set, records every segment sent and every event
	// of both sides.
	transcript *[]string
}

func newChannel(t testing.TB, cfgA, cfgB Config, delay time.Duration) *channel {
	a, err := NewConn(cfgA, epA, epB, 1000, 7)
	require.NoError(t, err)
	b, err := NewConn(cfgB, epB, epA, 4000000000, 99)
	require.NoError(t, err)
	return &channel{t: t, a: a, b: b, delay: delay, buf: make([]byte, 64<<10)}
}

func (ch *channel) flush() {
	ch.a.SegmentsECN(func(h *Header, p []byte, ect bool) { ch.sendECN(true, h, p, ect) })
	ch.b.SegmentsECN(func(h *Header, p []byte, ect bool) { ch.sendECN(false, h, p, ect) })
	ch.a.Events(func(e *Event) {
		if ch.onEventA != nil {
			ch.onEventA(ch.now, *e)
		}
		ch.record("A event %+v", *e)
	})
	ch.b.Events(func(e *Event) { ch.record("B event %+v", *e) })
}

// record adds a line to the transcript, if one is kept.
func (ch *channel) record(format string, args ...any) {
	if ch.transcript != nil {
		*ch.transcript = append(*ch.transcript, fmt.Sprintf("%v ", ch.now)+fmt.Sprintf(format, args...))
	}
}

func (ch *channel) sendECN(toB bool, h *Header, p []byte, ect bool) {
	ce := ect && ch.mark != nil && ch.mark(toB, h, len(p))
	ch.record("toB %v %s len %d ect %v ce %v", toB, h.String(), len(p), ect, ce)
	if toB {
		ch.sentAB++
	} else {
		ch.sentBA++
	}
	copies := 1
	if ch.drop != nil && ch.drop(toB, h, len(p)) {
		ch.dropped++
		return
	}
	if ch.trace {
		dir := "A>B"
		if !toB {
			dir = "B>A"
		}
		ch.t.Logf("%v %s %s len %d", ch.now, dir, h.String(), len(p))
	}
	if ch.rng != nil {
		if ch.rng.Float64() < ch.loss {
			ch.dropped++
			return
		}
		if ch.rng.Float64() < ch.dup {
			ch.dupd++
			copies = 2
		}
	}
	for range copies {
		at := ch.now + ch.delay
		if toB && ch.perByteAB > 0 {
			ch.freeAB = max(ch.freeAB, ch.now) + time.Duration(len(p)+40)*ch.perByteAB
			at = ch.freeAB + ch.delay
		}
		if ch.rng != nil {
			if ch.jitter > 0 {
				at += time.Duration(ch.rng.Int64N(int64(ch.jitter)))
			}
			if ch.rng.Float64() < ch.reorder {
				ch.reordd++
				at += ch.delay
			}
		}
		ch.order++
		payload := p
		if _, ok := pattern.Phase(p); !ok {
			payload = append([]byte(nil), p...) // a view into the send buffer, valid only now
		}
		ch.pkts = append(ch.pkts, wirePkt{at: at, order: ch.order, toB: toB, h: *h, payload: payload, ect: ect, ce: ce})
	}
}

// step advances to the next event; it reports false when nothing is left.
func (ch *channel) step() bool {
	ch.app()
	ch.flush()
	next, ok := time.Duration(0), false
	consider := func(t time.Duration) {
		if !ok || t < next {
			next, ok = t, true
		}
	}
	for _, p := range ch.pkts {
		consider(p.at)
	}
	if d, on := ch.a.Deadline(); on {
		consider(d)
	}
	if d, on := ch.b.Deadline(); on {
		consider(d)
	}
	if !ok {
		return false
	}
	ch.now = max(ch.now, next)
	sort.SliceStable(ch.pkts, func(i, j int) bool {
		if ch.pkts[i].at != ch.pkts[j].at {
			return ch.pkts[i].at < ch.pkts[j].at
		}
		return ch.pkts[i].order < ch.pkts[j].order
	})
	for len(ch.pkts) > 0 && ch.pkts[0].at <= ch.now {
		p := ch.pkts[0]
		ch.pkts = ch.pkts[1:]
		if p.toB {
			ch.b.InputECN(ch.now, &p.h, p.payload, p.ce)
		} else {
			ch.a.InputECN(ch.now, &p.h, p.payload, p.ce)
		}
		ch.app()
		ch.flush()
	}
	if d, on := ch.a.Deadline(); on && d <= ch.now {
		ch.a.Tick(ch.now)
	}
	if d, on := ch.b.Deadline(); on && d <= ch.now {
		ch.b.Tick(ch.now)
	}
	return true
}

// app plays both applications: write what is left, read everything, shut
// down the write side when all is written, close after EOF.
func (ch *channel) app() {
	side := func(c *Conn, toWrite *[]byte, got *bytes.Buffer, eof *bool) {
		for len(*toWrite) > 0 {
			n, err := c.Write(ch.now, *toWrite)
			if err != nil {
				break
			}
			*toWrite = (*toWrite)[n:]
		}
		for {
			n, err := c.Read(ch.now, ch.buf)
			got.Write(ch.buf[:n])
			if errors.Is(err, io.EOF) {
				if !*eof && ch.closeWhenDone && len(*toWrite) == 0 {
					require.NoError(ch.t, c.Close(ch.now))
				}
				*eof = true
				break
			}
			if err != nil || n == 0 {
				break
			}
		}
		if ch.closeWhenDone && len(*toWrite) == 0 && c.State() == Established {
			require.NoError(ch.t, c.Shutdown(ch.now))
		}
		if ch.closeWhenDone && len(*toWrite) == 0 && *eof && c.State() == CloseWait {
			require.NoError(ch.t, c.Close(ch.now))
		}
	}
	if ch.a.State() != Closed {
		side(ch.a, &ch.toWriteA, &ch.gotA, &ch.eofA)
	}
	if ch.b.State() != Closed {
		side(ch.b, &ch.toWriteB, &ch.gotB, &ch.eofB)
	}
}

func (ch *channel) runUntil(limit time.Duration) {
	for ch.now <= limit && ch.step() {
	}
}

func (ch *channel) open() {
	require.NoError(ch.t, ch.b.Listen(0))
	require.NoError(ch.t, ch.a.Connect(0))
}

func testPayload(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7) + seed + byte(i>>8)
	}
	return p
}

func TestPairHandshakeTransferClose(t *testing.T) {
	ch := newChannel(t, DefaultConfig(), DefaultConfig(), 10*time.Millisecond)
	ch.open()
	wantA := testPayload(300000, 1)
	wantB := testPayload(100000, 2)
	ch.toWriteA = append([]byte(nil), wantA...)
	ch.toWriteB = append([]byte(nil), wantB...)
	ch.closeWhenDone = true
	ch.runUntil(200 * time.Second)
	require.Equal(t, len(wantA), ch.gotB.Len())
	require.Equal(t, wantA, ch.gotB.Bytes())
	require.Equal(t, wantB, ch.gotA.Bytes())
	require.Equal(t, Closed, ch.a.State())
	require.Equal(t, Closed, ch.b.State())
	require.Zero(t, ch.a.Stats().Retransmits)
	require.Equal(t, 1448, ch.a.Stats().MSS)
}

// TestPairSequenceWraparound: both ISNs sit just below 2^32, so the
// sequence numbers of both directions wrap in mid-stream (RFC 9293 §3.4);
// the streams still arrive intact, with loss forcing retransmissions and
// SACK blocks across the wrap.
func TestPairSequenceWraparound(t *testing.T) {
	for _, loss := range []float64{0, 0.03} {
		a, err := NewConn(DefaultConfig(), epA, epB, Seq(1<<32-70000), 1)
		require.NoError(t, err)
		b, err := NewConn(DefaultConfig(), epB, epA, Seq(1<<32-5000), 2)
		require.NoError(t, err)
		ch := &channel{t: t, a: a, b: b, delay: 5 * time.Millisecond, buf: make([]byte, 64<<10)}
		ch.rng = rand.New(rand.NewPCG(7, 7))
		ch.loss = loss
		ch.open()
		wantA, wantB := testPayload(300000, 3), testPayload(20000, 4)
		ch.toWriteA, ch.toWriteB = append([]byte(nil), wantA...), append([]byte(nil), wantB...)
		ch.closeWhenDone = true
		ch.runUntil(10 * time.Minute)
		require.Equal(t, wantA, ch.gotB.Bytes())
		require.Equal(t, wantB, ch.gotA.Bytes())
		require.Equal(t, Closed, a.State())
		require.Equal(t, Closed, b.State())
		if loss > 0 {
			require.Positive(t, a.Stats().Retransmits)
		}
	}
}

// TestRelativeSequence64: RelSeq and RelAck count relative sequence numbers
// in 64 bits, across the wrap of the absolute numbers and past 4 GiB of
// relative ones (the connection is put 4 GiB less 10 kB into its life):
// every segment's number, unwrapped around SND.UNA or RCV.NXT when it is
// sent, is where the byte count says it is.
func TestRelativeSequence64(t *testing.T) {
	a, err := NewConn(DefaultConfig(), epA, epB, Seq(1<<32-70000), 1)
	require.NoError(t, err)
	b, err := NewConn(DefaultConfig(), epB, epA, 4000000000, 2)
	require.NoError(t, err)
	ch := &channel{t: t, a: a, b: b, delay: 5 * time.Millisecond, buf: make([]byte, 64<<10)}
	ch.open()
	ch.runUntil(20 * time.Millisecond)
	require.Equal(t, Established, a.State())
	const lived = 1<<32 - 10000 // as if 4 GiB less 10 kB had gone before
	a.unaRel += lived
	b.nxtRel += lived
	const n = 300000
	ch.toWriteA = make([]byte, n)
	var maxRel uint64
	ch.drop = func(toB bool, h *Header, plen int) bool {
		if toB && plen > 0 {
			rel := a.RelSeq(h.Seq)
			require.Equal(t, uint64(lived)+1+uint64(h.Seq.Sub(a.iss.Add(1))), rel)
			maxRel = max(maxRel, rel+uint64(plen))
		}
		if !toB && h.Flags.Has(FlagACK) {
			require.LessOrEqual(t, b.RelAck(h.Ack), uint64(lived)+1+n)
			require.Greater(t, b.RelAck(h.Ack), uint64(lived))
		}
		return false
	}
	ch.runUntil(2 * time.Second)
	require.Equal(t, uint64(lived)+1+n, maxRel)
	require.Equal(t, uint64(lived)+1+n, a.RelSeq(a.sndUna))
	require.Equal(t, uint64(lived)+1+n, b.RelAck(b.rcvNxt))
}

// cwndSample is a change of A's window: an EvCwnd event.
type cwndSample struct {
	at             time.Duration
	cwnd, ssthresh int
	reason         string
}

// oneLossTransfer runs a bulk transfer of size bytes from A, with
// congestion control cc, over a path of rtt until end, with 8 MiB buffers
// and an ACK for every segment (no delayed ACK), losing the first copy of
// the data segment that starts more than at bytes into A's stream. It
// returns the channel and A's window changes in order. A long run, it is
// skipped in -short mode.
func oneLossTransfer(t *testing.T, cc string, rtt time.Duration, at int32, size int, end time.Duration) (*channel, []cwndSample) {
	t.Helper()
	if testing.Short() {
		t.Skipf("a long %s transfer: skipped in -short mode", cc)
	}
	cfg := DefaultConfig()
	cfg.Congestion = cc
	cfg.SendBuffer, cfg.RecvBuffer = 8<<20, 8<<20
	cfg.DelayedAck = 0
	ch := newChannel(t, cfg, cfg, rtt/2)
	dropped := false
	ch.drop = func(toB bool, h *Header, n int) bool {
		if toB && n > 0 && !dropped && h.Seq.Sub(ch.a.ISS()) > at {
			dropped = true
			return true
		}
		return false
	}
	var samples []cwndSample
	ch.onEventA = func(now time.Duration, e Event) {
		if e.Kind == EvCwnd {
			samples = append(samples, cwndSample{now, e.Cwnd, e.Ssthresh, e.Reason})
		}
	}
	ch.open()
	ch.toWriteA = make([]byte, size)
	ch.runUntil(end)
	require.True(t, dropped, "the segment was lost")
	return ch, samples
}
