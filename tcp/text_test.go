package tcp

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// TestEnumStrings: each enum names its values, and writes a value it has
// no name for as TYPE(n).
func TestEnumStrings(t *testing.T) {
	for _, tc := range []struct {
		v    fmt.Stringer
		want string
	}{
		{Closed, "CLOSED"}, {TimeWait, "TIME-WAIT"}, {TimeWait + 1, "STATE(11)"},
		{EvEstablished, "established"}, {EvBBR, "bbr"}, {EventKind(0), "event(0)"}, {EventKind(200), "event(200)"},
		{BBRStartup, "startup"}, {BBRProbeRTT, "probe_rtt"}, {BBRMode(255), "BBRMode(255)"},
		{PacingAuto, "auto"}, {PacingOff, "false"}, {PacingMode(3), "PacingMode(3)"},
		{ECNOff, "off"}, {ECNAccept, "accept"}, {ECNMode(7), "ECNMode(7)"},
	} {
		assert.Equal(t, tc.want, tc.v.String())
	}
}

func TestFlagString(t *testing.T) {
	tests := []struct {
		f    Flags
		want string
	}{
		{FlagSYN, "S"},
		{FlagSYN | FlagACK, "S."},
		{FlagACK, "."},
		{FlagPSH | FlagACK, "P."},
		{FlagFIN | FlagACK, "F."},
		{FlagFIN | FlagPSH | FlagACK, "FP."},
		{FlagRST | FlagACK, "R."},
		{FlagRST, "R"},
		{FlagSYN | FlagECE | FlagCWR, "SEW"},
		{FlagSYN | FlagACK | FlagECE, "S.E"},
		{FlagURG | FlagACK, ".U"},
		{FlagNS | FlagACK, ".N"},
		{0, "none"},
		{FlagFIN | FlagSYN | FlagRST | FlagPSH | FlagACK | FlagURG | FlagECE | FlagCWR | FlagNS, "FSRP.UEWN"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FlagString(tt.f))
		assert.Equal(t, tt.want, tt.f.String())
	}
}

func TestHeaderText(t *testing.T) {
	a := netip.MustParseAddr("10.0.0.1")
	b := netip.MustParseAddr("10.0.0.2")
	isnA, isnB := Seq(0xfffffff0), Seq(5000)
	tests := []struct {
		name    string
		src     netip.Addr
		dst     netip.Addr
		h       Header
		payload int
		base    Bases
		want    string
	}{
		{
			name: "SYN, issue 3 example", src: a, dst: b,
			h:    Header{SrcPort: 49152, DstPort: 80, Flags: FlagSYN, Window: 65535, Options: SYNOptions(1460, true, 1, true, 7)},
			want: "10.0.0.1:49152 > 10.0.0.2:80 [S] seq 0 win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>",
		},
		{
			name: "SYN relative to an ISN near the wrap", src: a, dst: b, base: Bases{Seq: isnA},
			h:    Header{SrcPort: 49152, DstPort: 80, Seq: isnA, Flags: FlagSYN, Window: 64240, Options: SYNOptions(1460, true, 0, false, 7)},
			want: "10.0.0.1:49152 > 10.0.0.2:80 [S] seq 0 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>",
		},
		{
			name: "SYN-ACK relative", src: b, dst: a, base: Bases{Seq: isnB, Ack: isnA},
			h:    Header{SrcPort: 80, DstPort: 49152, Seq: isnB, Ack: isnA + 1, Flags: FlagSYN | FlagACK, Window: 65160, Options: SYNOptions(1460, false, 0, false, -1)},
			want: "10.0.0.2:80 > 10.0.0.1:49152 [S.] seq 0 ack 1 win 65160 <mss 1460>",
		},
		{
			name: "data across the wrap", src: a, dst: b, payload: 1448, base: Bases{Seq: isnA, Ack: isnB},
			h:    Header{SrcPort: 49152, DstPort: 80, Seq: isnA + 1, Ack: isnB + 1, Flags: FlagPSH | FlagACK, Window: 502, Options: SegmentOptions(9, 7, true, nil)},
			want: "10.0.0.1:49152 > 10.0.0.2:80 [P.] seq 1:1449 ack 1 win 502 <nop,nop,TS val 9 ecr 7> length 1448",
		},
		{
			name: "SACK blocks relative to the receiver's ISN", src: b, dst: a, base: Bases{Seq: isnB, Ack: isnA},
			h: Header{SrcPort: 80, DstPort: 49152, Seq: isnB + 1, Ack: isnA + 1, Flags: FlagACK, Window: 500,
				Options: SegmentOptions(0, 0, false, []SACKBlock{{isnA + 1449, isnA + 2897}, {isnA + 4345, isnA + 5793}})},
			want: "10.0.0.2:80 > 10.0.0.1:49152 [.] seq 1 ack 1 win 500 <nop,nop,sack 1449:2897 4345:5793>",
		},
		{
			name: "absolute, no addresses",
			h:    Header{SrcPort: 1, DstPort: 2, Seq: 7, Ack: 9, Flags: FlagRST | FlagACK},
			want: "1 > 2 [R.] seq 7 ack 9 win 0",
		},
		{
			name: "urgent pointer and unknown option", src: a, dst: b, payload: 1,
			h:    Header{SrcPort: 1, DstPort: 2, Seq: 7, Flags: FlagURG | FlagPSH, Urgent: 1, Options: opts(t, raw(30, 0xca, 0xfe), raw(99), eol)},
			want: "10.0.0.1:1 > 10.0.0.2:2 [PU] seq 7:8 win 0 urg 1 <unknown-30 0xcafe,unknown-99,eol> length 1",
		},
		{
			name: "IPv6", src: netip.MustParseAddr("2001:db8::1"), dst: netip.MustParseAddr("2001:db8::2"),
			h:    Header{SrcPort: 1, DstPort: 2, Flags: FlagACK, Ack: 1},
			want: "2001:db8::1:1 > 2001:db8::2:2 [.] seq 0 ack 1 win 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.h.Text(tt.src, tt.dst, tt.payload, tt.base))
			// The same line from decoded bytes.
			seg := tt.h.AppendTo(nil, tt.src, tt.dst, make([]byte, tt.payload))
			d, p, err := Decode(seg)
			require.NoError(t, err)
			if tt.h.Options.Len()%4 == 0 {
				assert.Equal(t, tt.want, d.Text(tt.src, tt.dst, len(p), tt.base))
			}
		})
	}
}

func TestFormatOptionsBadOption(t *testing.T) {
	var o Options
	o.n = uint8(copy(o.buf[:], []byte{1, 2, 5, 5, 180}))
	assert.Equal(t, "nop,bad-option-2", FormatOptions(&o))
	o.n = uint8(copy(o.buf[:], []byte{30, 0}))
	assert.Equal(t, "bad-option-30", o.String())
}

func TestTextAllocations(t *testing.T) {
	h := Header{SrcPort: 49152, DstPort: 80, Flags: FlagSYN, Window: 65535, Options: SYNOptions(1460, true, 1, true, 7)}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf = h.AppendText(buf[:0], addrA, addrB, 0, Bases{})
		buf = h.AppendVerbose(buf[:0], 0, Bases{})
	})
	assert.Zero(t, allocs)
}

// TestVerboseGolden: the textbook form of a SYN and of a data segment,
// compared with testdata/*.golden (rewrite with -update).
func TestVerboseGolden(t *testing.T) {
	tests := []struct {
		file    string
		h       Header
		payload int
		base    Bases
	}{
		{
			file: "verbose_syn.golden",
			h:    Header{SrcPort: 49152, DstPort: 80, Seq: 1000, Flags: FlagSYN, Window: 65535, Options: SYNOptions(1460, true, 1, true, 7)},
			base: Bases{Seq: 1000},
		},
		{
			file: "verbose_data.golden", payload: 1448,
			h: Header{SrcPort: 49152, DstPort: 80, Seq: 1, Ack: 1, Flags: FlagPSH | FlagACK | FlagECE, Window: 502, Options: SegmentOptions(9, 7, true, []SACKBlock{{100, 200}})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			seg := tt.h.AppendTo(nil, addrA, addrB, make([]byte, tt.payload))
			h, p, err := Decode(seg)
			require.NoError(t, err)
			got := h.Verbose(len(p), tt.base) + "\n"
			path := filepath.Join("testdata", tt.file)
			if testflags.Update() {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}
