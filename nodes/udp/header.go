// Package udp is the UDP header (RFC 768) as netsim's hosts put it on the
// wire: the four fields, encode into a caller's buffer without allocation
// with the checksum over the IPv4 pseudo-header, decode with typed errors.
// The socket layer that uses it lives in package nodes.
package udp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netsimlab/netsim/internal/inet"
)

// HeaderLen is the length of a UDP header.
const HeaderLen = 8

// Protocol is UDP's IP protocol number.
const Protocol uint8 = 17

// MaxPayload is the largest payload of a UDP datagram over IPv4: 65535
// less the 20-byte IPv4 header and the 8-byte UDP header (what Linux's
// sendto refuses beyond with EMSGSIZE).
const MaxPayload = 65535 - 20 - HeaderLen

// Header is a decoded UDP header: every field of RFC 768.
type Header struct {
	SrcPort uint16
	DstPort uint16
	// Length is the header and payload length as read; computed on encode.
	Length uint16
	// Checksum is as read; computed on encode. 0 on the wire means the
	// sender computed none (RFC 768).
	Checksum uint16
}

// Errors of the codec, for callers to branch on with errors.Is.
var (
	// ErrMalformed: the bytes are not a well-formed UDP datagram.
	ErrMalformed = errors.New("udp: malformed datagram")
	// ErrChecksum: the checksum is wrong.
	ErrChecksum = errors.New("udp: bad checksum")
	// ErrTooLong: the payload exceeds MaxPayload.
	ErrTooLong = errors.New("udp: payload longer than 65507 bytes")
)

// DecodeError says why bytes are not an acceptable UDP datagram: the byte
// offset and name of the offending field and the reason. It is the decode
// error every layer shares (Layer "udp"); it wraps ErrMalformed.
type DecodeError = inet.DecodeError

// malformed returns a *DecodeError wrapping ErrMalformed.
func malformed(off int, field, reason string) *DecodeError {
	return &DecodeError{Layer: "udp", Offset: off, Field: field, Reason: reason, Err: ErrMalformed}
}

// AppendTo appends the header and payload to b as one datagram from src
// to dst and returns the extended slice. It computes the length and the
// checksum over the pseudo-header, header and payload (RFC 768), sending
// a computed 0 as 0xffff since 0 means "no checksum". It allocates
// nothing when b has room, and refuses a payload over MaxPayload.
func (h *Header) AppendTo(b []byte, src, dst netip.Addr, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return b, fmt.Errorf("udp: encode %d-byte payload: %w", len(payload), ErrTooLong)
	}
	start := len(b)
	b = slices.Grow(b, HeaderLen+len(payload))[:start+HeaderLen]
	s := b[start:]
	h.Length = uint16(HeaderLen + len(payload))
	put16(s[0:], h.SrcPort)
	put16(s[2:], h.DstPort)
	put16(s[4:], h.Length)
	put16(s[6:], 0)
	b = append(b, payload...)
	d := b[start:]
	h.Checksum = inet.TransportChecksum(d, src, dst, Protocol)
	if h.Checksum == 0 {
		h.Checksum = 0xffff // RFC 768: "all ones" stands for a computed zero
	}
	put16(d[6:], h.Checksum)
	return b, nil
}

// Decode parses a UDP datagram: the header, and the payload, which aliases
// b and ends at the length field (bytes after it are ignored, as Linux's
// udp_rcv trims to the UDP length). It rejects with a *DecodeError a
// datagram shorter than 8 bytes, and a length field below 8 or past the
// end of b. It does not verify the checksum (see VerifyChecksum).
func Decode(b []byte) (Header, []byte, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, nil, inet.ShortError("udp", "datagram", len(b), HeaderLen, ErrMalformed)
	}
	h.SrcPort = get16(b[0:])
	h.DstPort = get16(b[2:])
	h.Length = get16(b[4:])
	h.Checksum = get16(b[6:])
	n := int(h.Length)
	if n < HeaderLen {
		return h, nil, malformed(4, "length", "length "+strconv.Itoa(n)+" below 8")
	}
	if n > len(b) {
		return h, nil, malformed(4, "length", "length "+strconv.Itoa(n)+" runs past the "+strconv.Itoa(len(b))+"-byte datagram")
	}
	return h, b[HeaderLen:n], nil
}

// VerifyChecksum reports whether the UDP datagram d (header and payload,
// as long as its length field says) carries a correct checksum for src and
// dst, or none at all (0 on the wire, RFC 768).
func VerifyChecksum(d []byte, src, dst netip.Addr) bool {
	if len(d) < HeaderLen {
		return false
	}
	if get16(d[6:]) == 0 {
		return true
	}
	return inet.TransportValid(d, src, dst, Protocol)
}

// String formats the header as tcpdump does: "UDP 49152 > 9000, length 1200"
// (the payload length).
func (h *Header) String() string {
	return "UDP " + strconv.Itoa(int(h.SrcPort)) + " > " + strconv.Itoa(int(h.DstPort)) + ", length " + strconv.Itoa(max(int(h.Length)-HeaderLen, 0))
}

func put16(b []byte, v uint16) { _ = b[1]; b[0], b[1] = byte(v>>8), byte(v) }

func get16(b []byte) uint16 { _ = b[1]; return uint16(b[0])<<8 | uint16(b[1]) }
