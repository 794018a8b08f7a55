package view

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/netsimlab/netsim/nodes/icmp"
	"github.com/netsimlab/netsim/nodes/ipv4"
	"github.com/netsimlab/netsim/nodes/udp"
	"github.com/netsimlab/netsim/tcp"
)

// capturedPayload is how many payload bytes of a packet the page shows
// after its headers: enough to see what the application wrote, few enough
// that the XORed captures of a million full-sized segments compress to a
// few megabytes (packets.go).
const capturedPayload = 32

// maxCaptureRecord is the largest pcap record accepted; netsim writes a
// snap length of 262144, so anything larger is not one of its captures.
const maxCaptureRecord = 262144

// The classic pcap magic numbers, as read little-endian: microsecond and
// nanosecond timestamps (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
const (
	pcapMagicMicros = 0xa1b2c3d4
	pcapMagicNanos  = 0xa1b23c4d
	linkTypeRaw     = 101
)

// captureKey names one outgoing datagram in a capture: the file of the
// sender's interface and the time its first bit left.
type captureKey struct {
	file string
	t    int64
}

// attachCaptures reads the captures in dir (a run's pcap/ folder) and
// gives each embedded packet that left its sender the bytes the capture
// holds, and whether its checksums are valid. A missing folder is fine
// (pcap: false); an unreadable or malformed capture is an error naming it.
func attachCaptures(dir string, d *pageData) error {
	want := map[captureKey][]int{}
	var files []string
	for i := range d.Packets {
		p := &d.Packets[i]
		if p.txAt < 0 || p.iface == "" || p.Src < 0 {
			continue
		}
		f := captureName(d.Hosts[p.Src], p.iface)
		k := captureKey{f, p.txAt}
		if len(want[k]) == 0 && !slices.Contains(files, f) {
			files = append(files, f)
		}
		want[k] = append(want[k], i)
	}
	slices.Sort(files)
	for _, f := range files {
		path := filepath.Join(dir, f)
		err := readCapture(path, func(t int64, b []byte) {
			for _, i := range want[captureKey{f, t}] {
				if p := &d.Packets[i]; !p.captured && sameDatagram(p, b) {
					setBytes(p, b)
					d.Cut.Captured = true
				}
			}
		})
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sameDatagram reports whether the captured bytes b are packet p: the
// same source address and, for TCP, the same ports and sequence number.
func sameDatagram(p *packet, b []byte) bool {
	if len(b) < ipv4.HeaderLen || b[0]>>4 != 4 {
		return false
	}
	if netip.AddrFrom4([4]byte(b[12:16])).String() != p.SrcA || b[9] != p.Proto {
		return false
	}
	hl := int(b[0]&0xf) * 4
	if p.Proto != ipv4.ProtoTCP {
		return true
	}
	if len(b) < hl+tcp.HeaderLen {
		return false
	}
	s := b[hl:]
	return binary.BigEndian.Uint16(s) == p.SPort && binary.BigEndian.Uint16(s[2:]) == p.DPort &&
		binary.BigEndian.Uint32(s[4:]) == p.Seq
}

// setBytes keeps the headers and the first payload bytes of b, and checks
// the IPv4 checksum and the transport's (TCP, UDP or ICMP) over the whole
// datagram as Wireshark does.
func setBytes(p *packet, b []byte) {
	p.captured = true
	p.CapLen = len(b)
	ipOK := ipv4.VerifyChecksum(b)
	p.IPSum = &ipOK
	hl := int(b[0]&0xf) * 4
	keep := min(len(b), hl+capturedPayload)
	total := min(len(b), int(binary.BigEndian.Uint16(b[2:])))
	if hl < ipv4.HeaderLen || total < hl {
		p.raw = bytes.Clone(b[:keep])
		return
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	seg := b[hl:total]
	var ok bool
	switch {
	case p.Proto == ipv4.ProtoTCP && len(seg) >= tcp.HeaderLen:
		ok = tcp.VerifyChecksum(seg, src, dst)
		keep = min(len(b), hl+int(seg[12]>>4)*4+capturedPayload)
	case p.Proto == udp.Protocol && len(seg) >= udp.HeaderLen:
		ok = udp.VerifyChecksum(seg, src, dst)
		keep = min(len(b), hl+udp.HeaderLen+capturedPayload)
	case p.Proto == ipv4.ProtoICMP && len(seg) >= icmpHeaderLen:
		_, _, err := icmp.Decode(seg)
		if err != nil && !errors.Is(err, icmp.ErrChecksum) {
			break // malformed: no verdict on its checksum
		}
		ok = err == nil
		// An error message quotes the offending datagram's IPv4 header
		// (up to 60 bytes) and the start of its transport header.
		keep = min(len(b), hl+icmpHeaderLen+60+capturedPayload)
	default:
		p.raw = bytes.Clone(b[:keep])
		return
	}
	p.L4Sum = &ok
	p.raw = bytes.Clone(b[:keep])
}

// icmpHeaderLen is the fixed part of every ICMP message (RFC 792): type,
// code, checksum and four bytes whose meaning depends on the type.
const icmpHeaderLen = 8

// readCapture streams the classic pcap at path, calling fn with each
// record's timestamp in ns and its bytes (valid during the call only).
func readCapture(path string, fn func(t int64, b []byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return fmt.Errorf("%s: not a pcap file: %w", path, err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	magic := order.Uint32(hdr[:])
	if magic != pcapMagicMicros && magic != pcapMagicNanos {
		order = binary.BigEndian
		magic = order.Uint32(hdr[:])
	}
	if magic != pcapMagicMicros && magic != pcapMagicNanos {
		return fmt.Errorf("%s: not a classic pcap file (magic %#08x)", path, binary.LittleEndian.Uint32(hdr[:]))
	}
	if lt := order.Uint32(hdr[20:]) & 0xffff; lt != linkTypeRaw {
		return fmt.Errorf("%s: link type %d, want raw IP (%d) as netsim writes", path, lt, linkTypeRaw)
	}
	frac := int64(1)
	if magic == pcapMagicMicros {
		frac = 1000
	}
	buf := make([]byte, 0, 2048)
	for n := 1; ; n++ {
		var rh [16]byte
		if _, err := io.ReadFull(r, rh[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: record %d: %w", path, n, err)
		}
		size := order.Uint32(rh[8:])
		if size > maxCaptureRecord {
			return fmt.Errorf("%s: record %d is %d bytes, more than a capture holds (%d)", path, n, size, maxCaptureRecord)
		}
		buf = slices.Grow(buf[:0], int(size))[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("%s: record %d: %w", path, n, err)
		}
		fn(int64(order.Uint32(rh[:]))*1e9+int64(order.Uint32(rh[4:]))*frac, buf)
	}
}

// captureName is the pcap file of a host's interface, as a run names it.
func captureName(host, iface string) string {
	return host + "-" + iface + ".pcap"
}
