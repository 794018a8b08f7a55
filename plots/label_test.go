package plots

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTextbookLabel(t *testing.T) {
	for _, tc := range []struct {
		p    packet
		want string
	}{
		{packet{tcp: true, flags: "S", rseq: 0}, "SYN seq=0"},
		{packet{tcp: true, flags: "S.", rseq: 0, rack: 1}, "SYN, ACK seq=0 ack=1"},
		{packet{tcp: true, flags: ".", rseq: 1, rack: 1}, "ACK ack=1"},
		{packet{tcp: true, flags: "P.", rseq: 1, rack: 1, plen: 1460}, "seq=1:1461 ack=1"},
		{packet{tcp: true, flags: ".", rseq: 1461, rack: 1, plen: 1460}, "seq=1461:2921 ack=1"},
		{packet{tcp: true, flags: "F.", rseq: 101, rack: 301}, "FIN, ACK seq=101 ack=301"},
		{packet{tcp: true, flags: "FP.", rseq: 1, rack: 1, plen: 10}, "FIN, ACK seq=1:11 ack=1"},
		{packet{tcp: true, flags: "R", rseq: 5}, "RST seq=5"},
		{packet{tcp: true, flags: "R.", rseq: 0, rack: 1}, "RST, ACK seq=0 ack=1"},
		{packet{size: 128}, "IP len=128"},
		{packet{size: 128, proto: 17, sport: 49152, dport: 9, plen: 100}, "UDP len=100"},
		{packet{size: 576, proto: 1, plen: 556}, "ICMP len=556"},
	} {
		assert.Equal(t, tc.want, textbookLabel(&tc.p), tc.want)
	}
}

func TestASCIILabel(t *testing.T) {
	syn := packet{tcp: true, flags: "S", win: 65535, opts: "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7"}
	synack := packet{tcp: true, flags: "S.", rack: 1, win: 65535, opts: "<mss 1460,sackOK,TS val 200 ecr 100,nop,wscale 7>"}
	ack := packet{tcp: true, flags: ".", rseq: 1, rack: 1, win: 502}
	data := packet{tcp: true, flags: "P.", rseq: 1, rack: 1, win: 502, plen: 100}
	for _, tc := range []struct {
		p     packet
		level int
		want  string
	}{
		{syn, 0, "SYN seq=0 win=65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"},
		{syn, 1, "SYN seq=0 win=65535 <mss 1460,...>"},
		{syn, 2, "SYN seq=0 win=65535 <...>"},
		{syn, 3, "SYN seq=0 win=65535"},
		{synack, 2, "SYN,ACK seq=0 ack=1 win=65535 <...>"},
		{ack, 0, "ACK seq=1 ack=1 win=502"},
		{data, 0, "seq=1:101 ack=1 win=502"},
		{packet{tcp: true, flags: "F.", rseq: 101, rack: 1, win: 502}, 0, "FIN,ACK seq=101 ack=1 win=502"},
		{packet{tcp: true, flags: "P.", rseq: 1, rack: 1, win: 502}, 0, "PSH,ACK seq=1 ack=1 win=502"},
		{packet{size: 60}, 0, "IP len=60"},
		{packet{size: 1228, proto: 17, sport: 49152, dport: 9, plen: 1200}, 0, "UDP 49152 > 9 len=1200"},
		{packet{size: 84, proto: 1, plen: 64}, 0, "ICMP len=64"},
	} {
		assert.Equal(t, tc.want, asciiLabel(&tc.p, tc.level), tc.want)
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts   string
		ws     int
		wsOK   bool
		blocks []sackBlock
	}{
		{"mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7", 7, true, nil},
		{"<mss 1460,nop,nop,sackOK,nop,wscale 8>", 8, true, nil},
		{"mss 1460", 0, false, nil},
		{"", 0, false, nil},
		{"wscale 20", 14, true, nil}, // RFC 7323 §2.3: capped at 14
		{"wscale x", 0, false, nil},
		{"nop,nop,sack 1449:2897 4345:5793", 0, false, []sackBlock{{1449, 2897}, {4345, 5793}}},
		{"nop,nop,TS val 5 ecr 6,nop,nop,sack 2 {1449:2897}{4345:5793}", 0, false, []sackBlock{{1449, 2897}, {4345, 5793}}},
		{"sack 1 {x:y}", 0, false, nil},
	} {
		ws, ok := optWScale(tc.opts)
		assert.Equal(t, tc.wsOK, ok, tc.opts)
		assert.Equal(t, tc.ws, ws, tc.opts)
		assert.Equal(t, tc.blocks, optSACK(tc.opts), tc.opts)
	}
}

func FuzzOptions(f *testing.F) {
	f.Add("mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7")
	f.Add("nop,nop,sack 2 {1449:2897}{4345:5793}")
	f.Fuzz(func(t *testing.T, s string) {
		if ws, ok := optWScale(s); ok && (ws < 0 || ws > 14) {
			t.Fatalf("wscale %d out of range from %q", ws, s)
		}
		optSACK(s)
		p := packet{tcp: true, flags: s, opts: s}
		for l := 0; l <= 3; l++ {
			asciiLabel(&p, l)
		}
		textbookLabel(&p)
	})
}
