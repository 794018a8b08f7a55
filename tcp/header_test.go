package tcp

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/inet"
)

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

// opts builds an Options from builder calls, failing the test on error.
func opts(t testing.TB, build ...func(o *Options) error) Options {
	t.Helper()
	var o Options
	for _, f := range build {
		require.NoError(t, f(&o))
	}
	return o
}

func mss(v uint16) func(*Options) error   { return func(o *Options) error { return o.AppendMSS(v) } }
func nop(o *Options) error                { return o.AppendNOP() }
func eol(o *Options) error                { return o.AppendEOL() }
func sackOK(o *Options) error             { return o.AppendSACKPermitted() }
func wscale(v uint8) func(*Options) error { return func(o *Options) error { return o.AppendWScale(v) } }
func ts(val, ecr uint32) func(*Options) error {
	return func(o *Options) error { return o.AppendTimestamps(val, ecr) }
}
func sack(b ...SACKBlock) func(*Options) error {
	return func(o *Options) error { return o.AppendSACK(b) }
}
func raw(kind uint8, d ...byte) func(*Options) error {
	return func(o *Options) error { return o.AppendRaw(kind, d) }
}

// roundTripCase is a header and payload that must encode and decode back
// to themselves.
type roundTripCase struct {
	name    string
	h       Header
	payload []byte
}

// roundTripCases covers every field at its extremes, the option kinds and
// odd option layouts.
func roundTripCases(t testing.TB) []roundTripCase {
	return []roundTripCase{
		{name: "bare SYN", h: Header{SrcPort: 49152, DstPort: 80, Seq: 1000, Flags: FlagSYN, Window: 65535}},
		{name: "Linux SYN", h: Header{SrcPort: 49152, DstPort: 80, Seq: 0xfffffff0, Flags: FlagSYN, Window: 64240, Options: SYNOptions(1460, true, 1, true, 7)}},
		{name: "Linux SYN no TS", h: Header{SrcPort: 1, DstPort: 2, Seq: 7, Flags: FlagSYN, Window: 64240, Options: SYNOptions(1460, true, 0, false, 7)}},
		{name: "SYN-ACK", h: Header{SrcPort: 80, DstPort: 49152, Seq: 5, Ack: 0xfffffff1, Flags: FlagSYN | FlagACK, Window: 65160, Options: SYNACKOptions(1460, true, 9, 1, true, 7)}},
		{name: "ECN setup SYN", h: Header{Flags: FlagSYN | FlagECE | FlagCWR, Window: 1}},
		{name: "ECN SYN-ACK", h: Header{Flags: FlagSYN | FlagACK | FlagECE, Window: 1}},
		{name: "data PSH ACK with TS", h: Header{SrcPort: 49152, DstPort: 80, Seq: 1, Ack: 1, Flags: FlagPSH | FlagACK, Window: 502, Options: SegmentOptions(100, 200, true, nil)}, payload: make([]byte, 1448)},
		{name: "odd payload", h: Header{Flags: FlagACK, Window: 3}, payload: []byte{1, 2, 3}},
		{name: "ACK with SACK x3", h: Header{Flags: FlagACK, Ack: 1, Options: SegmentOptions(1, 2, true, []SACKBlock{{10, 20}, {30, 40}, {50, 60}})}},
		{name: "ACK with SACK x4", h: Header{Flags: FlagACK, Ack: 1, Options: SegmentOptions(0, 0, false, []SACKBlock{{10, 20}, {30, 40}, {50, 60}, {0xfffffff0, 0x10}})}},
		{name: "FIN ACK", h: Header{Flags: FlagFIN | FlagACK, Seq: 100, Ack: 200}},
		{name: "FIN PSH ACK with data", h: Header{Flags: FlagFIN | FlagPSH | FlagACK}, payload: []byte("bye")},
		{name: "RST", h: Header{Flags: FlagRST, Seq: 0xdeadbeef}},
		{name: "RST ACK", h: Header{Flags: FlagRST | FlagACK, Ack: 1}},
		{name: "URG", h: Header{Flags: FlagURG | FlagACK | FlagPSH, Urgent: 0xffff}, payload: []byte("!")},
		{name: "CWR ECE NS", h: Header{Flags: FlagCWR | FlagECE | FlagNS | FlagACK}},
		{name: "no flags", h: Header{}},
		{name: "all fields max", h: Header{SrcPort: 0xffff, DstPort: 0xffff, Seq: 0xffffffff, Ack: 0xffffffff, Reserved: 7, Flags: FlagACK | FlagPSH | FlagURG | FlagECE | FlagCWR | FlagNS, Window: 0xffff, Urgent: 0xffff}},
		{name: "NOPs between", h: Header{Flags: FlagSYN, Options: opts(t, nop, mss(536), nop, nop, nop, wscale(0), nop)}},
		{name: "EOL early", h: Header{Flags: FlagACK, Options: opts(t, mss(1), eol, raw(9, 9, 9))}},
		{name: "unknown kinds", h: Header{Flags: FlagACK, Options: opts(t, raw(30, 1, 2, 3, 4), raw(254, 0xf9, 0x89), raw(99))}},
		{name: "full 40 bytes", h: Header{Flags: FlagACK, Options: opts(t, ts(1, 2), sack(SACKBlock{1, 2}, SACKBlock{3, 4}, SACKBlock{5, 6}), raw(200), nop, nop)}},
		{name: "sack x1 unaligned", h: Header{Flags: FlagACK, Options: opts(t, sack(SACKBlock{1, 2}))}},
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, tt := range roundTripCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			seg := h.AppendTo(nil, addrA, addrB, tt.payload)
			require.Len(t, seg, h.Len()+len(tt.payload))
			assert.Zero(t, h.Len()%4)
			assert.True(t, VerifyChecksum(seg, addrA, addrB))
			assert.False(t, VerifyChecksum(seg, addrB, netip.MustParseAddr("10.0.0.3")), "pseudo-header covers the addresses")

			got, payload, err := DecodeChecked(seg, addrA, addrB)
			require.NoError(t, err)
			assert.Equal(t, tt.payload, nilIfEmpty(payload))

			// The options come back padded to 4 bytes with zeros (EOL).
			want := h
			padded := h.Options
			for padded.Len()%4 != 0 {
				require.NoError(t, padded.AppendEOL())
			}
			want.Options = padded
			assert.Equal(t, want, got)

			// Encoding what was decoded gives the same bytes.
			again := got.AppendTo(nil, addrA, addrB, payload)
			assert.Equal(t, seg, again)
		})
	}
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// TestAppendToKeepsPrefix: AppendTo appends after what b holds, as an IPv4
// header that precedes the segment.
func TestAppendToKeepsPrefix(t *testing.T) {
	h := Header{SrcPort: 1, DstPort: 2, Flags: FlagSYN, Options: SYNOptions(1460, true, 1, true, 7)}
	prefix := []byte{0xaa, 0xbb, 0xcc}
	b := h.AppendTo(append([]byte(nil), prefix...), addrA, addrB, []byte("hi"))
	assert.Equal(t, prefix, b[:3])
	assert.True(t, VerifyChecksum(b[3:], addrA, addrB))
	assert.Equal(t, uint8(10), h.DataOffset, "AppendTo records the data offset it wrote")
}

func TestAppendToAllocatesNothingWithRoom(t *testing.T) {
	h := Header{SrcPort: 1, DstPort: 2, Flags: FlagSYN, Options: SYNOptions(1460, true, 1, true, 7)}
	buf := make([]byte, 0, 1600)
	payload := make([]byte, 1448)
	allocs := testing.AllocsPerRun(100, func() {
		buf = h.AppendTo(buf[:0], addrA, addrB, payload)
		_, _, _ = Decode(buf)
	})
	assert.Zero(t, allocs)
}

// TestDecodeErrors: RFC 9293 §3.1 framing faults and option faults are
// typed, name the field and the byte offset in the segment.
func TestDecodeErrors(t *testing.T) {
	base := func(dataOffset uint8, optBytes ...byte) []byte {
		b := make([]byte, HeaderLen, HeaderLen+len(optBytes))
		b[12] = dataOffset << 4
		b[13] = byte(FlagACK)
		return append(b, optBytes...)
	}
	tests := []struct {
		name   string
		seg    []byte
		field  string
		offset int
	}{
		{name: "empty", seg: nil, field: "header", offset: 0},
		{name: "19 bytes", seg: make([]byte, 19), field: "header", offset: 0},
		{name: "data offset 0", seg: base(0), field: "data offset", offset: 12},
		{name: "data offset 4", seg: base(4), field: "data offset", offset: 12},
		{name: "data offset past end", seg: base(6), field: "data offset", offset: 12},
		{name: "data offset 15 in 40 bytes", seg: base(15, make([]byte, 20)...), field: "data offset", offset: 12},
		{name: "option length 0 (infinite loop trap)", seg: base(6, 30, 0, 0, 0), field: "option", offset: 21},
		{name: "option length 1", seg: base(6, 1, 99, 1, 0), field: "option", offset: 22},
		{name: "truncated option", seg: base(6, 1, 1, 2, 4), field: "mss", offset: 23},
		{name: "kind without length at the end", seg: base(6, 1, 1, 1, 8), field: "TS", offset: 23},
		{name: "mss length 5", seg: base(7, 2, 5, 0, 0, 0, 0, 0, 0), field: "mss", offset: 21},
		{name: "wscale length 2", seg: base(6, 3, 2, 0, 0), field: "wscale", offset: 21},
		{name: "sackOK length 4", seg: base(6, 4, 4, 0, 0), field: "sackOK", offset: 21},
		{name: "TS length 12", seg: base(8, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), field: "TS", offset: 21},
		{name: "sack length 2", seg: base(6, 1, 1, 5, 2), field: "sack", offset: 23},
		{name: "sack length 9", seg: base(8, 5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), field: "sack", offset: 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, payload, err := Decode(tt.seg)
			require.Error(t, err)
			assert.Nil(t, payload)
			assert.ErrorIs(t, err, ErrMalformed)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.field, de.Field)
			assert.Equal(t, tt.offset, de.Offset)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestDecodeCheckedRejectsCorruption(t *testing.T) {
	h := Header{SrcPort: 1, DstPort: 2, Flags: FlagACK, Options: SegmentOptions(1, 2, true, nil)}
	seg := h.AppendTo(nil, addrA, addrB, []byte("payload"))
	for i := range seg {
		for _, bit := range []byte{0x01, 0x80} {
			bad := append([]byte(nil), seg...)
			bad[i] ^= bit
			_, _, err := DecodeChecked(bad, addrA, addrB)
			assert.ErrorIs(t, err, ErrChecksum, "byte %d bit %#x", i, bit)
			assert.False(t, errors.Is(err, ErrMalformed))
		}
	}
}

func TestDecodeKeepsTrailingOptionBytes(t *testing.T) {
	// A header whose option area ends in EOL then non-zero bytes: they are
	// padding to a receiver (RFC 9293 §3.1), but are written back exactly.
	seg := make([]byte, 24)
	seg[12] = 6 << 4
	seg[13] = byte(FlagACK)
	copy(seg[20:], []byte{1, 0, 0xee, 0xff})
	h, _, err := Decode(seg)
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 0, 0xee, 0xff}, h.Options.Bytes())
	assert.Equal(t, "nop,eol", FormatOptions(&h.Options))
	out := h.AppendTo(nil, addrA, addrB, nil)
	assert.Equal(t, seg[20:], out[20:])
}

// TestEveryFlagCombination: all 512 settings of the nine flags round-trip.
// Decode refuses none, not even two of SYN, FIN and RST together: Linux's
// tcp_v4_rcv takes them all, and each state decides (a SYN+RST+ACK in
// SYN-SENT refuses the connection, a SYN+FIN to a listener is dropped).
func TestEveryFlagCombination(t *testing.T) {
	for f := Flags(0); f <= flagMask; f++ {
		h := Header{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: f, Window: 5, Urgent: 6}
		seg := h.AppendTo(nil, addrA, addrB, nil)
		got, _, err := DecodeChecked(seg, addrA, addrB)
		require.NoError(t, err, "flags %s", f)
		assert.Equal(t, f, got.Flags)
	}
}

// AppendUnsummed and a later FillChecksum give the bytes AppendTo gives.
func TestAppendUnsummedThenFill(t *testing.T) {
	h := Header{SrcPort: 40000, DstPort: 80, Seq: 7, Ack: 9, Flags: FlagACK | FlagPSH, Window: 502}
	require.NoError(t, h.Options.AppendTimestamps(1, 2))
	payload := []byte("some payload, odd length")
	want := h.AppendTo(nil, addrA, addrB, payload)
	sum := h.Checksum
	b := h.AppendUnsummed(nil, payload)
	assert.Zero(t, h.Checksum)
	assert.Equal(t, []byte{0, 0}, b[16:18], "the checksum field is left zero")
	assert.Equal(t, sum, FillChecksum(b, addrA, addrB))
	assert.Equal(t, want, b)

	// FillChecksumTail with the payload's sum given, its bytes unread.
	for _, n := range []int{0, 2, len(payload)} {
		c := h.AppendUnsummed(nil, payload)
		tail := c[len(c)-n:]
		tailSum := inet.Sum(tail, 0)
		clear(tail) // not read
		assert.Equal(t, sum, FillChecksumTail(c, addrA, addrB, n, tailSum), "tail of %d bytes", n)
		copy(tail, payload[len(payload)-n:])
		assert.Equal(t, want, c, "tail of %d bytes", n)
	}
}
