package ipv4_test

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netsimlab/netsim/nodes/ipv4"
)

// The IPv4 header of a full data datagram (1480 bytes of payload); the
// gopacket benchmarks are the baseline measured in the same run.

var (
	benchHeader  = ipv4.New(oracleA, oracleB, ipv4.ProtoTCP)
	benchPayload = make([]byte, 1480)
	sinkHeader   ipv4.Header
	sinkBytes    []byte
)

var (
	oracleA = mustAddr("10.0.0.1")
	oracleB = mustAddr("10.0.0.2")
)

// benchDatagram returns benchHeader with payload behind it, encoded.
func benchDatagram(b *testing.B, payload []byte) []byte {
	b.Helper()
	h := benchHeader
	d, err := h.AppendTo(nil, payload)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkEncodeHeader writes the 20-byte header as a host does before
// appending the TCP segment behind it.
func BenchmarkEncodeHeader(b *testing.B) {
	h := benchHeader
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = h.AppendHeaderTo(buf[:0], len(benchPayload))
		if err != nil {
			b.Fatal(err)
		}
	}
	sinkBytes = buf
}

// BenchmarkDecode decodes and checks a whole datagram (the checksum covers
// only the header).
func BenchmarkDecode(b *testing.B) {
	d := benchDatagram(b, benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		got, p, err := ipv4.Decode(d)
		if err != nil {
			b.Fatal(err)
		}
		sinkHeader, sinkBytes = got, p
	}
}

// BenchmarkDecrementTTL is a router's per-hop work on the header.
func BenchmarkDecrementTTL(b *testing.B) {
	d := benchDatagram(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		d[8] = 64
		if _, ok := ipv4.DecrementTTL(d); !ok {
			b.Fatal("dropped")
		}
	}
}

func BenchmarkGopacketEncodeHeader(b *testing.B) {
	g := &layers.IPv4{Version: 4, TTL: 64, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
		SrcIP: net.IP(oracleA.AsSlice()), DstIP: net.IP(oracleB.AsSlice())}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := gopacket.SerializeLayers(buf, opts, g, gopacket.Payload(benchPayload)); err != nil {
			b.Fatal(err)
		}
	}
	sinkBytes = buf.Bytes()
}

func BenchmarkGopacketDecode(b *testing.B) {
	d := benchDatagram(b, benchPayload)
	var g layers.IPv4
	b.ReportAllocs()
	for b.Loop() {
		if err := g.DecodeFromBytes(d, gopacket.NilDecodeFeedback); err != nil {
			b.Fatal(err)
		}
	}
	sinkBytes = g.Payload
}
