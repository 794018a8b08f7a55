package sim

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"net/netip"

	"github.com/netsimlab/netsim/internal/addrcache"
)

// Fingerprint is a Sink that keeps a running 64-bit hash of the typed
// records of a run of the kinds in FingerprintKinds: their times, kinds,
// subjects and every field, in order. Two runs that emit the same records
// have the same fingerprint; a difference in any of those records changes
// it, barring a 64-bit collision (a difference only in the kinds left out
// shows in the others: a packet that arrives differently is delivered or
// forwarded differently, a cwnd that differs sends differently). It costs
// a few nanoseconds per record and needs no text, so it serves as a run's
// determinism fingerprint with the trace off (the sha256 of trace.jsonl
// costs the encoding and hashing of every line). It is not a cryptographic
// hash, and it is not the sha256 of trace.jsonl: the two identify a run in
// different ways.
type Fingerprint struct {
	h       hasher
	records uint64
	// subjects caches the shares of subjects' digests in a record's sum
	// (subject), by the address and length of their string: producers
	// name a node or link direction with the same string every time, so
	// a subject is digested once and then found by its address. The slot is chosen by the address, so that
	// the five subjects a TCP transfer alternates between (two hosts, two
	// link directions, the receiving app) stay in the cache; a list of
	// the four latest, before, missed on most records of such a run.
	subjects [32]addrcache.Slot[uint64]
}

// fingerprintSeed starts every fingerprint (the fractional digits of pi).
const fingerprintSeed = 0x243F6A8885A308D3

// NewFingerprint returns the fingerprint of no records.
func NewFingerprint() *Fingerprint { return &Fingerprint{h: hasher{h: fingerprintSeed}} }

// Emit mixes r into the fingerprint. A record without an event, or of a
// kind not in FingerprintKinds, is ignored.
func (f *Fingerprint) Emit(r *Record) {
	if r == nil || r.Event == nil {
		return
	}
	k := r.Event.Kind()
	if !FingerprintKinds.Has(k) {
		return
	}
	// The record's first words: its time, its kind and its subject's
	// digest. The last two are mixed as their shares of the sum, which
	// depend only on the kind and the subject (kindShares, the subject
	// cache).
	h := f.h.u64(uint64(r.T))
	h.acc += kindShares[k] + f.subject(r.Subject)
	h.pos += 2 * prime3
	f.h = r.Event.hash(h).endRecord()
	f.records++
}

// Kinds returns FingerprintKinds (sim.Selective): producers need build no
// record of another kind for a fingerprint.
func (f *Fingerprint) Kinds() *KindSet {
	k := FingerprintKinds
	return &k
}

// subject returns the share of s in a record's sum, as its third word:
// the digest of s is the fingerprint of a record with no field but the
// subject. The same string at the same address is digested once.
func (f *Fingerprint) subject(s string) uint64 {
	c := &f.subjects[addrcache.Index(s, len(f.subjects))]
	if c.Holds(s) {
		return c.V
	}
	d := share(hasher{h: fingerprintSeed}.str(s).endRecord().h, 3)
	c.Keep(s, d)
	return d
}

// kindShares[k] is the share of kind k in a record's sum, as its second
// word.
var kindShares = func() (s [kindEnd]uint64) {
	for k := range s {
		s[k] = share(uint64(k), 2)
	}
	return s
}()

// share returns what the word v adds to a record's sum at position i
// (from 1), as u64 mixes it.
func share(v, i uint64) uint64 {
	hi, lo := bits.Mul64(v^(i*prime3), prime2)
	return hi ^ lo
}

// Sum64 returns the fingerprint of the records so far.
func (f *Fingerprint) Sum64() uint64 { return mix64(f.h.h ^ f.records*prime1) }

// Sum returns Sum64 as 16 lower-case hex digits.
func (f *Fingerprint) Sum() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], f.Sum64())
	return hex.EncodeToString(b[:])
}

// Records returns the number of records mixed in.
func (f *Fingerprint) Records() uint64 { return f.records }

// hasher is the running state of a Fingerprint. Within a record, each
// 64-bit word is xored with a secret of its position, multiplied to 128
// bits by a constant and folded (hi ^ lo), and the results are added up:
// the words are independent, so the processor overlaps their multiplies
// (the accumulation of xxHash3). At the end of a record the sum joins the
// chained state through xxHash64's round and finalizer, so that the order
// of records counts.
type hasher struct {
	h   uint64 // the state after the records so far
	acc uint64 // the sum of the current record's words
	pos uint64 // the position secret of the next word
}

const (
	prime1 = 0x9E3779B185EBCA87
	prime2 = 0xC2B2AE3D27D4EB4F
	prime3 = 0x165667B19E3779F9
)

// u64 mixes one word into the record. The hasher is a value, passed and
// returned, so that its words stay in registers.
func (h hasher) u64(v uint64) hasher {
	h.pos += prime3
	hi, lo := bits.Mul64(v^h.pos, prime2)
	h.acc += hi ^ lo
	return h
}

// zeros mixes n zero words, as n calls of u64(0) would: a zero word's
// share of the sum depends only on its position in the record, so the
// sums of the first positions' shares are computed once (zeroShares) and
// a run of zeros within them costs one subtraction instead of n
// multiplications.
func (h hasher) zeros(n int) hasher {
	i := h.pos * prime3Inverse // the words so far: pos is their count times prime3
	if i+uint64(n) < uint64(len(zeroShares)) {
		h.acc += zeroShares[i+uint64(n)] - zeroShares[i]
		h.pos += uint64(n) * prime3
		return h
	}
	for range n {
		h = h.u64(0)
	}
	return h
}

// prime3Inverse is the inverse of prime3 modulo 2^64 (prime3 is odd).
const prime3Inverse = 0xE9E9F4C41D6DF849

// zeroShares[i] is the sum of the shares of zero words at positions 1 to
// i of a record (modulo 2^64), for the runs of zeros hasher.zeros mixes.
var zeroShares = func() (s [64]uint64) {
	h := hasher{}
	for i := 1; i < len(s); i++ {
		h = h.u64(0)
		s[i] = h.acc
	}
	return s
}()

// endRecord folds the current record into the chained state.
func (h hasher) endRecord() hasher {
	return hasher{h: mix64(bits.RotateLeft64(h.h^h.acc, 31) * prime1)}
}

// str mixes the length, then the bytes eight at a time, so that ("ab","c")
// and ("a","bc") differ.
func (h hasher) str(s string) hasher { return mixBytes(h, s) }

// bytes mixes b as str mixes a string of the same bytes.
func (h hasher) bytes(b []byte) hasher { return mixBytes(h, b) }

func mixBytes[T string | []byte](h hasher, b T) hasher {
	h = h.u64(uint64(len(b)))
	for len(b) >= 8 {
		h = h.u64(le64(b))
		b = b[8:]
	}
	if n := len(b); n >= 4 {
		// The last 4 to 7 bytes as a little-endian word: two overlapping
		// loads, the bytes they share in the same place in both.
		h = h.u64(uint64(le32(b)) | uint64(le32(b[n-4:]))<<((n-4)*8))
	} else if n > 0 {
		var t uint64
		for i := n - 1; i >= 0; i-- {
			t = t<<8 | uint64(b[i])
		}
		h = h.u64(t)
	}
	return h
}

func (h hasher) addr(a netip.Addr) hasher {
	switch {
	case a.Is4():
		// The words of As16 below, ::ffff:a.b.c.d, without building it.
		b := a.As4()
		return h.u64(0).u64(0xffff<<16 | uint64(binary.LittleEndian.Uint32(b[:]))<<32 ^ 32)
	case !a.IsValid():
		// The zero Addr (an app record's unset address): As16 is zero
		// and BitLen 0.
		return h.u64(0).u64(0)
	}
	b := a.As16()
	return h.u64(binary.LittleEndian.Uint64(b[:8])).u64(binary.LittleEndian.Uint64(b[8:]) ^ uint64(a.BitLen()))
}

func (h hasher) addrPort(a netip.AddrPort) hasher {
	return h.addr(a.Addr()).u64(uint64(a.Port()))
}

// le64 reads the first eight bytes of s as a little-endian word (the
// compiler makes it one load).
func le64[T string | []byte](s T) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// mix64 is the finalizer of xxHash64: every input bit affects every
// output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= prime2
	x ^= x >> 29
	x *= prime3
	x ^= x >> 32
	return x
}
