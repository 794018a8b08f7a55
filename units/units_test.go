package units

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTxTime(t *testing.T) {
	cases := []struct {
		rate BitRate
		n    ByteSize
		want time.Duration
	}{
		{10 * Mbps, 1500, 1200 * time.Microsecond},
		{100 * Mbps, 60, 4800 * time.Nanosecond},
		{3 * BitPerSecond, 1, 2666666667}, // 8e9/3 rounded up
		{1 * Gbps, 1, 8},
		{0, 1500, 0},
		{7 * Mbps, 1 << 40, time.Duration(1256584717458286)}, // big-int path
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.rate.TxTime(c.n), "%v for %v", c.rate, c.n)
	}
}

func TestParse(t *testing.T) {
	r, err := ParseBitRate("1.5Gbps")
	require.NoError(t, err)
	assert.Equal(t, 1500*Mbps, r)
	r, err = ParseBitRate("9600")
	require.NoError(t, err)
	assert.Equal(t, BitRate(9600), r)
	for _, bad := range []string{"", "fast", "10Mbq", "-1Mbps", "0.5bps"} {
		_, err := ParseBitRate(bad)
		assert.Error(t, err, bad)
	}
	n, err := ParseByteSize("64KiB")
	require.NoError(t, err)
	assert.Equal(t, 64*KiB, n)
	n, err = ParseByteSize("10MB")
	require.NoError(t, err)
	assert.Equal(t, 10*MB, n)
	n, err = ParseByteSize("1500")
	require.NoError(t, err)
	assert.Equal(t, ByteSize(1500), n)
	for _, bad := range []string{"", "1.5", "10Q", "-3KB"} {
		_, err := ParseByteSize(bad)
		assert.Error(t, err, bad)
	}
	q, err := ParseRatio("1%")
	require.NoError(t, err)
	assert.InDelta(t, 0.01, float64(q), 1e-12)
	q, err = ParseRatio("0.25")
	require.NoError(t, err)
	assert.InDelta(t, 0.25, float64(q), 1e-12)
	for _, bad := range []string{"101%", "-1%", "x", "1.5", "NaN"} {
		_, err := ParseRatio(bad)
		assert.Error(t, err, bad)
	}
	d, err := ParseDuration("1.5s")
	require.NoError(t, err)
	assert.Equal(t, 1500*time.Millisecond, d)
	_, err = ParseDuration("-1s")
	assert.Error(t, err)
	assert.Equal(t, "100Mbps", (100 * Mbps).String())
	assert.Equal(t, "64KiB", (64 * KiB).String())
	assert.Equal(t, "1%", Ratio(0.01).String())
}

// TestStringExactPrefix: rates and sizes are written in the largest prefix
// that divides them exactly (binary first for sizes), else in the base unit.
func TestStringExactPrefix(t *testing.T) {
	for _, tc := range []struct {
		v    fmt.Stringer
		want string
	}{
		{BitRate(0), "0bps"}, {BitRate(2500), "2500bps"}, {3 * Kbps, "3kbps"}, {1500 * Mbps, "1500Mbps"},
		{2 * Gbps, "2Gbps"}, {-5 * Mbps, "-5Mbps"},
		{ByteSize(0), "0B"}, {ByteSize(1500), "1500B"}, {2 * KB, "2KB"}, {1000 * KiB, "1000KiB"},
		{10 * MB, "10MB"}, {3 * MiB, "3MiB"}, {GB, "1GB"}, {4 * GiB, "4GiB"},
	} {
		assert.Equal(t, tc.want, tc.v.String())
	}
}

// TestParseAsPeopleWrite reads units as people and tc(8) write them: with a
// space, with /s, in bytes per second, and refuses "kb" (bits or bytes?).
func TestParseAsPeopleWrite(t *testing.T) {
	for _, c := range []struct {
		in   string
		want BitRate
	}{
		{"1 Gbps", Gbps}, {"1 Gbit/s", Gbps}, {"1Gbit", Gbps}, {"100 Mbit", 100 * Mbps},
		{"125 MB/s", Gbps}, {"10 Mb/s", 10 * Mbps}, {"64 kbit/s", 64 * Kbps}, {"1 KiB/s", 8192},
		{"100MBPS", 100 * Mbps}, {"9600 bit/s", 9600},
	} {
		r, err := ParseBitRate(c.in)
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, c.want, r, c.in)
		}
	}
	for _, c := range []struct {
		in   string
		want ByteSize
	}{
		{"10 MB", 10 * MB}, {"64 KiB", 64 * KiB}, {"1 Gbit", 125 * MB}, {"8 bit", 1}, {"1500 bytes", 1500}, {"1500b", 1500},
	} {
		n, err := ParseByteSize(c.in)
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, c.want, n, c.in)
		}
	}
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"10 ms", 10 * time.Millisecond}, {"1.5 s", 1500 * time.Millisecond}, {"1m 30s", 90 * time.Second},
		{"10msec", 10 * time.Millisecond}, {"2 sec", 2 * time.Second}, {"250 us", 250 * time.Microsecond},
	} {
		d, err := ParseDuration(c.in)
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, c.want, d, c.in)
		}
	}
	_, err := ParseByteSize("64kb")
	assert.EqualError(t, err, `size "64kb": unit "kb" is ambiguous: write kbit for bits or KB for bytes (a size like 1500, 64KiB or 10MB)`)
	_, err = ParseBitRate("10 Mb")
	assert.EqualError(t, err, `rate "10 Mb": unit "Mb" is ambiguous: write Mbit/s for bits or MB/s for bytes per second (a rate like 100Mbps, 1 Gbit/s or 125 MB/s)`)
	_, err = ParseByteSize("12 bit")
	assert.EqualError(t, err, `size "12 bit": is not a whole number of bytes`)
	_, err = ParseBitRate("1 Gbq")
	assert.ErrorContains(t, err, `unknown unit "Gbq"`)
}

// TestDurationWholeNanoseconds: simulated time is whole nanoseconds, and a
// duration finer than that is refused, as a size of a fraction of a byte
// is, rather than cut short by time.ParseDuration: "0.5ns" became 0 and
// was reported as not greater than 0, "1.5ns" became 1ns.
func TestDurationWholeNanoseconds(t *testing.T) {
	for _, bad := range []string{"0.5ns", "1.5ns", "0.0000000015s", "1.0005us", "1s0.5ns"} {
		_, err := ParseDuration(bad)
		assert.EqualError(t, err, fmt.Sprintf("duration %q: is not a whole number of nanoseconds (netsim's time step)", bad), bad)
	}
	for in, want := range map[string]time.Duration{"1.5us": 1500, "0.000000001s": 1, "1.000000001s": time.Second + 1, "1m0.5s": 60500 * time.Millisecond,
		"2.5 msec": 2500 * time.Microsecond, "1.5ns0.5ns": 2, "0ns": 0} {
		d, err := ParseDuration(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, d, in)
		}
	}
}

// TestDurationTooLarge: a duration past what a time.Duration holds (about
// 292 years) is too large, not of invalid syntax, as a rate or size past
// int64 is: "99999999h" was reported as not like 5ms.
func TestDurationTooLarge(t *testing.T) {
	for _, in := range []string{"99999999h", "9223372036854775808ns", "2562048h"} {
		_, err := ParseDuration(in)
		assert.EqualError(t, err, fmt.Sprintf("duration %q: is too large (at most 2562047h, about 292 years)", in), in)
	}
	_, err := ParseDuration("99999999x")
	assert.ErrorIs(t, err, ErrSyntax)
	// A negative one is negative first, however large: "-99999999h" was
	// called too large, as if it were only out of range.
	for _, in := range []string{"-99999999h", "-9223372036854775809ns"} {
		_, err = ParseDuration(in)
		assert.EqualError(t, err, fmt.Sprintf("duration %q: must not be negative", in), in)
	}
	d, err := ParseDuration("9223372036854775807ns")
	require.NoError(t, err)
	assert.Equal(t, time.Duration(1<<63-1), d)
}

// TestDurationOfWholeUnitsIsCheap: the exact sum that refuses a fraction
// of a nanosecond (big.Rat, two dozen allocations) is for durations with
// a fraction: one of whole units is exact as time.ParseDuration reads it.
// Every duration went through it, a hundred times the cost of the parse,
// and a scenario of 10,000 hosts parses about as many durations (an
// eighth of its load's allocations).
func TestDurationOfWholeUnitsIsCheap(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseDuration("10ms"); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 4.0, "the exact sum alone takes 23")
}
