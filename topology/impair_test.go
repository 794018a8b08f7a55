package topology

import (
	"math"
	"math/bits"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

func TestQueueLimitsAndDropReasons(t *testing.T) {
	cases := []struct {
		name      string
		cfg       LinkConfig
		sizes     []int // all sent at time 0 from side 0
		delivered []uint64
		drops     Drops
		peakP     int
		peakB     units.ByteSize
	}{
		{
			name:  "packet limit: the packet on the wire does not count",
			cfg:   LinkConfig{Rate: 8 * units.Mbps, QueueLimitPackets: 2},
			sizes: []int{100, 100, 100, 100, 100},
			// 1 on the wire, 2 wait, 2 dropped.
			delivered: []uint64{1, 2, 3},
			drops:     Drops{Queue: 2},
			peakP:     2, peakB: 200,
		},
		{
			name:      "byte limit",
			cfg:       LinkConfig{Rate: 8 * units.Mbps, QueueLimitBytes: 250},
			sizes:     []int{100, 100, 100, 100, 50},
			delivered: []uint64{1, 2, 3, 5},
			drops:     Drops{Queue: 1},
			peakP:     3, peakB: 250,
		},
		{
			name:      "both limits: the tighter one wins",
			cfg:       LinkConfig{Rate: 8 * units.Mbps, QueueLimitPackets: 3, QueueLimitBytes: 1000},
			sizes:     []int{100, 600, 300, 200, 50, 10}, // 200: bytes; 10: packets
			delivered: []uint64{1, 2, 3, 5},
			drops:     Drops{Queue: 2},
			peakP:     3, peakB: 950,
		},
		{
			name:      "mtu: larger datagrams dropped, the rest carried",
			cfg:       LinkConfig{Rate: 8 * units.Mbps, MTU: 576},
			sizes:     []int{576, 577, 1500, 100},
			delivered: []uint64{1, 4},
			drops:     Drops{MTU: 2},
			peakP:     1, peakB: 100,
		},
		{
			name:      "default limit is 100 packets",
			cfg:       LinkConfig{Rate: 8 * units.Mbps},
			sizes:     repeat(40, 102),
			delivered: seq(1, 101),
			drops:     Drops{Queue: 1},
			peakP:     100, peakB: 4000,
		},
		{
			name:      "negative packet limit: unlimited",
			cfg:       LinkConfig{Rate: 8 * units.Mbps, QueueLimitPackets: -1},
			sizes:     repeat(40, 300),
			delivered: seq(1, 300),
			peakP:     299, peakB: 299 * 40,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.cfg, 1)
			for _, n := range c.sizes {
				r.sendAt(t, 0, 0, n)
			}
			r.s.Run()
			var got []uint64
			for _, p := range r.b.got {
				got = append(got, p.ID)
			}
			assert.Equal(t, c.delivered, got)
			st := r.l.Stats(0)
			assert.Equal(t, c.drops, st.Dropped)
			assert.Equal(t, uint64(len(c.sizes)), st.Sent)
			assert.Equal(t, uint64(len(c.delivered)), st.Delivered)
			assert.Equal(t, c.peakP, st.QueuePeakPackets)
			assert.Equal(t, c.peakB, st.QueuePeakBytes)
			// Every drop is in the trace with its reason.
			reasons := map[string]uint64{}
			for _, rec := range r.trace.Records {
				if d, ok := rec.Event.(*sim.PacketDrop); ok {
					reasons[d.Reason]++
				}
			}
			assert.Equal(t, c.drops.Queue, reasons[sim.DropQueue])
			assert.Equal(t, c.drops.MTU, reasons[sim.DropMTU])
		})
	}
}

func repeat(n, times int) []int {
	s := make([]int, times)
	for i := range s {
		s[i] = n
	}
	return s
}

func seq(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// sendSpaced sends n packets of size bytes from side 0, one every gap.
func (r *rig) sendSpaced(t testing.TB, n, size int, gap time.Duration) {
	for i := 0; i < n; i++ {
		r.sendAt(t, time.Duration(i)*gap, 0, size)
	}
}

func TestTraceRecordsOfOnePacket(t *testing.T) {
	r := newRig(t, LinkConfig{Name: "up", Rate: 8 * units.Mbps, Delay: time.Millisecond}, 1)
	r.sendAt(t, 0, 0, 100)
	r.s.Run()
	subj := "link/up/a>b"
	assert.Equal(t, []sim.Record{
		{T: 0, Subject: subj, Event: &sim.PacketEnqueue{ID: 1, Len: 100, QLen: 0, QBytes: 0}},
		{T: 0, Subject: subj, Event: &sim.PacketTx{ID: 1, Len: 100, QLen: 0, QBytes: 0, Arrive: 1_100_000}},
		{T: 1_100_000, Subject: subj, Event: &sim.PacketRx{ID: 1, Len: 100, Corrupt: false}},
	}, r.trace.Records)
}

func TestBernoulliLossRate(t *testing.T) {
	const n, p = 20000, 0.05
	r := newRig(t, LinkConfig{Loss: Bernoulli(p), QueueLimitPackets: -1}, 7)
	r.sendSpaced(t, n, 64, time.Microsecond)
	r.s.Run()
	st := r.l.Stats(0)
	assert.Equal(t, uint64(n), st.Delivered+st.Dropped.Loss)
	// 4 standard deviations of a binomial proportion.
	sd := math.Sqrt(p * (1 - p) / n)
	assert.InDelta(t, p, float64(st.Dropped.Loss)/n, 4*sd)
}

func TestGilbertElliottMeanAndBursts(t *testing.T) {
	cases := []GilbertElliott{
		{P: 0.01, R: 0.3, LossGood: 0, LossBad: 1},
		{P: 0.05, R: 0.5, LossGood: 0.01, LossBad: 0.5},
		{P: 0.2, R: 0.2, LossGood: 0.1, LossBad: 0.9},
	}
	for _, m := range cases {
		t.Run(m.String(), func(t *testing.T) {
			require.NoError(t, m.Validate())
			proc := m.Start(sim.NewRand(3, "ge"))
			const n = 400000
			lost, bursts := 0, 0
			prev := false
			for i := 0; i < n; i++ {
				l := proc.Lose()
				if l {
					lost++
					if !prev {
						bursts++
					}
				}
				prev = l
			}
			assert.InEpsilon(t, m.Mean(), float64(lost)/n, 0.05, "stationary loss (1-πb)·k + πb·h, πb = p/(p+r)")
			if m.LossGood == 0 && m.LossBad == 1 {
				// Bursts of losses are the bad periods: mean length 1/r.
				assert.InEpsilon(t, 1/float64(m.R), float64(lost)/float64(bursts), 0.05)
			}
		})
	}
}

func TestLossModelValidation(t *testing.T) {
	assert.ErrorIs(t, Bernoulli(1.5).Validate(), ErrInvalidConfig)
	assert.ErrorIs(t, GilbertElliott{P: -0.1}.Validate(), ErrInvalidConfig)
	assert.ErrorIs(t, GilbertElliott{R: units.Ratio(math.NaN())}.Validate(), ErrInvalidConfig)
	assert.NoError(t, GilbertElliott{P: 1, R: 1, LossBad: 1}.Validate())
	assert.Equal(t, 0.0, GilbertElliott{}.Mean())
	assert.Equal(t, "bernoulli(1%)", Bernoulli(0.01).String())
}

func arrivalsOf(r *rig) (ids []uint64, times []sim.Time) {
	for _, e := range r.b.events {
		ids = append(ids, e.ID)
		times = append(times, e.T)
	}
	return
}

func TestJitterKeepsOrderUnlessReorder(t *testing.T) {
	const n = 2000
	base := LinkConfig{Rate: 100 * units.Mbps, Delay: time.Millisecond, Jitter: 500 * time.Microsecond, QueueLimitPackets: -1}
	t.Run("order kept", func(t *testing.T) {
		r := newRig(t, base, 1)
		r.sendSpaced(t, n, 100, 10*time.Microsecond)
		r.s.Run()
		ids, times := arrivalsOf(r)
		require.Len(t, ids, n)
		assert.Equal(t, seq(1, n), ids)
		jittered := 0
		for i, at := range times {
			sent := sim.Time(time.Duration(i) * 10 * time.Microsecond)
			minAt := sent.Add(8*time.Microsecond + time.Millisecond)
			assert.GreaterOrEqual(t, at, minAt, "never earlier than serialization + delay")
			if i > 0 {
				assert.GreaterOrEqual(t, at, times[i-1])
			}
			if at > minAt {
				jittered++
			}
		}
		assert.Greater(t, jittered, n/2, "jitter is applied")
	})
	t.Run("reorder", func(t *testing.T) {
		cfg := base
		cfg.Reorder = true
		r := newRig(t, cfg, 1)
		r.sendSpaced(t, n, 100, 10*time.Microsecond)
		r.s.Run()
		ids, times := arrivalsOf(r)
		require.Len(t, ids, n)
		overtaken := 0
		for i := 1; i < len(ids); i++ {
			assert.GreaterOrEqual(t, times[i], times[i-1], "deliveries in time order")
			if ids[i] < ids[i-1] {
				overtaken++
			}
		}
		assert.Greater(t, overtaken, n/10)
		for i, at := range times {
			sent := sim.Time(time.Duration(ids[i]-1) * 10 * time.Microsecond)
			d := at.Sub(sent) - 8*time.Microsecond
			assert.True(t, d >= time.Millisecond && d <= 1500*time.Microsecond, "delay %v within [delay, delay+jitter]", d)
		}
	})
}

func TestDuplication(t *testing.T) {
	t.Run("always", func(t *testing.T) {
		r := newRig(t, LinkConfig{Rate: 8 * units.Mbps, Delay: time.Millisecond, Duplicate: 1}, 1)
		r.sendSpaced(t, 3, 100, time.Millisecond)
		r.s.Run()
		require.Len(t, r.b.got, 6)
		st := r.l.Stats(0)
		assert.Equal(t, uint64(3), st.Duplicated)
		assert.Equal(t, uint64(6), st.Delivered)
		for i := 0; i < 6; i += 2 {
			orig, dup := r.b.got[i], r.b.got[i+1]
			assert.NotEqual(t, orig.ID, dup.ID, "a copy has its own ID")
			assert.Equal(t, orig.Data, dup.Data)
			assert.NotSame(t, &orig.Data[0], &dup.Data[0], "a copy has its own bytes")
		}
		var dups []*sim.PacketDuplicate
		for _, rec := range r.trace.Records {
			if d, ok := rec.Event.(*sim.PacketDuplicate); ok {
				dups = append(dups, d)
			}
		}
		require.Len(t, dups, 3)
		assert.Equal(t, r.b.got[0].ID, dups[0].Of)
		assert.Equal(t, r.b.got[1].ID, dups[0].ID)
	})
	t.Run("rate", func(t *testing.T) {
		const n = 20000
		r := newRig(t, LinkConfig{Duplicate: 0.1, QueueLimitPackets: -1}, 5)
		r.sendSpaced(t, n, 40, time.Microsecond)
		r.s.Run()
		st := r.l.Stats(0)
		assert.InDelta(t, 0.1, float64(st.Duplicated)/n, 4*math.Sqrt(0.09/n))
		assert.Equal(t, uint64(n)+st.Duplicated, st.Delivered)
	})
}

func TestCorruptionFlipsOneBitOfACopy(t *testing.T) {
	r := newRig(t, LinkConfig{Rate: 8 * units.Mbps, Corrupt: 1}, 1)
	sent := r.packet(200)
	orig := append([]byte(nil), sent.Data...)
	r.l.Send(0, sent)
	r.s.Run()
	require.Len(t, r.b.got, 1)
	got := r.b.got[0]
	assert.Equal(t, orig, sent.Data, "the sender's bytes are untouched")
	assert.Equal(t, sent.ID, got.ID)
	flipped := 0
	for i := range orig {
		for x := orig[i] ^ got.Data[i]; x != 0; x &= x - 1 {
			flipped++
		}
	}
	assert.Equal(t, 1, flipped)
	assert.Equal(t, uint64(1), r.l.Stats(0).Corrupted)
	last := r.trace.Records[len(r.trace.Records)-1]
	require.Equal(t, sim.KindPacketRx, last.Kind())
	assert.True(t, last.Event.(*sim.PacketRx).Corrupt)
}

func TestDownLosesQueuedAndInFlight(t *testing.T) {
	ms := time.Millisecond
	r := newRig(t, LinkConfig{Rate: 8 * units.Mbps, Delay: 10 * ms}, 1)
	for i := 0; i < 5; i++ {
		r.sendAt(t, 0, 0, 1000) // 1ms each: 1-3 in flight at 3.5ms, 4 on the wire, 5 queued
	}
	r.sendAt(t, 0, 1, 1000) // the other direction: in flight too
	at := func(d time.Duration, fn func()) {
		_, err := r.s.At(sim.FromDuration(d), fn)
		require.NoError(t, err)
	}
	at(3500*time.Microsecond, func() { r.l.SetUp(false) })
	r.sendAt(t, 4*ms, 0, 100) // id 7: dropped, down
	at(5*ms, func() { r.l.SetUp(true) })
	r.sendAt(t, 6*ms, 0, 1000) // id 8: carried
	r.s.Run()

	assert.Equal(t, []event{{0, "tx", 6}, {sim.Time(6*ms + ms + 10*ms), "rx", 8}}, r.b.events)
	assert.Empty(t, r.a.got)
	assert.Equal(t, Drops{Down: 6}, r.l.Stats(0).Dropped)
	assert.Equal(t, Drops{Down: 1}, r.l.Stats(1).Dropped)
	var dropped []uint64
	var states []bool
	for _, rec := range r.trace.Records {
		switch e := rec.Event.(type) {
		case *sim.PacketDrop:
			if rec.Subject == "link/l/a>b" {
				dropped = append(dropped, e.ID)
			}
		case *sim.LinkState:
			states = append(states, e.Up)
		}
	}
	assert.Equal(t, []uint64{1, 2, 3, 4, 5, 7}, dropped, "oldest first")
	assert.Equal(t, []bool{false, false, true, true}, states, "one record per direction")
	assert.Equal(t, 0, r.l.InFlight(0))
	n, b := r.l.QueueLen(0)
	assert.Equal(t, 0, n)
	assert.Equal(t, units.ByteSize(0), b)
}

type listener struct {
	recorder
	states []bool
}

func (l *listener) LinkState(up bool) { l.states = append(l.states, up) }

func TestStateListener(t *testing.T) {
	r := newRig(t, LinkConfig{}, 1)
	e := &listener{recorder: recorder{s: r.s}}
	r.l.Attach(1, e)
	r.l.SetUp(false)
	r.l.SetUp(false)
	r.l.SetUp(true)
	assert.Equal(t, []bool{false, true}, e.states)
}

// lossPattern returns the IDs of the packets link "x" loses from a to b
// when it carries n packets, with extra links created around it.
func lossPattern(t *testing.T, others []string, crossTraffic bool) []uint64 {
	s := sim.NewScheduler()
	var ids IDs
	rec := &sim.Recorder{}
	streams := sim.NewStreams(42)
	var extra []*Link
	mk := func(name string) *Link {
		l, err := NewLink(s, streams, rec, ids.Next, LinkConfig{Name: name, Loss: Bernoulli(0.2), Duplicate: 0.1, QueueLimitPackets: -1}, "a", "b")
		require.NoError(t, err)
		return l
	}
	for _, o := range others {
		extra = append(extra, mk(o))
	}
	x := mk("x")
	for i := 0; i < 500; i++ {
		_, err := s.At(sim.Time(i*1000), func() {
			if crossTraffic {
				for _, l := range extra {
					l.Send(0, &Packet{ID: ids.Next(), Data: make([]byte, 40)})
				}
				x.Send(1, &Packet{ID: ids.Next(), Data: make([]byte, 40)})
			}
			x.Send(0, &Packet{ID: uint64(1_000_000 + i), Data: make([]byte, 40)})
		})
		require.NoError(t, err)
	}
	s.Run()
	var lost []uint64
	for _, r := range rec.Records {
		if d, ok := r.Event.(*sim.PacketDrop); ok && r.Subject == "link/x/a>b" {
			lost = append(lost, d.ID)
		}
	}
	return lost
}

func TestStreamIndependence(t *testing.T) {
	alone := lossPattern(t, nil, false)
	require.NotEmpty(t, alone)
	assert.Equal(t, alone, lossPattern(t, []string{"y", "z"}, false), "adding links")
	assert.Equal(t, alone, lossPattern(t, []string{"y", "z"}, true), "traffic on other links and on the reverse direction")
}

func TestSetChangesTheLink(t *testing.T) {
	ms := time.Millisecond
	r := newRig(t, LinkConfig{Rate: 8 * units.Mbps, Delay: ms}, 1)
	r.sendAt(t, 0, 0, 1000)
	_, err := r.s.At(sim.FromDuration(500*time.Microsecond), func() {
		require.NoError(t, r.l.Set(LinkChange{Rate: Ptr(16 * units.Mbps), Delay: Ptr(5 * ms)}))
	})
	require.NoError(t, err)
	r.sendAt(t, 2*ms, 0, 1000)
	r.s.Run()
	// The first packet was on the wire at the change: it keeps the rate
	// (1ms) and the delay (1ms) it started with, as in ns-3, so the arrive
	// field traced at its first bit holds; the second is serialized at
	// 16Mbps (0.5ms) and takes the new delay.
	assert.Equal(t, []event{{sim.Time(2 * ms), "rx", 1}, {sim.Time(2*ms + 500*time.Microsecond + 5*ms), "rx", 2}}, r.b.events)
	for _, x := range r.trace.Records {
		tx, ok := x.Event.(*sim.PacketTx)
		if !ok {
			continue
		}
		want := map[uint64]sim.Time{1: sim.Time(2 * ms), 2: sim.Time(2*ms + 500*time.Microsecond + 5*ms)}[tx.ID]
		assert.Equal(t, want, tx.Arrive, "pkt.tx arrive of packet %v", tx.ID)
	}

	before := r.l.Config()
	err = r.l.Set(LinkChange{Delay: Ptr(3 * ms), MTU: Ptr(20)})
	assert.ErrorIs(t, err, ErrInvalidConfig)
	assert.Equal(t, before, r.l.Config(), "an invalid change changes nothing")

	require.NoError(t, r.l.Set(LinkChange{SetLoss: true, Loss: Bernoulli(1)}))
	r.l.Send(0, r.packet(10))
	r.s.Run()
	assert.Equal(t, uint64(1), r.l.Stats(0).Dropped.Loss)
	require.NoError(t, r.l.Set(LinkChange{SetLoss: true}))
	assert.Nil(t, r.l.Config().Loss)
}

func TestNewLinkRejectsBadConfig(t *testing.T) {
	s := sim.NewScheduler()
	var ids IDs
	cases := []struct {
		name string
		cfg  LinkConfig
		a, b string
	}{
		{"no name", LinkConfig{}, "a", "b"},
		{"negative rate", LinkConfig{Name: "l", Rate: -1}, "a", "b"},
		{"negative delay", LinkConfig{Name: "l", Delay: -1}, "a", "b"},
		{"tiny mtu", LinkConfig{Name: "l", MTU: 67}, "a", "b"},
		{"negative bytes limit", LinkConfig{Name: "l", QueueLimitBytes: -1}, "a", "b"},
		{"negative jitter", LinkConfig{Name: "l", Jitter: -1}, "a", "b"},
		{"duplicate above 1", LinkConfig{Name: "l", Duplicate: 2}, "a", "b"},
		{"corrupt below 0", LinkConfig{Name: "l", Corrupt: -0.5}, "a", "b"},
		{"bad loss", LinkConfig{Name: "l", Loss: Bernoulli(-1)}, "a", "b"},
		{"negative overhead", LinkConfig{Name: "l", Overhead: -1}, "a", "b"},
		{"same node twice", LinkConfig{Name: "l"}, "a", "a"},
		{"missing node", LinkConfig{Name: "l"}, "", "b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewLink(s, sim.NewStreams(1), nil, ids.Next, c.cfg, c.a, c.b)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
	_, err := NewLink(s, sim.NewStreams(1), nil, nil, LinkConfig{Name: "l"}, "a", "b")
	assert.ErrorIs(t, err, ErrInvalidConfig)
}

func TestReorderSwitchedWhilePacketsAreInFlight(t *testing.T) {
	cfg := LinkConfig{Rate: units.Gbps, Delay: 10 * time.Millisecond, Jitter: time.Millisecond, Reorder: true, QueueLimitPackets: -1}
	r := newRig(t, cfg, 3)
	r.sendSpaced(t, 200, 100, 10*time.Microsecond)
	_, err := r.s.At(sim.FromDuration(995*time.Microsecond), func() { require.NoError(t, r.l.Set(LinkChange{Reorder: Ptr(false)})) })
	require.NoError(t, err)
	r.s.Run()
	ids, times := arrivalsOf(r)
	require.Len(t, ids, 200)
	assert.True(t, slices.IsSorted(times))
	var lastReordered sim.Time
	var inOrder []uint64
	for i, id := range ids {
		if id <= 100 {
			lastReordered = max(lastReordered, times[i])
			continue
		}
		inOrder = append(inOrder, id)
		assert.GreaterOrEqual(t, times[i], lastReordered, "packet %d overtook one sent while reordering", id)
	}
	assert.Equal(t, seq(101, 200), inOrder)
	assert.False(t, slices.IsSorted(ids[:100]), "the first hundred were reordered")
	assert.Equal(t, seq(1, 100), slices.Sorted(slices.Values(ids[:100])), "and all arrived before the rest")
}

// TestCorruptDrawOrder pins the draws of a link direction's corrupt
// stream: one Bernoulli per packet, an empty one included, then, for a hit
// on a packet with bytes, the bit to flip. Reordering them would change
// every run with corruption.
func TestCorruptDrawOrder(t *testing.T) {
	const seed, p = 7, 0.5
	r := newRig(t, LinkConfig{Rate: 8 * units.Mbps, Corrupt: p}, seed)
	oracle := sim.NewStreams(seed).Rand("link/l/a>b/corrupt")
	var want []int // the bit flipped in each packet with bytes, -1 for none
	for i := range 40 {
		n := 100 * (i % 2) // every other packet is empty
		pkt := r.packet(n)
		r.l.Send(0, pkt)
		hit := oracle.Bernoulli(p)
		switch {
		case n == 0:
		case hit:
			want = append(want, oracle.IntN(n*8))
		default:
			want = append(want, -1)
		}
	}
	r.s.Run()
	var got []int
	for _, q := range r.b.got {
		if len(q.Data) == 0 {
			continue
		}
		bit := -1
		for i, b := range q.Data {
			if x := b ^ byte(q.ID); x != 0 {
				bit = i*8 + 7 - bits.LeadingZeros8(x)
			}
		}
		got = append(got, bit)
	}
	assert.Equal(t, want, got)
}
