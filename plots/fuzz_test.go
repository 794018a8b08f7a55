package plots

import (
	"bytes"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/netsimlab/netsim/sim"
)

// fuzzRecords turns bytes into a trace: records of every kind the
// package reads, with subjects and field values (ids, conns, flags,
// sequence numbers, options, times) chosen by the input, so that
// malformed, contradictory and out-of-order traces reach every figure.
func fuzzRecords(data []byte) []sim.Record {
	subjects := []string{"host/a", "host/b", "router/r", "link/l/a>r", "link/l/r>b", "link/m/b>a", "link/bad", "x"}
	addrs := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), {}}
	flags := []sim.TCPFlags{sim.TCPFlagSYN, sim.TCPFlagSYN | sim.TCPFlagACK, sim.TCPFlagACK, sim.TCPFlagPSH | sim.TCPFlagACK,
		sim.TCPFlagFIN | sim.TCPFlagACK, sim.TCPFlagRST, sim.TCPFlagRST | sim.TCPFlagACK, 0}
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
		u := func(i int) uint64 { return uint64(c[i]) }
		conn := uint64(c[3] % 3)
		var ev sim.Event
		switch c[1] % 12 {
		case 0:
			ev = &sim.PacketSend{ID: u(3), Iface: "eth0", Len: int(v(5) * 100), Src: addrs[int(c[4])%3], Dst: addrs[int(c[5])%3],
				Proto: []uint8{6, 17}[c[2]%2], Flags: flags[int(c[3])%len(flags)], Seq: uint32(c[4]) << 24,
				RSeq: uint64(v(5) * 1000), RAck: uint64(v(6) * 1000), Win: uint16(c[7]), PLen: int(v(6) * 100),
				Opts: sim.TCPOptionsText(opts[int(c[7])%len(opts)]), Conn: conn}
		case 1:
			ev = &sim.PacketEnqueue{ID: u(3), Len: int(v(5) * 100), QLen: int(v(4)), QBytes: int(v(4) * 100)}
		case 2:
			ev = &sim.PacketTx{ID: u(3), Len: int(v(5) * 100), QLen: int(v(4)), QBytes: int(v(4) * 100)}
		case 3:
			ev = &sim.PacketRx{ID: u(3), Len: int(v(5) * 100)}
		case 4:
			ev = &sim.PacketDrop{ID: u(3), Len: int(v(5) * 100), Reason: "loss"}
		case 5:
			ev = &sim.PacketForward{ID: u(3), Iface: "eth1", TTL: c[4]}
		case 6:
			ev = &sim.PacketDeliver{ID: u(3), Iface: "eth0", Len: int(v(5) * 100), Conn: conn}
		case 7:
			ev = &sim.PacketDuplicate{ID: u(3), Of: u(4)}
		case 8:
			ev = &sim.TCPState{Conn: conn, Side: "client", To: "ESTABLISHED"}
		case 9:
			ev = &sim.TCPCwnd{Conn: conn, Side: "client", Cwnd: v(5) * 1000, Ssthresh: v(6) * 1000}
		case 10:
			ev = &sim.TCPRTT{Conn: conn, Side: "client", Sample: time.Duration(v(7) * 1e6), SRTT: time.Duration(v(4) * 1e6)}
		case 11:
			ev = &sim.TCPRetransmit{Conn: conn, Side: "client", RSeq: uint64(v(5) * 1000), Reason: "loss"}
		}
		recs = append(recs, sim.Record{T: t, Subject: subjects[int(c[2])%len(subjects)], Event: ev})
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
