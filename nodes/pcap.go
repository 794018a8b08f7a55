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
	lender  bufferLender // w, when it lends its buffer; else nil
	scratch []byte       // a record, where w lends no buffer
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
	// w's kind is asked once here, not at every packet.
	lender, _ := w.(bufferLender)
	return &PcapWriter{w: w, lender: lender, snaplen: snaplen}, nil
}

// WritePacket records datagram b as seen at simulated time t (t >= 0).
func (p *PcapWriter) WritePacket(t sim.Time, b []byte) error {
	rec, err := p.record(t, len(b))
	if err != nil {
		return err
	}
	return p.emit(t, append(rec, b[:min(len(b), p.snaplen)]...))
}

// WriteDatagram records p as seen at simulated time t (t >= 0), its bytes
// as on a wire (topology.Packet.AppendWire: a deferred payload stays
// deferred for the receiver). The record is built in place in the
// writer's buffer when the writer lends one (AvailableBuffer, as
// bufio.Writer's, with room for it), so that the datagram's bytes are
// copied once, into the buffer; otherwise in the PcapWriter's own.
func (p *PcapWriter) WriteDatagram(t sim.Time, pkt *topology.Packet) error {
	size := len(pkt.Data)
	rec, err := p.record(t, size)
	if err != nil {
		return err
	}
	// The whole datagram, so that a deferred checksum is computed over
	// all of it; the record keeps its first snaplen bytes.
	rec = pkt.AppendWire(rec)
	return p.emit(t, rec[:recordHeaderLen+min(size, p.snaplen)])
}

// recordHeaderLen is the size of a pcap record's header.
const recordHeaderLen = 16

// record returns the header of the record of a datagram of size bytes at
// t, in a buffer with room for the datagram after it: the writer's own
// where it lends one (bufferLender), else the PcapWriter's scratch.
func (p *PcapWriter) record(t sim.Time, size int) ([]byte, error) {
	if t < 0 {
		return nil, fmt.Errorf("pcap: packet at negative time %v", t)
	}
	need := recordHeaderLen + size
	var rec []byte
	if p.lender != nil {
		if b := p.lender.AvailableBuffer(); cap(b) >= need {
			rec = b
		}
	}
	if rec == nil {
		if cap(p.scratch) < need {
			p.scratch = make([]byte, 0, max(need, 2048))
		}
		rec = p.scratch[:0]
	}
	rec = binary.LittleEndian.AppendUint32(rec, uint32(int64(t)/1e9))
	rec = binary.LittleEndian.AppendUint32(rec, uint32(int64(t)%1e9))
	rec = binary.LittleEndian.AppendUint32(rec, uint32(min(size, p.snaplen)))
	return binary.LittleEndian.AppendUint32(rec, uint32(size)), nil
}

// emit writes a record made by record.
func (p *PcapWriter) emit(t sim.Time, rec []byte) error {
	if _, err := p.w.Write(rec); err != nil {
		return fmt.Errorf("pcap: packet %d at %v: %w", p.n, t, err)
	}
	p.n++
	return nil
}

// Packets returns the number of packets written.
func (p *PcapWriter) Packets() uint64 { return p.n }
