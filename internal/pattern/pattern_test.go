package pattern

import (
	"bytes"
	"testing"

	"github.com/netsimlab/netsim/internal/inet"
)

// naiveMismatches is the definition Check must agree with: byte i of a
// stream is i mod 251.
func naiveMismatches(off int64, b []byte) int64 {
	bad := int64(0)
	for i, c := range b {
		if c != byte((off+int64(i))%Mod) {
			bad++
		}
	}
	return bad
}

// streamAt returns n pattern bytes from stream offset off, built without
// the table.
func streamAt(off int64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((off + int64(i)) % Mod)
	}
	return b
}

func TestCheck(t *testing.T) {
	big := MaxChunk // the longest chunk At returns
	cases := []struct {
		name    string
		off     int64
		n       int
		corrupt []int // indexes of bytes flipped
		want    int64
	}{
		{"empty", 7, 0, nil, 0},
		{"one byte", 250, 1, nil, 0},
		{"segment at 0", 0, 1448, nil, 0},
		{"segment across the modulus", 249, 1448, nil, 0},
		{"longer than one chunk", 1 << 40, 3*big + 17, nil, 0},
		{"first byte wrong", 3, 1448, []int{0}, 1},
		{"last byte of a long read wrong", 100, 2*big + 5, []int{2*big + 4}, 1},
		{"bytes wrong in two chunks", 5, 2 * big, []int{1, big - 1, big, big + 9}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := streamAt(c.off, c.n)
			for _, i := range c.corrupt {
				b[i] ^= 0x80
			}
			if got := Check(c.off, b); got != c.want {
				t.Fatalf("Check(%d, %d bytes) = %d, want %d", c.off, c.n, got, c.want)
			}
			if got := naiveMismatches(c.off, b); got != c.want {
				t.Fatalf("the naive check finds %d, the table says %d", got, c.want)
			}
		})
	}
}

// A stream shifted by one byte (a segment delivered at the wrong offset)
// is all wrong.
func TestCheckShifted(t *testing.T) {
	b := streamAt(1, 4000)
	if got, want := Check(0, b), naiveMismatches(0, b); got != want || got != 4000 {
		t.Fatalf("Check = %d, naive %d, want 4000", got, want)
	}
}

// At returns the stream's bytes, as long as asked up to MaxChunk, which
// covers the largest IPv4 payload.
func TestAt(t *testing.T) {
	for _, c := range []struct {
		off  int64
		n    int
		want int
	}{{0, 0, 0}, {0, 1448, 1448}, {250, 1, 1}, {1<<40 + 3, 65535, 65535}, {7, 1 << 30, MaxChunk}} {
		got := At(c.off, c.n)
		if len(got) != c.want || !bytes.Equal(got, streamAt(c.off, c.want)) {
			t.Fatalf("At(%d, %d): %d bytes, want %d of the stream", c.off, c.n, len(got), c.want)
		}
	}
	if MaxChunk < 65535 {
		t.Fatalf("MaxChunk %d is below the largest IPv4 payload", MaxChunk)
	}
}

// Phase recognises exactly the slices of the table, wherever they start
// and however they were resliced, and says where the pattern stands.
func TestPhase(t *testing.T) {
	for _, off := range []int64{0, 1, 250, 251, 1448 * 1000, 1<<40 + 17} {
		b := At(off, 3000)
		for _, cut := range []int{0, 1, 1447, 2999} {
			phase, ok := Phase(b[cut:])
			if want := int((off + int64(cut)) % Mod); !ok || phase != want {
				t.Fatalf("Phase(At(%d)[%d:]) = %d, %v; want %d, true", off, cut, phase, ok, want)
			}
		}
		if _, ok := Phase(b[:0]); ok {
			t.Fatal("an empty slice has no phase")
		}
	}
	copied := append([]byte(nil), At(5, 100)...)
	if _, ok := Phase(copied); ok {
		t.Fatal("a copy of the pattern is not the table")
	}
	// A slice of another array whose capacity happens to fit.
	other := make([]byte, len(table))
	if _, ok := Phase(other[10:20]); ok {
		t.Fatal("another array of the table's size is not the table")
	}
	if _, ok := Phase(make([]byte, 10, len(table)+5)); ok {
		t.Fatal("a slice with more capacity than the table is not the table")
	}
}

// Fill writes the pattern from any phase, across chunk boundaries.
func TestFill(t *testing.T) {
	for _, c := range []struct{ phase, n int }{{0, 0}, {0, 1}, {250, 2}, {17, 1448}, {3, 3*MaxChunk + 5}} {
		b := make([]byte, c.n)
		Fill(b, c.phase)
		if !bytes.Equal(b, streamAt(int64(c.phase), c.n)) {
			t.Fatalf("Fill(%d bytes, phase %d) is not the stream", c.n, c.phase)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	buf := streamAt(12345, 64<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if Check(12345, buf) != 0 {
			b.Fatal("mismatch")
		}
	}
}

// TestMismatched: counting by phase gives what Check counts on the bytes.
func TestMismatched(t *testing.T) {
	for _, off := range []int64{0, 1, 250, 251, 1 << 33} {
		for _, phase := range []int{0, 1, 100, 250} {
			for _, n := range []int{1, 7, 1448, 3 * Mod} {
				b := make([]byte, n)
				Fill(b, phase)
				if got, want := Mismatched(off, phase, n), Check(off, b); got != want {
					t.Errorf("Mismatched(%d, %d, %d) = %d, Check says %d", off, phase, n, got, want)
				}
			}
		}
	}
}

// Sum agrees with summing the bytes (inet.Sum) at every phase, for
// every length a datagram can carry.
func TestSum(t *testing.T) {
	for phase := range Mod {
		for n := 0; n <= 1600; n++ {
			if got, want := Sum(phase, n), inet.Sum(At(int64(phase), n), 0); got != want {
				t.Fatalf("Sum(%d, %d) = %#x, inet.Sum = %#x", phase, n, got, want)
			}
		}
	}
	for _, n := range []int{MaxChunk - 1, MaxChunk} {
		if got, want := Sum(250, n), inet.Sum(At(250, n), 0); got != want {
			t.Fatalf("Sum(250, %d) = %#x, inet.Sum = %#x", n, got, want)
		}
	}
}
