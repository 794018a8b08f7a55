package topology

// The queue's view of the IPv4 header: just enough to read and set the ECN
// field (RFC 3168 §5) and to hash a flow (RFC 8290 §4.1.1). topology may
// import only sim (see the package layering), so it reads the bytes
// itself rather than through nodes/ipv4; queue_ecn_test.go checks it
// against nodes/ipv4.

// The trace vocabulary of the queue disciplines (sim.KindPacketMark,
// sim.DropAQM) lives with the rest in sim/kinds.go.

// ECN codepoints (RFC 3168 §5), the two low bits of the second header byte.
const (
	ecnNotECT = 0
	ecnECT1   = 1
	ecnECT0   = 2
	ecnCE     = 3
)

// isIPv4 reports whether b starts with an IPv4 header.
func isIPv4(b []byte) bool { return len(b) >= 20 && b[0]>>4 == 4 }

// ecnCapable reports whether the datagram b is ECN-capable: ECT(0), ECT(1)
// or already CE.
func ecnCapable(b []byte) bool { return isIPv4(b) && b[1]&3 != ecnNotECT }

// setCE sets the ECN field of the ECN-capable datagram b to CE and patches
// the header checksum (RFC 1624 §3, as a router's TTL step does); a
// datagram already CE is left alone (RFC 3168 §5: CE stays CE). It
// returns false, changing nothing, when b is not ECN-capable.
func setCE(b []byte) bool {
	if !ecnCapable(b) {
		return false
	}
	if b[1]&3 == ecnCE {
		return true
	}
	old := uint16(b[0])<<8 | uint16(b[1])
	b[1] |= ecnCE
	sum := uint16(b[10])<<8 | uint16(b[11])
	// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
	x := uint32(^sum) + uint32(^old) + (uint32(b[0])<<8 | uint32(b[1]))
	x = (x & 0xffff) + (x >> 16)
	x = (x & 0xffff) + (x >> 16)
	sum = ^uint16(x)
	b[10], b[11] = byte(sum>>8), byte(sum)
	return true
}

// flowHash returns a hash of b's flow: addresses, protocol and, for TCP
// and UDP, the ports (Linux skb_get_hash's 5-tuple), mixed with seed so
// which flows share a bucket differs between runs with different seeds.
func flowHash(b []byte, seed uint64) uint64 {
	h := seed ^ 0x9e3779b97f4a7c15
	if !isIPv4(b) {
		return mix64(h ^ uint64(len(b)))
	}
	ihl := int(b[0]&0x0f) * 4
	proto := b[9]
	addrs := uint64(b[12])<<56 | uint64(b[13])<<48 | uint64(b[14])<<40 | uint64(b[15])<<32 |
		uint64(b[16])<<24 | uint64(b[17])<<16 | uint64(b[18])<<8 | uint64(b[19])
	h = mix64(h ^ addrs)
	var ports uint64
	if (proto == 6 || proto == 17) && len(b) >= ihl+4 {
		ports = uint64(b[ihl])<<24 | uint64(b[ihl+1])<<16 | uint64(b[ihl+2])<<8 | uint64(b[ihl+3])
	}
	return mix64(h ^ uint64(proto)<<32 ^ ports)
}

// mix64 is SplitMix64's finalizer: every input bit affects every output
// bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// congest is an AQM's congestion signal for the arriving or leaving packet
// p: with ECN on and p ECN-capable it marks CE (RFC 3168 §5) and returns
// QueuedMarked, otherwise DroppedAQM.
func congest(ecn bool, p *Packet) Verdict {
	if ecn && setCE(p.Data) {
		return QueuedMarked
	}
	return DroppedAQM
}
