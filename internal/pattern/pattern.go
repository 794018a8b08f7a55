// Package pattern is the payload netsim's built-in applications send:
// byte i of a stream is i mod 251 (a prime, so that the pattern does not
// line up with segment sizes), which lets a receiver check that every
// byte arrived, in order. Zeros would prove nothing, and would not keep
// Wireshark's port-80 HTTP dissector away either: captures of traffic to
// port 80 show these bytes as HTTP continuation (or malformed HTTP);
// docs/network.md (The payload) says how to avoid that.
//
// The bytes come from one table that nobody writes, so a slice of it can
// be carried by reference: a TCP send buffer keeps only the phase of the
// pattern bytes written to it (tcp.Conn.Write), and a packet keeps a
// slice of the table in place of copying its payload
// (topology.Packet.DeferPayload). Phase recognises such a slice.
package pattern

import "bytes"

// Mod is the pattern's period: byte i of a stream is i mod Mod.
const Mod = 251

// MaxChunk is the longest slice At returns: more than any IPv4 datagram
// can carry, so that a segment's payload is always one slice.
const MaxChunk = len(table) - Mod

// table holds the pattern from offset 0; a slice from k%Mod continues it
// at stream offset k for up to MaxChunk bytes. It is never written.
var table = func() *[Mod * 264]byte { // 66,264 bytes
	var b [Mod * 264]byte
	for i := range b {
		b[i] = byte(i % Mod)
	}
	return &b
}()

// At returns up to n (at most MaxChunk) bytes of the pattern from stream
// offset off. The slice is part of a table shared by everyone: it must
// never be written.
func At(off int64, n int) []byte {
	return table[off%Mod:][:min(n, MaxChunk)]
}

// Phase reports whether b is a slice of the pattern's table (as At
// returns), and if so at which phase: b[0] is byte phase of the pattern.
// An empty slice is not one.
func Phase(b []byte) (phase int, ok bool) {
	if len(b) == 0 {
		return 0, false
	}
	// A slice of the table ends where the table ends: its capacity says
	// where it starts, and the address of that element says whether it is
	// the table at all.
	start := len(table) - cap(b)
	if start < 0 || start >= len(table) || &table[start] != &b[0] {
		return 0, false
	}
	return start % Mod, true
}

// Fill writes the pattern from phase into b.
func Fill(b []byte, phase int) {
	for len(b) > 0 {
		k := copy(b, At(int64(phase), len(b)))
		b = b[k:]
		phase = (phase + k) % Mod
	}
}

// Check returns how many bytes of b, received at stream offset off,
// differ from the pattern. It compares whole chunks with bytes.Equal
// (memcmp speed) and counts byte by byte only inside a chunk that
// differs, so an intact stream costs about what copying it does.
func Check(off int64, b []byte) int64 {
	bad := int64(0)
	for len(b) > 0 {
		want := At(off, len(b))
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

// Mismatched returns how many of n pattern bytes from phase, received at
// stream offset off, differ from the pattern there, as Check would count
// them: none when phase is off's, every one otherwise (the pattern at two
// phases differs at every byte, its period being Mod).
func Mismatched(off int64, phase, n int) int64 {
	if int64(phase) == off%Mod {
		return 0
	}
	return int64(n)
}
