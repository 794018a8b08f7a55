package sim

import (
	"errors"
	"strconv"
	"strings"
)

// TCPFlags are the nine TCP flag bits as the header carries them
// (RFC 9293 §3.1, with NS of RFC 3540 at bit 8): the same values as
// tcp.Flags, so a producer converts with TCPFlags(hdr.Flags).
type TCPFlags uint16

// The flag bits.
const (
	TCPFlagFIN TCPFlags = 1 << iota
	TCPFlagSYN
	TCPFlagRST
	TCPFlagPSH
	TCPFlagACK
	TCPFlagURG
	TCPFlagECE
	TCPFlagCWR
	TCPFlagNS
)

// flagLetters are the flags in the order tcpdump prints them, with N for
// NS, as tcp.AppendFlags writes them.
const flagLetters = "FSRP.UEWN"

// AppendText appends the flags as tcpdump prints them inside its brackets
// (S, S., P., F., R.), "none" when no flag is set: the text of
// tcp.AppendFlags.
func (f TCPFlags) AppendText(dst []byte) []byte {
	if f&0x1ff == 0 {
		return append(dst, "none"...)
	}
	for i := range len(flagLetters) {
		if f&(1<<i) != 0 {
			dst = append(dst, flagLetters[i])
		}
	}
	return dst
}

// String returns the flags as AppendText writes them.
func (f TCPFlags) String() string {
	var a [9]byte
	return string(f.AppendText(a[:0]))
}

// Has reports whether every flag of g is set in f.
func (f TCPFlags) Has(g TCPFlags) bool { return f&g == g }

// ParseTCPFlags reads flags written by AppendText.
func ParseTCPFlags(s string) (TCPFlags, error) {
	if s == "none" {
		return 0, nil
	}
	var f TCPFlags
	for i := range len(s) {
		j := -1
		for k := range len(flagLetters) {
			if flagLetters[k] == s[i] {
				j = k
			}
		}
		if j < 0 {
			return 0, errors.New("flags " + strconv.Quote(s) + ": unknown flag letter")
		}
		f |= 1 << j
	}
	return f, nil
}

// maxOptionsLen is the largest TCP option area (RFC 9293 §3.1).
const maxOptionsLen = 40

// TCPOptions is the option list of a segment in a PacketSend record: the
// raw option bytes as the producer sent them (copied, no allocation), or,
// in a record read back from JSONL, their text. Either way it is written
// as tcpdump prints options: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7".
type TCPOptions struct {
	raw  [maxOptionsLen]byte
	n    uint8
	text string
	// fromText says the list came from text (text may be empty).
	fromText bool
}

// SetRaw sets the option list to the raw option area b (up to 40 bytes;
// more are ignored).
func (o *TCPOptions) SetRaw(b []byte) {
	o.n = uint8(copy(o.raw[:], b))
	o.text, o.fromText = "", false
}

// TCPOptionsText returns the option list whose text is s. Text that
// AppendText writes for a well-formed list is turned back into its raw
// bytes, so that a record read from JSONL is the record that was written
// (and has the same fingerprint); other text is kept as it is.
func TCPOptionsText(s string) TCPOptions {
	var o TCPOptions
	if n, ok := parseOptionsText(&o.raw, s); ok {
		o.n = uint8(n)
		var buf [128]byte
		if string(o.AppendText(buf[:0])) == s {
			return o
		}
	}
	return TCPOptions{text: s, fromText: true}
}

// parseOptionsText writes the raw bytes of an option list in AppendText's
// notation into raw and returns their length, or false when s is not such
// a list (a bad-option, a list longer than 40 bytes, anything else).
func parseOptionsText(raw *[maxOptionsLen]byte, s string) (int, bool) {
	n := 0
	put := func(b ...byte) bool {
		if n+len(b) > len(raw) {
			return false
		}
		n += copy(raw[n:], b)
		return true
	}
	num := func(s string, bits int) (uint64, bool) {
		v, err := strconv.ParseUint(s, 10, bits)
		return v, err == nil && strconv.FormatUint(v, 10) == s
	}
	u32 := func(v uint64) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
	if s == "" {
		return 0, true
	}
	for opt := range strings.SplitSeq(s, ",") {
		name, arg, hasArg := strings.Cut(opt, " ")
		ok := true
		switch {
		case opt == "nop":
			ok = put(optNOP)
		case opt == "eol":
			ok = put(optEOL)
		case opt == "sackOK":
			ok = put(optSACKPermitted, 2)
		case name == "mss" && hasArg:
			v, good := num(arg, 16)
			ok = good && put(optMSS, 4, byte(v>>8), byte(v))
		case name == "wscale" && hasArg:
			v, good := num(arg, 8)
			ok = good && put(optWScale, 3, byte(v))
		case name == "TS" && hasArg:
			var val, ecr uint64
			var good1, good2 bool
			if v, e, found := strings.Cut(strings.TrimPrefix(arg, "val "), " ecr "); found && strings.HasPrefix(arg, "val ") {
				val, good1 = num(v, 32)
				ecr, good2 = num(e, 32)
			}
			ok = good1 && good2 && put(append(append([]byte{optTimestamps, 10}, u32(val)...), u32(ecr)...)...)
		case name == "sack" && hasArg:
			blocks := strings.Split(arg, " ")
			if len(blocks) < 1 || len(blocks) > 4 || !put(optSACK, byte(2+8*len(blocks))) {
				return 0, false
			}
			for _, blk := range blocks {
				l, r, found := strings.Cut(blk, ":")
				lv, good1 := num(l, 32)
				rv, good2 := num(r, 32)
				if !found || !good1 || !good2 || !put(append(u32(lv), u32(rv)...)...) {
					return 0, false
				}
			}
		case opt == "FO" || name == "FO" && hasArg:
			cookie, good := parseHex(arg)
			ok = good && put(append([]byte{optFastOpen, byte(2 + len(cookie))}, cookie...)...)
		case opt == "FOEXP" || name == "FOEXP" && hasArg:
			cookie, good := parseHex(arg)
			ok = good && put(append([]byte{optExp, byte(4 + len(cookie)), fastOpenMagic >> 8, fastOpenMagic & 0xff}, cookie...)...)
		case strings.HasPrefix(name, "unknown-"):
			k, good := num(strings.TrimPrefix(name, "unknown-"), 8)
			if !good || k == optEOL || k == optNOP || k == optMSS || k == optWScale || k == optSACKPermitted || k == optSACK || k == optTimestamps || k == optFastOpen {
				return 0, false
			}
			var data []byte
			if hasArg {
				h, found := strings.CutPrefix(arg, "0x")
				if !found || h == "" {
					return 0, false
				}
				if data, good = parseHex(h); !good {
					return 0, false
				}
			}
			ok = put(append([]byte{byte(k), byte(2 + len(data))}, data...)...)
		default:
			ok = false
		}
		if !ok {
			return 0, false
		}
	}
	return n, true
}

// parseHex reads lower-case hex digits, as AppendText writes them ("" is
// no bytes).
func parseHex(h string) ([]byte, bool) {
	if len(h)%2 != 0 {
		return nil, false
	}
	var data []byte
	for i := 0; i < len(h); i += 2 {
		v, err := strconv.ParseUint(h[i:i+2], 16, 8)
		if err != nil || hexDigits[v>>4] != h[i] || hexDigits[v&0xf] != h[i+1] {
			return nil, false
		}
		data = append(data, byte(v))
	}
	return data, true
}

// String returns the option list as tcpdump prints it.
func (o TCPOptions) String() string {
	if o.fromText {
		return o.text
	}
	var a [128]byte
	return string(o.AppendText(a[:0]))
}

func (o *TCPOptions) appendJSON(dst []byte) []byte {
	if o.fromText {
		return appendJSONString(dst, o.text)
	}
	// The text of raw options has no character JSON escapes.
	return append(o.AppendText(append(dst, '"')), '"')
}

func (o *TCPOptions) hash(h hasher) hasher {
	if o.fromText {
		return h.str(o.text)
	}
	return h.bytes(o.raw[:o.n])
}

// The option kinds netsim names (RFC 9293 §3.1, RFC 7323, RFC 2018).
const (
	optEOL           = 0
	optNOP           = 1
	optMSS           = 2
	optWScale        = 3
	optSACKPermitted = 4
	optSACK          = 5
	optTimestamps    = 8
	optFastOpen      = 34  // TCP Fast Open (RFC 7413 §4.1.1)
	optExp           = 254 // RFC 6994 experimental, Fast Open's with its magic
	fastOpenMagic    = 0xF989
)

// AppendText appends the option list as tcp.AppendOptions writes it with
// absolute SACK blocks: options in wire order separated by commas, a Fast
// Open option as packetdrill writes it (FO and its cookie in hex, FOEXP
// for the experimental kind 254 with Fast Open's magic), an unknown kind
// as unknown-<kind> and its payload in hex, EOL as eol (and
// nothing after it), a malformed option as bad-option-<kind>, ending the
// list. A test in nodes/ holds the two formatters to the same text.
func (o *TCPOptions) AppendText(dst []byte) []byte {
	if o.fromText {
		return append(dst, o.text...)
	}
	b := o.raw[:o.n]
	for off := 0; off < len(b); {
		if off > 0 {
			dst = append(dst, ',')
		}
		kind := b[off]
		if kind == optEOL {
			return append(dst, "eol"...)
		}
		if kind == optNOP {
			dst = append(dst, "nop"...)
			off++
			continue
		}
		if off+1 >= len(b) || int(b[off+1]) < 2 || off+int(b[off+1]) > len(b) || !optionLenOK(kind, int(b[off+1])) {
			dst = append(dst, "bad-option-"...)
			return strconv.AppendUint(dst, uint64(kind), 10)
		}
		l := int(b[off+1])
		data := b[off+2 : off+l]
		switch kind {
		case optSACKPermitted:
			dst = append(dst, "sackOK"...)
		case optMSS:
			dst = strconv.AppendUint(append(dst, "mss "...), uint64(be16(data)), 10)
		case optWScale:
			dst = strconv.AppendUint(append(dst, "wscale "...), uint64(data[0]), 10)
		case optTimestamps:
			dst = strconv.AppendUint(append(dst, "TS val "...), uint64(be32(data)), 10)
			dst = strconv.AppendUint(append(dst, " ecr "...), uint64(be32(data[4:])), 10)
		case optSACK:
			dst = append(dst, "sack"...)
			for d := data; len(d) >= 8; d = d[8:] {
				dst = strconv.AppendUint(append(dst, ' '), uint64(be32(d)), 10)
				dst = strconv.AppendUint(append(dst, ':'), uint64(be32(d[4:])), 10)
			}
		case optFastOpen:
			dst = appendHexArg(append(dst, "FO"...), data)
		case optExp:
			if len(data) >= 2 && be16(data) == fastOpenMagic {
				dst = appendHexArg(append(dst, "FOEXP"...), data[2:])
				break
			}
			fallthrough
		default:
			dst = strconv.AppendUint(append(dst, "unknown-"...), uint64(kind), 10)
			if len(data) > 0 {
				dst = append(dst, " 0x"...)
				for _, c := range data {
					dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
				}
			}
		}
		off += l
	}
	return dst
}

// appendHexArg appends " <hex>" of a Fast Open cookie, as packetdrill
// writes it (nothing for a cookie request's empty one).
func appendHexArg(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = append(dst, ' ')
	for _, c := range data {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}

// optionLenOK checks the lengths the RFCs fix: MSS 4, window scale 3,
// SACK-permitted 2, timestamps 10, SACK 2 plus 8 for each of 1 to 4 blocks.
func optionLenOK(kind uint8, l int) bool {
	switch kind {
	case optMSS:
		return l == 4
	case optWScale:
		return l == 3
	case optSACKPermitted:
		return l == 2
	case optTimestamps:
		return l == 10
	case optSACK:
		return (l-2)%8 == 0 && l >= 10 && l <= 34
	}
	return true
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
