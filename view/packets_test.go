package view

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func verdict(ok bool) *bool { return &ok }

// encodePackets returns the compact form of ps, gzipped and base64'd, as
// Build makes it packet by packet (collector.encodeDone).
func encodePackets(ps []packet) (string, error) {
	e := newPacketEncoder()
	for i := range ps {
		e.add(&ps[i])
	}
	return e.finish()
}

// columnPackets covers every field the columns carry: both ends of a
// connection, a sequence number wrapping past 2^32, timestamps options
// whose numbers move, a drop, a retransmission, a link's copy sent
// "earlier" than the packet before it, routers, a UDP datagram, captured
// bytes with valid and invalid checksums, and a packet with no fate.
func columnPackets() []packet {
	hdr := func(b byte) []byte { return bytes.Repeat([]byte{0x45, b, 0, 52}, 13) }
	return []packet{
		{ID: 1, T: 100, Src: 0, Dst: 1, Conn: 7, Side: "client", SrcA: "10.0.0.1", DstA: "10.0.0.2", Proto: 6, SPort: 40000, DPort: 80,
			Flags: "S", Seq: 0xfffffff0, Opts: "mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7", Len: 60, End: 1100,
			raw: hdr(1), CapLen: 60, IPSum: verdict(true), L4Sum: verdict(true)},
		{ID: 2, T: 1100, Src: 1, Dst: 0, Conn: 7, Side: "server", SrcA: "10.0.0.2", DstA: "10.0.0.1", Proto: 6, SPort: 80, DPort: 40000,
			Flags: "S.", Seq: 5000, Ack: 0xfffffff1, RAck: 1, Opts: "mss 1460,sackOK,TS val 77 ecr 1000,nop,wscale 9", Len: 60, End: 2100,
			raw: hdr(2), CapLen: 60, IPSum: verdict(true), L4Sum: verdict(false)},
		{ID: 3, T: 2100, Src: 0, Dst: 1, Conn: 7, Side: "client", SrcA: "10.0.0.1", DstA: "10.0.0.2", Proto: 6, SPort: 40000, DPort: 80,
			Flags: "P.", Seq: 0xfffffff1 + 1448 - 0x100000000 + 0xffffffff + 1 - 0x100000000, Ack: 5001, RSeq: 1, RAck: 1, Win: 502, Wnd: 502 << 9, PLen: 1448, Len: 1500,
			Opts: "nop,nop,TS val 1010 ecr 77", End: 2300, Drop: "queue full", DropAt: "link/l/a>b", Marked: true,
			Via: [][2]int64{{2, 2150}, {3, 2200}}, raw: hdr(3), CapLen: 1500, IPSum: verdict(true), L4Sum: verdict(true)},
		{ID: 4, T: 5000, Src: 0, Dst: 1, Conn: 7, Side: "client", SrcA: "10.0.0.1", DstA: "10.0.0.2", Proto: 6, SPort: 40000, DPort: 80,
			Flags: ".", Seq: 1 + 0xfffffff1, Ack: 5001, RSeq: 1, RAck: 1, Win: 502, Wnd: -1, PLen: 1448, Len: 1500,
			Opts: "nop,nop,TS val 1030 ecr 80,nop,nop,sack 1 2", Retrans: "fast", Corrupt: true, End: 6000},
		{ID: 9, T: 4000, Src: 0, Dst: 1, Conn: 7, Side: "client", SrcA: "10.0.0.1", DstA: "10.0.0.2", Proto: 6, SPort: 40000, DPort: 80,
			Flags: ".", Seq: 1 + 0xfffffff1, Ack: 5001, RSeq: 1, RAck: 1, Win: 502, PLen: 1448, Len: 1500, DupOf: 4, Opts: "odd 007 and \x01"},
		{ID: 10, T: 7000, Src: 1, Dst: -1, SrcA: "10.0.0.2", DstA: "10.0.0.9", Proto: 17, SPort: 5000, DPort: 6000, PLen: 100, Len: 128,
			raw: []byte{0x45, 0, 0, 128, 9, 9}, CapLen: 128, IPSum: verdict(false)},
	}
}

// TestPacketColumnsRoundTrip: what the page's packet columns carry reads
// back field by field as the collector had it.
func TestPacketColumnsRoundTrip(t *testing.T) {
	want := columnPackets()
	enc, err := encodePackets(want)
	require.NoError(t, err)
	page := []byte(`<script id="netsim-packets" type="application/octet-stream">` + enc + `</script>`)
	got, err := ReadPackets(page)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		w := want[i]
		if w.raw != nil {
			w.Bytes = hex.EncodeToString(w.raw)
		}
		if w.Opts == "odd 007 and \x01" {
			w.Opts = "odd 007 and \ufffd"
		}
		assert.Equal(t, w, got[i], "packet %d", w.ID)
	}
}

// TestPacketColumnsRejectDamage: a damaged packet blob is an error, never a
// panic or a hang.
func TestPacketColumnsRejectDamage(t *testing.T) {
	enc, err := encodePackets(columnPackets())
	require.NoError(t, err)
	blob, err := base64.RawURLEncoding.DecodeString(enc)
	require.NoError(t, err)
	_, err = decodePackets(blob[:len(blob)/2])
	assert.Error(t, err, "truncated gzip")
	_, err = decodePackets([]byte("not gzip"))
	assert.Error(t, err)
	_, err = ReadPackets([]byte("<html></html>"))
	assert.Error(t, err)
}

// TestPacketColumnsRunsRoundTrip: a bulk transfer's columns of one value
// (connection, addresses of one direction, flags) go as runs and read
// back packet by packet.
func TestPacketColumnsRunsRoundTrip(t *testing.T) {
	c := newColumn(true)
	var col []byte
	for _, v := range append(slices.Repeat([]uint64{7}, 100), 300) {
		c.value(v)
		col = binary.AppendUvarint(col, v)
	}
	f, runs := c.chosen()
	require.True(t, runs, "100 sevens and a 300 are two runs")
	var r bytes.Buffer
	require.NoError(t, f.copyTo(&r))
	assert.Less(t, 2*r.Len(), len(col))
	back, err := expandRuns(r.Bytes(), 1000)
	require.NoError(t, err)
	assert.Equal(t, col, back)
	_, err = expandRuns(r.Bytes(), 50)
	assert.Error(t, err, "past the limit")

	// A column longer than columnChunk is kept deflated and comes back
	// whole; one of distinct values goes as it is.
	c, col = newColumn(true), nil
	for v := range uint64(100_000) {
		c.value(v * 3)
		col = binary.AppendUvarint(col, v*3)
	}
	require.Greater(t, len(col), 2*columnChunk)
	f, runs = c.chosen()
	assert.False(t, runs)
	require.NotNil(t, f.w, "deflated as it grew")
	var whole bytes.Buffer
	require.NoError(t, f.copyTo(&whole))
	assert.Equal(t, col, whole.Bytes())

	var want []packet
	for i := range 300 {
		want = append(want, packet{ID: uint64(i + 1), T: int64(i) * 12000, Src: 0, Dst: 1, Conn: 1, Side: "client",
			SrcA: "10.0.0.1", DstA: "10.0.0.2", Proto: 6, SPort: 40000, DPort: 5001, Flags: ".",
			Seq: uint32(1 + i*1448), Ack: 1, RSeq: uint64(1 + i*1448), RAck: 1, Win: 502, Wnd: 502 << 7,
			PLen: 1448, Len: 1500, Opts: fmt.Sprintf("nop,nop,TS val %d ecr 9", 1000+i/10), End: int64(i)*12000 + 5e6})
	}
	enc, err := encodePackets(want)
	require.NoError(t, err)
	got, err := ReadPackets([]byte(`<script id="netsim-packets" type="application/octet-stream">` + enc + `</script>`))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestPacketColumnsNamed: every column has one name, which the page's
// script takes it by (view.js reads no column count of its own).
func TestPacketColumnsNamed(t *testing.T) {
	seen := map[string]bool{}
	for i, name := range packetColumns {
		assert.NotEmpty(t, name, "column %d", i)
		assert.False(t, seen[name], "column %q named twice", name)
		seen[name] = true
		assert.Contains(t, pageJS, `"`+name+`"`, "view.js takes column %q by name", name)
	}
}
