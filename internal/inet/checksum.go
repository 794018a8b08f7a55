// Package inet is what the wire formats of every layer share: the
// internet checksum (RFC 1071) that the IPv4 header, the TCP and UDP
// segments and ICMP messages carry (the one's complement sum, its running
// form over several pieces, the TCP/UDP pseudo-header, and the incremental
// update of RFC 1624 for a router that changes one field), and the typed
// decode error their decoders return. The transports (package tcp,
// nodes/udp, nodes/icmp) and the network layer (package nodes/ipv4) use
// it, so it belongs to none of them. The checksum allocates nothing.
package inet

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Sum adds b to the running internet checksum sum initial and returns the
// new sum, folded to 16 bits but not complemented (RFC 1071 §4.1). Feed a
// message through several calls by passing each result as the next
// initial; every chunk but the last must have an even length, because the
// sum is over 16-bit words. It allocates nothing.
//
// RFC 1071 §2(B),(C): the one's complement sum does not depend on byte
// order or on how words are grouped. So the loop adds 64-bit words read
// little-endian (no byte swaps; the same result on any machine) with
// end-around carry, and the folded sum is byte-swapped once at the end.
func Sum(b []byte, initial uint32) uint32 {
	var acc, carry uint64
	for len(b) >= 64 {
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b), 0)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[8:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[16:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[24:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[32:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[40:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[48:]), carry)
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b[56:]), carry)
		acc += carry
		b = b[64:]
	}
	for len(b) >= 8 {
		acc, carry = bits.Add64(acc, binary.LittleEndian.Uint64(b), 0)
		acc += carry
		b = b[8:]
	}
	// Back to network byte order, then the short tail big-endian; these
	// few additions cannot overflow 64 bits.
	s := uint64(bits.ReverseBytes16(uint16(fold64(acc)))) + uint64(initial)
	if len(b) >= 4 {
		s += uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		// RFC 1071 §4.1: an odd byte is padded with a zero byte on its right.
		s += uint64(b[0]) << 8
	}
	return fold64(s)
}

// fold64 folds a 64-bit one's complement sum to 16 bits.
func fold64(acc uint64) uint32 {
	hi, lo := acc>>32, acc&0xffffffff
	s := hi + lo // at most 33 bits
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint32(s)
}

// Checksum returns the internet checksum of b added to the running sum
// initial: the one's complement of the one's complement sum (RFC 1071).
func Checksum(b []byte, initial uint32) uint16 {
	return ^uint16(Sum(b, initial))
}

// PseudoHeaderSum returns the running sum of the pseudo-header that the
// TCP and UDP checksums cover: for IPv4 (RFC 9293 §3.1) source, destination,
// a zero byte, the protocol and the 16-bit segment length; for IPv6 (RFC
// 8200 §8.1) source, destination, the 32-bit length and the next header.
// IPv4-mapped IPv6 addresses count as IPv4, and an invalid (zero) address
// as all zeros.
func PseudoHeaderSum(src, dst netip.Addr, proto uint8, length uint32) uint32 {
	var s uint32
	if is6(src) || is6(dst) {
		s = addrSum16(src) + addrSum16(dst) + uint32(proto) + length>>16 + length&0xffff
	} else {
		s = addrSum4(src) + addrSum4(dst) + uint32(proto) + length&0xffff
	}
	return fold64(uint64(s))
}

// is6 reports whether a is an IPv6 address that is not a mapped IPv4 one.
func is6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// addrSum4 is the sum of an IPv4 address's two 16-bit words.
func addrSum4(a netip.Addr) uint32 {
	if !a.Is4() {
		if !a.Is4In6() {
			return 0
		}
		a = a.Unmap()
	}
	b := a.As4()
	return (uint32(b[0])<<8 | uint32(b[1])) + (uint32(b[2])<<8 | uint32(b[3]))
}

// addrSum16 is the sum of an address's eight 16-bit words in its IPv6 form.
func addrSum16(a netip.Addr) uint32 {
	b := a.As16()
	var s uint32
	for i := 0; i < 16; i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	return s
}

// UpdateChecksum returns checksum hc updated for a 16-bit field of the
// covered data changing from old to new, without summing the data again
// (RFC 1624 §3, eqn. 3: HC' = ~(~HC + ~m + m')). Eqn. 3 rather than eqn. 2
// of RFC 1141 so that the result is never the negative zero 0xffff unless
// the data sums to it.
func UpdateChecksum(hc, old, new uint16) uint16 {
	s := uint32(^hc) + uint32(^old) + uint32(new)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return ^uint16(s)
}

// UpdateChecksum32 is UpdateChecksum for a 32-bit field (a sequence
// number, an IPv4 address) that changed from old to new.
func UpdateChecksum32(hc uint16, old, new uint32) uint16 {
	hc = UpdateChecksum(hc, uint16(old>>16), uint16(new>>16))
	return UpdateChecksum(hc, uint16(old), uint16(new))
}
