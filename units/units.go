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
	switch {
	case r != 0 && r%Gbps == 0:
		return fmt.Sprintf("%dGbps", r/Gbps)
	case r != 0 && r%Mbps == 0:
		return fmt.Sprintf("%dMbps", r/Mbps)
	case r != 0 && r%Kbps == 0:
		return fmt.Sprintf("%dkbps", r/Kbps)
	}
	return fmt.Sprintf("%dbps", int64(r))
}

// String formats n with the largest prefix that divides it exactly,
// preferring binary prefixes, e.g. "64KiB", "10MB", "1500B".
func (n ByteSize) String() string {
	for _, u := range []struct {
		v    ByteSize
		name string
	}{{GiB, "GiB"}, {GB, "GB"}, {MiB, "MiB"}, {MB, "MB"}, {KiB, "KiB"}, {KB, "KB"}} {
		if n != 0 && n%u.v == 0 {
			return fmt.Sprintf("%d%s", n/u.v, u.name)
		}
	}
	return fmt.Sprintf("%dB", int64(n))
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

// scaled multiplies the decimal number num by mult exactly and requires an
// integer, non-negative result.
func scaled(num string, mult int64) (int64, error) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, ErrSyntax
	}
	if r.Sign() < 0 {
		return 0, errors.New("must not be negative")
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, errors.New("is not a whole number of the base unit")
	}
	if !r.Num().IsInt64() {
		return 0, errors.New("is too large")
	}
	return r.Num().Int64(), nil
}

// ParseBitRate parses a rate in bits per second with an optional decimal
// prefix: "100Mbps", "1.5Gbps", "64kbps", "9600bps", "9600" (bps).
func ParseBitRate(s string) (BitRate, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	var mult int64
	switch strings.ToLower(unit) {
	case "", "bps", "bit/s":
		mult = 1
	case "kbps", "kbit/s":
		mult = int64(Kbps)
	case "mbps", "mbit/s":
		mult = int64(Mbps)
	case "gbps", "gbit/s":
		mult = int64(Gbps)
	default:
		return 0, fmt.Errorf("rate %q: unknown unit %q (bps, kbps, Mbps, Gbps)", s, unit)
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

// ParseByteSize parses a size in bytes with an optional decimal (KB, MB, GB)
// or binary (KiB, MiB, GiB) prefix: "1500", "1500B", "64KiB", "10MB".
func ParseByteSize(s string) (ByteSize, error) {
	num, unit := splitNumber(strings.TrimSpace(s))
	var mult ByteSize
	switch unit {
	case "", "B", "b", "bytes":
		mult = Byte
	case "KB", "kB", "kb":
		mult = KB
	case "MB":
		mult = MB
	case "GB":
		mult = GB
	case "KiB":
		mult = KiB
	case "MiB":
		mult = MiB
	case "GiB":
		mult = GiB
	default:
		return 0, fmt.Errorf("size %q: unknown unit %q (B, KB, MB, GB, KiB, MiB, GiB)", s, unit)
	}
	if num == "" {
		return 0, fmt.Errorf("size %q: %w (a number of bytes, optionally with KB, MB, GB, KiB, MiB, GiB)", s, ErrSyntax)
	}
	v, err := scaled(num, int64(mult))
	if err != nil {
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

// ParseDuration parses a duration as Go writes it ("250us", "5ms", "1.5s").
// Negative durations are rejected.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w (a number with ns, us, ms, s, m or h, like 5ms)", s, ErrSyntax)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q: must not be negative", s)
	}
	return d, nil
}
