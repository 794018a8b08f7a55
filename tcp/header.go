package tcp

import (
	"errors"
	"strconv"
)

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
// option area for Options.Validate), its name, and the reason.
type DecodeError struct {
	Offset int
	Field  string
	Reason string
}

// Error implements error.
func (e *DecodeError) Error() string {
	return "tcp: decode " + e.Field + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrMalformed) true for every *DecodeError.
func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }
