package sim

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecorderCopies(t *testing.T) {
	ev := &PacketDrop{ID: 1, Reason: DropLoss}
	r := &Record{T: 5, Subject: "link/l/a>b", Event: ev}
	var rec Recorder
	rec.Emit(r)
	rec.Emit(nil)
	rec.Emit(&Record{T: 6}) // no event
	ev.ID, r.T = 2, 7       // the producer reuses both
	require.Len(t, rec.Records, 1)
	assert.Equal(t, Record{T: 5, Subject: "link/l/a>b", Event: &PacketDrop{ID: 1, Reason: DropLoss}}, rec.Records[0])
	assert.Equal(t, KindPacketDrop, rec.Records[0].Kind())
	assert.Equal(t, Kind(0), (&Record{}).Kind())
}

func TestTeeAndSinkFunc(t *testing.T) {
	var a, b Recorder
	n := 0
	tee := Tee{&a, SinkFunc(func(*Record) { n++ }), &b}
	for i := range everyKind {
		tee.Emit(&everyKind[i])
	}
	assert.Equal(t, everyKind, a.Records)
	assert.Equal(t, everyKind, b.Records)
	assert.Equal(t, len(everyKind), n)
}

func TestEveryEventClones(t *testing.T) {
	for i := range everyKind {
		e := everyKind[i].Event
		c := e.clone()
		assert.Equal(t, e, c)
		assert.NotSame(t, e, c, "%v", e.Kind())
	}
}

func fingerprintOf(recs []Record) (string, uint64) {
	f := NewFingerprint()
	for i := range recs {
		f.Emit(&recs[i])
	}
	return f.Sum(), f.Records()
}

// TestFingerprint: the same records give the same fingerprint; a change
// to any field of any kind in FingerprintKinds, to a time, a subject or
// the order changes it; records of the other kinds do not count.
func TestFingerprint(t *testing.T) {
	sum, n := fingerprintOf(everyKind)
	assert.Len(t, sum, 16)
	var want uint64
	for i := range everyKind {
		if FingerprintKinds.Has(everyKind[i].Kind()) {
			want++
		}
	}
	assert.Equal(t, want, n)
	assert.Less(t, n, uint64(len(everyKind)), "everyKind has kinds the fingerprint leaves out")
	again, _ := fingerprintOf(append([]Record(nil), everyKind...))
	assert.Equal(t, sum, again)
	// Subjects count by their bytes, not where they are kept.
	cloned := append([]Record(nil), everyKind...)
	for i := range cloned {
		cloned[i].Subject = strings.Clone(cloned[i].Subject)
	}
	same, _ := fingerprintOf(cloned)
	assert.Equal(t, sum, same)
	empty, _ := fingerprintOf(nil)
	assert.NotEqual(t, sum, empty)

	seen := map[string]string{sum: "original"}
	differ := func(what string, recs []Record) {
		t.Helper()
		s, _ := fingerprintOf(recs)
		if prev, dup := seen[s]; dup {
			t.Errorf("%s gives the fingerprint of %s", what, prev)
		}
		seen[s] = what
	}
	// Every field of every kind: change one at a time.
	mutations := map[string]func(e Event){
		"send.id":      func(e Event) { e.(*PacketSend).ID++ },
		"send.iface":   func(e Event) { e.(*PacketSend).Iface = "eth1" },
		"send.len":     func(e Event) { e.(*PacketSend).Len++ },
		"send.src":     func(e Event) { e.(*PacketSend).Src = netip.MustParseAddr("10.0.0.9") },
		"send.dst":     func(e Event) { e.(*PacketSend).Dst = netip.MustParseAddr("10.0.0.9") },
		"send.proto":   func(e Event) { e.(*PacketSend).Proto = 17 },
		"send.sport":   func(e Event) { e.(*PacketSend).SPort++ },
		"send.dport":   func(e Event) { e.(*PacketSend).DPort++ },
		"send.flags":   func(e Event) { e.(*PacketSend).Flags |= TCPFlagPSH },
		"send.seq":     func(e Event) { e.(*PacketSend).Seq++ },
		"send.ack":     func(e Event) { e.(*PacketSend).Ack++ },
		"send.rseq":    func(e Event) { e.(*PacketSend).RSeq++ },
		"send.rack":    func(e Event) { e.(*PacketSend).RAck++ },
		"send.win":     func(e Event) { e.(*PacketSend).Win-- },
		"send.plen":    func(e Event) { e.(*PacketSend).PLen++ },
		"send.opts":    func(e Event) { e.(*PacketSend).Opts.SetRaw([]byte{1}) },
		"send.conn":    func(e Event) { e.(*PacketSend).Conn++ },
		"enq.qlen":     func(e Event) { e.(*PacketEnqueue).QLen++ },
		"enq.qbytes":   func(e Event) { e.(*PacketEnqueue).QBytes++ },
		"tx.arrive":    func(e Event) { e.(*PacketTx).Arrive-- },
		"rx.corrupt":   func(e Event) { e.(*PacketRx).Corrupt = false },
		"drop.reason":  func(e Event) { e.(*PacketDrop).Reason = DropLoss },
		"fwd.ttl":      func(e Event) { e.(*PacketForward).TTL-- },
		"dlv.conn":     func(e Event) { e.(*PacketDeliver).Conn++ },
		"dup.of":       func(e Event) { e.(*PacketDuplicate).Of++ },
		"mark.qlen":    func(e Event) { e.(*PacketMark).QLen++ },
		"state.side":   func(e Event) { e.(*TCPState).Side = "server" },
		"state.local":  func(e Event) { e.(*TCPState).Local = netip.MustParseAddrPort("10.0.0.1:1") },
		"state.remote": func(e Event) { e.(*TCPState).Remote = netip.MustParseAddrPort("10.0.0.2:1") },
		"state.from":   func(e Event) { e.(*TCPState).From = "CLOSED" },
		"state.to":     func(e Event) { e.(*TCPState).To = "CLOSED" },
		"state.reason": func(e Event) { e.(*TCPState).Reason = "reopened" },
		"cwnd.cwnd":    func(e Event) { e.(*TCPCwnd).Cwnd++ },
		"cwnd.ss":      func(e Event) { e.(*TCPCwnd).Ssthresh-- },
		"cwnd.reason":  func(e Event) { e.(*TCPCwnd).Reason = "rto" },
		"rtt.sample":   func(e Event) { e.(*TCPRTT).Sample++ },
		"rtt.srtt":     func(e Event) { e.(*TCPRTT).SRTT++ },
		"rtt.rttvar":   func(e Event) { e.(*TCPRTT).RTTVar++ },
		"rtt.rto":      func(e Event) { e.(*TCPRTT).RTO++ },
		"retx.rseq":    func(e Event) { e.(*TCPRetransmit).RSeq++ },
		"retx.len":     func(e Event) { e.(*TCPRetransmit).Len++ },
		"retx.reason":  func(e Event) { e.(*TCPRetransmit).Reason = "fast" },
		"timer.timer":  func(e Event) { e.(*TCPTimer).Timer = "rto" },
		"err.errno":    func(e Event) { e.(*TCPError).Errno = "ETIMEDOUT" },
		"app.event":    func(e Event) { e.(*App).Event = AppSend },
		"app.has":      func(e Event) { e.(*App).Has |= AppHasTotal },
		"app.bytes":    func(e Event) { e.(*App).Bytes++ },
		"app.to":       func(e Event) { e.(*App).To = netip.MustParseAddrPort("10.0.0.2:81") },
		"fault.what":   func(e Event) { e.(*Fault).What = "heal" },
		"link.up":      func(e Event) { e.(*LinkState).Up = true },
		"route.routes": func(e Event) { e.(*RouteChange).Routes++ },
	}
	for name, mutate := range mutations {
		recs := make([]Record, len(everyKind))
		done := false
		for i := range everyKind {
			recs[i] = Copy(&everyKind[i])
			if !done {
				func() {
					defer func() { _ = recover() }() // not this record's type
					mutate(recs[i].Event)
					done = true
				}()
			}
		}
		require.True(t, done, name)
		if k := kindOf(recs, everyKind); !FingerprintKinds.Has(k) {
			s, _ := fingerprintOf(recs)
			assert.Equal(t, sum, s, "%s: %v is not fingerprinted", name, k)
			continue
		}
		differ(name, recs)
	}
	recs := append([]Record(nil), everyKind...)
	recs[2].T++ // a pkt.tx
	differ("a time", recs)
	recs = append([]Record(nil), everyKind...)
	recs[2].Subject = "link/l/b>a"
	differ("a subject", recs)
	recs = append([]Record(nil), everyKind...)
	recs[1], recs[2] = recs[2], recs[1]
	differ("the order", recs)
	differ("one record less", everyKind[1:])
}

// kindOf returns the kind of the first record of recs that differs from
// orig's.
func kindOf(recs, orig []Record) Kind {
	for i := range recs {
		if !reflect.DeepEqual(recs[i].Event, orig[i].Event) {
			return recs[i].Kind()
		}
	}
	return 0
}

func TestFingerprintAllocatesNothing(t *testing.T) {
	f := NewFingerprint()
	allocs := testing.AllocsPerRun(100, func() {
		for i := range everyKind {
			f.Emit(&everyKind[i])
		}
	})
	assert.Zero(t, allocs)
}

// goldenFingerprint is the fingerprint of traceRun(t, 1)'s records. Like
// goldenTraceSum it must not move by accident: the fingerprint is printed
// by every run and must be the same on every machine (its words are read
// little-endian explicitly, its arithmetic is 64-bit integers).
const goldenFingerprint = "afc6ac38bf228e33"

func TestFingerprintGolden(t *testing.T) {
	data, _ := traceRun(t, 1)
	f := NewFingerprint()
	require.NoError(t, ReadJSONL(bytes.NewReader(data), func(r *Record) error { f.Emit(r); return nil }))
	assert.Equal(t, goldenFingerprint, f.Sum())
	data2, _ := traceRun(t, 2)
	g := NewFingerprint()
	require.NoError(t, ReadJSONL(bytes.NewReader(data2), func(r *Record) error { g.Emit(r); return nil }))
	assert.NotEqual(t, f.Sum(), g.Sum(), "another seed, another fingerprint")
}

// TestFingerprintAddrIPv4: an IPv4 address is mixed in as the words of
// its 16-byte form (::ffff:a.b.c.d), without building that form.
func TestFingerprintAddrIPv4(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "10.0.0.1", "192.168.1.200", "255.255.255.255"} {
		a := netip.MustParseAddr(s)
		b := a.As16()
		want := hasher{h: 1}.u64(binary.LittleEndian.Uint64(b[:8])).u64(binary.LittleEndian.Uint64(b[8:]) ^ uint64(a.BitLen()))
		if got := (hasher{h: 1}).addr(a); got != want {
			t.Errorf("%s: %+v, want %+v", s, got, want)
		}
	}
}

// TestFingerprintStringTail: a string's last bytes are mixed in as one
// little-endian word, as a byte-by-byte loop builds it, at every length.
func TestFingerprintStringTail(t *testing.T) {
	s := "host/a-client-name>eth0"
	for n := 0; n <= len(s); n++ {
		want := hasher{h: 1}.u64(uint64(n))
		b := s[:n]
		for len(b) >= 8 {
			want = want.u64(le64(b))
			b = b[8:]
		}
		if len(b) > 0 {
			var w uint64
			for i := len(b) - 1; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			want = want.u64(w)
		}
		if got := (hasher{h: 1}).str(s[:n]); got != want {
			t.Errorf("length %d: %+v, want %+v", n, got, want)
		}
		if got := (hasher{h: 1}).bytes([]byte(s[:n])); got != want {
			t.Errorf("length %d as bytes: %+v, want %+v", n, got, want)
		}
	}
}

// TestHasherZeros: hasher.zeros mixes what as many u64(0) would, from any
// position, within the precomputed shares and past them.
func TestHasherZeros(t *testing.T) {
	for start := range 70 {
		for n := range 12 {
			h := hasher{h: 7}
			for i := range start {
				h = h.u64(uint64(i) * 0x9E3779B97F4A7C15)
			}
			want := h
			for range n {
				want = want.u64(0)
			}
			if got := h.zeros(n); got != want {
				t.Fatalf("zeros(%d) after %d words: %+v, want %+v", n, start, got, want)
			}
		}
	}
}

// TestAppHashEmptyRuns: an app record's hash is the same whichever of its
// runs of empty fields are set, as the field-by-field hash.
func TestAppHashEmptyRuns(t *testing.T) {
	slow := func(e *App, h hasher) hasher {
		h = h.str(e.Event).u64(uint64(e.Has)).str(e.Call).str(e.Errno).u64(uint64(e.Count)).u64(e.Conn)
		h = h.addrPort(e.To).addrPort(e.Peer).u64(uint64(e.Bytes)).u64(uint64(e.Sent)).u64(uint64(e.Total))
		h = h.u64(uint64(e.Latency)).u64(uint64(e.Duration))
		if e.Has&AppHasMismatched != 0 {
			h = h.u64(uint64(e.Mismatched))
		}
		return h
	}
	a := netip.MustParseAddrPort("10.0.0.2:5001")
	for _, e := range []App{
		{Event: AppRecv, Has: AppHasConn | AppHasBytes | AppHasTotal, Conn: 1, Bytes: 1448, Total: 1 << 40},
		{Event: AppRecv, Has: AppHasConn | AppHasBytes | AppHasTotal | AppHasMismatched, Conn: 1, Bytes: 1448, Total: 9, Mismatched: 3},
		{Event: AppError, Has: AppHasCall | AppHasErrno, Call: "connect", Errno: "ECONNREFUSED"},
		{Event: AppDone, Count: 4, Duration: 5},
		{Event: AppConnect, To: a},
		{Event: AppAccept, Peer: a},
		{Event: AppAccept, Peer: netip.AddrPortFrom(netip.Addr{}, 1)},
		{Event: AppResponse, Latency: 7},
		{Event: "a-much-longer-event-name", Conn: 3},
	} {
		h := hasher{h: fingerprintSeed}.u64(1).u64(2).u64(3)
		if got, want := e.hash(h), slow(&e, h); got != want {
			t.Errorf("%+v: hash %+v, want %+v", e, got, want)
		}
	}
}
