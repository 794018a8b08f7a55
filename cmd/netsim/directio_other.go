//go:build !linux

package main

import (
	"errors"
	"os"
)

// setDirect is Linux's (directio_linux.go); elsewhere captures are
// written through the page cache.
func setDirect(*os.File, bool) error { return errors.ErrUnsupported }
