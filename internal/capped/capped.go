// Package capped reads whole input files with a size limit, so that a wrong
// path (/dev/zero, a huge file) is an error rather than an out-of-memory.
// Scenarios, sweep files, drill scripts and the files a run reads back all
// go through it.
package capped

import (
	"fmt"
	"io"
	"os"
)

// MaxInput is the limit on netsim's file inputs: far above any real
// scenario or sweep file (a 10,000-host scenario is about 1 MB), far below
// what would hurt.
const MaxInput = 64 << 20

// TooLargeError says a file was larger than the limit it was read with.
type TooLargeError struct {
	Path  string
	Limit int64 // bytes
}

// Error reads "PATH is larger than 64 MiB".
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d MiB", e.Path, e.Limit>>20)
}

// ReadFile reads the file at path, refusing one larger than limit bytes
// with a *TooLargeError. It reads at most limit+1 bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}
