package prefetch

import "unsafe"

// Line asks the processor to bring the cache line at addr into its
// caches without waiting for it (PREFETCHT0): a hint, which never faults.
//
//go:noescape
func Line(addr unsafe.Pointer)

// Lines asks the processor to bring every cache line of the n bytes at
// addr into its caches without waiting for them (PREFETCHT0 on each): the
// lines of a struct that a thousand flows leave cold are then loaded
// together, where reading its fields one after another would wait for
// each line in turn.
//
//go:noescape
func Lines(addr unsafe.Pointer, n uintptr)
