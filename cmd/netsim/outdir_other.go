//go:build !unix

package main

import "os"

// processAlive reports whether a process with this PID exists: where
// there is no signal 0, FindProcess fails for a process that is gone.
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
