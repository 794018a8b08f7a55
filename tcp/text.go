package tcp

import (
	"net/netip"
	"strconv"
)

// This file is the one formatter for segments (style.md lesson 8): tests,
// the trace, the ASCII diagram and error messages all print a segment
// through it, so a segment reads the same everywhere. Two forms: a
// tcpdump-style line and a textbook field-by-field listing.

// flagLetters are the flags in the order tcpdump prints them
// (tcp_flag_values in tcpdump's print-tcp.c), with N for NS, which tcpdump
// does not name.
var flagLetters = [...]struct {
	f Flags
	c byte
}{
	{FlagFIN, 'F'}, {FlagSYN, 'S'}, {FlagRST, 'R'}, {FlagPSH, 'P'}, {FlagACK, '.'},
	{FlagURG, 'U'}, {FlagECE, 'E'}, {FlagCWR, 'W'}, {FlagNS, 'N'},
}

// AppendFlags appends the flags as tcpdump prints them inside its
// brackets: S, S., ., P., F., R., R, with U, E, W and N for URG, ECE, CWR
// and NS; "none" when no flag is set.
func AppendFlags(b []byte, f Flags) []byte {
	if f&flagMask == 0 {
		return append(b, "none"...)
	}
	for _, l := range flagLetters {
		if f&l.f != 0 {
			b = append(b, l.c)
		}
	}
	return b
}

// FlagString returns the flags as tcpdump prints them (see AppendFlags).
func FlagString(f Flags) string {
	var a [9]byte
	return string(AppendFlags(a[:0], f))
}

// String returns the flags as tcpdump prints them.
func (f Flags) String() string { return FlagString(f) }

// Bases are the initial sequence numbers that the text forms subtract, so
// that a connection reads from seq 0 and ack 1 as in tcpdump, packetdrill
// and textbooks. Seq is the sender's ISN (for the seq field), Ack the
// receiver's ISN (for the ack field and SACK blocks). The zero value prints
// absolute numbers.
type Bases struct {
	Seq, Ack Seq
}

// AppendText appends the tcpdump-style line for the segment with header h
// and payloadLen payload bytes sent from src to dst:
//
//	10.0.0.1:49152 > 10.0.0.2:80 [S] seq 0 win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>
//	10.0.0.1:49152 > 10.0.0.2:80 [P.] seq 1:1449 ack 1 win 502 <nop,nop,TS val 9 ecr 7> length 1448
//
// As in tcpdump, seq shows start:end when the segment carries data, ack
// appears only with the ACK flag, urg only with URG, and length only when
// there is payload. Invalid addresses are left out, leaving the ports.
func (h *Header) AppendText(b []byte, src, dst netip.Addr, payloadLen int, base Bases) []byte {
	b = appendEndpoint(b, src, h.SrcPort)
	b = append(b, " > "...)
	b = appendEndpoint(b, dst, h.DstPort)
	b = append(b, " ["...)
	b = AppendFlags(b, h.Flags)
	b = append(b, "] seq "...)
	seq := uint32(h.Seq - base.Seq)
	b = strconv.AppendUint(b, uint64(seq), 10)
	if payloadLen > 0 {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(seq+uint32(payloadLen)), 10)
	}
	if h.Flags&FlagACK != 0 {
		b = append(b, " ack "...)
		b = strconv.AppendUint(b, uint64(uint32(h.Ack-base.Ack)), 10)
	}
	b = append(b, " win "...)
	b = strconv.AppendUint(b, uint64(h.Window), 10)
	if h.Flags&FlagURG != 0 {
		b = append(b, " urg "...)
		b = strconv.AppendUint(b, uint64(h.Urgent), 10)
	}
	if h.Options.n > 0 {
		b = append(b, " <"...)
		b = AppendOptions(b, &h.Options, base.Ack)
		b = append(b, '>')
	}
	if payloadLen > 0 {
		b = append(b, " length "...)
		b = strconv.AppendInt(b, int64(payloadLen), 10)
	}
	return b
}

// Text returns the tcpdump-style line (see AppendText).
func (h *Header) Text(src, dst netip.Addr, payloadLen int, base Bases) string {
	var a [160]byte
	return string(h.AppendText(a[:0], src, dst, payloadLen, base))
}

// String returns the tcpdump-style line without addresses or payload
// length and with absolute sequence numbers: "49152 > 80 [S] seq 0 ...".
func (h *Header) String() string { return h.Text(netip.Addr{}, netip.Addr{}, 0, Bases{}) }

// appendEndpoint appends addr:port, or the port alone without an address.
func appendEndpoint(b []byte, a netip.Addr, port uint16) []byte {
	if a.IsValid() {
		b = a.AppendTo(b)
		b = append(b, ':')
	}
	return strconv.AppendUint(b, uint64(port), 10)
}

// AppendOptions appends the option list in packetdrill and tcpdump
// notation, in wire order, comma-separated:
//
//	mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7
//	nop,nop,sack 1:2 3:4
//
// SACK blocks are printed relative to sackBase (the receiver's ISN; 0 for
// absolute numbers). A Fast Open option prints as packetdrill writes it:
// FO and its cookie in hex (FO alone for a cookie request), FOEXP for the
// experimental kind 254 with Fast Open's magic. An unknown kind prints as
// unknown-<kind> followed by
// its payload in hex, EOL as eol (and nothing after it is read: RFC 9293
// §3.1), and a malformed option as bad-option-<kind>, ending the list.
func AppendOptions(b []byte, o *Options, sackBase Seq) []byte {
	first := true
	off := 0
	for {
		opt, nxt, ok, err := o.next(off)
		if err != nil {
			if !first {
				b = append(b, ',')
			}
			b = append(b, "bad-option-"...)
			b = strconv.AppendUint(b, uint64(o.buf[off]), 10)
			return b
		}
		if !ok {
			return b
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendOption(b, opt, sackBase)
		if opt.Kind == OptEOL {
			return b
		}
		off = nxt
	}
}

// appendOption appends one well-formed option.
func appendOption(b []byte, opt Option, sackBase Seq) []byte {
	switch opt.Kind {
	case OptEOL, OptNOP, OptSACKPermitted:
		return append(b, optionName(opt.Kind)...)
	case OptMSS:
		b = append(b, "mss "...)
		return strconv.AppendUint(b, uint64(get16(opt.Data)), 10)
	case OptWScale:
		b = append(b, "wscale "...)
		return strconv.AppendUint(b, uint64(opt.Data[0]), 10)
	case OptTimestamps:
		b = append(b, "TS val "...)
		b = strconv.AppendUint(b, uint64(get32(opt.Data)), 10)
		b = append(b, " ecr "...)
		return strconv.AppendUint(b, uint64(get32(opt.Data[4:])), 10)
	case OptSACK:
		b = append(b, "sack"...)
		for d := opt.Data; len(d) >= lenSACKBlock; d = d[lenSACKBlock:] {
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(get32(d)-uint32(sackBase)), 10)
			b = append(b, ':')
			b = strconv.AppendUint(b, uint64(get32(d[4:])-uint32(sackBase)), 10)
		}
		return b
	case OptFastOpen:
		return appendCookie(append(b, "FO"...), opt.Data)
	case OptExp:
		if len(opt.Data) >= 2 && get16(opt.Data) == FastOpenMagic {
			return appendCookie(append(b, "FOEXP"...), opt.Data[2:])
		}
	}
	b = append(b, "unknown-"...)
	b = strconv.AppendUint(b, uint64(opt.Kind), 10)
	if len(opt.Data) > 0 {
		b = append(b, " 0x"...)
		b = appendHex(b, opt.Data)
	}
	return b
}

// appendCookie appends " <hex>" of a Fast Open cookie (nothing for a
// cookie request's empty one).
func appendCookie(b, cookie []byte) []byte {
	if len(cookie) == 0 {
		return b
	}
	return appendHex(append(b, ' '), cookie)
}

// FormatOptions returns the option list in packetdrill and tcpdump
// notation with absolute SACK blocks (see AppendOptions).
func FormatOptions(o *Options) string {
	var a [128]byte
	return string(AppendOptions(a[:0], o, 0))
}

// String returns the option list as FormatOptions does.
func (o *Options) String() string { return FormatOptions(o) }

const hexDigits = "0123456789abcdef"

// appendHex appends d as lower-case hex digits.
func appendHex(b []byte, d []byte) []byte {
	for _, c := range d {
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// AppendVerbose appends the textbook form of the header: one line per
// field of RFC 9293 §3.1 in wire order, with its width in bits and its
// value, then one line per option. Sequence and acknowledgment numbers are
// shown relative to base with the raw value beside them when base is not
// zero. For example:
//
//	TCP header: 40 bytes, payload 0 bytes
//	  source port              16 bits  49152
//	  destination port         16 bits  80
//	  sequence number          32 bits  0 (raw 1000)
//	  acknowledgment number    32 bits  0
//	  data offset               4 bits  10 (40 bytes)
//	  reserved                  3 bits  0
//	  NS                        1 bit   0
//	  ...
//	  FIN                       1 bit   0
//	  window                   16 bits  65535
//	  checksum                 16 bits  0x1a2b
//	  urgent pointer           16 bits  0
//	  options                 160 bits  mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7
//	    [20] mss                 32 bits  kind 2 len 4 mss 1460
//	    ...
//	  padding                   0 bits
//
// The data offset and checksum are those of the wire (set by Decode and
// AppendTo); a data offset of 0 in a header never encoded is shown as the
// length AppendTo would give it.
func (h *Header) AppendVerbose(b []byte, payloadLen int, base Bases) []byte {
	hl := h.Len()
	b = append(b, "TCP header: "...)
	b = strconv.AppendInt(b, int64(hl), 10)
	b = append(b, " bytes, payload "...)
	b = strconv.AppendInt(b, int64(payloadLen), 10)
	b = append(b, " bytes\n"...)
	b = appendField(b, "source port", 16, uint64(h.SrcPort))
	b = append(b, '\n')
	b = appendField(b, "destination port", 16, uint64(h.DstPort))
	b = append(b, '\n')
	b = appendSeqField(b, "sequence number", h.Seq, base.Seq)
	b = appendSeqField(b, "acknowledgment number", h.Ack, base.Ack)
	off := h.DataOffset
	if off == 0 {
		off = uint8(hl / 4)
	}
	b = appendField(b, "data offset", 4, uint64(off))
	b = append(b, " ("...)
	b = strconv.AppendInt(b, int64(off)*4, 10)
	b = append(b, " bytes)\n"...)
	b = appendField(b, "reserved", 3, uint64(h.Reserved))
	b = append(b, '\n')
	for i := len(flagNames) - 1; i >= 0; i-- {
		v := uint64(0)
		if h.Flags&(1<<i) != 0 {
			v = 1
		}
		b = appendField(b, flagNames[i], 1, v)
		b = append(b, '\n')
	}
	b = appendField(b, "window", 16, uint64(h.Window))
	b = append(b, '\n')
	b = appendLabel(b, "checksum", 16)
	b = append(b, "0x"...)
	b = appendHex(b, []byte{byte(h.Checksum >> 8), byte(h.Checksum)})
	b = append(b, '\n')
	b = appendField(b, "urgent pointer", 16, uint64(h.Urgent))
	b = append(b, '\n')
	b = appendLabel(b, "options", 8*int(h.Options.n))
	if h.Options.n == 0 {
		b = append(b, "none"...)
	} else {
		b = AppendOptions(b, &h.Options, base.Ack)
	}
	b = append(b, '\n')
	for opt := range h.Options.All() {
		var a [32]byte
		name := append(a[:0], "  ["...)
		name = strconv.AppendInt(name, int64(HeaderLen+opt.Offset), 10)
		name = append(name, "] "...)
		name = append(name, optionName(opt.Kind)...)
		b = appendLabel(b, name, 8*opt.Len)
		b = append(b, "kind "...)
		b = strconv.AppendUint(b, uint64(opt.Kind), 10)
		if opt.Len > 1 {
			b = append(b, " len "...)
			b = strconv.AppendInt(b, int64(opt.Len), 10)
		}
		if opt.Kind != OptEOL && opt.Kind != OptNOP && opt.Kind != OptSACKPermitted {
			b = append(b, ' ')
			b = appendOption(b, opt, base.Ack)
		}
		b = append(b, '\n')
	}
	pad := hl - HeaderLen - int(h.Options.n)
	b = appendLabel(b, "padding", 8*pad)
	if pad == 0 {
		return append(b, "none"...)
	}
	return append(b, "zeros"...)
}

// Verbose returns the textbook form of the header (see AppendVerbose).
func (h *Header) Verbose(payloadLen int, base Bases) string {
	return string(h.AppendVerbose(make([]byte, 0, 1024), payloadLen, base))
}

// flagNames names the flag bits from bit 0 (FIN) to bit 8 (NS).
var flagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"}

// appendLabel appends an indented, aligned field name and width.
func appendLabel[S string | []byte](b []byte, name S, width int) []byte {
	b = append(b, "  "...)
	b = append(b, name...)
	for i := len(name); i < 22; i++ {
		b = append(b, ' ')
	}
	var a [8]byte
	w := strconv.AppendInt(a[:0], int64(width), 10)
	for i := len(w); i < 4; i++ {
		b = append(b, ' ')
	}
	b = append(b, w...)
	if width == 1 {
		return append(b, " bit   "...)
	}
	return append(b, " bits  "...)
}

// appendField appends a labelled decimal field.
func appendField(b []byte, name string, width int, v uint64) []byte {
	return strconv.AppendUint(appendLabel(b, name, width), v, 10)
}

// appendSeqField appends a sequence-number field relative to base, with
// the raw value when base is not zero, and a newline.
func appendSeqField(b []byte, name string, s, base Seq) []byte {
	b = appendField(b, name, 32, uint64(uint32(s-base)))
	if base != 0 {
		b = append(b, " (raw "...)
		b = strconv.AppendUint(b, uint64(s), 10)
		b = append(b, ')')
	}
	return append(b, '\n')
}
