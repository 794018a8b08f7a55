package tcp

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// ISN returns an initial sequence number per RFC 6528 §3: a clock ticking
// every 4 µs plus a keyed hash of the connection's endpoints, so that
// successive connections between the same endpoints get increasing numbers
// and an off-path attacker cannot guess them. The secret is the caller's
// seeded random draw, which keeps runs reproducible.
func ISN(secret uint64, local, remote Endpoint, now time.Duration) Seq {
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], secret)
	h.Write(b[:])
	la, ra := local.Addr.As16(), remote.Addr.As16()
	h.Write(la[:])
	h.Write(ra[:])
	binary.BigEndian.PutUint16(b[:2], local.Port)
	binary.BigEndian.PutUint16(b[2:4], remote.Port)
	h.Write(b[:4])
	sum := h.Sum64()
	return Seq(uint32(sum^sum>>32) + uint32(now/(4*time.Microsecond)))
}
