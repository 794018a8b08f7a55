package sim

import (
	"fmt"
	"time"
)

// Time is a point in simulated time: nanoseconds since the start of the run.
// The zero value is the start of the run.
type Time int64

// MaxTime is the largest representable simulated time.
const MaxTime Time = 1<<63 - 1

// MinTime is the most negative representable Time; simulated time never
// goes below 0, but differences and saturated sums may reach it.
const MinTime Time = -1 << 63

// FromDuration returns the time d after the start of the run.
func FromDuration(d time.Duration) Time { return Time(d) }

// Duration returns t as the duration since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// Add returns t+d, saturated at MaxTime (and at MinTime): a sum past the
// end of representable time is the end of time, never a wrapped negative
// time. Scenarios are refused at load time when their delays can overflow
// (scenarios' validate); saturating here is the second line of defence, so
// that no value that slips through can make the clock run backwards.
func (t Time) Add(d time.Duration) Time {
	s := t + Time(d)
	// Signed overflow happened iff both operands have the same sign and
	// the sum's sign differs.
	if (t >= 0) == (d >= 0) && (s >= 0) != (t >= 0) {
		if t >= 0 {
			return MaxTime
		}
		return MinTime
	}
	return s
}

// Sub returns the duration t-u, saturated like Add.
func (t Time) Sub(u Time) time.Duration {
	d := t - u
	if (t >= 0) != (u >= 0) && (d >= 0) != (t >= 0) {
		if t >= 0 {
			return time.Duration(MaxTime)
		}
		return time.Duration(MinTime)
	}
	return time.Duration(d)
}

// Before reports whether t is earlier than u.
func (t Time) Before(u Time) bool { return t < u }

// After reports whether t is later than u.
func (t Time) After(u Time) bool { return t > u }

// Seconds returns t in seconds, for display and plotting only: no ordering
// decision may be made on the result.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String prints t in seconds with nine decimals, e.g. "0.110120000s".
func (t Time) String() string {
	neg := ""
	// The magnitude as unsigned, so that the most negative Time prints
	// correctly too.
	v := uint64(t)
	if t < 0 {
		neg = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%09ds", neg, v/1e9, v%1e9)
}
