package ipv4

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testutil"
)

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("192.168.1.254")
)

func withOptions(t testing.TB, h Header, o []byte) Header {
	t.Helper()
	require.NoError(t, h.Options.Set(o))
	return h
}

// roundTripCase is a header and payload that must encode and decode back
// to themselves.
type roundTripCase struct {
	name    string
	h       Header
	payload []byte
}

func roundTripCases(t testing.TB) []roundTripCase {
	return []roundTripCase{
		{name: "New", h: New(addrA, addrB, ProtoTCP), payload: make([]byte, 40)},
		{name: "empty payload", h: New(addrA, addrB, ProtoUDP)},
		{name: "odd payload", h: New(addrB, addrA, 253), payload: []byte{1, 2, 3}},
		{name: "DSCP EF and ECN CE", h: Header{DSCP: 46, ECN: ECNCE, TTL: 1, Protocol: ProtoTCP, Src: addrA, Dst: addrB}},
		{name: "ECT(0)", h: Header{ECN: ECNECT0, TTL: 64, Flags: FlagDF, Protocol: ProtoTCP, Src: addrA, Dst: addrB}},
		{name: "ECT(1)", h: Header{ECN: ECNECT1, TTL: 64, Protocol: ProtoTCP, Src: addrA, Dst: addrB}},
		{name: "fragment fields", h: Header{ID: 0xbeef, Flags: FlagMF, FragOffset: 0x1fff, TTL: 255, Protocol: ProtoICMP, Src: addrA, Dst: addrB}},
		{name: "all flags", h: Header{Flags: FlagMF | FlagDF | FlagReserved, DSCP: 63, ECN: 3, ID: 0xffff, TTL: 255, Protocol: 255, Src: netip.MustParseAddr("255.255.255.255"), Dst: netip.MustParseAddr("0.0.0.0")}},
		{name: "options padded", h: withOptions(t, New(addrA, addrB, ProtoTCP), []byte{1, 7, 3, 4, 0}), payload: []byte("x")},
		{name: "40 option bytes", h: withOptions(t, New(addrA, addrB, ProtoTCP), append([]byte{148, 4, 0, 0}, make([]byte, 36)...))},
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, tt := range roundTripCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			b, err := h.AppendTo(nil, tt.payload)
			require.NoError(t, err)
			require.Len(t, b, h.Len()+len(tt.payload))
			assert.True(t, VerifyChecksum(b))

			got, payload, err := Decode(b)
			require.NoError(t, err)
			assert.Equal(t, len(tt.payload), len(payload))
			if len(tt.payload) > 0 {
				assert.Equal(t, tt.payload, payload)
			}
			want := h
			for want.Options.Len()%4 != 0 {
				want.Options.buf[want.Options.n] = 0
				want.Options.n++
			}
			assert.Equal(t, want, got)
			again, err := got.AppendTo(nil, payload)
			require.NoError(t, err)
			assert.Equal(t, b, again)
		})
	}
}

func TestNewSetsLinuxDefaults(t *testing.T) {
	h := New(addrA, addrB, ProtoTCP)
	assert.Equal(t, FlagDF, h.Flags)
	assert.Equal(t, uint8(64), h.TTL)
	assert.Equal(t, uint8(4), h.Version)
	b, err := h.AppendTo(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 6}, b[:10])
}

func TestAppendHeaderToThenPayload(t *testing.T) {
	h := New(addrA, addrB, ProtoTCP)
	buf := make([]byte, 0, 1500)
	payload := make([]byte, 1480)
	allocs := testing.AllocsPerRun(100, func() {
		b, err := h.AppendHeaderTo(buf[:0], len(payload))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, payload...)
		if _, _, err := Decode(b); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	assert.Equal(t, uint16(1500), h.TotalLen)
}

func TestEncodeErrors(t *testing.T) {
	h := New(addrA, netip.MustParseAddr("2001:db8::1"), ProtoTCP)
	b, err := h.AppendTo([]byte{9}, nil)
	assert.ErrorIs(t, err, ErrNotIPv4)
	assert.Equal(t, []byte{9}, b)
	h = New(addrA, addrB, ProtoTCP)
	_, err = h.AppendHeaderTo(nil, MaxDatagramLen-19)
	assert.ErrorIs(t, err, ErrTooLong)
	_, err = h.AppendHeaderTo(nil, MaxDatagramLen-20)
	assert.NoError(t, err)
	var o Options
	assert.ErrorIs(t, o.Set(make([]byte, 41)), ErrOptionsFull)
}

func TestDecodeErrors(t *testing.T) {
	good := func() []byte {
		h := New(addrA, addrB, ProtoTCP)
		b, err := h.AppendTo(nil, []byte("abcd"))
		require.NoError(t, err)
		return b
	}
	// fix recomputes the checksum after a test edits the header.
	fix := func(b []byte) []byte {
		hl := int(b[0]&0xf) * 4
		if hl >= HeaderLen && hl <= len(b) {
			put16(b[10:], 0)
			put16(b[10:], testutil.RFC1071Checksum(b[:hl], 0))
		}
		return b
	}
	tests := []struct {
		name   string
		b      []byte
		field  string
		offset int
		kind   error
	}{
		{name: "empty", b: nil, field: "header", kind: ErrMalformed},
		{name: "19 bytes", b: good()[:19], field: "header", kind: ErrMalformed},
		{name: "version 6", b: func() []byte { b := good(); b[0] = 0x65; return fix(b) }(), field: "version", kind: ErrMalformed},
		{name: "IHL 4", b: func() []byte { b := good(); b[0] = 0x44; return b }(), field: "IHL", kind: ErrMalformed},
		{name: "IHL past end", b: func() []byte { b := good(); b[0] = 0x47; return b }(), field: "IHL", kind: ErrMalformed},
		{name: "total length below header", b: func() []byte { b := good(); put16(b[2:], 19); return fix(b) }(), field: "total length", offset: 2, kind: ErrMalformed},
		{name: "total length past end", b: func() []byte { b := good(); put16(b[2:], 25); return fix(b) }(), field: "total length", offset: 2, kind: ErrMalformed},
		{name: "option length 0", b: func() []byte { b := good(); b[0] = 0x46; b[20], b[21] = 7, 0; return fix(b) }(), field: "option", offset: 21, kind: ErrMalformed},
		{name: "option length 1", b: func() []byte { b := good(); b[0] = 0x46; b[20], b[21], b[22] = 1, 7, 1; return fix(b) }(), field: "option", offset: 22, kind: ErrMalformed},
		{name: "option past area", b: func() []byte { b := good(); b[0] = 0x46; b[20], b[21] = 7, 5; return fix(b) }(), field: "option", offset: 21, kind: ErrMalformed},
		{name: "option without length", b: func() []byte { b := good(); b[0] = 0x46; b[20], b[21], b[22], b[23] = 1, 1, 1, 7; return fix(b) }(), field: "option", offset: 23, kind: ErrMalformed},
		{name: "bad checksum", b: func() []byte { b := good(); b[8]--; return b }(), field: "header checksum", offset: 10, kind: ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, payload, err := Decode(tt.b)
			require.Error(t, err)
			assert.Nil(t, payload)
			assert.ErrorIs(t, err, tt.kind)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.field, de.Field)
			assert.Equal(t, tt.offset, de.Offset)
		})
	}
}

func TestDecodeIgnoresLinkPadding(t *testing.T) {
	h := New(addrA, addrB, ProtoTCP)
	b, err := h.AppendTo(nil, []byte{1, 2})
	require.NoError(t, err)
	b = append(b, 0, 0, 0, 0) // Ethernet pads short frames
	_, payload, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2}, payload)
}

func TestCorruptionIsCaught(t *testing.T) {
	h := New(addrA, addrB, ProtoTCP)
	b, err := h.AppendTo(nil, nil)
	require.NoError(t, err)
	for i := range HeaderLen {
		bad := append([]byte(nil), b...)
		bad[i] ^= 0x10
		_, _, err := Decode(bad)
		assert.Error(t, err, "byte %d", i)
		assert.False(t, VerifyChecksum(bad) && err == nil)
	}
}

// TestDecrementTTL: RFC 1812 §5.3.1 with the RFC 1624 incremental update,
// checked against a full recomputation.
func TestDecrementTTL(t *testing.T) {
	for _, ttl := range []uint8{0, 1, 2, 64, 255} {
		h := New(addrA, addrB, ProtoTCP)
		h.TTL = ttl
		h.ID = uint16(ttl) * 257
		b, err := h.AppendTo(nil, nil)
		require.NoError(t, err)
		orig := append([]byte(nil), b...)
		got, ok := DecrementTTL(b)
		if ttl <= 1 {
			assert.False(t, ok, "ttl %d", ttl)
			assert.Equal(t, orig, b, "unchanged when dropped")
			continue
		}
		require.True(t, ok)
		assert.Equal(t, ttl-1, got)
		assert.True(t, VerifyChecksum(b))
		h.TTL = ttl - 1
		want, err := h.AppendTo(nil, nil)
		require.NoError(t, err)
		assert.Equal(t, want, b)
	}
	_, ok := DecrementTTL(make([]byte, 10))
	assert.False(t, ok)
}

func TestVerifyChecksumShort(t *testing.T) {
	assert.False(t, VerifyChecksum(nil))
	assert.False(t, VerifyChecksum(make([]byte, 20))) // IHL 0
	b := make([]byte, 20)
	b[0] = 0x46
	assert.False(t, VerifyChecksum(b))
}

func TestText(t *testing.T) {
	tests := []struct {
		h    Header
		want string
	}{
		{
			h:    Header{TTL: 64, Flags: FlagDF, Protocol: ProtoTCP, TotalLen: 60, Src: addrA, Dst: addrB},
			want: "IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60) 10.0.0.1 > 192.168.1.254",
		},
		{
			h:    Header{DSCP: 46, ECN: ECNCE, TTL: 1, ID: 7, Flags: FlagMF, FragOffset: 185, Protocol: 99, TotalLen: 1500, Src: addrB, Dst: addrA},
			want: "IP (tos 0xbb, ttl 1, id 7, offset 1480, flags [+], proto unknown (99), length 1500) 192.168.1.254 > 10.0.0.1",
		},
		{
			h:    Header{TTL: 2, Protocol: ProtoUDP, TotalLen: 28, Src: addrA, Dst: addrB},
			want: "IP (tos 0x0, ttl 2, id 0, offset 0, flags [none], proto UDP (17), length 28) 10.0.0.1 > 192.168.1.254",
		},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.h.String())
	}
}

func TestChecksumAgreesWithReference(t *testing.T) {
	for _, tt := range roundTripCases(t) {
		h := tt.h
		b, err := h.AppendTo(nil, tt.payload)
		require.NoError(t, err)
		hl := h.Len()
		c := get16(b[10:])
		put16(b[10:], 0)
		assert.Equal(t, testutil.RFC1071Checksum(b[:hl], 0), c, tt.name)
	}
	assert.True(t, errors.Is(&DecodeError{Err: ErrChecksum}, ErrChecksum))
}
