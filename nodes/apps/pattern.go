package apps

import "bytes"

// The bytes apps send follow a pattern, byte i of a stream being i mod
// 251 (a prime, so the pattern does not line up with segment sizes), so
// that a receiver can check that every byte arrived, in order. Zeros
// would prove nothing, and would not keep Wireshark's port-80 HTTP
// dissector away either: captures of traffic to port 80 show these bytes
// as HTTP continuation (or malformed HTTP); docs/network.md (The payload) says how
// to avoid that (another port, or Decode As).
const patternMod = 251

// pattern holds the pattern from offset 0; a slice from k%251 continues
// it at stream offset k for up to len(pattern)-250 bytes.
var pattern = func() []byte {
	b := make([]byte, patternMod*261) // 65511 bytes
	for i := range b {
		b[i] = byte(i % patternMod)
	}
	return b
}()

// patternAt returns up to n bytes of the pattern from stream offset off.
func patternAt(off int64, n int) []byte {
	s := pattern[off%patternMod:]
	return s[:min(n, len(s)-patternMod)]
}

// checkPattern returns how many bytes of b, received at stream offset off,
// differ from the pattern. It compares whole chunks with bytes.Equal
// (memcmp speed) and counts byte by byte only inside a chunk that
// differs, so an intact stream costs about what copying it does.
func checkPattern(off int64, b []byte) int64 {
	bad := int64(0)
	for len(b) > 0 {
		want := patternAt(off, len(b))
		chunk := b[:len(want)]
		if !bytes.Equal(chunk, want) {
			for i, c := range chunk {
				if c != want[i] {
					bad++
				}
			}
		}
		b = b[len(chunk):]
		off += int64(len(chunk))
	}
	return bad
}
