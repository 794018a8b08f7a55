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

// maxOpenCaptures is the most capture files read at once; a network with
// more sending interfaces closes the one read longest ago and reopens it
// where it stopped when it is needed again. A variable only so that a test
// can open every file at once.
var maxOpenCaptures = 64

// captures reads a run's pcap/ folder alongside the trace: the trace
// comes in time order and so does each capture, so one forward pass
// over each file finds every packet's bytes at the time its first bit
// left (its first pkt.tx), without holding the packets or the captures.
type captures struct {
	dir   string
	files map[string]*captureFile
	open  int
	// recent lists the open files, the one used last first: its last is
	// the one to close, found and moved in O(1) however many files exist.
	recent captureList
	// found is set once a packet's bytes were found.
	found bool
}

// captureList is a doubly linked list of open capture files through
// their newer and older fields; head is the one used last.
type captureList struct{ head, tail *captureFile }

// remove takes cf out of the list.
func (l *captureList) remove(cf *captureFile) {
	if cf.newer != nil {
		cf.newer.older = cf.older
	} else {
		l.head = cf.older
	}
	if cf.older != nil {
		cf.older.newer = cf.newer
	} else {
		l.tail = cf.newer
	}
	cf.newer, cf.older = nil, nil
}

// pushFront puts cf, which is not in the list, first.
func (l *captureList) pushFront(cf *captureFile) {
	cf.older = l.head
	if l.head != nil {
		l.head.newer = cf
	} else {
		l.tail = cf
	}
	l.head = cf
}

func newCaptures(dir string) *captures {
	return &captures{dir: dir, files: map[string]*captureFile{}}
}

// captureRecord is one record of a capture: its time in ns and its bytes.
type captureRecord struct {
	t int64
	b []byte
}

// captureFile is one capture being read forward.
type captureFile struct {
	path    string
	missing bool // no such file (pcap: false, or the interface sent nothing)
	f       *os.File
	r       *bufio.Reader
	off     int64 // bytes consumed, to reopen the file where it stopped
	order   binary.ByteOrder
	frac    int64 // ns per unit of the timestamp's fraction
	n       int   // records read, for errors
	eof     bool
	// newer and older link the open files in captures.recent.
	newer, older *captureFile
	// next is the first record not yet consumed (hasNext); batch holds
	// the records at time batchT, which several packets may ask for.
	next    captureRecord
	hasNext bool
	batch   []captureRecord
	batchT  int64
	buf     []byte
}

// attach gives p the bytes of the capture of the interface it left by,
// at the time txAt its first bit left, when that capture holds a record
// of it then, and whether its checksums are valid. A missing capture is
// fine (pcap: false); an unreadable or malformed one is an error naming
// it. Calls come in time order.
func (cs *captures) attach(p *packet, host string) error {
	if p.iface == "" || p.Src < 0 || p.captured {
		return nil
	}
	name := captureName(host, p.iface)
	cf := cs.files[name]
	if cf == nil {
		cf = &captureFile{path: filepath.Join(cs.dir, name), batchT: -1}
		cs.files[name] = cf
	}
	if cf.missing {
		return nil
	}
	if cf.r != nil && cs.recent.head != cf {
		cs.recent.remove(cf)
		cs.recent.pushFront(cf)
	}
	recs, err := cs.recordsAt(cf, p.txAt)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if sameDatagram(p, rec.b) {
			setBytes(p, rec.b)
			cs.found = true
			return nil
		}
	}
	return nil
}

// recordsAt returns the records of cf at time t, reading past the earlier
// ones; nil once the file has gone past t.
func (cs *captures) recordsAt(cf *captureFile, t int64) ([]captureRecord, error) {
	if t == cf.batchT {
		return cf.batch, nil
	}
	if t < cf.batchT {
		return nil, nil
	}
	cf.batch, cf.batchT = cf.batch[:0], t
	for {
		if !cf.hasNext {
			if cf.eof {
				return cf.batch, nil
			}
			if err := cs.readNext(cf); err != nil {
				return nil, err
			}
			if cf.missing || cf.eof {
				return cf.batch, nil
			}
		}
		switch {
		case cf.next.t < t:
			cf.hasNext = false
		case cf.next.t == t:
			cf.batch = append(cf.batch, captureRecord{t, bytes.Clone(cf.next.b)})
			cf.hasNext = false
		default:
			return cf.batch, nil
		}
	}
}

// readNext reads cf's next record into cf.next, opening (or reopening)
// the file as needed.
func (cs *captures) readNext(cf *captureFile) error {
	if cf.r == nil {
		if err := cs.openFile(cf); err != nil || cf.missing {
			return err
		}
	}
	var rh [16]byte
	n, err := io.ReadFull(cf.r, rh[:])
	if err == io.EOF {
		cf.eof = true
		cs.closeFile(cf)
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: record %d: %w", cf.path, cf.n+1, err)
	}
	cf.n++
	size := cf.order.Uint32(rh[8:])
	if size > maxCaptureRecord {
		return fmt.Errorf("%s: record %d is %d bytes, more than a capture holds (%d)", cf.path, cf.n, size, maxCaptureRecord)
	}
	cf.buf = slices.Grow(cf.buf[:0], int(size))[:size]
	if _, err := io.ReadFull(cf.r, cf.buf); err != nil {
		return fmt.Errorf("%s: record %d: %w", cf.path, cf.n, err)
	}
	cf.off += int64(n) + int64(size)
	cf.next = captureRecord{int64(cf.order.Uint32(rh[:]))*1e9 + int64(cf.order.Uint32(rh[4:]))*cf.frac, cf.buf}
	cf.hasNext = true
	return nil
}

// openFile opens cf, reading its header the first time and seeking to
// where it stopped after that, and closes the file read longest ago when
// maxOpenCaptures are open.
func (cs *captures) openFile(cf *captureFile) error {
	f, err := os.Open(cf.path)
	if errors.Is(err, os.ErrNotExist) && cf.off == 0 {
		cf.missing = true
		return nil
	}
	if err != nil {
		return err
	}
	var r *bufio.Reader
	if cs.open >= maxOpenCaptures {
		oldest := cs.recent.tail
		r = oldest.r // its buffer serves again
		cs.closeFile(oldest)
		r.Reset(f)
	} else {
		r = bufio.NewReaderSize(f, 64<<10)
	}
	cf.f, cf.r = f, r
	cs.open++
	cs.recent.pushFront(cf)
	if cf.off > 0 {
		if _, err := f.Seek(cf.off, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", cf.path, err)
		}
		return nil
	}
	var hdr [24]byte
	if _, err := io.ReadFull(cf.r, hdr[:]); err != nil {
		return fmt.Errorf("%s: not a pcap file: %w", cf.path, err)
	}
	cf.off = int64(len(hdr))
	var order binary.ByteOrder = binary.LittleEndian
	magic := order.Uint32(hdr[:])
	if magic != pcapMagicMicros && magic != pcapMagicNanos {
		order = binary.BigEndian
		magic = order.Uint32(hdr[:])
	}
	if magic != pcapMagicMicros && magic != pcapMagicNanos {
		return fmt.Errorf("%s: not a classic pcap file (magic %#08x)", cf.path, binary.LittleEndian.Uint32(hdr[:]))
	}
	if lt := order.Uint32(hdr[20:]) & 0xffff; lt != linkTypeRaw {
		return fmt.Errorf("%s: link type %d, want raw IP (%d) as netsim writes", cf.path, lt, linkTypeRaw)
	}
	cf.order, cf.frac = order, 1
	if magic == pcapMagicMicros {
		cf.frac = 1000
	}
	return nil
}

// closeFile closes cf's file, if open.
func (cs *captures) closeFile(cf *captureFile) {
	if cf == nil || cf.f == nil {
		return
	}
	cf.f.Close()
	cf.f, cf.r = nil, nil
	cs.open--
	cs.recent.remove(cf)
}

// close closes every capture file still open.
func (cs *captures) close() {
	for _, cf := range cs.files {
		cs.closeFile(cf)
	}
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

// captureName is the pcap file of a host's interface, as a run names it.
func captureName(host, iface string) string {
	return host + "-" + iface + ".pcap"
}
