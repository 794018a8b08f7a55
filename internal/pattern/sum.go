package pattern

// The internet checksum (RFC 1071) of a pattern payload, without reading
// it: a capture makes a packet's transport checksum, and summing its
// payload was a tenth of a 1 Gbps capture run. As 16-bit words the
// payload's sum is 256 × (the bytes at even offsets) + (the bytes at odd
// offsets). Byte i of the pattern is i mod Mod, and (i mod Mod, i mod 2)
// repeat every 2 × Mod bytes, so two prefix sums over one such period
// give either sum over any range in a few operations.

// period is the length after which the pattern bytes and their parity
// repeat together (Mod is odd).
const period = 2 * Mod

// evenSums[j] and oddSums[j] are the sums of i mod Mod over i < j with i
// even, and with i odd.
var evenSums, oddSums = func() (e, o [period + 1]uint64) {
	for i := range period {
		e[i+1], o[i+1] = e[i], o[i]
		if i%2 == 0 {
			e[i+1] += uint64(i % Mod)
		} else {
			o[i+1] += uint64(i % Mod)
		}
	}
	return e, o
}()

// sumsBelow returns the sums of i mod Mod over i < x, i even and i odd.
func sumsBelow(x int) (even, odd uint64) {
	q, r := uint64(x/period), x%period
	return q*evenSums[period] + evenSums[r], q*oddSums[period] + oddSums[r]
}

// Sum returns the running internet checksum of the n pattern bytes from
// phase (0 <= phase < Mod), as inet.Sum(At(phase, n), 0) returns it when
// they start at an even offset of the checksummed message: folded to 16
// bits, not complemented. It reads no byte of them.
func Sum(phase, n int) uint32 {
	e1, o1 := sumsBelow(phase + n)
	e0, o0 := sumsBelow(phase)
	hi, lo := e1-e0, o1-o0 // the bytes at even and odd absolute indexes
	if phase%2 == 1 {
		hi, lo = lo, hi // the payload's first byte has an odd index
	}
	s := hi<<8 + lo
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint32(s)
}
