// Package testutil holds test code that the tests of several packages
// share. Only tests import it.
package testutil

// RFC1071Sum is the internet checksum's sum written out as RFC 1071 §4.1
// does: 16-bit big-endian words (an odd last byte padded with zero) added
// to initial in a 32-bit accumulator, folded to 16 bits at the end. It is
// independent of internal/inet on purpose: tests check inet's fast sum,
// and the checksums on the wire, against it.
func RFC1071Sum(b []byte, initial uint32) uint32 {
	s := initial
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return s
}

// RFC1071Checksum is the internet checksum of b folded with initial: the
// one's complement of RFC1071Sum. Over data that carries its own correct
// checksum it is 0.
func RFC1071Checksum(b []byte, initial uint32) uint16 {
	return ^uint16(RFC1071Sum(b, initial))
}
