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

// FromDuration returns the time d after the start of the run.
func FromDuration(d time.Duration) Time { return Time(d) }

// Duration returns t as the duration since the start of the run.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

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
