package sim

import (
	"math/bits"
	"net/netip"
	"time"
)

// Each record type lists its fields once, in its walk method: key, then a
// pointer to the field, in the order the JSONL line writes them. A
// fieldWalker walks that list to append the fields as JSON or to assign
// the one field a JSONL reader has just parsed, so a field added to a
// type is written and read back by adding one line, and the two cannot
// disagree. Walking is by direct calls on a concrete type: no
// reflection, no interface call per field, no allocation.

// walkMode is the job of a fieldWalker.
type walkMode uint8

const (
	walkEncode walkMode = iota // append `,"key":value` to dst
	walkDecode                 // assign the field whose key is f.Key
)

// fieldWalker is passed by value to an event's walk method and returned
// from it, so that it never escapes to the heap.
type fieldWalker struct {
	mode walkMode
	dst  []byte // walkEncode: the line so far
	f    *field // walkDecode: the field read
	err  error  // walkDecode: the error assigning it
	// walkDecode, for App's optional fields: the AppFields bit of the
	// field walked next (0 for one that is always there), of the field
	// that matched, and of the fields assigned.
	bit, cur, got AppFields
}

// setField assigns the field f of e read back from JSONL; a key e does not
// have is ignored, so that a trace with fields a later netsim added still
// reads.
func setField(e Event, f *field) error {
	return e.walk(fieldWalker{mode: walkDecode, f: f}).err
}

// match reports, in walkDecode, whether f is the field of key (written
// `,"name":`), and clears the optional-field bit for the next field.
func (w *fieldWalker) match(key string) bool {
	bit := w.bit
	w.bit = 0
	if w.f.Key != key[2:len(key)-2] {
		return false
	}
	w.cur = bit
	w.got |= bit
	return true
}

// fail records an error decoding the field that matched, which then does
// not count as present.
func (w *fieldWalker) fail(err error) {
	if err != nil {
		w.err = err
		w.got &^= w.cur
	}
}

// optional reports whether to walk a field of App present when has holds
// bit: to encode only when it does; to decode always, noting the bit to
// set should the field be the one read.
func (w *fieldWalker) optional(has, bit AppFields) bool {
	if w.mode == walkDecode {
		w.bit = bit
		return true
	}
	return has&bit != 0
}

// decode assigns the value parse reads from the field, when it is the
// field of key.
func decode[T any](w *fieldWalker, key string, v *T, parse func(*field) (T, error)) {
	if !w.match(key) {
		return
	}
	x, err := parse(w.f)
	w.fail(err)
	if err == nil {
		*v = x
	}
}

// walkUint walks an unsigned field; decoding checks that the value fits
// in T.
func walkUint[T uint8 | uint16 | uint32 | uint64](w *fieldWalker, key string, v *T) {
	if w.mode == walkEncode {
		w.dst = appendKeyUint(w.dst, key, uint64(*v))
		return
	}
	decode(w, key, v, func(f *field) (T, error) {
		x, err := f.uint(bits.Len64(uint64(^T(0))))
		return T(x), err
	})
}

// walkInt walks a signed field; decoding checks that the value fits in T.
func walkInt[T int | int64](w *fieldWalker, key string, v *T) {
	if w.mode == walkEncode {
		w.dst = appendKeyInt(w.dst, key, int64(*v))
		return
	}
	decode(w, key, v, func(f *field) (T, error) {
		x, err := f.int64()
		if err == nil && int64(T(x)) != x {
			err = errRange
		}
		return T(x), err
	})
}

func (w *fieldWalker) u64(key string, v *uint64)  { walkUint(w, key, v) }
func (w *fieldWalker) u32(key string, v *uint32)  { walkUint(w, key, v) }
func (w *fieldWalker) u16(key string, v *uint16)  { walkUint(w, key, v) }
func (w *fieldWalker) u8(key string, v *uint8)    { walkUint(w, key, v) }
func (w *fieldWalker) i64(key string, v *int64)   { walkInt(w, key, v) }
func (w *fieldWalker) integer(key string, v *int) { walkInt(w, key, v) }

// maxKeyNumber is the room appendKeyUint needs past the key: a sign and
// 20 digits.
const maxKeyNumber = 21

// appendKeyUint appends key, then v in decimal as strconv.AppendUint(dst,
// v, 10) writes it (see putKeyNumber).
func appendKeyUint(dst []byte, key string, v uint64) []byte {
	return appendKeyNumber(dst, key, false, v)
}

// appendKeyInt is appendKeyUint for a signed v.
func appendKeyInt(dst []byte, key string, v int64) []byte {
	if v < 0 {
		return appendKeyNumber(dst, key, true, uint64(-v))
	}
	return appendKeyNumber(dst, key, false, uint64(v))
}

func appendKeyNumber(dst []byte, key string, neg bool, v uint64) []byte {
	dst = room(dst, len(key)+maxKeyNumber)
	return dst[:putKeyNumber(dst[:cap(dst)], len(dst), key, neg, v)]
}

// le32 reads the first four bytes of s as a little-endian word.
func le32[T string | []byte](s T) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func (w *fieldWalker) duration(key string, v *time.Duration) { w.i64(key, (*int64)(v)) }

func (w *fieldWalker) time(key string, v *Time) { w.i64(key, (*int64)(v)) }

func (w *fieldWalker) str(key string, v *string) {
	if w.mode == walkEncode {
		w.dst = appendJSONString(append(w.dst, key...), *v)
		return
	}
	decode(w, key, v, (*field).str)
}

func (w *fieldWalker) boolean(key string, v *bool) {
	if w.mode == walkDecode {
		decode(w, key, v, (*field).boolean)
		return
	}
	w.dst = append(w.dst, key...)
	if *v {
		w.dst = append(w.dst, "true"...)
	} else {
		w.dst = append(w.dst, "false"...)
	}
}

// addr walks an address, written as a JSON string ("10.0.0.1").
func (w *fieldWalker) addr(key string, v *netip.Addr) {
	if w.mode == walkDecode {
		decode(w, key, v, (*field).addr)
		return
	}
	w.dst = append(append(w.dst, key...), '"')
	w.dst = append(v.AppendTo(w.dst), '"')
}

// addrPort walks an address and port, written as a JSON string
// ("10.0.0.1:80"); the zero value writes "invalid AddrPort" as its String
// method does.
func (w *fieldWalker) addrPort(key string, v *netip.AddrPort) {
	if w.mode == walkDecode {
		decode(w, key, v, (*field).addrPort)
		return
	}
	w.dst = append(append(w.dst, key...), '"')
	if !v.IsValid() {
		w.dst = append(w.dst, "invalid AddrPort"...)
	} else {
		w.dst = v.AppendTo(w.dst)
	}
	w.dst = append(w.dst, '"')
}

// flags walks TCP flags, written as tcpdump prints them ("S.").
func (w *fieldWalker) flags(key string, v *TCPFlags) {
	if w.mode == walkDecode {
		decode(w, key, v, func(f *field) (TCPFlags, error) {
			s, err := f.str()
			if err != nil {
				return 0, err
			}
			return ParseTCPFlags(s)
		})
		return
	}
	w.dst = append(append(w.dst, key...), '"')
	w.dst = append(v.AppendText(w.dst), '"')
}

// options walks TCP options, written as tcpdump prints them.
func (w *fieldWalker) options(key string, v *TCPOptions) {
	if w.mode == walkDecode {
		decode(w, key, v, func(f *field) (TCPOptions, error) {
			s, err := f.str()
			return TCPOptionsText(s), err
		})
		return
	}
	w.dst = v.appendJSON(append(w.dst, key...))
}

// connSide walks the conn and side fields every tcp.* record starts with.
func (w *fieldWalker) connSide(conn *uint64, side *string) {
	w.u64(`,"conn":`, conn)
	w.str(`,"side":`, side)
}
