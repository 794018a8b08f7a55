package sim

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"slices"
)

// The encoders of the records a busy run makes most (a bulk transfer's
// packets, its app reads and its TCP samples: 95% of the lines of a
// 1 Gbps trace). They write what walk writes, field for field, but
// straight: no walker copied in and out per record, no mode test per
// field, and the numbers of a run of numeric fields written into room
// reserved once. TestFastEncoders holds each to the walker's bytes.

// fastFields is an Event with an encoder of its own (the appendJSON
// methods below).
type fastFields interface {
	Event
	appendJSON(dst []byte) []byte
}

// appendFields appends e's fields as JSON members, each preceded by a
// comma: `,"id":7,"len":1500`.
func appendFields(dst []byte, e Event) []byte {
	if f, ok := e.(fastFields); ok {
		return f.appendJSON(dst)
	}
	return walkFields(dst, e)
}

// walkFields appends e's fields as its walk method lists them.
func walkFields(dst []byte, e Event) []byte {
	return e.walk(fieldWalker{mode: walkEncode, dst: dst}).dst
}

// room returns dst with at least n bytes of spare capacity.
func room(dst []byte, n int) []byte {
	if cap(dst)-len(dst) < n {
		dst = slices.Grow(dst, n)
	}
	return dst
}

// numbers writes keys and numbers into room reserved beforehand, each
// with no test of the capacity: reserve maxKeyNumber plus the key's
// length for each.
type numbers struct {
	d []byte // the whole capacity
	i int    // the end of what is written
}

// spare starts writing numbers after dst, reserving n bytes.
func spare(dst []byte, n int) numbers {
	dst = room(dst, n)
	return numbers{d: dst[:cap(dst)], i: len(dst)}
}

// bytes returns the line written so far.
func (w *numbers) bytes() []byte { return w.d[:w.i] }

// text writes s, which has room.
func (w *numbers) text(s string) { w.i += copy(w.d[w.i:], s) }

func (w *numbers) uint(key string, v uint64) { w.i = putKeyNumber(w.d, w.i, key, false, v) }

func (w *numbers) int(key string, v int64) {
	if v < 0 {
		w.i = putKeyNumber(w.d, w.i, key, true, uint64(-v))
		return
	}
	w.i = putKeyNumber(w.d, w.i, key, false, uint64(v))
}

// keyRoom is the room a key and a number take at most (the longest key
// of the trace has 16 bytes).
const keyRoom = 16 + maxKeyNumber

// putKeyNumber writes key, then v in decimal (after a minus sign when
// neg) at d[n:], which has room for them, and returns their end. Most of
// a trace line is keys and numbers, so the key (a few bytes, `,"id":`)
// is written by two overlapping word stores rather than a call to
// memmove, and the digits eight at a time (eightDigits), stored as one
// word, their count known first: a number below 10^16 takes one division
// by 10^8 and two independent runs of a few multiplications, where
// writing two digits at a time took a chain of up to eight divisions by
// 100 and two table loads for each. The room reserved (maxKeyNumber past
// the key) takes the whole words stored, whose bytes past the number's
// last digit are written over by what follows or left past the end.
func putKeyNumber(d []byte, n int, key string, neg bool, v uint64) int {
	d = d[n : n+len(key)+maxKeyNumber]
	// The key, by two overlapping loads and stores when it has 4 to 16
	// bytes (every key of the trace has).
	switch i := len(key); {
	case i >= 8 && i <= 16:
		binary.LittleEndian.PutUint64(d, le64(key))
		binary.LittleEndian.PutUint64(d[i-8:], le64(key[i-8:]))
	case i >= 4 && i < 8:
		binary.LittleEndian.PutUint32(d, le32(key))
		binary.LittleEndian.PutUint32(d[i-4:], le32(key[i-4:]))
	default:
		copy(d, key)
	}
	i := len(key)
	if neg {
		d[i] = '-'
		i++
	}
	k := decimalDigits(v)
	switch {
	case k <= 8:
		binary.LittleEndian.PutUint64(d[i:], eightDigits(uint32(v))>>(64-8*k))
	case k <= 16:
		hi := v / 1e8
		lo := eightDigits(uint32(v - hi*1e8))
		binary.LittleEndian.PutUint64(d[i:], eightDigits(uint32(hi))>>(128-8*k))
		binary.LittleEndian.PutUint64(d[i+k-8:], lo)
	default:
		// 17 to 20 digits: the first 1 to 4, then sixteen.
		hi := v / 1e16
		rest := v - hi*1e16
		mid := rest / 1e8
		binary.LittleEndian.PutUint64(d[i:], eightDigits(uint32(hi))>>(192-8*k))
		binary.LittleEndian.PutUint64(d[i+k-16:], eightDigits(uint32(mid)))
		binary.LittleEndian.PutUint64(d[i+k-8:], eightDigits(uint32(rest-mid*1e8)))
	}
	return n + i + k
}

// eightDigits returns the eight decimal digits of x (below 10^8, with
// leading zeros) as ASCII in a little-endian word, the first digit in
// the lowest byte: x is cut into two halves of four digits in 32-bit
// lanes, each lane into two pairs in 16-bit lanes, each pair into two
// digits in bytes, dividing every lane at once by a multiplication and a
// shift (n*5243>>19 is n/100 for n below 43,699, n*103>>10 is n/10 for n
// below 179; no lane's product reaches the next lane).
func eightDigits(x uint32) uint64 {
	hi := x / 10000
	v := uint64(hi) | uint64(x-hi*10000)<<32
	q := (v * 5243 >> 19) & 0x0000_007f_0000_007f
	v = q | (v-q*100)<<16
	q = (v * 103 >> 10) & 0x000f_000f_000f_000f
	v = q | (v-q*10)<<8
	return v | 0x3030_3030_3030_3030
}

// powersOf10 holds 10^0 to 10^19.
var powersOf10 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// decimalDigits returns the number of decimal digits of v (1 for 0):
// log10 from the bit length (1233/4096 is just above log10(2)), corrected
// by one comparison.
func decimalDigits(v uint64) int {
	t := bits.Len64(v) * 1233 >> 12
	if v >= powersOf10[t] {
		t++
	}
	return max(t, 1)
}

// appendAddr appends key and a as a JSON string ("10.0.0.1").
func appendAddr(dst []byte, key string, a netip.Addr) []byte {
	dst = append(append(dst, key...), '"')
	return append(a.AppendTo(dst), '"')
}

func (e *PacketSend) appendJSON(dst []byte) []byte {
	dst = appendKeyUint(dst, `,"id":`, e.ID)
	dst = appendJSONString(append(dst, `,"iface":`...), e.Iface)
	dst = appendKeyInt(dst, `,"len":`, int64(e.Len))
	dst = appendAddr(dst, `,"src":`, e.Src)
	dst = appendAddr(dst, `,"dst":`, e.Dst)
	w := spare(dst, 3*keyRoom+len(`,"flags":"`)+len(flagLetters)+1)
	w.uint(`,"proto":`, uint64(e.Proto))
	w.uint(`,"sport":`, uint64(e.SPort))
	w.uint(`,"dport":`, uint64(e.DPort))
	w.text(`,"flags":"`)
	dst = append(e.Flags.AppendText(w.bytes()), '"')
	w = spare(dst, 6*keyRoom)
	w.uint(`,"seq":`, uint64(e.Seq))
	w.uint(`,"ack":`, uint64(e.Ack))
	w.uint(`,"rseq":`, e.RSeq)
	w.uint(`,"rack":`, e.RAck)
	w.uint(`,"win":`, uint64(e.Win))
	w.int(`,"plen":`, int64(e.PLen))
	dst = e.Opts.appendJSON(append(w.bytes(), `,"opts":`...))
	return appendKeyUint(dst, `,"conn":`, e.Conn)
}

func (e *PacketEnqueue) appendJSON(dst []byte) []byte {
	w := spare(dst, 4*keyRoom)
	w.uint(`,"id":`, e.ID)
	w.int(`,"len":`, int64(e.Len))
	w.int(`,"qlen":`, int64(e.QLen))
	w.int(`,"qbytes":`, int64(e.QBytes))
	return w.bytes()
}

func (e *PacketTx) appendJSON(dst []byte) []byte {
	w := spare(dst, 5*keyRoom)
	w.uint(`,"id":`, e.ID)
	w.int(`,"len":`, int64(e.Len))
	w.int(`,"qlen":`, int64(e.QLen))
	w.int(`,"qbytes":`, int64(e.QBytes))
	w.int(`,"arrive":`, int64(e.Arrive))
	return w.bytes()
}

func (e *PacketRx) appendJSON(dst []byte) []byte {
	w := spare(dst, 2*keyRoom+len(`,"corrupt":false`))
	w.uint(`,"id":`, e.ID)
	w.int(`,"len":`, int64(e.Len))
	if e.Corrupt {
		w.text(`,"corrupt":true`)
	} else {
		w.text(`,"corrupt":false`)
	}
	return w.bytes()
}

func (e *PacketDeliver) appendJSON(dst []byte) []byte {
	dst = appendKeyUint(dst, `,"id":`, e.ID)
	dst = appendJSONString(append(dst, `,"iface":`...), e.Iface)
	w := spare(dst, 2*keyRoom)
	w.int(`,"len":`, int64(e.Len))
	w.uint(`,"conn":`, e.Conn)
	return w.bytes()
}

// appendConnSide appends the conn and side fields every tcp.* record
// starts with.
func appendConnSide(dst []byte, conn uint64, side string) []byte {
	dst = appendKeyUint(dst, `,"conn":`, conn)
	return appendJSONString(append(dst, `,"side":`...), side)
}

func (e *TCPRTT) appendJSON(dst []byte) []byte {
	w := spare(appendConnSide(dst, e.Conn, e.Side), 4*keyRoom)
	w.int(`,"sample":`, int64(e.Sample))
	w.int(`,"srtt":`, int64(e.SRTT))
	w.int(`,"rttvar":`, int64(e.RTTVar))
	w.int(`,"rto":`, int64(e.RTO))
	return w.bytes()
}

func (e *TCPCwnd) appendJSON(dst []byte) []byte {
	w := spare(appendConnSide(dst, e.Conn, e.Side), 2*keyRoom)
	w.int(`,"cwnd":`, e.Cwnd)
	w.int(`,"ssthresh":`, e.Ssthresh)
	return appendJSONString(append(w.bytes(), `,"reason":`...), e.Reason)
}

func (e *TCPRate) appendJSON(dst []byte) []byte {
	w := spare(appendConnSide(dst, e.Conn, e.Side), 6*keyRoom+len(`,"app_limited":false`))
	w.int(`,"delivered":`, e.Delivered)
	w.int(`,"interval":`, int64(e.Interval))
	w.int(`,"rate":`, e.Rate)
	if e.AppLimited {
		w.text(`,"app_limited":true`)
	} else {
		w.text(`,"app_limited":false`)
	}
	w.int(`,"rtt":`, int64(e.RTT))
	w.int(`,"inflight":`, e.Inflight)
	w.int(`,"lost":`, e.Lost)
	return w.bytes()
}

// appendJSON writes the reads and writes of the built-in apps (event,
// conn, bytes, total) straight, and any other app record by its walk.
func (e *App) appendJSON(dst []byte) []byte {
	const rw = AppHasConn | AppHasBytes | AppHasTotal
	if e.Has&^AppHasMismatched != rw {
		return walkFields(dst, e)
	}
	dst = appendJSONString(append(dst, `,"event":`...), e.Event)
	w := spare(dst, 4*keyRoom)
	w.uint(`,"conn":`, e.Conn)
	w.int(`,"bytes":`, e.Bytes)
	w.int(`,"total":`, e.Total)
	if e.Has&AppHasMismatched != 0 {
		w.int(`,"mismatched":`, e.Mismatched)
	}
	return w.bytes()
}
