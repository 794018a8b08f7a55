package inet

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/internal/testutil"
)

func TestSumRFC1071Example(t *testing.T) {
	// RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	assert.Equal(t, uint32(0xddf2), Sum(b, 0))
	assert.Equal(t, uint16(0x220d), Checksum(b, 0))
	assert.Equal(t, uint32(0xffff), Sum(append(b, 0x22, 0x0d), 0), "data plus its checksum sums to all ones")
}

func TestSumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		b := randomBytes(r, n)
		init := r.Uint32() & 0x1ffff
		assert.Equal(t, testutil.RFC1071Sum(b, init), Sum(b, init), "len %d", n)
		// All ones everywhere: the carries pile up.
		for i := range b {
			b[i] = 0xff
		}
		assert.Equal(t, testutil.RFC1071Sum(b, 0xffff), Sum(b, 0xffff), "ones len %d", n)
	}
}

func TestSumChains(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := randomBytes(r, 101)
	for k := 0; k <= 100; k += 2 {
		assert.Equal(t, Sum(b, 7), Sum(b[k:], Sum(b[:k], 7)), "split at %d", k)
	}
}

func TestUpdateChecksumMatchesRecompute(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		b := randomBytes(r, 2+2*r.IntN(30))
		hc := Checksum(b, 0)
		at := 2 * r.IntN(len(b)/2)
		old := binary.BigEndian.Uint16(b[at:])
		nw := uint16(r.Uint32())
		if r.IntN(10) == 0 {
			nw = ^old // the case RFC 1624 §3 was written for
		}
		binary.BigEndian.PutUint16(b[at:], nw)
		assert.Equal(t, Checksum(b, 0), UpdateChecksum(hc, old, nw))
	}
	for range 2000 {
		b := randomBytes(r, 4+4*r.IntN(10))
		hc := Checksum(b, 0)
		at := 4 * r.IntN(len(b)/4)
		old := binary.BigEndian.Uint32(b[at:])
		nw := r.Uint32()
		binary.BigEndian.PutUint32(b[at:], nw)
		assert.Equal(t, Checksum(b, 0), UpdateChecksum32(hc, old, nw))
	}
}

func TestPseudoHeaderSum(t *testing.T) {
	tests := []struct {
		name     string
		src, dst string
		length   uint32
		bytes    []byte
	}{
		{
			name: "IPv4 RFC 9293 §3.1", src: "10.0.0.1", dst: "192.168.255.2", length: 40,
			bytes: []byte{10, 0, 0, 1, 192, 168, 255, 2, 0, 6, 0, 40},
		},
		{
			name: "IPv4-mapped counts as IPv4", src: "::ffff:10.0.0.1", dst: "192.168.255.2", length: 1500,
			bytes: []byte{10, 0, 0, 1, 192, 168, 255, 2, 0, 6, 0x05, 0xdc},
		},
		{
			name: "IPv6 RFC 8200 §8.1", src: "2001:db8::1", dst: "fe80::ffff", length: 0x12345,
			bytes: []byte{
				0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
				0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
				0, 1, 0x23, 0x45, 0, 0, 0, 6,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PseudoHeaderSum(netip.MustParseAddr(tt.src), netip.MustParseAddr(tt.dst), protoTCP, tt.length)
			assert.Equal(t, testutil.RFC1071Sum(tt.bytes, 0), got)
		})
	}
	assert.Equal(t, testutil.RFC1071Sum([]byte{0, 6, 0, 20}, 0), PseudoHeaderSum(netip.Addr{}, netip.Addr{}, protoTCP, 20), "invalid addresses are zeros")
}

// protoTCP is TCP's IP protocol number (IANA), for the pseudo-header.
const protoTCP = 6

func BenchmarkSum(b *testing.B) {
	for _, n := range []int{20, 40, 1500} {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte(i * 7)
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				_ = Sum(buf, 0)
			}
		})
	}
}

// randomBytes returns n bytes drawn from r.
func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
