package tcp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netsimlab/netsim/internal/inet"
)

// ProtocolTCP is TCP's IP protocol number (IANA), as it appears in the
// IPv4 header and the pseudo-header.
const ProtocolTCP = 6

// Flags holds the nine TCP control bits. The bit positions are those of the
// 16-bit word at header offset 12 (RFC 9293 §3.1, RFC 3168 §6.1, RFC 3540).
type Flags uint16

// The TCP flags.
const (
	FlagFIN Flags = 1 << 0
	FlagSYN Flags = 1 << 1
	FlagRST Flags = 1 << 2
	FlagPSH Flags = 1 << 3
	FlagACK Flags = 1 << 4
	FlagURG Flags = 1 << 5
	FlagECE Flags = 1 << 6
	FlagCWR Flags = 1 << 7
	FlagNS  Flags = 1 << 8
)

// Has reports whether every flag of m is set in f.
func (f Flags) Has(m Flags) bool { return f&m == m }

// HeaderLen is the length of a TCP header without options.
const HeaderLen = 20

// MaxOptionsLen is the most option bytes a header can carry (data offset 15).
const MaxOptionsLen = 40

// Header is a decoded TCP header: every field of RFC 9293 §3.1.
type Header struct {
	SrcPort uint16
	DstPort uint16
	Seq     Seq
	Ack     Seq
	// DataOffset is the header length in 32-bit words as read from the wire.
	// On encode it is ignored and computed from the options.
	DataOffset uint8
	// Reserved holds the three reserved bits (must be zero when sent).
	Reserved uint8
	Flags    Flags
	Window   uint16
	// Checksum as read from the wire; computed on encode.
	Checksum uint16
	Urgent   uint16
	Options  Options
}

// Options is the option area of a header, kept as bytes in wire order so
// that every option, including unknown kinds and NOP/EOL padding, is written
// back exactly as it was read. Accessors parse it; builders append to it.
// The zero value holds no options.
type Options struct {
	buf [MaxOptionsLen]byte
	n   uint8
}

// ErrMalformed matches (with errors.Is) every *DecodeError: the bytes are
// not a well-formed TCP header.
var ErrMalformed = errors.New("tcp: malformed segment")

// DecodeError says why bytes are not a well-formed TCP header: the byte
// offset of the offending field (from the start of the segment, or of the
// option area for Options.Validate), its name, and the reason. It is the
// decode error every layer shares (Layer "tcp"); it wraps ErrMalformed.
type DecodeError = inet.DecodeError

// malformed returns a *DecodeError wrapping ErrMalformed.
func malformed(off int, field, reason string) *DecodeError {
	return &DecodeError{Layer: "tcp", Offset: off, Field: field, Reason: reason, Err: ErrMalformed}
}

// flagMask covers the nine flag bits of the word at offset 12.
const flagMask = 0x1ff

// Len returns the header's length on the wire: 20 bytes plus the options
// padded with zeros to a multiple of 4 (RFC 9293 §3.1).
func (h *Header) Len() int { return HeaderLen + (int(h.Options.n)+3)&^3 }

// AppendTo appends the header and payload to b as one segment and returns
// the extended slice. It computes the data offset from the options and the
// checksum over the pseudo-header of src and dst (RFC 9293 §3.1), and
// stores both in h so that h describes what went on the wire. The reserved
// bits are written as h.Reserved holds them (zero for a conforming sender).
// It allocates nothing when b has room. The caller keeps the segment under
// 65536 bytes; the IPv4 length fields cannot describe more.
func (h *Header) AppendTo(b []byte, src, dst netip.Addr, payload []byte) []byte {
	start := len(b)
	b = h.AppendUnsummed(b, payload)
	h.Checksum = FillChecksum(b[start:], src, dst)
	return b
}

// AppendUnsummed is AppendTo without the checksum: the checksum field is
// left zero (and h.Checksum set to 0), for a sender that fills it in
// later with FillChecksum, only when something looks at the bytes (a
// capture). It sets h.DataOffset as AppendTo does and allocates nothing
// when b has room.
func (h *Header) AppendUnsummed(b []byte, payload []byte) []byte {
	hl := h.Len()
	start := len(b)
	b = slices.Grow(b, hl+len(payload))[:start+hl]
	s := b[start:]
	put16(s[0:], h.SrcPort)
	put16(s[2:], h.DstPort)
	put32(s[4:], uint32(h.Seq))
	put32(s[8:], uint32(h.Ack))
	h.DataOffset = uint8(hl / 4)
	put16(s[12:], uint16(h.DataOffset)<<12|uint16(h.Reserved&7)<<9|uint16(h.Flags&flagMask))
	put16(s[14:], h.Window)
	put16(s[16:], 0)
	put16(s[18:], h.Urgent)
	n := copy(s[HeaderLen:], h.Options.Bytes())
	clear(s[HeaderLen+n:]) // RFC 9293 §3.1: padding is zeros.
	h.Checksum = 0
	return append(b, payload...)
}

// FillChecksum computes the checksum of segment (header and payload,
// its checksum field zero) over the pseudo-header of src and dst
// (RFC 9293 §3.1), writes it into the segment and returns it.
func FillChecksum(segment []byte, src, dst netip.Addr) uint16 {
	c := inet.TransportChecksum(segment, src, dst, ProtocolTCP)
	put16(segment[16:], c)
	return c
}

// FillChecksumTail is FillChecksum for a segment whose last n bytes the
// caller has summed already: tail is their running sum (inet.Sum of them
// from an even offset), and they are not read. netsim's pattern payload
// is summed so without reading it (pattern.Sum). The header is at least
// 20 bytes and a multiple of 4, so the payload starts at an even offset
// and its words are the segment's.
func FillChecksumTail(segment []byte, src, dst netip.Addr, n int, tail uint32) uint16 {
	initial := inet.PseudoHeaderSum(src, dst, ProtocolTCP, uint32(len(segment))) + tail
	c := inet.Checksum(segment[:len(segment)-n], initial)
	put16(segment[16:], c)
	return c
}

// Decode parses a TCP segment: the header and the payload after it (which
// aliases b). It rejects with a *DecodeError (matching ErrMalformed) a
// segment shorter than 20 bytes, a data offset below 5 or past the end of
// b, a malformed option (truncated, length 0 or 1 or past the option area,
// a bad length for MSS, window scale, SACK-permitted, timestamps, or a SACK
// block count outside 1..4), and the flag sets no TCP may send (SYN with
// FIN or RST, FIN with RST), so that the state machine never sees them. It
// does not check the checksum: that needs the addresses (VerifyChecksum,
// DecodeChecked). Decode allocates nothing.
func Decode(b []byte) (Header, []byte, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, nil, inet.ShortError("tcp", "segment", len(b), HeaderLen, ErrMalformed)
	}
	h.SrcPort = get16(b[0:])
	h.DstPort = get16(b[2:])
	h.Seq = Seq(get32(b[4:]))
	h.Ack = Seq(get32(b[8:]))
	w := get16(b[12:])
	h.DataOffset = uint8(w >> 12)
	h.Reserved = uint8(w>>9) & 7
	h.Flags = Flags(w & flagMask)
	h.Window = get16(b[14:])
	h.Checksum = get16(b[16:])
	h.Urgent = get16(b[18:])
	hl := int(h.DataOffset) * 4
	if hl < HeaderLen {
		return h, nil, malformed(12, "data offset", "data offset "+strconv.Itoa(int(h.DataOffset))+" below 5")
	}
	if hl > len(b) {
		return h, nil, malformed(12, "data offset", "header of "+strconv.Itoa(hl)+" bytes runs past the "+strconv.Itoa(len(b))+"-byte segment")
	}
	h.Options.n = uint8(copy(h.Options.buf[:], b[HeaderLen:hl]))
	if de := validateOptions(h.Options.buf[:h.Options.n]); de != nil {
		de.Offset += HeaderLen
		return h, nil, de
	}
	return h, b[hl:], nil
}

// ErrChecksum matches (with errors.Is) the error DecodeChecked returns for
// a segment whose checksum is wrong.
var ErrChecksum = errors.New("tcp: bad checksum")

// VerifyChecksum reports whether segment (header and payload) carries a
// correct checksum for the pseudo-header of src and dst (RFC 9293 §3.1):
// the one's complement sum over pseudo-header and segment is all ones.
func VerifyChecksum(segment []byte, src, dst netip.Addr) bool {
	return inet.TransportValid(segment, src, dst, ProtocolTCP)
}

// DecodeChecked verifies the checksum of segment for src and dst, then
// decodes it. A wrong checksum is reported before any other fault, wrapped
// around ErrChecksum, since a corrupted segment says nothing reliable.
func DecodeChecked(segment []byte, src, dst netip.Addr) (Header, []byte, error) {
	if !VerifyChecksum(segment, src, dst) {
		return Header{}, nil, errChecksum
	}
	return Decode(segment)
}

// errChecksum is preallocated so that dropping a corrupt segment allocates
// nothing.
var errChecksum = fmt.Errorf("tcp: decode checksum at offset 16: %w", ErrChecksum)
