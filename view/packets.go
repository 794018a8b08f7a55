package view

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// A page carries its packets in a compact columnar form rather than as
// JSON objects, so that every packet of a 1 Gbit/s × 10 s run (over a
// million) fits in one file a browser opens in seconds: one column per
// field, each value a varint; times and ids as the difference from the
// previous packet; sequence and acknowledgment numbers and the numbers in
// the options as the difference from the previous packet of the same flow
// and direction; the captured bytes XORed with the previous capture of
// the same sender (consecutive segments differ in a few bytes). The whole
// is gzipped, which the page's script inflates with the browser's own
// DecompressionStream, and put in a script element in URL-safe base64
// without padding, which html/template leaves as it is.
//
// Layout before gzip: the magic; uvarints: the packet count, the string
// count, then each string as its length and bytes (entry 0 is ""); the
// column count and each column's length times two, plus one when the
// column is stored as runs of one value (column.chosen); then the columns
// in order. The
// page's script (assets/view.js, decodePackets) reads the same layout.
const packetsMagic = "NSVP1"

// The columns. Unless said otherwise a value is a uvarint; "zz" is a
// zigzag varint (binary.AppendVarint); "str" is an index into the string
// table.
const (
	colID      = iota // zz: the id minus the previous packet's
	colT              // zz: send time minus the previous packet's
	colSrc            // sending node + 1 (0: unknown)
	colDst            // receiving node + 1 (0: unknown)
	colConn           // connection id, 0 none
	colBits           // side (0 none, 1 client, 2 server) | CE<<2 | corrupt<<3 | IPv4 sum<<4 | L4 sum<<6 (sums: 0 unknown, 1 valid, 2 invalid)
	colSrcA           // str: source address
	colDstA           // str: destination address
	colProto          // IP protocol
	colSPort          // source port
	colDPort          // destination port
	colFlags          // str: TCP flags as the trace prints them
	colSeq            // zz: seq minus the flow's previous, mod 2^32
	colAck            // zz: ack minus the flow's previous, mod 2^32
	colRSeq           // zz: relative seq minus the flow's previous
	colRAck           // zz: relative ack minus the flow's previous
	colWin            // the 16-bit window field
	colWnd            // zz: the window in bytes (-1 unknown, 0 not scaled)
	colPLen           // payload length
	colLen            // datagram length
	colOpts           // str: the option list with each number as optNumber
	colOptNums        // zz: each number minus the flow's previous in that place
	colEnd            // 0: no fate in the trace; else zz(end - sent) + 1
	colDrop           // str: drop reason
	colDropAt         // str: where it was dropped
	colRetrans        // str: retransmission reason
	colDup            // 0, or zz(id - original id) + 1 for a link's copy
	colVia            // router count, then per router: node, zz(t - previous t)
	colCapLen         // 0: no capture; else the captured datagram's length + 1
	colKeep           // per captured packet: how many of its bytes the page keeps
	colBytes          // per captured packet: its kept bytes XOR the sender's previous capture, as runs (appendRuns)
	numCols
)

// packetColumns names the columns in their order; the page's data carries
// the list (pageData.Columns) and its script takes each column by name.
var packetColumns = [numCols]string{
	colID: "id", colT: "t", colSrc: "src", colDst: "dst", colConn: "conn", colBits: "bits",
	colSrcA: "srca", colDstA: "dsta", colProto: "proto", colSPort: "sport", colDPort: "dport",
	colFlags: "flags", colSeq: "seq", colAck: "ack", colRSeq: "rseq", colRAck: "rack", colWin: "win",
	colWnd: "wnd", colPLen: "plen", colLen: "len", colOpts: "opts", colOptNums: "optnums", colEnd: "end",
	colDrop: "drop", colDropAt: "dropat", colRetrans: "retrans", colDup: "dup", colVia: "via",
	colCapLen: "caplen", colKeep: "keep", colBytes: "bytes",
}

// optNumber stands for a number in an option template.
const optNumber = '\x01'

// flowKey names the flow and direction whose previous packet a packet's
// sequence numbers and options are encoded against.
type flowKey struct {
	conn uint64
	side uint64
	src  int
}

type flowState struct {
	seq, ack   uint32
	rseq, rack uint64
	nums       []int64
}

// flowOf returns the state of p's flow and direction, side coded as
// sideCode codes it; the encoder and the decoder key flows through it
// alike. Packets of no connection are keyed by their sender.
func flowOf(flows map[flowKey]*flowState, p *packet, side uint64) *flowState {
	k := flowKey{conn: p.Conn, side: side}
	if p.Conn == 0 {
		k.src = p.Src
	}
	f := flows[k]
	if f == nil {
		f = &flowState{}
		flows[k] = f
	}
	return f
}

// stringTable interns the page's strings; index 0 is "".
type stringTable struct {
	index map[string]uint64
	list  []string
}

func (s *stringTable) id(v string) uint64 {
	i, ok := s.index[v]
	if !ok {
		i = uint64(len(s.list))
		s.index[v] = i
		s.list = append(s.list, v)
	}
	return i
}

// packetEncoder writes packets, in the page's order, into the columns.
type packetEncoder struct {
	cols          [numCols]*column
	scratch       []byte
	strs          stringTable
	flows         map[flowKey]*flowState
	lastID, lastT int64
	nums          []int64
	prevRec       map[int][]byte
	count         int // packets added
}

func (e *packetEncoder) uv(c int, v uint64) { e.cols[c].value(v) }
func (e *packetEncoder) zz(c int, v int64)  { e.cols[c].value(zigzag(v)) }
func (e *packetEncoder) str(c int, v string) {
	e.uv(c, e.strs.id(v))
}

func sideCode(side string) uint64 {
	switch side {
	case "client":
		return 1
	case "server":
		return 2
	}
	return 0
}

// checksumCode is a checksum verdict as colBits holds it.
func checksumCode(ok *bool) uint64 {
	switch {
	case ok == nil:
		return 0
	case *ok:
		return 1
	}
	return 2
}

// add appends packet p; the encoder keeps p.raw (its sender's latest
// capture) but nothing else of p.
func (e *packetEncoder) add(p *packet) {
	e.count++
	e.zz(colID, int64(p.ID)-e.lastID)
	e.zz(colT, p.T-e.lastT)
	e.lastID, e.lastT = int64(p.ID), p.T
	e.uv(colSrc, uint64(p.Src+1))
	e.uv(colDst, uint64(p.Dst+1))
	e.uv(colConn, p.Conn)
	side := sideCode(p.Side)
	bits := side | checksumCode(p.IPSum)<<4 | checksumCode(p.L4Sum)<<6
	if p.Marked {
		bits |= 4
	}
	if p.Corrupt {
		bits |= 8
	}
	e.uv(colBits, bits)
	e.str(colSrcA, p.SrcA)
	e.str(colDstA, p.DstA)
	e.uv(colProto, uint64(p.Proto))
	e.uv(colSPort, uint64(p.SPort))
	e.uv(colDPort, uint64(p.DPort))
	e.str(colFlags, p.Flags)
	f := flowOf(e.flows, p, side)
	e.zz(colSeq, int64(int32(p.Seq-f.seq)))
	e.zz(colAck, int64(int32(p.Ack-f.ack)))
	e.zz(colRSeq, int64(p.RSeq-f.rseq))
	e.zz(colRAck, int64(p.RAck-f.rack))
	f.seq, f.ack, f.rseq, f.rack = p.Seq, p.Ack, p.RSeq, p.RAck
	e.uv(colWin, uint64(p.Win))
	e.zz(colWnd, p.Wnd)
	e.uv(colPLen, uint64(p.PLen))
	e.uv(colLen, uint64(p.Len))
	var tmpl string
	tmpl, e.nums = optionTemplate(p.Opts, e.nums[:0])
	e.str(colOpts, tmpl)
	for i, v := range e.nums {
		if i >= len(f.nums) {
			f.nums = append(f.nums, 0)
		}
		e.zz(colOptNums, v-f.nums[i])
		f.nums[i] = v
	}
	if p.End != 0 {
		e.uv(colEnd, zigzag(p.End-p.T)+1)
	} else {
		e.uv(colEnd, 0)
	}
	e.str(colDrop, p.Drop)
	e.str(colDropAt, p.DropAt)
	e.str(colRetrans, p.Retrans)
	if p.DupOf != 0 {
		e.uv(colDup, zigzag(int64(p.ID)-int64(p.DupOf))+1)
	} else {
		e.uv(colDup, 0)
	}
	e.uv(colVia, uint64(len(p.Via)))
	prev := p.T
	for _, v := range p.Via {
		e.uv(colVia, uint64(v[0]))
		e.zz(colVia, v[1]-prev)
		prev = v[1]
	}
	if p.raw == nil {
		e.uv(colCapLen, 0)
		return
	}
	e.uv(colCapLen, uint64(p.CapLen)+1)
	e.uv(colKeep, uint64(len(p.raw)))
	e.scratch = appendRuns(e.scratch[:0], p.raw, e.prevRec[p.Src])
	e.cols[colBytes].raw.write(e.scratch)
	e.prevRec[p.Src] = p.raw
}

// appendRuns appends b XOR prev (prev read as zeros past its end) as runs:
// a uvarint count of zero bytes, a uvarint count of other bytes, those
// bytes; and so on until len(b) bytes are covered. Consecutive captures
// of one sender differ in a few bytes (identification, checksums,
// sequence numbers, timestamps), so a segment's 80-odd bytes take about
// twenty, and the page's script rebuilds each capture by copying the
// previous one and XORing the runs in.
func appendRuns(out, b, prev []byte) []byte {
	x := func(i int) byte {
		if i < len(prev) {
			return b[i] ^ prev[i]
		}
		return b[i]
	}
	for i := 0; i < len(b); {
		z := 0
		for i+z < len(b) && x(i+z) == 0 {
			z++
		}
		l := 0
		for i+z+l < len(b) && x(i+z+l) != 0 {
			l++
		}
		out = binary.AppendUvarint(out, uint64(z))
		out = binary.AppendUvarint(out, uint64(l))
		for k := i + z; k < i+z+l; k++ {
			out = append(out, x(k))
		}
		i += z + l
	}
	return out
}

// readRuns inverts appendRuns: it returns the n bytes of a capture given
// the sender's previous one.
func readRuns(r *colReader, n int, prev []byte) []byte {
	b := make([]byte, n)
	copy(b, prev)
	for i := 0; i < n && r.err == nil; {
		z := r.uv()
		l := r.uv()
		if z+l == 0 || z+l > uint64(n-i) {
			r.err = errors.New("bad capture runs")
			return nil
		}
		i += int(z)
		for _, c := range r.take(int(l)) {
			b[i] ^= c
			i++
		}
	}
	return b
}

// newPacketEncoder returns an encoder to which packets are added one by
// one, in the page's order, as they become complete.
func newPacketEncoder() *packetEncoder {
	e := &packetEncoder{strs: stringTable{index: map[string]uint64{"": 0}, list: []string{""}},
		flows: map[flowKey]*flowState{}, prevRec: map[int][]byte{}}
	for i := range e.cols {
		e.cols[i] = newColumn(i != colBytes)
	}
	return e
}

// finish returns the compact form of the packets added, gzipped and
// base64'd; the encoder is spent.
func (e *packetEncoder) finish() (string, error) {
	var hdr []byte
	hdr = append(hdr, packetsMagic...)
	hdr = binary.AppendUvarint(hdr, uint64(e.count))
	hdr = binary.AppendUvarint(hdr, uint64(len(e.strs.list)))
	for _, s := range e.strs.list {
		hdr = binary.AppendUvarint(hdr, uint64(len(s)))
		hdr = append(hdr, s...)
	}
	hdr = binary.AppendUvarint(hdr, numCols)
	var forms [numCols]*deflated
	for i, c := range e.cols {
		var rle bool
		forms[i], rle = c.chosen()
		hdr = binary.AppendUvarint(hdr, uint64(forms[i].n)<<1|boolBit(rle))
	}
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("view: packets: %w", err)
	}
	w.Write(hdr) // a bytes.Buffer's writes do not fail; Close reports
	for i, f := range forms {
		if err := f.copyTo(w); err != nil {
			return "", fmt.Errorf("view: packets: column %d: %w", i, err)
		}
		e.cols[i] = nil
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("view: packets: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(z.Bytes()), nil
}

// expandRuns inverts column runs (column.value), refusing to grow past limit bytes.
func expandRuns(b []byte, limit int) ([]byte, error) {
	r := colReader{b: b}
	var out []byte
	for len(r.b) > 0 && r.err == nil {
		v, count := r.uv(), r.uv()
		if count == 0 || count > uint64(limit) || len(out)+int(count) > limit {
			return nil, errors.New("bad run")
		}
		for range count {
			out = binary.AppendUvarint(out, v)
		}
	}
	return out, r.err
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// optionTemplate splits an option list as the trace prints it into a
// template, in which each number is optNumber, and the numbers: "mss
// 1460,nop,wscale 7" is "mss \x01,nop,wscale \x01" and [1460 7]. A digit
// run with a leading zero or too long for 2^53 (the page's script reads
// numbers as doubles) stays in the template, so the text comes back
// exactly; an optNumber in the list itself becomes U+FFFD.
func optionTemplate(s string, nums []int64) (string, []int64) {
	if strings.IndexByte(s, optNumber) >= 0 {
		s = strings.ReplaceAll(s, string(rune(optNumber)), "\ufffd")
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		run := s[i:j]
		if (len(run) > 1 && run[0] == '0') || len(run) > 15 {
			b.WriteString(run)
		} else {
			v, _ := strconv.ParseInt(run, 10, 64)
			nums = append(nums, v)
			b.WriteByte(optNumber)
		}
		i = j
	}
	return b.String(), nums
}

// Packet is one datagram as a page carries it, read back by ReadPackets.
type Packet = packet

var packetsRE = regexp.MustCompile(`(?s)<script id="netsim-packets" type="application/octet-stream">(.*?)</script>`)

// ReadPackets reads back the packets of a page WriteHTML wrote, for tools
// and tests that check what a page holds; Bytes holds each packet's
// captured bytes in hex.
func ReadPackets(page []byte) ([]Packet, error) {
	m := packetsRE.FindSubmatch(page)
	if m == nil {
		return nil, errors.New("view: no packets in the page")
	}
	blob, err := base64.RawURLEncoding.DecodeString(string(m[1]))
	if err != nil {
		return nil, fmt.Errorf("view: packets: %w", err)
	}
	return decodePackets(blob)
}

// decodePackets inverts packetEncoder.finish (after base64).
func decodePackets(blob []byte) ([]packet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("view: packets: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("view: packets: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(packetsMagic)) {
		return nil, errors.New("view: packets: not netsim's packet columns")
	}
	r := &colReader{b: raw[len(packetsMagic):]}
	n, nstr := r.uv(), r.uv()
	if r.err != nil || nstr > uint64(len(r.b)) || n > 1<<28 {
		return nil, errors.New("view: packets: malformed header")
	}
	strs := make([]string, nstr)
	for i := range strs {
		strs[i] = string(r.take(int(r.uv())))
	}
	if ncols := r.uv(); r.err != nil || ncols != numCols {
		return nil, fmt.Errorf("view: packets: %d columns, want %d", ncols, numCols)
	}
	var lens [numCols]uint64
	for i := range lens {
		lens[i] = r.uv()
	}
	var cols [numCols]colReader
	for i, l := range lens {
		if l>>1 > uint64(len(r.b)) {
			return nil, errors.New("view: packets: truncated")
		}
		b := r.take(int(l >> 1))
		if l&1 != 0 {
			if b, err = expandRuns(b, int(n)*binary.MaxVarintLen64); err != nil {
				return nil, fmt.Errorf("view: packets: column %d: %w", i, err)
			}
		}
		cols[i] = colReader{b: b}
	}
	if r.err != nil {
		return nil, fmt.Errorf("view: packets: %w", r.err)
	}
	str := func(c int) string {
		i := cols[c].uv()
		if i >= uint64(len(strs)) {
			cols[c].err = errors.New("string index out of range")
			return ""
		}
		return strs[i]
	}
	out := make([]packet, n)
	flows := map[flowKey]*flowState{}
	prevRec := map[int][]byte{}
	var lastID, lastT int64
	for i := range out {
		p := &out[i]
		lastID += cols[colID].zz()
		lastT += cols[colT].zz()
		p.ID, p.T = uint64(lastID), lastT
		p.Src = int(cols[colSrc].uv()) - 1
		p.Dst = int(cols[colDst].uv()) - 1
		p.Conn = cols[colConn].uv()
		bits := cols[colBits].uv()
		p.Side = [...]string{"", "client", "server", ""}[bits&3]
		p.Marked, p.Corrupt = bits&4 != 0, bits&8 != 0
		p.IPSum, p.L4Sum = checksumVerdict(bits>>4&3), checksumVerdict(bits>>6&3)
		p.SrcA, p.DstA = str(colSrcA), str(colDstA)
		p.Proto = uint8(cols[colProto].uv())
		p.SPort, p.DPort = uint16(cols[colSPort].uv()), uint16(cols[colDPort].uv())
		p.Flags = str(colFlags)
		f := flowOf(flows, p, bits&3)
		f.seq += uint32(cols[colSeq].zz())
		f.ack += uint32(cols[colAck].zz())
		f.rseq += uint64(cols[colRSeq].zz())
		f.rack += uint64(cols[colRAck].zz())
		p.Seq, p.Ack, p.RSeq, p.RAck = f.seq, f.ack, f.rseq, f.rack
		p.Win = uint16(cols[colWin].uv())
		p.Wnd = cols[colWnd].zz()
		p.PLen, p.Len = int(cols[colPLen].uv()), int(cols[colLen].uv())
		tmpl := str(colOpts)
		var b strings.Builder
		slot := 0
		for j := 0; j < len(tmpl); j++ {
			if tmpl[j] != optNumber {
				b.WriteByte(tmpl[j])
				continue
			}
			if slot >= len(f.nums) {
				f.nums = append(f.nums, 0)
			}
			f.nums[slot] += cols[colOptNums].zz()
			b.WriteString(strconv.FormatInt(f.nums[slot], 10))
			slot++
		}
		p.Opts = b.String()
		if e := cols[colEnd].uv(); e > 0 {
			p.End = p.T + unzigzag(e-1)
		}
		p.Drop, p.DropAt, p.Retrans = str(colDrop), str(colDropAt), str(colRetrans)
		if d := cols[colDup].uv(); d > 0 {
			p.DupOf = uint64(int64(p.ID) - unzigzag(d-1))
		}
		prevT := p.T
		nvia := cols[colVia].uv()
		if nvia > uint64(len(cols[colVia].b)) {
			return nil, errors.New("view: packets: malformed router list")
		}
		for range nvia {
			h := int64(cols[colVia].uv())
			prevT += cols[colVia].zz()
			p.Via = append(p.Via, [2]int64{h, prevT})
		}
		if cl := cols[colCapLen].uv(); cl > 0 {
			p.CapLen = int(cl - 1)
			n := cols[colKeep].uv()
			if n > maxCaptureRecord {
				return nil, errors.New("view: packets: capture too long")
			}
			prev := prevRec[p.Src]
			b := readRuns(&cols[colBytes], int(n), prev)
			prevRec[p.Src] = b
			p.raw, p.Bytes = b, hex.EncodeToString(b)
		}
	}
	for i := range cols {
		if cols[i].err != nil || len(cols[i].b) != 0 {
			return nil, fmt.Errorf("view: packets: column %d malformed", i)
		}
	}
	return out, nil
}

func checksumVerdict(c uint64) *bool {
	if c == 0 {
		return nil
	}
	ok := c == 1
	return &ok
}

// colReader reads one column.
type colReader struct {
	b   []byte
	err error
}

func (r *colReader) uv() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		if r.err == nil {
			r.err = errors.New("bad varint")
		}
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *colReader) zz() int64 { return unzigzag(r.uv()) }

func (r *colReader) take(n int) []byte {
	if n > len(r.b) || n < 0 {
		if r.err == nil {
			r.err = errors.New("truncated")
		}
		r.b = nil
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}
