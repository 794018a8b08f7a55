package inet

import (
	"net/netip"
	"strconv"
)

// DecodeError says why bytes are not an acceptable header or message of
// one layer (IPv4, TCP, UDP, ICMP): the layer, the byte offset and name of
// the offending field, and the reason. Err is the layer's sentinel
// (ErrMalformed, ErrChecksum of package tcp, nodes/ipv4, nodes/udp or
// nodes/icmp), so that a caller branches on the kind with errors.Is and
// counts drops by it; each of those packages names this type DecodeError
// so that errors.As works with its own name.
type DecodeError struct {
	// Layer is the protocol's name as it starts the message: "tcp", "udp".
	Layer  string
	Offset int
	Field  string
	Reason string
	Err    error
}

// Error implements error: "tcp: decode flags at offset 13: …".
func (e *DecodeError) Error() string {
	return e.Layer + ": decode " + e.Field + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Unwrap returns the layer's sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// ShortError is the *DecodeError for bytes shorter than the fixed header
// of want bytes: "<unit> of <n> bytes is shorter than <want>", at offset 0 of
// field "header", wrapping err.
func ShortError(layer, unit string, n, want int, err error) *DecodeError {
	return &DecodeError{Layer: layer, Offset: 0, Field: "header", Reason: unit + " of " + strconv.Itoa(n) + " bytes is shorter than " + strconv.Itoa(want), Err: err}
}

// ChecksumError is the *DecodeError for a checksum field at off that does
// not match what it covers: "checksum 0x… does not match the <what>".
func ChecksumError(layer string, off int, field string, sum uint16, what string, err error) *DecodeError {
	return &DecodeError{Layer: layer, Offset: off, Field: field, Reason: "checksum 0x" + strconv.FormatUint(uint64(sum), 16) + " does not match the " + what, Err: err}
}

// TransportChecksum returns the checksum of a TCP or UDP segment (header
// and payload, its checksum field zero) over the pseudo-header of src,
// dst and proto (RFC 9293 §3.1, RFC 768).
func TransportChecksum(segment []byte, src, dst netip.Addr, proto uint8) uint16 {
	return Checksum(segment, PseudoHeaderSum(src, dst, proto, uint32(len(segment))))
}

// TransportValid reports whether a TCP or UDP segment carries a correct
// checksum for the pseudo-header of src, dst and proto: the one's
// complement sum over pseudo-header and segment is all ones.
func TransportValid(segment []byte, src, dst netip.Addr, proto uint8) bool {
	return Sum(segment, PseudoHeaderSum(src, dst, proto, uint32(len(segment)))) == 0xffff
}
