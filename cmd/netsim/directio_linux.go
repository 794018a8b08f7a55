package main

import (
	"os"
	"syscall"
)

// setDirect turns direct I/O (O_DIRECT) on or off for f's later writes.
// Linux lets fcntl(F_SETFL) change O_DIRECT on an open file; a file
// system that cannot do direct I/O (tmpfs on older kernels, some
// overlays) refuses it with EINVAL, and the file stays buffered.
func setDirect(f *os.File, on bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	cerr := rc.Control(func(fd uintptr) {
		flags, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		if e != 0 {
			serr = e
			return
		}
		if on {
			flags |= syscall.O_DIRECT
		} else {
			flags &^= syscall.O_DIRECT
		}
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFL, flags); e != 0 {
			serr = e
		}
	})
	if cerr != nil {
		return cerr
	}
	return serr
}
