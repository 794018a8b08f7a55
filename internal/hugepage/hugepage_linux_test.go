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

func TestAnonymousParsesMapsLines(t *testing.T) {
	for _, c := range []struct {
		line   string
		lo, n  uintptr
		accept bool
	}{
		{"c000000000-c004000000 rw-p 00000000 00:00 0 ", 0xc000000000, 0x4000000, true},
		{"7f0000000000-7f0000200000 rw-p 00000000 00:00 0", 0x7f0000000000, 0x200000, true},
		{"7fffb4ccd000-7fffb4cee000 rw-p 00000000 00:00 0                          [stack]", 0, 0, false},
		{"00400000-00600000 r-xp 00000000 08:01 1234 /usr/bin/netsim", 0, 0, false},
		{"2aeaa0000000-2aeaa1800000 ---p 00000000 00:00 0", 0, 0, false},
		{"7f0000000000-7f0000200000 rw-s 00000000 00:05 77 /dev/zero (deleted)", 0, 0, false},
		{"zz-7f0000200000 rw-p 00000000 00:00 0", 0, 0, false},
		{"7f0000200000-7f0000000000 rw-p 00000000 00:00 0", 0, 0, false},
		{"", 0, 0, false},
	} {
		lo, n, ok := anonymous([]byte(c.line))
		if ok != c.accept || lo != c.lo || n != c.n {
			t.Errorf("anonymous(%q) = %#x, %#x, %v; want %#x, %#x, %v", c.line, lo, n, ok, c.lo, c.n, c.accept)
		}
	}
}

// TestCollapseAdvisesTheHeap checks that the mapping holding a large heap
// object is marked for huge pages after Collapse ("hg" in its VmFlags).
func TestCollapseAdvisesTheHeap(t *testing.T) {
	buf := make([]byte, 2*minMapped)
	for i := range buf {
		buf[i] = byte(i)
	}
	Collapse()
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
