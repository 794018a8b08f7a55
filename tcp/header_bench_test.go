package tcp_test

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netsimlab/netsim/tcp"
)

// The segments the benchmarks encode and decode: a Linux SYN (40-byte
// header), a full Linux data segment (32-byte header, 1448 bytes of
// payload, checksummed) and the pure ACK that answers it. The gopacket benchmarks are the baseline the
// ratios in docs/performance.md are measured against, in the same run.

var (
	benchSYN = tcp.Header{SrcPort: 49152, DstPort: 80, Seq: 0x12345678, Flags: tcp.FlagSYN, Window: 64240,
		Options: tcp.SYNOptions(1460, true, 1, true, 7)}
	benchData = tcp.Header{SrcPort: 49152, DstPort: 80, Seq: 1, Ack: 1, Flags: tcp.FlagPSH | tcp.FlagACK, Window: 502,
		Options: tcp.SegmentOptions(100, 200, true, nil)}
	benchACK = tcp.Header{SrcPort: 80, DstPort: 49152, Seq: 1, Ack: 1449, Flags: tcp.FlagACK, Window: 501,
		Options: tcp.SegmentOptions(201, 100, true, nil)}
	benchPayload = make([]byte, 1448)
	sinkHeader   tcp.Header
	sinkBytes    []byte
)

func benchEncode(b *testing.B, h tcp.Header, payload []byte) {
	buf := make([]byte, 0, 1600)
	b.ReportAllocs()
	b.SetBytes(int64(h.Len() + len(payload)))
	for b.Loop() {
		buf = h.AppendTo(buf[:0], oracleSrc, oracleDst, payload)
	}
	sinkBytes = buf
}

func benchDecode(b *testing.B, h tcp.Header, payload []byte) {
	seg := h.AppendTo(nil, oracleSrc, oracleDst, payload)
	b.ReportAllocs()
	b.SetBytes(int64(len(seg)))
	for b.Loop() {
		d, p, err := tcp.Decode(seg)
		if err != nil {
			b.Fatal(err)
		}
		sinkHeader, sinkBytes = d, p
	}
}

func BenchmarkEncodeSYN(b *testing.B)  { benchEncode(b, benchSYN, nil) }
func BenchmarkDecodeSYN(b *testing.B)  { benchDecode(b, benchSYN, nil) }
func BenchmarkEncodeData(b *testing.B) { benchEncode(b, benchData, benchPayload) }
func BenchmarkDecodeData(b *testing.B) { benchDecode(b, benchData, benchPayload) }
func BenchmarkEncodeACK(b *testing.B)  { benchEncode(b, benchACK, nil) }
func BenchmarkDecodeACK(b *testing.B)  { benchDecode(b, benchACK, nil) }

// BenchmarkDecodeCheckedData decodes and verifies the checksum, as a host
// does on receipt.
func BenchmarkDecodeCheckedData(b *testing.B) {
	seg := benchData.AppendTo(nil, oracleSrc, oracleDst, benchPayload)
	b.ReportAllocs()
	b.SetBytes(int64(len(seg)))
	for b.Loop() {
		d, p, err := tcp.DecodeChecked(seg, oracleSrc, oracleDst)
		if err != nil {
			b.Fatal(err)
		}
		sinkHeader, sinkBytes = d, p
	}
}

func BenchmarkTextSYN(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = benchSYN.AppendText(buf[:0], oracleSrc, oracleDst, 0, tcp.Bases{Seq: 0x12345678})
	}
	sinkBytes = buf
}

// gopacketLayer returns gopacket's equivalent of h, checksummed over the
// same pseudo-header.
func gopacketLayer(h tcp.Header) *layers.TCP {
	g := &layers.TCP{SrcPort: layers.TCPPort(h.SrcPort), DstPort: layers.TCPPort(h.DstPort),
		Seq: uint32(h.Seq), Ack: uint32(h.Ack), Window: h.Window,
		SYN: h.Flags.Has(tcp.FlagSYN), ACK: h.Flags.Has(tcp.FlagACK), PSH: h.Flags.Has(tcp.FlagPSH)}
	for opt := range h.Options.All() {
		g.Options = append(g.Options, layers.TCPOption{OptionType: layers.TCPOptionKind(opt.Kind), OptionData: opt.Data})
	}
	ip := &layers.IPv4{Version: 4, Protocol: layers.IPProtocolTCP, SrcIP: net.IP(oracleSrc.AsSlice()), DstIP: net.IP(oracleDst.AsSlice())}
	_ = g.SetNetworkLayerForChecksum(ip)
	return g
}

func benchGopacketEncode(b *testing.B, h tcp.Header, payload []byte) {
	g := gopacketLayer(h)
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := gopacket.SerializeLayers(buf, opts, g, gopacket.Payload(payload)); err != nil {
			b.Fatal(err)
		}
	}
	sinkBytes = buf.Bytes()
}

func benchGopacketDecode(b *testing.B, h tcp.Header, payload []byte) {
	seg := h.AppendTo(nil, oracleSrc, oracleDst, payload)
	var g layers.TCP
	b.ReportAllocs()
	for b.Loop() {
		if err := g.DecodeFromBytes(seg, gopacket.NilDecodeFeedback); err != nil {
			b.Fatal(err)
		}
	}
	sinkBytes = g.Payload
}

func BenchmarkGopacketEncodeSYN(b *testing.B)  { benchGopacketEncode(b, benchSYN, nil) }
func BenchmarkGopacketDecodeSYN(b *testing.B)  { benchGopacketDecode(b, benchSYN, nil) }
func BenchmarkGopacketEncodeData(b *testing.B) { benchGopacketEncode(b, benchData, benchPayload) }
func BenchmarkGopacketDecodeData(b *testing.B) { benchGopacketDecode(b, benchData, benchPayload) }
