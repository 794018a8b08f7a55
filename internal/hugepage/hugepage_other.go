//go:build !linux

package hugepage

// Collapse does nothing on this system, and says so.
func Collapse() bool { return false }

// Mapped returns 0 on this system: there is nothing to collapse.
func Mapped() uint64 { return 0 }
