package main

import "syscall"

// maxRSS is a child's peak resident memory in bytes: macOS counts
// ru_maxrss in bytes.
func maxRSS(ru *syscall.Rusage) int64 { return ru.Maxrss }
