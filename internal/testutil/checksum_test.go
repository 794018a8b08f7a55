package testutil

import "testing"

// TestRFC1071Example: RFC 1071 §3's words 0001 f203 f4f5 f6f7 sum to ddf2,
// whose complement 220d makes the data and checksum sum to all ones; an
// odd last byte counts as the high byte of a word.
func TestRFC1071Example(t *testing.T) {
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := RFC1071Sum(b, 0); got != 0xddf2 {
		t.Errorf("sum %#x, want 0xddf2", got)
	}
	if got := RFC1071Checksum(b, 0); got != 0x220d {
		t.Errorf("checksum %#x, want 0x220d", got)
	}
	if got := RFC1071Checksum(append(b, 0x22, 0x0d), 0); got != 0 {
		t.Errorf("checksum over the data and its checksum %#x, want 0", got)
	}
	if got := RFC1071Sum([]byte{0x12, 0x34, 0x56}, 0); got != 0x1234+0x5600 {
		t.Errorf("odd length: %#x, want %#x", got, 0x1234+0x5600)
	}
}
