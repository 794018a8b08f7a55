package hugepage

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestParseReadsMapsLines(t *testing.T) {
	for _, c := range []struct {
		line     string
		lo, n    uintptr
		anon, ok bool
	}{
		{"c0000000-c4000000 rw-p 00000000 00:00 0 ", 0xc0000000, 0x4000000, true, true},
		{"7f000000-7f200000 rw-p 00000000 00:00 0", 0x7f000000, 0x200000, true, true},
		{"bfccd000-bfcee000 rw-p 00000000 00:00 0                          [stack]", 0xbfccd000, 0x21000, false, true},
		{"00400000-00600000 r-xp 00000000 08:01 1234 /usr/bin/netsim", 0x400000, 0x200000, false, true},
		{"2a000000-2b800000 ---p 00000000 00:00 0", 0x2a000000, 0x1800000, false, true},
		{"7f000000-7f200000 rw-s 00000000 00:05 77 /dev/zero (deleted)", 0x7f000000, 0x200000, false, true},
		{"zz-7f200000 rw-p 00000000 00:00 0", 0, 0, false, false},
		{"7f200000-7f000000 rw-p 00000000 00:00 0", 0, 0, false, false},
		{"", 0, 0, false, false},
	} {
		lo, n, anon, ok := parse([]byte(c.line))
		if ok != c.ok || anon != c.anon || lo != c.lo || n != c.n {
			t.Errorf("parse(%q) = %#x, %#x, %v, %v; want %#x, %#x, %v, %v", c.line, lo, n, anon, ok, c.lo, c.n, c.anon, c.ok)
		}
	}
}

func TestHeapMappingsAreTheAdjoiningOnes(t *testing.T) {
	maps := []byte(`00400000-00600000 r-xp 00000000 08:01 1234 /usr/bin/netsim
00bfe000-02c45000 rw-p 00000000 00:00 0
2a000000-2b800000 ---p 00000000 00:00 0
2b800000-2f400000 rw-p 00000000 00:00 0
2f400000-33400000 rw-p 00000000 00:00 0
33400000-33600000 rw-p 00000000 00:00 0
33600000-36000000 ---p 00000000 00:00 0
7f000000-7f800000 rw-p 00000000 00:00 0
bfccd000-bfcee000 rw-p 00000000 00:00 0 [stack]
`)
	want := []mapping{
		{0x2b800000, 0x3c00000, true},
		{0x2f400000, 0x4000000, true},
		{0x33400000, 0x200000, true},
	}
	for _, addr := range []uintptr{0x2b800000, 0x30000000, 0x335fffff} {
		got := heapMappings(maps, addr)
		if len(got) != len(want) {
			t.Fatalf("heapMappings(%#x) = %v, want %v", addr, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("heapMappings(%#x)[%d] = %v, want %v", addr, i, got[i], want[i])
			}
		}
	}
	for _, addr := range []uintptr{0x2a000000, 0x500000, 0xbfcce000, 0x1000} {
		if got := heapMappings(maps, addr); got != nil {
			t.Errorf("heapMappings(%#x) = %v, want none", addr, got)
		}
	}
}

// TestCollapseAdvisesTheHeap checks that the mapping holding a large heap
// object is marked for huge pages after Collapse ("hg" in its VmFlags).
func TestCollapseAdvisesTheHeap(t *testing.T) {
	buf := make([]byte, 2*MinMapped)
	for i := range buf {
		buf[i] = byte(i)
	}
	if !Collapse() {
		t.Fatalf("Collapse with %d bytes mapped reports it did nothing", Mapped())
	}
	addr := uint64(uintptr(unsafe.Pointer(&buf[0])))
	flags, found := vmFlags(t, addr)
	runtime.KeepAlive(buf)
	if !found {
		t.Skip("no VmFlags in /proc/self/smaps for the heap")
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("VmFlags of the heap mapping = %q, want hg (MADV_HUGEPAGE)", flags)
	}
}

// vmFlags returns the VmFlags line of the mapping of /proc/self/smaps that
// holds addr.
func vmFlags(t *testing.T, addr uint64) (string, bool) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			if in {
				return strings.TrimSpace(rest), true
			}
			continue
		}
		r, _, _ := strings.Cut(line, " ")
		lo, hi, ok := strings.Cut(r, "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		z, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil {
			in = a <= addr && addr < z
		}
	}
	return "", false
}
