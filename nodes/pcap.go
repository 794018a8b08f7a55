package nodes

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// The classic pcap format (https://www.tcpdump.org/manpages/pcap-savefile.5.html
// and draft-ietf-opsawg-pcap): a 24-byte file header, then a 16-byte record
// header before each packet.
const (
	// pcapMagicNanos is the magic number of a capture whose timestamps have
	// nanosecond resolution (the record's second word is nanoseconds).
	pcapMagicNanos = 0xa1b23c4d
	// LinkTypeRaw is LINKTYPE_RAW: each packet begins with an IPv4 or IPv6
	// header, told apart by the version nibble. Wireshark decodes it as raw
	// IP, so an IPv4 datagram needs no link-layer header.
	LinkTypeRaw = 101
	// MaxSnapLen is the largest snaplen a capture declares (tcpdump's and
	// Wireshark's limit): a capture of whole packets declares it.
	MaxSnapLen = 262144
)

// PcapWriter writes a classic pcap capture of raw IPv4 datagrams with
// nanosecond timestamps of simulated time. It allocates nothing per packet.
type PcapWriter struct {
	w       io.Writer
	hdr     [16]byte
	scratch []byte // a record of WriteDatagram, where w lends no buffer
	n       uint64
	snaplen int
}

// bufferLender is a writer that lends the free end of its buffer, to be
// appended to and passed to the next Write (bufio.Writer's
// AvailableBuffer): a record built there is not copied again.
type bufferLender interface {
	AvailableBuffer() []byte
}

// NewPcapWriter writes the file header to w and returns a writer for the
// packets that follow, each cut to its first snaplen bytes as tcpdump -s
// does (the record keeps the packet's original length); snaplen 0 (or
// above MaxSnapLen) keeps whole packets.
func NewPcapWriter(w io.Writer, snaplen int) (*PcapWriter, error) {
	if snaplen <= 0 || snaplen > MaxSnapLen {
		snaplen = MaxSnapLen
	}
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagicNanos)
	binary.LittleEndian.PutUint16(h[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	// h[8:16]: thiszone and sigfigs, zero.
	binary.LittleEndian.PutUint32(h[16:], uint32(snaplen))
	binary.LittleEndian.PutUint32(h[20:], LinkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: write file header: %w", err)
	}
	return &PcapWriter{w: w, snaplen: snaplen}, nil
}

// WritePacket records datagram b as seen at simulated time t (t >= 0).
func (p *PcapWriter) WritePacket(t sim.Time, b []byte) error {
	if t < 0 {
		return fmt.Errorf("pcap: packet at negative time %v", t)
	}
	n := min(len(b), p.snaplen)
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(int64(t)/1e9))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(int64(t)%1e9))
	binary.LittleEndian.PutUint32(p.hdr[8:], uint32(n))
	binary.LittleEndian.PutUint32(p.hdr[12:], uint32(len(b)))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return fmt.Errorf("pcap: packet %d at %v: %w", p.n, t, err)
	}
	if _, err := p.w.Write(b[:n]); err != nil {
		return fmt.Errorf("pcap: packet %d at %v: %w", p.n, t, err)
	}
	p.n++
	return nil
}

// WriteDatagram records p as seen at simulated time t (t >= 0), its bytes
// as on a wire (topology.Packet.AppendWire: a deferred payload stays
// deferred for the receiver). The record is built in place in the
// writer's buffer when the writer lends one (AvailableBuffer, as
// bufio.Writer's, with room for it), so that the datagram's bytes are
// copied once, into the buffer; otherwise in the PcapWriter's own.
func (p *PcapWriter) WriteDatagram(t sim.Time, pkt *topology.Packet) error {
	if t < 0 {
		return fmt.Errorf("pcap: packet at negative time %v", t)
	}
	size := len(pkt.Data)
	need := len(p.hdr) + size
	var rec []byte
	if l, ok := p.w.(bufferLender); ok {
		if b := l.AvailableBuffer(); cap(b) >= need {
			rec = b
		}
	}
	if rec == nil {
		if cap(p.scratch) < need {
			p.scratch = make([]byte, 0, max(need, 2048))
		}
		rec = p.scratch[:0]
	}
	n := min(size, p.snaplen)
	rec = binary.LittleEndian.AppendUint32(rec, uint32(int64(t)/1e9))
	rec = binary.LittleEndian.AppendUint32(rec, uint32(int64(t)%1e9))
	rec = binary.LittleEndian.AppendUint32(rec, uint32(n))
	rec = binary.LittleEndian.AppendUint32(rec, uint32(size))
	rec = pkt.AppendWire(rec)
	if _, err := p.w.Write(rec[:len(p.hdr)+n]); err != nil {
		return fmt.Errorf("pcap: packet %d at %v: %w", p.n, t, err)
	}
	p.n++
	return nil
}

// Packets returns the number of packets written.
func (p *PcapWriter) Packets() uint64 { return p.n }
