package hugepage

import (
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"
	"syscall"
)

// minBytes is the smallest mapping advised: one huge page.
const minBytes = 2 << 20

// minMapped is the least memory the runtime must have mapped for Collapse
// to do anything: the processor's TLB maps about 6 MiB in 4 KiB pages
// (1,536 entries), so a smaller heap gains little from huge pages, and a
// small run would pay for the collapse.
const minMapped = 16 << 20

// madvCollapse is MADV_COLLAPSE (Linux 6.1), which package syscall does
// not name. An older kernel answers EINVAL, which is ignored.
const madvCollapse = 25

// Collapse marks every large private anonymous read-write mapping (the
// Go heap's, and the runtime's metadata of it) for huge pages (madvise
// MADV_HUGEPAGE), so that the kernel backs the pages touched from then
// on with huge pages, and turns the pages already touched in them into
// huge pages now (MADV_COLLAPSE). It does nothing while the runtime has
// mapped less than 16 MiB.
//
// The Go runtime maps its heap in pieces as it grows (runtime.sysMapOS),
// each a new mapping without the advice, so the heap mapped after a call
// is in 4 KiB pages until the next. A collapse copies what it collapses:
// on this project's VM up to about 2 ms per MiB not yet in huge pages,
// and next to nothing for what already is (docs/performance.md, "Huge
// pages").
func Collapse() {
	if Mapped() < minMapped {
		return
	}
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		lo, n, ok := anonymous(line)
		if !ok || n < minBytes {
			continue
		}
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, n, syscall.MADV_HUGEPAGE)
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, n, madvCollapse)
	}
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

// anonymous parses one line of /proc/self/maps ("lo-hi perms offset dev
// inode [name]") and returns the start and length of the mapping if it is
// private, anonymous, unnamed (not the stack or the brk heap) and
// readable and writable.
func anonymous(line []byte) (lo, n uintptr, ok bool) {
	f := bytes.Fields(line)
	if len(f) != 5 || string(f[1]) != "rw-p" || string(f[4]) != "0" {
		return 0, 0, false
	}
	r := bytes.IndexByte(f[0], '-')
	if r < 0 {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(string(f[0][:r]), 16, 64)
	z, err2 := strconv.ParseUint(string(f[0][r+1:]), 16, 64)
	if err1 != nil || err2 != nil || z <= a || z-a > uint64(^uintptr(0)) || a > uint64(^uintptr(0)) {
		return 0, 0, false
	}
	return uintptr(a), uintptr(z - a), true
}
