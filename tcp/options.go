package tcp

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
)

// Option kinds (RFC 9293 §3.1, RFC 7323, RFC 2018).
const (
	OptEOL           uint8 = 0 // End of option list (RFC 9293 §3.1).
	OptNOP           uint8 = 1 // No-operation, used for alignment (RFC 9293 §3.1).
	OptMSS           uint8 = 2 // Maximum segment size (RFC 9293 §3.7.1).
	OptWScale        uint8 = 3 // Window scale (RFC 7323 §2).
	OptSACKPermitted uint8 = 4 // SACK permitted (RFC 2018 §2).
	OptSACK          uint8 = 5 // SACK blocks (RFC 2018 §3).
	OptTimestamps    uint8 = 8 // Timestamps (RFC 7323 §3).
)

// Option lengths on the wire, kind and length bytes included.
const (
	lenMSS           = 4
	lenWScale        = 3
	lenSACKPermitted = 2
	lenTimestamps    = 10
	lenSACKBlock     = 8
)

// TimestampsAligned is the room the timestamps option takes in every
// segment that carries it, with the two nops that align it (Linux's
// TCPOLEN_TSTAMP_ALIGNED): a full segment's payload is the MSS less this
// (RFC 6691).
const TimestampsAligned = 2 + lenTimestamps

// MaxSACKBlocks is the most SACK blocks an option area can hold (RFC 2018
// §3: 4 without timestamps, 3 when the 10-byte timestamps option is present).
const MaxSACKBlocks = 4

// MaxWScale is the largest window scale shift RFC 7323 §2.3 allows.
const MaxWScale = 14

// ErrOptionsFull is returned (wrapped) by the Options builders when an option
// does not fit in the 40-byte option area.
var ErrOptionsFull = errors.New("tcp: option area full")

// ErrBadOption is returned (wrapped) by the Options builders when asked to
// build an option that no conforming sender may put on the wire.
var ErrBadOption = errors.New("tcp: invalid option")

// SACKBlock is one SACK block: the bytes [Start, End) have been received
// (RFC 2018 §3).
type SACKBlock struct{ Start, End Seq }

// Option is one option as it appears in the option area. Data aliases the
// Options it came from and is only valid while that Options is unchanged.
type Option struct {
	// Offset is the option's position from the start of the option area.
	Offset int
	// Kind is the option kind byte.
	Kind uint8
	// Len is the option's length on the wire: 1 for EOL and NOP, else the
	// length byte.
	Len int
	// Data is the option's payload after the kind and length bytes.
	Data []byte
}

// Reset empties the option area.
func (o *Options) Reset() { *o = Options{} }

// Len returns the number of option bytes, before padding.
func (o *Options) Len() int { return int(o.n) }

// Bytes returns the option bytes in wire order. The slice aliases o.
func (o *Options) Bytes() []byte { return o.buf[:o.n] }

// Equal reports whether o and p hold the same option bytes.
func (o *Options) Equal(p *Options) bool { return string(o.Bytes()) == string(p.Bytes()) }

// grow reserves n bytes at the end of the area and returns them, or reports
// why it cannot.
func (o *Options) grow(what string, n int) ([]byte, error) {
	if int(o.n)+n > MaxOptionsLen {
		return nil, fmt.Errorf("tcp: append %s option (%d bytes) after %d bytes: %w", what, n, o.n, ErrOptionsFull)
	}
	b := o.buf[o.n : int(o.n)+n]
	o.n += uint8(n)
	return b, nil
}

// AppendNOP appends a no-operation byte (RFC 9293 §3.1).
func (o *Options) AppendNOP() error { return o.appendKindOnly("nop", OptNOP) }

// AppendEOL appends an end-of-option-list byte (RFC 9293 §3.1). A receiver
// ignores whatever follows it.
func (o *Options) AppendEOL() error { return o.appendKindOnly("eol", OptEOL) }

// appendKindOnly appends one of the two options that are a kind byte
// alone, with no length (RFC 9293 §3.1 case 1); name words the error.
func (o *Options) appendKindOnly(name string, kind uint8) error {
	b, err := o.grow(name, 1)
	if err != nil {
		return err
	}
	b[0] = kind
	return nil
}

// AppendMSS appends a maximum segment size option (RFC 9293 §3.7.1).
func (o *Options) AppendMSS(mss uint16) error {
	b, err := o.grow("mss", lenMSS)
	if err != nil {
		return err
	}
	b[0], b[1] = OptMSS, lenMSS
	put16(b[2:], mss)
	return nil
}

// AppendWScale appends a window scale option. RFC 7323 §2.3: a shift above
// 14 must not be sent, so it is refused with ErrBadOption.
func (o *Options) AppendWScale(shift uint8) error {
	if shift > MaxWScale {
		return fmt.Errorf("tcp: append wscale option: shift %d above %d: %w", shift, MaxWScale, ErrBadOption)
	}
	b, err := o.grow("wscale", lenWScale)
	if err != nil {
		return err
	}
	b[0], b[1], b[2] = OptWScale, lenWScale, shift
	return nil
}

// AppendSACKPermitted appends a SACK-permitted option (RFC 2018 §2).
func (o *Options) AppendSACKPermitted() error {
	b, err := o.grow("sackOK", lenSACKPermitted)
	if err != nil {
		return err
	}
	b[0], b[1] = OptSACKPermitted, lenSACKPermitted
	return nil
}

// AppendTimestamps appends a timestamps option (RFC 7323 §3.2).
func (o *Options) AppendTimestamps(val, ecr uint32) error {
	b, err := o.grow("TS", lenTimestamps)
	if err != nil {
		return err
	}
	b[0], b[1] = OptTimestamps, lenTimestamps
	put32(b[2:], val)
	put32(b[6:], ecr)
	return nil
}

// AppendSACK appends a SACK option holding blocks (RFC 2018 §3). It takes
// one to four blocks; the caller chooses how many fit beside its other
// options (see SegmentOptions).
func (o *Options) AppendSACK(blocks []SACKBlock) error {
	if len(blocks) == 0 || len(blocks) > MaxSACKBlocks {
		return fmt.Errorf("tcp: append sack option: %d blocks, want 1 to %d: %w", len(blocks), MaxSACKBlocks, ErrBadOption)
	}
	n := 2 + lenSACKBlock*len(blocks)
	b, err := o.grow("sack", n)
	if err != nil {
		return err
	}
	b[0], b[1] = OptSACK, uint8(n)
	for i, blk := range blocks {
		put32(b[2+8*i:], uint32(blk.Start))
		put32(b[6+8*i:], uint32(blk.End))
	}
	return nil
}

// AppendRaw appends an option of any kind with the given payload, for
// options netsim does not interpret and for tests of odd layouts. Kinds EOL
// and NOP are single bytes and take no payload.
func (o *Options) AppendRaw(kind uint8, data []byte) error {
	if kind == OptEOL || kind == OptNOP {
		if len(data) != 0 {
			return fmt.Errorf("tcp: append raw option kind %d: %d payload bytes on a one-byte option: %w", kind, len(data), ErrBadOption)
		}
		b, err := o.grow("raw", 1)
		if err != nil {
			return err
		}
		b[0] = kind
		return nil
	}
	if len(data) > MaxOptionsLen-2 {
		return fmt.Errorf("tcp: append raw option kind %d: %d payload bytes: %w", kind, len(data), ErrOptionsFull)
	}
	b, err := o.grow("raw", 2+len(data))
	if err != nil {
		return err
	}
	b[0], b[1] = kind, uint8(2+len(data))
	copy(b[2:], data)
	return nil
}

// next reads the option at off. It returns the option, the offset of the
// next one, and ok false at the end of the area. A malformed option yields
// a *DecodeError; the offsets in it are relative to the option area.
func (o *Options) next(off int) (Option, int, bool, *DecodeError) {
	b := o.buf[:o.n]
	if off >= len(b) {
		return Option{}, off, false, nil
	}
	kind := b[off]
	if kind == OptEOL || kind == OptNOP {
		return Option{Offset: off, Kind: kind, Len: 1}, off + 1, true, nil
	}
	if off+1 >= len(b) {
		return Option{}, off, false, malformed(off, optionName(kind), "option truncated before its length byte")
	}
	l := int(b[off+1])
	if l < 2 {
		// RFC 9293 §3.1: the length counts the kind and length bytes; a length
		// of 0 or 1 would make a parser loop forever.
		return Option{}, off, false, malformed(off+1, optionName(kind), fmt.Sprintf("option length %d below 2", l))
	}
	if off+l > len(b) {
		return Option{}, off, false, malformed(off+1, optionName(kind), fmt.Sprintf("option length %d runs past the option area (%d bytes left)", l, len(b)-off))
	}
	opt := Option{Offset: off, Kind: kind, Len: l, Data: b[off+2 : off+l]}
	if err := checkOptionLen(opt); err != nil {
		return Option{}, off, false, err
	}
	return opt, off + l, true, nil
}

// checkOptionLen checks the length of the options whose length is fixed by
// their RFC.
func checkOptionLen(opt Option) *DecodeError {
	want := 0
	switch opt.Kind {
	case OptMSS:
		want = lenMSS // RFC 9293 §3.2
	case OptWScale:
		want = lenWScale // RFC 7323 §2.2
	case OptSACKPermitted:
		want = lenSACKPermitted // RFC 2018 §2
	case OptTimestamps:
		want = lenTimestamps // RFC 7323 §3.2
	case OptSACK:
		// RFC 2018 §3: length 2+8n; at most 4 blocks fit in 40 bytes.
		if n := (opt.Len - 2) / lenSACKBlock; (opt.Len-2)%lenSACKBlock != 0 || n < 1 || n > MaxSACKBlocks {
			return malformed(opt.Offset+1, "sack", fmt.Sprintf("option length %d is not 2 plus 8 times 1 to %d blocks", opt.Len, MaxSACKBlocks))
		}
		return nil
	default:
		return nil
	}
	if opt.Len != want {
		return malformed(opt.Offset+1, optionName(opt.Kind), fmt.Sprintf("option length %d, want %d", opt.Len, want))
	}
	return nil
}

// optionName names an option kind for errors and the verbose text form.
func optionName(kind uint8) string {
	switch kind {
	case OptEOL:
		return "eol"
	case OptNOP:
		return "nop"
	case OptMSS:
		return "mss"
	case OptWScale:
		return "wscale"
	case OptSACKPermitted:
		return "sackOK"
	case OptSACK:
		return "sack"
	case OptTimestamps:
		return "TS"
	}
	return "option"
}

// Validate reports the first malformed option in o, as a *DecodeError whose
// Offset counts from the start of the option area.
func (o *Options) Validate() error {
	if err := validateOptions(o.buf[:o.n]); err != nil {
		return err
	}
	return nil
}

// validateOptions is the decoder's hot path: a tight walk over the option
// bytes with the rules of next, which builds the error when one fails.
func validateOptions(b []byte) *DecodeError {
	for off := 0; off < len(b); {
		kind := b[off]
		switch kind {
		case OptEOL:
			return nil
		case OptNOP:
			off++
			continue
		}
		if off+1 >= len(b) {
			return optionError(b, off)
		}
		l := int(b[off+1])
		if !optionLenOK(kind, l) || off+l > len(b) {
			return optionError(b, off)
		}
		off += l
	}
	return nil
}

// optionLenOK reports whether l is a valid length for an option of kind
// (other than EOL and NOP), the rules of checkOptionLen without the error.
func optionLenOK(kind uint8, l int) bool {
	switch kind {
	case OptMSS:
		return l == lenMSS
	case OptWScale:
		return l == lenWScale
	case OptSACKPermitted:
		return l == lenSACKPermitted
	case OptTimestamps:
		return l == lenTimestamps
	case OptSACK:
		return l >= 2+lenSACKBlock && (l-2)%lenSACKBlock == 0
	}
	return l >= 2
}

// optionError builds the error for the malformed option at off.
//
//go:noinline
func optionError(b []byte, off int) *DecodeError {
	var o Options
	o.n = uint8(copy(o.buf[:], b))
	_, _, _, err := o.next(off)
	if err == nil {
		// validateOptions and next disagree: a broken invariant.
		panic("tcp: option validators disagree at offset " + strconv.Itoa(off))
	}
	return err
}

// All iterates over the options in wire order. It stops after an EOL (RFC
// 9293 §3.1: what follows is padding) and before a malformed option.
func (o *Options) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for off := 0; ; {
			opt, nxt, ok, _ := o.next(off)
			if !ok || !yield(opt) || opt.Kind == OptEOL {
				return
			}
			off = nxt
		}
	}
}

// find returns the first well-formed option of the given kind. Like All,
// it stops at an EOL or a malformed option. It runs for every segment
// (timestamps, SACK), so it walks the bytes with validateOptions' rules
// rather than building each Option with next.
func (o *Options) find(kind uint8) (Option, bool) {
	b := o.buf[:o.n]
	for off := 0; off < len(b); {
		k := b[off]
		switch k {
		case OptEOL:
			return Option{}, false
		case OptNOP:
			if kind == OptNOP {
				return Option{Offset: off, Kind: OptNOP, Len: 1}, true
			}
			off++
			continue
		}
		if off+1 >= len(b) {
			return Option{}, false
		}
		l := int(b[off+1])
		if !optionLenOK(k, l) || off+l > len(b) {
			return Option{}, false
		}
		if k == kind {
			return Option{Offset: off, Kind: k, Len: l, Data: b[off+2 : off+l]}, true
		}
		off += l
	}
	return Option{}, false
}

// MSS returns the maximum segment size option's value and whether it is
// present.
func (o *Options) MSS() (uint16, bool) {
	opt, ok := o.find(OptMSS)
	if !ok {
		return 0, false
	}
	return get16(opt.Data), true
}

// WScale returns the window scale shift as sent and whether the option is
// present. RFC 7323 §2.3 says a receiver treats a shift above 14 as 14;
// that clamp is the caller's, so that the text form shows what was sent.
func (o *Options) WScale() (uint8, bool) {
	opt, ok := o.find(OptWScale)
	if !ok {
		return 0, false
	}
	return opt.Data[0], true
}

// SACKPermitted reports whether the SACK-permitted option is present.
func (o *Options) SACKPermitted() bool {
	_, ok := o.find(OptSACKPermitted)
	return ok
}

// Timestamps returns the timestamps option's TSval and TSecr and whether it
// is present.
func (o *Options) Timestamps() (val, ecr uint32, ok bool) {
	opt, ok := o.find(OptTimestamps)
	if !ok {
		return 0, 0, false
	}
	return get32(opt.Data), get32(opt.Data[4:]), true
}

// SACK returns the blocks of the SACK option, in wire order, and how many
// there are (0 without a SACK option).
func (o *Options) SACK() (blocks [MaxSACKBlocks]SACKBlock, n int) {
	opt, ok := o.find(OptSACK)
	if !ok {
		return blocks, 0
	}
	n = len(opt.Data) / lenSACKBlock
	for i := range n {
		blocks[i] = SACKBlock{Start: Seq(get32(opt.Data[8*i:])), End: Seq(get32(opt.Data[8*i+4:]))}
	}
	return blocks, n
}

// SYNOptions builds the options of a SYN or SYN-ACK in the order and layout
// Linux uses (tcp_options_write in net/ipv4/tcp_output.c), so that captures
// look familiar:
//
//	mss, sackOK, TS val ecr 0, nop, wscale    (timestamps and SACK)
//	mss, nop, nop, TS val ecr 0, nop, wscale  (timestamps, no SACK)
//	mss, nop, nop, sackOK, nop, wscale        (SACK, no timestamps)
//
// An mss of 0 leaves out the MSS option, and a wscale of -1 the window
// scale option; a wscale above 14 is sent as 14 (RFC 7323 §2.3). The TSecr
// is 0 as on a SYN; a SYN-ACK sets its echo with SYNACKOptions.
func SYNOptions(mss uint16, sackOK bool, tsVal uint32, tsOK bool, wscale int) Options {
	return SYNACKOptions(mss, sackOK, tsVal, 0, tsOK, wscale)
}

// SYNACKOptions is SYNOptions with a timestamp echo, for a SYN-ACK that
// mirrors the options of the SYN it answers.
func SYNACKOptions(mss uint16, sackOK bool, tsVal, tsEcr uint32, tsOK bool, wscale int) Options {
	var o Options
	// At most 4+12+4 = 20 bytes: the builders below cannot fail.
	if mss != 0 {
		_ = o.AppendMSS(mss)
	}
	switch {
	case tsOK && sackOK:
		_ = o.AppendSACKPermitted()
		_ = o.AppendTimestamps(tsVal, tsEcr)
	case tsOK:
		_ = o.AppendNOP()
		_ = o.AppendNOP()
		_ = o.AppendTimestamps(tsVal, tsEcr)
	case sackOK:
		_ = o.AppendNOP()
		_ = o.AppendNOP()
		_ = o.AppendSACKPermitted()
	}
	if wscale >= 0 {
		_ = o.AppendNOP()
		_ = o.AppendWScale(uint8(min(wscale, MaxWScale)))
	}
	return o
}

// SegmentOptions builds the options of a segment after the handshake in
// the layout Linux uses: `nop, nop, TS val ecr` (12 bytes) when timestamps
// are on, then `nop, nop, sack ...` with as many of blocks as fit (3 with
// timestamps, 4 without; RFC 2018 §3). Blocks beyond that are left out:
// the first block should be the most recent (RFC 2018 §4).
func SegmentOptions(tsVal, tsEcr uint32, tsOK bool, blocks []SACKBlock) Options {
	var o Options
	if tsOK {
		_ = o.AppendNOP()
		_ = o.AppendNOP()
		_ = o.AppendTimestamps(tsVal, tsEcr)
	}
	if len(blocks) > 0 {
		_ = o.AppendNOP()
		_ = o.AppendNOP()
		_ = o.AppendSACK(blocks[:min(len(blocks), sackRoom(tsOK))])
	}
	return o
}

// sackRoom is how many SACK blocks a segment's options hold after
// SegmentOptions' timestamps: 3 with them (40 bytes less 12), else
// MaxSACKBlocks (RFC 2018 §3).
func sackRoom(tsOK bool) int {
	if tsOK {
		return 3
	}
	return MaxSACKBlocks
}

// put16 writes v big-endian.
func put16(b []byte, v uint16) { _ = b[1]; b[0], b[1] = byte(v>>8), byte(v) }

// put32 writes v big-endian.
func put32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

// get16 reads a big-endian 16-bit value.
func get16(b []byte) uint16 { _ = b[1]; return uint16(b[0])<<8 | uint16(b[1]) }

// get32 reads a big-endian 32-bit value.
func get32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
