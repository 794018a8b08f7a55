package sim

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// TestFastEncoders: appendFields, which has an encoder of its own for the
// busiest kinds, writes exactly what the field walker (walk, which the
// reader shares) writes, for every kind: the records of the golden test,
// a bulk transfer's, and many records of random field values (numbers of
// every length and sign, strings that need escapes, IPv4, IPv6 and zero
// addresses, raw and parsed options, every App field set), each appended
// after lines of random length so that the reserved room starts at every
// offset of a buffer about to grow.
func TestFastEncoders(t *testing.T) {
	check := func(e Event, prefix []byte) {
		t.Helper()
		want := string(walkFields(append([]byte(nil), prefix...), e))
		dst := make([]byte, len(prefix), len(prefix)+len(want)/2)
		copy(dst, prefix)
		if got := string(appendFields(dst, e)); got != want {
			t.Fatalf("%s:\nfast   %s\nwalker %s", e.Kind(), got, want)
		}
	}
	for _, r := range append(append([]Record(nil), everyKind...), bulkRecords()...) {
		check(r.Event, nil)
	}
	rng := rand.New(rand.NewPCG(14, 2))
	u64 := func() uint64 { return rng.Uint64() >> rng.IntN(65) }
	i64 := func() int64 {
		v := int64(u64())
		if rng.IntN(3) == 0 {
			v = -v
		}
		if rng.IntN(50) == 0 {
			v = math.MinInt64
		}
		return v
	}
	strs := []string{"", "eth0", "client", "ack", `q"uote\`, "ctl\x01\n\t", "bad\xffutf8", "\u2028", "日本"}
	str := func() string { return strs[rng.IntN(len(strs))] }
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("255.255.255.255"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:1.2.3.4")}
	addr := func() netip.Addr { return addrs[rng.IntN(len(addrs))] }
	ports := []netip.AddrPort{{}, netip.MustParseAddrPort("10.0.0.2:5001"), netip.MustParseAddrPort("[2001:db8::2]:80")}
	opts := []TCPOptions{{}, rawOpts(1, 1, 8, 10, 0x77, 0x6a, 0x1b, 0x03, 0x07, 0xe6, 0x8d, 0x5e),
		rawOpts(2, 4, 5, 0xb4, 1, 3, 3, 7), rawOpts(5, 10, 0, 0, 0, 1, 0, 0, 0, 2), TCPOptionsText(`mss 1460,"odd"`)}
	prefix := make([]byte, 0, 300)
	for range 20000 {
		prefix = prefix[:rng.IntN(cap(prefix))]
		events := []Event{
			&PacketSend{ID: u64(), Iface: str(), Len: int(i64()), Src: addr(), Dst: addr(), Proto: uint8(u64()),
				SPort: uint16(u64()), DPort: uint16(u64()), Flags: TCPFlags(u64() & 0x1ff), Seq: uint32(u64()),
				Ack: uint32(u64()), RSeq: u64(), RAck: u64(), Win: uint16(u64()), PLen: int(i64()),
				Opts: opts[rng.IntN(len(opts))], Conn: u64()},
			&PacketEnqueue{ID: u64(), Len: int(i64()), QLen: int(i64()), QBytes: int(i64())},
			&PacketTx{ID: u64(), Len: int(i64()), QLen: int(i64()), QBytes: int(i64()), Arrive: Time(i64())},
			&PacketRx{ID: u64(), Len: int(i64()), Corrupt: rng.IntN(2) == 0},
			&PacketDeliver{ID: u64(), Iface: str(), Len: int(i64()), Conn: u64()},
			&TCPRTT{Conn: u64(), Side: str(), Sample: time.Duration(i64()), SRTT: time.Duration(i64()),
				RTTVar: time.Duration(i64()), RTO: time.Duration(i64())},
			&TCPCwnd{Conn: u64(), Side: str(), Cwnd: i64(), Ssthresh: i64(), Reason: str()},
			&TCPRate{Conn: u64(), Side: str(), Delivered: i64(), Interval: time.Duration(i64()), Rate: i64(),
				AppLimited: rng.IntN(2) == 0, RTT: time.Duration(i64()), Inflight: i64(), Lost: i64()},
			&App{Event: str(), Has: AppFields(rng.IntN(1 << 12)), Call: str(), Errno: str(), Count: i64(),
				Conn: u64(), To: ports[rng.IntN(len(ports))], Peer: ports[rng.IntN(len(ports))], Bytes: i64(),
				Sent: i64(), Total: i64(), Latency: time.Duration(i64()), Duration: time.Duration(i64()),
				Mismatched: i64()},
			&App{Event: AppRecv, Has: AppHasConn | AppHasBytes | AppHasTotal | AppHasMismatched*AppFields(rng.IntN(2)),
				Conn: u64(), Bytes: i64(), Total: i64(), Mismatched: i64()},
		}
		for _, e := range events {
			check(e, prefix)
		}
	}
}

// TestDecimalDigits: the digit count at and around every power of 10.
func TestDecimalDigits(t *testing.T) {
	vals := []uint64{0, math.MaxUint64}
	for p := uint64(1); p <= 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for _, v := range vals {
		if got, want := decimalDigits(v), len(strconv.FormatUint(v, 10)); got != want {
			t.Errorf("decimalDigits(%d) = %d, want %d", v, got, want)
		}
	}
}
