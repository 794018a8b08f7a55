package plots

import (
	"bytes"
	"io"
	"testing"

	"github.com/netsimlab/netsim/sim"
)

// fuzzRecords turns bytes into a trace: records of every kind the
// package reads, with subjects and field values (ids, conns, flags,
// sequence numbers, options, times) chosen by the input, so that
// malformed, contradictory and out-of-order traces reach every figure.
func fuzzRecords(data []byte) []sim.Record {
	kinds := []string{sim.KindPacketSend, sim.KindPacketEnqueue, sim.KindPacketTx, sim.KindPacketRx, sim.KindPacketDrop,
		sim.KindPacketForward, sim.KindPacketDeliver, sim.KindPacketDuplicate, sim.KindTCPState, sim.KindTCPCwnd,
		sim.KindTCPRTT, sim.KindTCPRetransmit}
	subjects := []string{"host/a", "host/b", "router/r", "link/l/a>r", "link/l/r>b", "link/m/b>a", "link/bad", "x"}
	flags := []string{"S", "S.", ".", "P.", "F.", "R", "R.", "none", ""}
	opts := []string{"", "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7", "nop,nop,sack 5:9 1:3", "wscale 99", "sack 1 {4294967295:0}"}
	var recs []sim.Record
	var t sim.Time
	for len(data) >= 8 {
		c := data[:8]
		data = data[8:]
		t += sim.Time(c[0]) * sim.Time(1+int(c[7])*1000)
		if c[6] == 255 {
			t = 0 // time going backwards
		}
		v := func(i int) int64 { return int64(c[i]) - 8 }
		r := sim.Record{T: t, Kind: kinds[int(c[1])%len(kinds)], Subject: subjects[int(c[2])%len(subjects)]}
		r.Fields = []sim.Field{
			sim.Int("id", v(3)), sim.Int("of", v(4)), sim.Int("len", v(5)*100), sim.String("src", subjects[int(c[4])%3]),
			sim.String("dst", subjects[int(c[5])%3]), sim.String("flags", flags[int(c[3])%len(flags)]),
			sim.Uint("seq", uint64(c[4])<<24), sim.Int("rseq", v(5)*1000), sim.Int("rack", v(6)*1000), sim.Int("win", v(7)),
			sim.Int("plen", v(6)*100), sim.String("opts", opts[int(c[7])%len(opts)]), sim.Uint("conn", uint64(c[3]%3)),
			sim.Int("qlen", v(4)), sim.String("reason", "loss"), sim.String("to", "ESTABLISHED"), sim.String("side", "client"),
			sim.Int("cwnd", v(5)*1000), sim.Int("ssthresh", v(6)*1000), sim.Int("sample", v(7)*1e6), sim.Int("srtt", v(4)*1e6),
		}
		recs = append(recs, r)
	}
	return recs
}

// FuzzRender: no input makes a figure or the terminal diagram panic.
func FuzzRender(f *testing.F) {
	f.Add([]byte("\x01\x00\x00\x01\x02\x03\x04\x05\x01\x06\x01\x02\x03\x04\x05\x06"))
	f.Add(bytes.Repeat([]byte{3, 0, 0, 9, 9, 9, 9, 1, 2, 6, 1, 9, 9, 9, 9, 1}, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := fuzzRecords(data)
		for _, k := range append(Kinds(), KindRTT) {
			for _, o := range []Options{{Kind: k}, {Kind: k, Conn: 1, CompressTime: true, ShowRouters: true, From: 5, To: 90000}} {
				_ = RenderTo(recs, o, "svg", io.Discard)
			}
		}
		_ = ASCII(io.Discard, recs, []HostLabel{{"b", ""}}, ASCIIOptions{States: true, Width: 30})
		_ = ASCII(io.Discard, recs, nil, ASCIIOptions{})
	})
}
