package main

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used
// (getrusage RUSAGE_THREAD), and true; the caller locks its goroutine to
// its thread.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD, Linux 2.6.26
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
