// Package icmp is the ICMP message (RFC 792) as netsim's hosts and routers
// put it on the wire: echo request and reply, destination unreachable
// (with RFC 1191's next-hop MTU in "fragmentation needed"), time
// exceeded; encode into a caller's buffer, decode with typed errors and
// the checksum verified. Which message to send when, and the rate limit,
// live in package nodes.
package icmp

import (
	"errors"
	"slices"
	"strconv"

	"github.com/netsimlab/netsim/internal/inet"
)

// HeaderLen is the length of the fixed part of every ICMP message: type,
// code, checksum and the 4-byte rest of header.
const HeaderLen = 8

// Protocol is ICMP's IP protocol number.
const Protocol uint8 = 1

// Type is the ICMP message type (RFC 792).
type Type uint8

// The message types netsim sends and reads.
const (
	TypeEchoReply      Type = 0
	TypeDestUnreach    Type = 3
	TypeEchoRequest    Type = 8
	TypeTimeExceeded   Type = 11
	TypeParamProblem   Type = 12
	TypeSourceQuench   Type = 4
	TypeRedirect       Type = 5
	TypeTimestamp      Type = 13
	TypeTimestampReply Type = 14
)

// Codes of destination unreachable (RFC 792, RFC 1191, RFC 1812 §5.2.7.1).
const (
	CodeNetUnreach   uint8 = 0
	CodeHostUnreach  uint8 = 1
	CodeProtoUnreach uint8 = 2
	CodePortUnreach  uint8 = 3
	CodeFragNeeded   uint8 = 4
)

// CodeTTLExceeded is time exceeded's code for a TTL that reached zero in
// transit.
const CodeTTLExceeded uint8 = 0

// IsError reports whether t is an error message, which must never be
// answered with another (RFC 1122 §3.2.2).
func (t Type) IsError() bool {
	switch t {
	case TypeDestUnreach, TypeSourceQuench, TypeRedirect, TypeTimeExceeded, TypeParamProblem:
		return true
	}
	return false
}

// Message is a decoded ICMP message. The four bytes after the checksum
// are read per type: ID and Seq for echo request and reply, the next-hop
// MTU (RFC 1191 §4) for fragmentation needed, unused otherwise (kept raw
// in Rest so that a message encodes back as read).
type Message struct {
	Type     Type
	Code     uint8
	Checksum uint16 // as read; computed on encode
	// Rest is the 32-bit rest of header in wire order.
	Rest uint32
}

// Echo returns an echo request or reply with identifier id and sequence
// number seq.
func Echo(t Type, id, seq uint16) Message {
	return Message{Type: t, Rest: uint32(id)<<16 | uint32(seq)}
}

// Unreachable returns a destination unreachable message with code; for
// CodeFragNeeded, mtu is the next-hop MTU (RFC 1191 §4), otherwise 0.
func Unreachable(code uint8, mtu uint16) Message {
	return Message{Type: TypeDestUnreach, Code: code, Rest: uint32(mtu)}
}

// ID returns an echo message's identifier.
func (m *Message) ID() uint16 { return uint16(m.Rest >> 16) }

// Seq returns an echo message's sequence number.
func (m *Message) Seq() uint16 { return uint16(m.Rest) }

// NextHopMTU returns a fragmentation-needed message's next-hop MTU (0
// from a router older than RFC 1191).
func (m *Message) NextHopMTU() uint16 { return uint16(m.Rest) }

// ErrMalformed is wrapped by every *DecodeError but a wrong checksum.
var ErrMalformed = errors.New("icmp: malformed message")

// ErrChecksum: the checksum is wrong.
var ErrChecksum = errors.New("icmp: bad checksum")

// DecodeError says why bytes are not an acceptable ICMP message; its Err
// is ErrMalformed or ErrChecksum. It is the decode error every layer
// shares (Layer "icmp").
type DecodeError = inet.DecodeError

// AppendTo appends the message with body (echo data, or for an error the
// datagram it quotes) to b, computing the checksum over the whole message
// (RFC 792), and returns the extended slice. It allocates nothing when b
// has room.
func (m *Message) AppendTo(b, body []byte) []byte {
	start := len(b)
	b = slices.Grow(b, HeaderLen+len(body))[:start+HeaderLen]
	s := b[start:]
	s[0], s[1] = byte(m.Type), m.Code
	s[2], s[3] = 0, 0
	s[4], s[5], s[6], s[7] = byte(m.Rest>>24), byte(m.Rest>>16), byte(m.Rest>>8), byte(m.Rest)
	b = append(b, body...)
	m.Checksum = inet.Checksum(b[start:], 0)
	b[start+2], b[start+3] = byte(m.Checksum>>8), byte(m.Checksum)
	return b
}

// Decode parses an ICMP message and returns it with its body (aliasing
// b). It rejects a message shorter than 8 bytes (ErrMalformed) and a
// wrong checksum (ErrChecksum).
func Decode(b []byte) (Message, []byte, error) {
	var m Message
	if len(b) < HeaderLen {
		return m, nil, inet.ShortError("icmp", "message", len(b), HeaderLen, ErrMalformed)
	}
	m.Type, m.Code = Type(b[0]), b[1]
	m.Checksum = uint16(b[2])<<8 | uint16(b[3])
	m.Rest = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	if inet.Sum(b, 0) != 0xffff {
		return m, nil, inet.ChecksumError("icmp", 2, "checksum", m.Checksum, "message", ErrChecksum)
	}
	return m, b[HeaderLen:], nil
}

// QuoteLen is how much of an offending datagram an error message quotes:
// as Linux's icmp_send, as much as keeps the ICMP datagram within 576
// bytes (RFC 1812 §4.3.2.3), so at least the IP header and the first 8
// bytes that RFC 792 asks for.
const QuoteLen = 576 - 20 - HeaderLen

// String formats the message as tcpdump does, e.g. "ICMP echo request,
// id 1, seq 3" or "ICMP port unreachable".
func (m *Message) String() string {
	switch m.Type {
	case TypeEchoRequest, TypeEchoReply:
		what := "echo request"
		if m.Type == TypeEchoReply {
			what = "echo reply"
		}
		return "ICMP " + what + ", id " + strconv.Itoa(int(m.ID())) + ", seq " + strconv.Itoa(int(m.Seq()))
	case TypeDestUnreach:
		switch m.Code {
		case CodeNetUnreach:
			return "ICMP net unreachable"
		case CodeHostUnreach:
			return "ICMP host unreachable"
		case CodeProtoUnreach:
			return "ICMP protocol unreachable"
		case CodePortUnreach:
			return "ICMP port unreachable"
		case CodeFragNeeded:
			return "ICMP unreachable - need to frag (mtu " + strconv.Itoa(int(m.NextHopMTU())) + ")"
		}
		return "ICMP unreachable code " + strconv.Itoa(int(m.Code))
	case TypeTimeExceeded:
		return "ICMP time exceeded in-transit"
	}
	return "ICMP type " + strconv.Itoa(int(m.Type)) + " code " + strconv.Itoa(int(m.Code))
}
