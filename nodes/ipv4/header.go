// Package ipv4 is the IPv4 header (RFC 791) as netsim's hosts and routers
// put it on the wire: every field, encode into a caller's buffer without
// allocation, decode with typed errors, the header checksum (RFC 1071, with
// the RFC 1624 incremental update for a router's TTL decrement).
//
// netsim does not fragment: Decode reads the fragment fields but a host or
// router drops a datagram larger than the link MTU (with a reason) rather
// than splitting it, which is why New sets Don't Fragment.
package ipv4

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netsimlab/netsim/internal/inet"
)

// Version is the IP version this package reads and writes.
const Version = 4

// HeaderLen is the length of an IPv4 header without options.
const HeaderLen = 20

// MaxOptionsLen is the most option bytes a header can carry (IHL 15).
const MaxOptionsLen = 40

// MaxDatagramLen is the largest datagram the 16-bit total length describes.
const MaxDatagramLen = 0xffff

// DefaultTTL is the time to live Linux gives a datagram
// (net.ipv4.ip_default_ttl).
const DefaultTTL = 64

// Protocol numbers (IANA "Assigned Internet Protocol Numbers").
const (
	ProtoICMP uint8 = 1
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
)

// ECN codepoints of the two low bits of the traffic class byte (RFC 3168
// §5).
const (
	ECNNotECT uint8 = 0 // Not ECN-capable transport.
	ECNECT1   uint8 = 1 // ECN-capable transport, ECT(1).
	ECNECT0   uint8 = 2 // ECN-capable transport, ECT(0).
	ECNCE     uint8 = 3 // Congestion experienced.
)

// Flags are the three control bits before the fragment offset (RFC 791
// §3.1), numbered as in the 3-bit field: bit 2 reserved, bit 1 DF, bit 0 MF.
type Flags uint8

// The IPv4 flags.
const (
	FlagMF       Flags = 1 << 0 // More fragments.
	FlagDF       Flags = 1 << 1 // Don't fragment.
	FlagReserved Flags = 1 << 2 // Reserved, must be zero.
)

// Header is a decoded IPv4 header: every field of RFC 791 §3.1, with the
// type-of-service byte split into DSCP and ECN (RFC 2474, RFC 3168).
type Header struct {
	// Version as read from the wire; always 4 on encode.
	Version uint8
	// IHL is the header length in 32-bit words as read from the wire; on
	// encode it is computed from the options.
	IHL uint8
	// DSCP is the differentiated services codepoint (6 bits, RFC 2474).
	DSCP uint8
	// ECN is the ECN field (2 bits, RFC 3168 §5).
	ECN uint8
	// TotalLen is the datagram length as read; computed on encode.
	TotalLen uint16
	// ID is the identification field.
	ID uint16
	// Flags holds the DF and MF bits (and the reserved bit as read).
	Flags Flags
	// FragOffset is the fragment offset in 8-byte units (13 bits).
	FragOffset uint16
	// TTL is the time to live.
	TTL uint8
	// Protocol is the payload's protocol number.
	Protocol uint8
	// Checksum is the header checksum as read; computed on encode.
	Checksum uint16
	Src      netip.Addr
	Dst      netip.Addr
	// Options holds the option bytes, kept raw and written back as read.
	Options Options
}

// Options is the IPv4 option area as raw bytes in wire order. The zero
// value holds no options.
type Options struct {
	buf [MaxOptionsLen]byte
	n   uint8
}

// Len returns the number of option bytes, before padding.
func (o *Options) Len() int { return int(o.n) }

// Bytes returns the option bytes. The slice aliases o.
func (o *Options) Bytes() []byte { return o.buf[:o.n] }

// Set replaces the options with a copy of b. It refuses more than 40 bytes
// with ErrOptionsFull.
func (o *Options) Set(b []byte) error {
	if len(b) > MaxOptionsLen {
		return fmt.Errorf("ipv4: set %d option bytes, at most %d: %w", len(b), MaxOptionsLen, ErrOptionsFull)
	}
	*o = Options{}
	o.n = uint8(copy(o.buf[:], b))
	return nil
}

// New returns the header of a datagram from src to dst carrying protocol
// proto, as a Linux host sends it: version 4, TTL 64, Don't Fragment set
// (netsim never fragments), DSCP and ECN zero.
func New(src, dst netip.Addr, proto uint8) Header {
	return Header{Version: Version, TTL: DefaultTTL, Flags: FlagDF, Protocol: proto, Src: src, Dst: dst}
}

// Errors of the encoder, for callers to branch on with errors.Is.
var (
	// ErrOptionsFull: more than 40 option bytes.
	ErrOptionsFull = errors.New("ipv4: option area full")
	// ErrTooLong: the datagram would exceed 65535 bytes.
	ErrTooLong = errors.New("ipv4: datagram longer than 65535 bytes")
	// ErrNotIPv4: a source or destination that is not an IPv4 address.
	ErrNotIPv4 = errors.New("ipv4: address is not IPv4")
)

// Errors of the decoder. Every *DecodeError wraps one of them.
var (
	// ErrMalformed: the bytes are not a well-formed IPv4 header.
	ErrMalformed = errors.New("ipv4: malformed datagram")
	// ErrChecksum: the header checksum is wrong.
	ErrChecksum = errors.New("ipv4: bad header checksum")
)

// DecodeError says why bytes are not an acceptable IPv4 header: the byte
// offset and name of the offending field and the reason. Err is
// ErrMalformed or ErrChecksum, so that a caller counts drops by kind. It
// is the decode error every layer shares (Layer "ipv4").
type DecodeError = inet.DecodeError

// Len returns the header's length on the wire: 20 bytes plus the options
// padded to a multiple of 4 (RFC 791 §3.1).
func (h *Header) Len() int { return HeaderLen + (int(h.Options.n)+3)&^3 }

// AppendTo appends the header and payload to b as one datagram and returns
// the extended slice. See AppendHeaderTo for what it computes.
func (h *Header) AppendTo(b, payload []byte) ([]byte, error) {
	b, err := h.AppendHeaderTo(b, len(payload))
	if err != nil {
		return b, err
	}
	return append(b, payload...), nil
}

// AppendHeaderTo appends only the header of a datagram whose payload of
// payloadLen bytes the caller appends next (a TCP segment written straight
// after it, with no copy). It computes the IHL, the total length and the
// header checksum, stores them (and version 4) in h, and allocates nothing
// when b has room. It refuses addresses that are not IPv4 and a datagram
// over 65535 bytes, leaving b unchanged.
func (h *Header) AppendHeaderTo(b []byte, payloadLen int) ([]byte, error) {
	if !h.Src.Is4() || !h.Dst.Is4() {
		return b, fmt.Errorf("ipv4: encode %v > %v: %w", h.Src, h.Dst, ErrNotIPv4)
	}
	hl := h.Len()
	if payloadLen < 0 || hl+payloadLen > MaxDatagramLen {
		return b, fmt.Errorf("ipv4: encode %d-byte header and %d-byte payload: %w", hl, payloadLen, ErrTooLong)
	}
	h.Version = Version
	h.IHL = uint8(hl / 4)
	h.TotalLen = uint16(hl + payloadLen)
	start := len(b)
	b = slices.Grow(b, hl)[:start+hl]
	s := b[start:]
	s[0] = Version<<4 | h.IHL
	s[1] = h.DSCP<<2 | h.ECN&3
	put16(s[2:], h.TotalLen)
	put16(s[4:], h.ID)
	put16(s[6:], uint16(h.Flags&7)<<13|h.FragOffset&0x1fff)
	s[8] = h.TTL
	s[9] = h.Protocol
	put16(s[10:], 0)
	src, dst := h.Src.As4(), h.Dst.As4()
	copy(s[12:16], src[:])
	copy(s[16:20], dst[:])
	n := copy(s[HeaderLen:], h.Options.Bytes())
	clear(s[HeaderLen+n:]) // RFC 791 §3.1: padding is zeros.
	h.Checksum = inet.Checksum(s, 0)
	put16(s[10:], h.Checksum)
	return b, nil
}

// Decode parses an IPv4 datagram: the header, and the payload, which
// aliases b and ends at the total length (bytes after it are link padding).
// It rejects, with a *DecodeError naming the field and offset, a datagram
// shorter than 20 bytes, an IHL below 5 or past the end, then a wrong
// checksum (wrapping ErrChecksum, and checked before the fields below
// since a corrupted header says nothing reliable), a version other than 4,
// a total length below the header or past the end, and a malformed option
// (length 0 or 1, or past the option area). The fields read so far are
// returned with the error, for the trace. Fragments are decoded but not reassembled. Decode
// allocates nothing on success.
func Decode(b []byte) (Header, []byte, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, nil, inet.ShortError("ipv4", "datagram", len(b), HeaderLen, ErrMalformed)
	}
	h.Version = b[0] >> 4
	h.IHL = b[0] & 0xf
	h.DSCP = b[1] >> 2
	h.ECN = b[1] & 3
	h.TotalLen = get16(b[2:])
	h.ID = get16(b[4:])
	w := get16(b[6:])
	h.Flags = Flags(w >> 13)
	h.FragOffset = w & 0x1fff
	h.TTL = b[8]
	h.Protocol = b[9]
	h.Checksum = get16(b[10:])
	h.Src = netip.AddrFrom4([4]byte(b[12:16]))
	h.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	hl := int(h.IHL) * 4
	if hl < HeaderLen {
		return h, nil, malformed(0, "IHL", "IHL "+strconv.Itoa(int(h.IHL))+" below 5")
	}
	if hl > len(b) {
		return h, nil, malformed(0, "IHL", "header of "+strconv.Itoa(hl)+" bytes runs past the "+strconv.Itoa(len(b))+"-byte datagram")
	}
	// A corrupted header is reported as such before any field it carries
	// is judged, so that drops are counted under the right reason.
	if inet.Sum(b[:hl], 0) != 0xffff {
		return h, nil, inet.ChecksumError("ipv4", 10, "header checksum", h.Checksum, "header", ErrChecksum)
	}
	if h.Version != Version {
		return h, nil, malformed(0, "version", "version "+strconv.Itoa(int(h.Version))+", want 4")
	}
	total := int(h.TotalLen)
	if total < hl {
		return h, nil, malformed(2, "total length", "total length "+strconv.Itoa(total)+" shorter than the "+strconv.Itoa(hl)+"-byte header")
	}
	if total > len(b) {
		return h, nil, malformed(2, "total length", "total length "+strconv.Itoa(total)+" runs past the "+strconv.Itoa(len(b))+"-byte datagram")
	}
	h.Options.n = uint8(copy(h.Options.buf[:], b[HeaderLen:hl]))
	if err := checkOptions(h.Options.Bytes()); err != nil {
		return h, nil, err
	}
	return h, b[hl:total], nil
}

// checkOptions walks the option area (RFC 791 §3.1): EOL ends it, NOP is
// one byte, every other option has a length byte of at least 2 that stays
// inside the area.
func checkOptions(o []byte) error {
	for off := 0; off < len(o); {
		switch o[off] {
		case 0: // EOL: the rest is padding.
			return nil
		case 1: // NOP
			off++
			continue
		}
		if off+1 >= len(o) {
			return malformed(HeaderLen+off, "option", "option kind "+strconv.Itoa(int(o[off]))+" truncated before its length byte")
		}
		l := int(o[off+1])
		if l < 2 {
			return malformed(HeaderLen+off+1, "option", "option length "+strconv.Itoa(l)+" below 2")
		}
		if off+l > len(o) {
			return malformed(HeaderLen+off+1, "option", "option length "+strconv.Itoa(l)+" runs past the option area")
		}
		off += l
	}
	return nil
}

// malformed returns a *DecodeError wrapping ErrMalformed.
func malformed(off int, field, reason string) error {
	return &DecodeError{Layer: "ipv4", Offset: off, Field: field, Reason: reason, Err: ErrMalformed}
}

// VerifyChecksum reports whether the header at the start of b carries a
// correct checksum: the one's complement sum over its IHL words is all
// ones (RFC 791 §3.1, RFC 1071). It is false when b is shorter than the
// header it starts.
func VerifyChecksum(b []byte) bool {
	if len(b) < HeaderLen {
		return false
	}
	hl := int(b[0]&0xf) * 4
	if hl < HeaderLen || hl > len(b) {
		return false
	}
	return inet.Sum(b[:hl], 0) == 0xffff
}

// DecrementTTL does a router's TTL step in place on the encoded datagram b
// (RFC 1812 §5.3.1): it returns false, leaving b unchanged, when the TTL is
// 0 or 1 and the datagram must be dropped (or b is too short); otherwise it
// decrements the TTL, patches the header checksum incrementally (RFC 1624
// §3) and returns the new TTL.
func DecrementTTL(b []byte) (uint8, bool) {
	if len(b) < HeaderLen || b[8] <= 1 {
		return 0, false
	}
	old := get16(b[8:]) // TTL and protocol share a 16-bit word
	b[8]--
	put16(b[10:], inet.UpdateChecksum(get16(b[10:]), old, get16(b[8:])))
	return b[8], true
}

// put16 writes v big-endian.
func put16(b []byte, v uint16) { _ = b[1]; b[0], b[1] = byte(v>>8), byte(v) }

// get16 reads a big-endian 16-bit value.
func get16(b []byte) uint16 { _ = b[1]; return uint16(b[0])<<8 | uint16(b[1]) }
