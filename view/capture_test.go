package view

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manyCaptures writes a run's folder whose 100 hosts (more than
// maxOpenCaptures) each send rounds datagrams captured on their eth0, the
// hosts taking turns, and returns the folder and its trace.
func manyCaptures(t *testing.T, rounds int) (dir, trace string) {
	t.Helper()
	const hosts = 100
	dir = t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "pcap"), 0o755))
	caps := make([][]byte, hosts)
	for i := range caps {
		// The classic pcap header, nanosecond timestamps, raw IP.
		caps[i] = binary.LittleEndian.AppendUint32(nil, pcapMagicNanos)
		caps[i] = append(caps[i], 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		caps[i] = binary.LittleEndian.AppendUint32(caps[i], maxCaptureRecord)
		caps[i] = binary.LittleEndian.AppendUint32(caps[i], linkTypeRaw)
	}
	var lines []string
	id := 0
	for range rounds {
		for i := range hosts {
			id++
			tx := int64(id) * 1000
			src := netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
			lines = append(lines,
				send(tx, fmt.Sprintf("h%d", i), id, src.String(), "10.1.0.1", 40000+i, 80, "S", 0, 0, 0, id),
				fmt.Sprintf(`{"t":%d,"kind":"pkt.tx","subject":"link/l%d/h%d>r","id":%d,"len":52,"qlen":0,"qbytes":0,"arrive":%d}`, tx, i, i, id, tx+500),
				fmt.Sprintf(`{"t":%d,"kind":"pkt.deliver","subject":"host/sink","id":%d,"iface":"eth0","len":52,"conn":%d}`, tx+500, id, id))
			// The datagram: an IPv4 header and a TCP header with the
			// ports and sequence number of the trace's pkt.send.
			b := make([]byte, 40)
			b[0], b[9] = 0x45, 6
			binary.BigEndian.PutUint16(b[2:], 40)
			copy(b[12:], src.AsSlice())
			copy(b[16:], []byte{10, 1, 0, 1})
			binary.BigEndian.PutUint16(b[20:], uint16(40000+i))
			binary.BigEndian.PutUint16(b[22:], 80)
			binary.BigEndian.PutUint32(b[24:], 1000)
			b[32] = 5 << 4
			c := binary.LittleEndian.AppendUint32(caps[i], uint32(tx/1e9))
			c = binary.LittleEndian.AppendUint32(c, uint32(tx%1e9))
			c = binary.LittleEndian.AppendUint32(c, uint32(len(b)))
			c = binary.LittleEndian.AppendUint32(c, uint32(len(b)))
			caps[i] = append(c, b...)
		}
	}
	for i, c := range caps {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "pcap", captureName(fmt.Sprintf("h%d", i), "eth0")), c, 0o644))
	}
	return dir, strings.Join(lines, "\n") + "\n"
}

// decodedPackets reads a page's packets back from their compact form.
func decodedPackets(t *testing.T, p *Page) []packet {
	t.Helper()
	blob, err := base64.RawURLEncoding.DecodeString(p.packets)
	require.NoError(t, err)
	ps, err := decodePackets(blob)
	require.NoError(t, err)
	return ps
}

// TestManyCaptures: with more sending interfaces than maxOpenCaptures,
// the files read longest ago are closed and reopened where they stopped:
// every packet still gets its bytes, in order, the page is the one made
// with every file open at once, and a reopened file reuses the buffer of
// the one it replaced instead of allocating 64 KiB again.
func TestManyCaptures(t *testing.T) {
	const rounds = 5
	dir, trace := manyCaptures(t, rounds)
	page := func() *Page {
		p, err := Build(dir, strings.NewReader(trace), Options{})
		require.NoError(t, err)
		return p
	}
	bounded := page()
	shown, _ := bounded.Packets()
	assert.Equal(t, 100*rounds, shown)
	assert.True(t, bounded.data.Cut.Captured)
	ps := decodedPackets(t, bounded)
	for i, p := range ps {
		assert.Equal(t, uint64(i+1), p.ID)
		assert.Equal(t, 40, p.CapLen, "packet %d has its bytes", p.ID)
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	page()
	runtime.ReadMemStats(&after)
	// 500 packets of which 400 reopen a file: 64 KiB each would be 25 MiB
	// (32 MB in all before; 10 MB with the buffers reused).
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated by a page of 500 packets")

	defer func(n int) { maxOpenCaptures = n }(maxOpenCaptures)
	maxOpenCaptures = 1000
	assert.Equal(t, bounded.packets, page().packets, "the page made with every capture open at once")
}
