// Package units holds typed quantities with their parsers: bit rates, byte
// sizes and ratios, as written in scenarios ("100Mbps", "64KiB", "1%").
// Durations are time.Duration and parse with ParseDuration.
package units

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// BitRate is a rate in bits per second.
type BitRate int64

// Common rates.
const (
	BitPerSecond BitRate = 1
	Kbps                 = 1000 * BitPerSecond
	Mbps                 = 1000 * Kbps
	Gbps                 = 1000 * Mbps
)

// ByteSize is a number of bytes.
type ByteSize int64

// Common sizes, decimal and binary.
const (
	Byte ByteSize = 1
	KB            = 1000 * Byte
	MB            = 1000 * KB
	GB            = 1000 * MB
	KiB           = 1024 * Byte
	MiB           = 1024 * KiB
	GiB           = 1024 * MiB
)

// Ratio is a probability or fraction in [0, 1].
type Ratio float64

// ErrSyntax reports a value that is not written as the unit expects.
var ErrSyntax = errors.New("invalid syntax")

// TxTime returns the serialization time of n bytes at rate r: ceil(n*8*1e9/r)
// nanoseconds, computed in integers (architecture rule 1). A zero or
// negative rate means "infinitely fast" and gives 0.
func (r BitRate) TxTime(n ByteSize) time.Duration {
	if r <= 0 || n <= 0 {
		return 0
	}
	bits := uint64(n) * 8
	hi, lo := mul64(bits, 1e9)
	if hi == 0 {
		return time.Duration((lo + uint64(r) - 1) / uint64(r))
	}
	// Very large products: fall back to big integers (never on the hot path
	// for realistic packet sizes).
	num := new(big.Int).Mul(new(big.Int).SetUint64(bits), big.NewInt(1e9))
	den := big.NewInt(int64(r))
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(q.Int64())
}

func mul64(a, b uint64) (hi, lo uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	hi = a1*b1 + t>>32 + w1>>32
	lo = a * b
	return
}

// String formats r with the largest decimal prefix that divides it exactly,
// e.g. "100Mbps", "1.5Gbps" is written "1500Mbps".
func (r BitRate) String() string {
	return exactPrefix(int64(r), ratePrefixes, "bps")
}

// String formats n with the largest prefix that divides it exactly,
// preferring binary prefixes, e.g. "64KiB", "10MB", "1500B".
func (n ByteSize) String() string {
	return exactPrefix(int64(n), sizePrefixes, "B")
}

// prefix is a unit's multiple and name, as String writes it.
type prefix struct {
	v    int64
	name string
}

// The prefixes String tries, in order.
var (
	ratePrefixes = []prefix{{int64(Gbps), "Gbps"}, {int64(Mbps), "Mbps"}, {int64(Kbps), "kbps"}}
	sizePrefixes = []prefix{{int64(GiB), "GiB"}, {int64(GB), "GB"}, {int64(MiB), "MiB"}, {int64(MB), "MB"}, {int64(KiB), "KiB"}, {int64(KB), "KB"}}
)

// exactPrefix writes n in the first of prefixes that divides it exactly,
// else as n base units.
func exactPrefix(n int64, prefixes []prefix, base string) string {
	for _, p := range prefixes {
		if n != 0 && n%p.v == 0 {
			return fmt.Sprintf("%d%s", n/p.v, p.name)
		}
	}
	return fmt.Sprintf("%d%s", n, base)
}

// String formats a ratio as a percentage, e.g. "1%".
func (q Ratio) String() string {
	return strconv.FormatFloat(float64(q)*100, 'g', -1, 64) + "%"
}

// splitNumber splits "12.5Mbps" into "12.5" and "Mbps".
func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == 'e' && i > 0 && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-')) {
		i++
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// errFraction is a value that is not a whole number of the base unit.
var errFraction = errors.New("is not a whole number of the base unit")

// scaled multiplies the decimal number num by mult exactly and requires an
// integer, non-negative result.
func scaled(num string, mult int64) (int64, error) {
	return scaledRat(num, big.NewRat(mult, 1))
}

// scaledRat is scaled with a rational multiplier (bits to bytes is 1/8).
func scaledRat(num string, mult *big.Rat) (int64, error) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, ErrSyntax
	}
	if r.Sign() < 0 {
		return 0, errors.New("must not be negative")
	}
	r.Mul(r, mult)
	if !r.IsInt() {
		return 0, errFraction
	}
	if !r.Num().IsInt64() {
		return 0, errors.New("is too large")
	}
	return r.Num().Int64(), nil
}

// rateUnits maps the units of a rate, as written after the number, to bits
// per second. The "bps" family is matched without regard to case, as
// before; the others are case-sensitive because B (byte) and b (bit)
// differ. "bit" without "/s" is a rate as tc(8) writes it ("1gbit").
var rateUnits = map[string]int64{
	"bit/s": 1, "b/s": 1, "bit": 1,
	"kbit/s": 1e3, "Kbit/s": 1e3, "kb/s": 1e3, "Kb/s": 1e3, "kbit": 1e3, "Kbit": 1e3,
	"Mbit/s": 1e6, "Mb/s": 1e6, "Mbit": 1e6, "mbit": 1e6,
	"Gbit/s": 1e9, "Gb/s": 1e9, "Gbit": 1e9, "gbit": 1e9,
	"Tbit/s": 1e12, "Tb/s": 1e12, "Tbit": 1e12, "tbit": 1e12,
	"B/s": 8, "kB/s": 8e3, "KB/s": 8e3, "MB/s": 8e6, "GB/s": 8e9,
	"KiB/s": 8 << 10, "MiB/s": 8 << 20, "GiB/s": 8 << 30,
}

// bpsUnits are the "bps" spellings, matched in lower case.
var bpsUnits = map[string]int64{"bps": 1, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9, "tbps": 1e12}

// ambiguous names the bit and byte spellings of a unit written as
// "kb", "Mb", "GB"... without saying which: people write "Mb" for both
// megabits and megabytes.
func ambiguous(unit string) (bits, bytes string, ok bool) {
	prefixes := map[string]string{"k": "k", "K": "k", "m": "M", "M": "M", "g": "G", "G": "G", "t": "T", "T": "T"}
	if len(unit) != 2 || unit[1] != 'b' {
		return "", "", false
	}
	p, found := prefixes[unit[:1]]
	if !found {
		return "", "", false
	}
	byteUnit := p + "B"
	if p == "k" {
		byteUnit = "KB"
	}
	return p + "bit", byteUnit, true
}

// ParseBitRate parses a rate in bits per second: a number, optionally a
// space, and a unit: bps, kbps, Mbps, Gbps, Tbps; bit/s, kbit/s, Mbit/s,
// Gbit/s (or Mb/s...); tc's kbit, Mbit, Gbit; bytes per second as B/s,
// KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s. "100Mbps", "1 Gbit/s", "125 MB/s"
// and "9600" (bit/s) are rates; "10 Mb" is refused as ambiguous.
func ParseBitRate(s string) (BitRate, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	mult, ok := rateUnits[unit]
	if !ok {
		mult, ok = bpsUnits[strings.ToLower(unit)]
	}
	if unit == "" {
		mult, ok = 1, true
	}
	if !ok {
		if bits, bytes, amb := ambiguous(unit); amb {
			return 0, fmt.Errorf("rate %q: unit %q is ambiguous: write %s/s for bits or %s/s for bytes per second (a rate like 100Mbps, 1 Gbit/s or 125 MB/s)", s, unit, bits, bytes)
		}
		return 0, fmt.Errorf("rate %q: unknown unit %q (bps, kbps, Mbps, Gbps; kbit/s, Mbit/s, Gbit/s; B/s, KB/s, MB/s, GB/s)", s, unit)
	}
	if num == "" {
		return 0, fmt.Errorf("rate %q: %w (a number then bps, kbps, Mbps or Gbps)", s, ErrSyntax)
	}
	v, err := scaled(num, mult)
	if err != nil {
		return 0, fmt.Errorf("rate %q: %w", s, err)
	}
	return BitRate(v), nil
}

// sizeUnits maps the units of a size to bytes, or, for the bit units, to
// bits (bits true): a size in bits must be whole bytes.
var sizeUnits = map[string]struct {
	mult int64
	bits bool
}{
	"B": {1, false}, "byte": {1, false}, "bytes": {1, false},
	"KB": {1e3, false}, "kB": {1e3, false}, "MB": {1e6, false}, "GB": {1e9, false}, "TB": {1e12, false},
	"KiB": {1 << 10, false}, "MiB": {1 << 20, false}, "GiB": {1 << 30, false}, "TiB": {1 << 40, false},
	"bit": {1, true}, "bits": {1, true}, "kbit": {1e3, true}, "Kbit": {1e3, true},
	"Mbit": {1e6, true}, "Gbit": {1e9, true}, "Tbit": {1e12, true},
}

// ParseByteSize parses a size in bytes: a number, optionally a space, and
// a unit: B (or bytes), decimal KB, MB, GB, TB, binary KiB, MiB, GiB, TiB,
// or bits (bit, kbit, Mbit, Gbit), which must make whole bytes: "1500",
// "64KiB", "10 MB", "1 Gbit". "kb", "Mb" and "Gb" are refused as
// ambiguous (bits or bytes?).
func ParseByteSize(s string) (ByteSize, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	u, ok := sizeUnits[unit]
	if unit == "" || unit == "b" {
		// A bare number, and "1500b" as netsim has always read it, are bytes.
		u, ok = sizeUnits["B"], true
	}
	if !ok {
		if bits, bytes, amb := ambiguous(unit); amb {
			return 0, fmt.Errorf("size %q: unit %q is ambiguous: write %s for bits or %s for bytes (a size like 1500, 64KiB or 10MB)", s, unit, bits, bytes)
		}
		return 0, fmt.Errorf("size %q: unknown unit %q (B, KB, MB, GB, KiB, MiB, GiB, kbit, Mbit, Gbit)", s, unit)
	}
	if num == "" {
		return 0, fmt.Errorf("size %q: %w (a number of bytes, optionally with KB, MB, GB, KiB, MiB, GiB)", s, ErrSyntax)
	}
	mult := big.NewRat(u.mult, 1)
	if u.bits {
		mult.SetFrac64(u.mult, 8)
	}
	v, err := scaledRat(num, mult)
	if err != nil {
		if u.bits && errors.Is(err, errFraction) {
			return 0, fmt.Errorf("size %q: is not a whole number of bytes", s)
		}
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return ByteSize(v), nil
}

// ParseRatio parses "1%", "0.5%" or a fraction "0.01". The result must lie
// in [0, 1].
func ParseRatio(s string) (Ratio, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	if pct {
		t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("ratio %q: %w (a percentage like 1%% or a fraction like 0.01)", s, ErrSyntax)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("ratio %q: out of range (0%% to 100%%)", s)
	}
	return Ratio(v), nil
}

// durationAliases are the longer unit names tc(8) and people write,
// mapped to Go's.
var durationAliases = map[string]string{
	"sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"msec": "ms", "msecs": "ms", "usec": "us", "usecs": "us", "nsec": "ns", "nsecs": "ns",
	"min": "m", "mins": "m", "minute": "m", "minutes": "m",
}

// ParseDuration parses a duration as Go writes it ("250us", "5ms", "1.5s",
// "1m30s"), with spaces allowed between numbers and units ("10 ms") and
// tc's unit names (10msec, 1sec). Negative durations are rejected.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.Join(strings.Fields(s), "")
	if num, unit := splitNumber(t); num != "" {
		if alias, ok := durationAliases[unit]; ok {
			t = num + alias
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		// time.ParseDuration says "invalid duration" also of one that is
		// well written but past what a time.Duration holds.
		if sum, ok := exactSum(t); ok && sum.Sign() > 0 && !(sum.IsInt() && sum.Num().IsInt64()) {
			if strings.HasPrefix(t, "-") {
				// exactSum reads past the sign: a negative one is
				// refused as negative, whatever its size.
				return 0, fmt.Errorf("duration %q: must not be negative", s)
			}
			return 0, fmt.Errorf("duration %q: is too large (at most 2562047h, about 292 years)", s)
		}
		return 0, fmt.Errorf("duration %q: %w (a number with ns, us, ms, s, m or h, like 5ms)", s, ErrSyntax)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q: must not be negative", s)
	}
	if !strings.Contains(t, ".") {
		// Whole numbers of whole units are exact (time.ParseDuration
		// refuses one past int64): no need of the exact sum below, which
		// costs a hundred times the parse (a scenario of thousands of
		// links and apps parses as many durations).
		return d, nil
	}
	// time.ParseDuration drops what is finer than a nanosecond ("0.5ns"
	// is 0, "1.5ns" 1ns); simulated time is whole nanoseconds, so such a
	// duration is refused as a fraction of a byte is. Each part it cut
	// short adds at most a nanosecond, so the exact sum fits an int64 as
	// d did.
	sum, ok := exactSum(t)
	if !ok || !sum.IsInt() || !sum.Num().IsInt64() {
		return 0, fmt.Errorf("duration %q: is not a whole number of nanoseconds (netsim's time step)", s)
	}
	return time.Duration(sum.Num().Int64()), nil
}

// durationUnitNs is each unit time.ParseDuration takes, in nanoseconds.
var durationUnitNs = map[string]int64{"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}

// exactSum sums the parts of t, a duration as time.ParseDuration writes
// it ("1m30.5s", without a sign), in nanoseconds, exactly; false when t
// is not written so.
func exactSum(t string) (*big.Rat, bool) {
	t = strings.TrimLeft(t, "+-")
	sum := new(big.Rat)
	for t != "" {
		i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i < 0 && t == "0" {
			return sum, true // "0" alone needs no unit
		}
		if i <= 0 {
			return nil, false
		}
		num := t[:i]
		j := strings.IndexFunc(t[i:], func(r rune) bool { return r >= '0' && r <= '9' || r == '.' })
		if j < 0 {
			j = len(t) - i
		}
		unit := t[i : i+j]
		t = t[i+j:]
		ns, known := durationUnitNs[unit]
		r, ok := new(big.Rat).SetString(num)
		if !known || !ok {
			return nil, false
		}
		sum.Add(sum, r.Mul(r, big.NewRat(ns, 1)))
	}
	return sum, true
}
