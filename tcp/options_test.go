package tcp

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSYNOptionsLinuxLayout(t *testing.T) {
	tests := []struct {
		name   string
		mss    uint16
		sackOK bool
		tsOK   bool
		wscale int
		want   []byte
	}{
		{
			name: "mss,sackOK,TS,nop,wscale", mss: 1460, sackOK: true, tsOK: true, wscale: 7,
			want: []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7},
		},
		{
			name: "mss,nop,nop,sackOK,nop,wscale", mss: 1460, sackOK: true, wscale: 7,
			want: []byte{2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7},
		},
		{
			name: "mss,nop,nop,TS,nop,wscale", mss: 536, tsOK: true, wscale: 2,
			want: []byte{2, 4, 0x02, 0x18, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 2},
		},
		{
			name: "mss,sackOK,TS without wscale", mss: 1460, sackOK: true, tsOK: true, wscale: -1,
			want: []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0},
		},
		{name: "mss only", mss: 1460, wscale: -1, want: []byte{2, 4, 0x05, 0xb4}},
		{name: "nothing", wscale: -1, want: []byte{}},
		{name: "wscale clamped to 14", wscale: 20, want: []byte{1, 3, 3, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SYNOptions(tt.mss, tt.sackOK, 1, tt.tsOK, tt.wscale)
			assert.Equal(t, tt.want, o.Bytes())
			require.NoError(t, o.Validate())
			mss, ok := o.MSS()
			assert.Equal(t, tt.mss != 0, ok)
			assert.Equal(t, tt.mss, mss)
			assert.Equal(t, tt.sackOK, o.SACKPermitted())
			val, ecr, ok := o.Timestamps()
			assert.Equal(t, tt.tsOK, ok)
			if ok {
				assert.Equal(t, uint32(1), val)
				assert.Equal(t, uint32(0), ecr)
			}
			ws, ok := o.WScale()
			assert.Equal(t, tt.wscale >= 0, ok)
			if ok {
				assert.Equal(t, uint8(min(tt.wscale, MaxWScale)), ws)
			}
		})
	}
}

func TestSegmentOptionsLinuxLayout(t *testing.T) {
	blk := func(a, b uint32) SACKBlock { return SACKBlock{Seq(a), Seq(b)} }
	five := []SACKBlock{blk(1, 2), blk(3, 4), blk(5, 6), blk(7, 8), blk(9, 10)}
	tests := []struct {
		name     string
		tsOK     bool
		blocks   []SACKBlock
		wantLen  int
		wantSACK int
	}{
		{name: "nop,nop,TS", tsOK: true, wantLen: 12},
		{name: "nop,nop,TS,nop,nop,sack x3", tsOK: true, blocks: five, wantLen: 40, wantSACK: 3},
		{name: "nop,nop,sack x4", blocks: five, wantLen: 36, wantSACK: 4},
		{name: "nop,nop,sack x1", blocks: five[:1], wantLen: 12, wantSACK: 1},
		{name: "none", wantLen: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SegmentOptions(100, 200, tt.tsOK, tt.blocks)
			require.NoError(t, o.Validate())
			assert.Equal(t, tt.wantLen, o.Len())
			if tt.tsOK {
				assert.Equal(t, []byte{1, 1, 8, 10}, o.Bytes()[:4])
				val, ecr, ok := o.Timestamps()
				assert.True(t, ok)
				assert.Equal(t, uint32(100), val)
				assert.Equal(t, uint32(200), ecr)
			}
			got, n := o.SACK()
			assert.Equal(t, tt.wantSACK, n)
			for i := range n {
				assert.Equal(t, tt.blocks[i], got[i])
			}
		})
	}
}

func TestOptionsBuildersOverflow(t *testing.T) {
	var o Options
	for range 9 {
		require.NoError(t, o.AppendMSS(1460))
	}
	assert.Equal(t, 36, o.Len())
	err := o.AppendTimestamps(1, 2)
	assert.ErrorIs(t, err, ErrOptionsFull)
	assert.Equal(t, 36, o.Len(), "a failed append leaves the area unchanged")
	require.NoError(t, o.AppendSACKPermitted())
	require.NoError(t, o.AppendNOP())
	require.NoError(t, o.AppendEOL())
	assert.ErrorIs(t, o.AppendNOP(), ErrOptionsFull)
	assert.ErrorIs(t, o.AppendEOL(), ErrOptionsFull)
	assert.ErrorIs(t, o.AppendRaw(30, nil), ErrOptionsFull)
	o.Reset()
	assert.Equal(t, 0, o.Len())
	assert.Equal(t, Options{}, o)
}

func TestOptionsBuildersRefuseInvalid(t *testing.T) {
	var o Options
	assert.ErrorIs(t, o.AppendWScale(15), ErrBadOption)
	assert.ErrorIs(t, o.AppendSACK(nil), ErrBadOption)
	assert.ErrorIs(t, o.AppendSACK(make([]SACKBlock, 5)), ErrBadOption)
	assert.ErrorIs(t, o.AppendRaw(OptNOP, []byte{1}), ErrBadOption)
	assert.ErrorIs(t, o.AppendRaw(99, make([]byte, 39)), ErrOptionsFull)
	assert.Equal(t, 0, o.Len())
}

func TestOptionsIterationKeepsOddLayouts(t *testing.T) {
	var o Options
	require.NoError(t, o.AppendNOP())
	require.NoError(t, o.AppendMSS(1400))
	require.NoError(t, o.AppendRaw(30, []byte{0xde, 0xad}))
	require.NoError(t, o.AppendNOP())
	require.NoError(t, o.AppendWScale(3))
	require.NoError(t, o.AppendEOL())
	require.NoError(t, o.AppendTimestamps(5, 6)) // after EOL: ignored
	require.NoError(t, o.Validate())

	var kinds []uint8
	var offsets []int
	for opt := range o.All() {
		kinds = append(kinds, opt.Kind)
		offsets = append(offsets, opt.Offset)
	}
	assert.Equal(t, []uint8{OptNOP, OptMSS, 30, OptNOP, OptWScale, OptEOL}, kinds)
	assert.Equal(t, []int{0, 1, 5, 9, 10, 13}, offsets)
	mss, _ := o.MSS()
	assert.Equal(t, uint16(1400), mss)
	ws, _ := o.WScale()
	assert.Equal(t, uint8(3), ws)
	_, _, ok := o.Timestamps()
	assert.False(t, ok, "RFC 9293 §3.1: options after EOL are not read")
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name   string
		raw    []byte
		field  string
		offset int
	}{
		{name: "length 0", raw: []byte{30, 0}, field: "option", offset: 1},
		{name: "length 1", raw: []byte{1, 2, 1}, field: "mss", offset: 2},
		{name: "no length byte", raw: []byte{1, 8}, field: "TS", offset: 1},
		{name: "past the end", raw: []byte{2, 4, 5}, field: "mss", offset: 1},
		{name: "mss length 3", raw: []byte{2, 3, 5}, field: "mss", offset: 1},
		{name: "wscale length 4", raw: []byte{3, 4, 5, 6}, field: "wscale", offset: 1},
		{name: "sackOK length 3", raw: []byte{4, 3, 0}, field: "sackOK", offset: 1},
		{name: "TS length 8", raw: []byte{8, 8, 0, 0, 0, 0, 0, 0}, field: "TS", offset: 1},
		{name: "sack no blocks", raw: []byte{5, 2}, field: "sack", offset: 1},
		{name: "sack half block", raw: []byte{5, 6, 0, 0, 0, 0}, field: "sack", offset: 1},
		{name: "sack five blocks", raw: append([]byte{5, 42}, make([]byte, 38)...), field: "sack", offset: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Options
			o.n = uint8(copy(o.buf[:], tt.raw))
			err := o.Validate()
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrMalformed))
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.field, de.Field)
			assert.Equal(t, tt.offset, de.Offset)
			// Accessors and iteration stop at the malformed option.
			for range o.All() {
			}
		})
	}
}

// find, which the accessors use, walks the bytes on its own: it must
// return what All yields first for each kind, and stop where All stops,
// whatever the bytes (deterministic random option areas, most of them
// malformed somewhere).
func TestOptionsFindAgreesWithAll(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 14))
	kinds := []uint8{OptEOL, OptNOP, OptMSS, OptWScale, OptSACKPermitted, OptSACK, OptTimestamps, 30}
	for range 4000 {
		var o Options
		o.n = uint8(r.IntN(MaxOptionsLen + 1))
		for i := range int(o.n) {
			switch r.IntN(3) {
			case 0:
				o.buf[i] = kinds[r.IntN(len(kinds))]
			case 1:
				o.buf[i] = uint8(r.IntN(12))
			default:
				o.buf[i] = uint8(r.Uint32())
			}
		}
		for _, k := range kinds {
			var want Option
			found := false
			for opt := range o.All() {
				if opt.Kind == OptEOL {
					break
				}
				if opt.Kind == k {
					want, found = opt, true
					break
				}
			}
			got, ok := o.find(k)
			if ok != found || ok && (got.Offset != want.Offset || got.Len != want.Len || string(got.Data) != string(want.Data)) {
				t.Fatalf("options % x: find(%d) = %+v, %v; All gives %+v, %v", o.Bytes(), k, got, ok, want, found)
			}
		}
	}
}
