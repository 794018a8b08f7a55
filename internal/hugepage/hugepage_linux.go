package hugepage

import (
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"
	"syscall"
	"unsafe"
)

// minBytes is the smallest mapping advised: one huge page.
const minBytes = 2 << 20

// madvCollapse is MADV_COLLAPSE (Linux 6.1), which package syscall does
// not name. An older kernel answers EINVAL, which is ignored.
const madvCollapse = 25

// Collapse marks the Go heap's mappings for huge pages (madvise
// MADV_HUGEPAGE), so that the kernel backs the pages touched from then on
// with huge pages, and turns the pages already touched in them into huge
// pages now (MADV_COLLAPSE). The heap's mappings are the private
// anonymous read-write one that holds a heap object (heapProbe) and
// those that adjoin it: the runtime maps its arenas in address order from
// one hint, each piece a new mapping. Other mappings (the runtime's
// metadata, thread stacks) are left alone: a collapse fills every 4 KiB
// page of a 2 MiB range it finds in use, and those are sparse. It does
// nothing while the runtime has mapped less than MinMapped, and reports
// whether it went ahead (a mapping the kernel refused is still gone
// through: asking again would not help).
//
// The heap mapped after a call is in 4 KiB pages until the next. A
// collapse copies what it collapses: on this project's VM up to about 2
// ms per MiB not yet in huge pages, and next to nothing for what already
// is (docs/performance.md, "Huge pages").
func Collapse() bool {
	if Mapped() < MinMapped {
		return false
	}
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return false
	}
	for _, m := range heapMappings(b, uintptr(unsafe.Pointer(heapProbe))) {
		if m.n < minBytes {
			continue
		}
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, m.lo, m.n, syscall.MADV_HUGEPAGE)
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, m.lo, m.n, madvCollapse)
	}
	return true
}

// heapProbe is an object in the Go heap (a package variable's new is
// allocated there), whose address names the heap's mappings.
var heapProbe = new([64]byte)

// mapping is one line of /proc/self/maps: its start and length, and
// whether it is private, anonymous, unnamed and readable and writable.
type mapping struct {
	lo, n uintptr
	anon  bool
}

// heapMappings returns, from the text of /proc/self/maps (in address
// order), the anonymous mapping that holds addr and the anonymous
// mappings that adjoin it, one after another; none if no anonymous
// mapping holds addr.
func heapMappings(maps []byte, addr uintptr) []mapping {
	var all []mapping
	at := -1
	for len(maps) > 0 {
		line := maps
		if i := bytes.IndexByte(maps, '\n'); i >= 0 {
			line, maps = maps[:i], maps[i+1:]
		} else {
			maps = nil
		}
		lo, n, anon, ok := parse(line)
		if !ok {
			continue
		}
		if anon && lo <= addr && addr-lo < n {
			at = len(all)
		}
		all = append(all, mapping{lo: lo, n: n, anon: anon})
	}
	if at < 0 {
		return nil
	}
	first, last := at, at
	for first > 0 && all[first-1].anon && all[first-1].lo+all[first-1].n == all[first].lo {
		first--
	}
	for last+1 < len(all) && all[last+1].anon && all[last].lo+all[last].n == all[last+1].lo {
		last++
	}
	return all[first : last+1]
}

// Mapped returns the memory the Go runtime has mapped, heap and metadata,
// free or not.
func Mapped() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// parse parses one line of /proc/self/maps ("lo-hi perms offset dev
// inode [name]") and returns the start and length of the mapping, and
// whether it is private, anonymous, unnamed (not the stack or the brk
// heap) and readable and writable; ok is false for a line it cannot
// read.
func parse(line []byte) (lo, n uintptr, anon, ok bool) {
	f := bytes.Fields(line)
	if len(f) < 5 {
		return 0, 0, false, false
	}
	r := bytes.IndexByte(f[0], '-')
	if r < 0 {
		return 0, 0, false, false
	}
	a, err1 := strconv.ParseUint(string(f[0][:r]), 16, 64)
	z, err2 := strconv.ParseUint(string(f[0][r+1:]), 16, 64)
	if err1 != nil || err2 != nil || z <= a || z > uint64(^uintptr(0)) {
		return 0, 0, false, false
	}
	anon = len(f) == 5 && string(f[1]) == "rw-p" && string(f[4]) == "0"
	return uintptr(a), uintptr(z - a), anon, true
}
