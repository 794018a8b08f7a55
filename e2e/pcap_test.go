package e2e

import (
	"encoding/binary"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testutil"
)

// pcapPacket is one record of a classic pcap file.
type pcapPacket struct {
	ts      int64 // nanoseconds
	origLen int
	data    []byte
}

// Classic pcap with nanosecond timestamps (as netsim promises), little
// endian, LINKTYPE_RAW (101).
const (
	pcapMagicNanos = 0xa1b23c4d
	linktypeRaw    = 101
)

// readPcap parses a classic pcap file written by netsim; it is written
// here from the file format, not with netsim's writer.
func readPcap(t *testing.T, path string) []pcapPacket {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	pkts, err := parsePcap(b)
	require.NoError(t, err, path)
	return pkts
}

func parsePcap(b []byte) ([]pcapPacket, error) {
	if len(b) < 24 {
		return nil, fmt.Errorf("pcap: %d bytes, shorter than the 24-byte header", len(b))
	}
	le := binary.LittleEndian
	if m := le.Uint32(b); m != pcapMagicNanos {
		return nil, fmt.Errorf("pcap: magic %#x, want %#x (little-endian, nanosecond timestamps)", m, uint32(pcapMagicNanos))
	}
	if lt := le.Uint32(b[20:]); lt != linktypeRaw {
		return nil, fmt.Errorf("pcap: link type %d, want %d (LINKTYPE_RAW)", lt, linktypeRaw)
	}
	var out []pcapPacket
	for off := 24; off < len(b); {
		if off+16 > len(b) {
			return nil, fmt.Errorf("pcap: truncated record header at %d", off)
		}
		sec, nsec := int64(le.Uint32(b[off:])), int64(le.Uint32(b[off+4:]))
		if nsec >= 1e9 {
			return nil, fmt.Errorf("pcap: record at %d: %d ns is not below a second", off, nsec)
		}
		incl, orig := int(le.Uint32(b[off+8:])), int(le.Uint32(b[off+12:]))
		off += 16
		if off+incl > len(b) {
			return nil, fmt.Errorf("pcap: record at %d: %d bytes past the end", off, incl)
		}
		out = append(out, pcapPacket{ts: sec*1e9 + nsec, origLen: orig, data: b[off : off+incl]})
		off += incl
	}
	return out, nil
}

// verifyIPv4TCP reports what is wrong with a raw IPv4 datagram carrying
// TCP: header fields, IPv4 header checksum (RFC 791) and TCP checksum over
// the pseudo-header (RFC 9293 §3.1). Empty when all is well.
func verifyIPv4TCP(d []byte) string {
	if len(d) < 20 || d[0]>>4 != 4 {
		return "not an IPv4 datagram"
	}
	ihl := int(d[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(d[2:]))
	if ihl < 20 || total != len(d) || ihl > total {
		return fmt.Sprintf("IPv4 lengths: ihl %d, total %d, captured %d", ihl, total, len(d))
	}
	if c := testutil.RFC1071Checksum(d[:ihl], 0); c != 0 {
		return fmt.Sprintf("IPv4 header checksum does not verify (%#04x)", c)
	}
	if d[9] != 6 {
		return ""
	}
	seg := d[ihl:]
	if len(seg) < 20 {
		return "TCP header truncated"
	}
	off := int(seg[12]>>4) * 4
	if off < 20 || off > len(seg) {
		return fmt.Sprintf("TCP data offset %d in a %d-byte segment", off, len(seg))
	}
	var sum uint32
	for _, b := range [][]byte{d[12:16], d[16:20]} {
		sum += (uint32(b[0])<<8 | uint32(b[1])) + (uint32(b[2])<<8 | uint32(b[3]))
	}
	sum += 6 + uint32(len(seg))
	if c := testutil.RFC1071Checksum(seg, sum); c != 0 {
		return fmt.Sprintf("TCP checksum does not verify (%#04x)", c)
	}
	return ""
}
