//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// processAlive reports whether a process with this PID exists (signal 0
// checks without sending anything). The current process counts as alive.
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
