//go:build unix && !darwin

package main

import "syscall"

// maxRSS is a child's peak resident memory in bytes: Linux and the BSDs
// count ru_maxrss in kilobytes.
func maxRSS(ru *syscall.Rusage) int64 { return int64(ru.Maxrss) << 10 }
