package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// outDir is the --out folder of a run. Files are written beside their final
// name and renamed into place only when the run completes, so a failed or
// interrupted run never leaves a half-written file behind, and files the
// run does not write (of an earlier run, or the user's) are left alone.
type outDir struct {
	root    string
	pending []*pendingFile
	written []string // relative paths, in the order they were committed
}

type pendingFile struct {
	rel, tmp string
	f        *lazyFile
	w        *bufio.Writer
}

// lazyFile appends to a file that it opens only for the length of each
// write, so that a run with thousands of pcap files never holds thousands
// of descriptors.
type lazyFile struct {
	path string
}

// Write appends p to the file, opening and closing it around the write.
func (l *lazyFile) Write(p []byte) (int, error) {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return 0, err
	}
	n, err := f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// Close does nothing: nothing stays open.
func (l *lazyFile) Close() error { return nil }

// Buffer sizes: the trace is one big stream; pcaps are many small ones.
const (
	bufLarge = 64 << 10
	bufSmall = 4 << 10
)

func newOutDir(root string) (*outDir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	return &outDir{root: root}, nil
}

// create makes a temporary file beside rel and returns a buffered writer
// to it; commit renames it to rel. Top-level files (the trace) get a large
// buffer, files in subfolders (pcaps, one per interface) a small one.
func (o *outDir) create(rel string) (*bufio.Writer, error) {
	final := filepath.Join(o.root, rel)
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", rel, err)
	}
	// CreateTemp makes the file private (0600); outputs are ordinary files.
	err = f.Chmod(0o644)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("output %s: %w", rel, err)
	}
	size := bufSmall
	if filepath.Dir(rel) == "." {
		size = bufLarge
	}
	lf := &lazyFile{path: f.Name()}
	p := &pendingFile{rel: rel, tmp: f.Name(), f: lf, w: bufio.NewWriterSize(lf, size)}
	o.pending = append(o.pending, p)
	return p.w, nil
}

// commit flushes, closes and renames every pending file into place.
func (o *outDir) commit() error {
	var errs []error
	for _, p := range o.pending {
		err := p.w.Flush()
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(p.tmp, filepath.Join(o.root, p.rel))
		}
		if err != nil {
			os.Remove(p.tmp)
			errs = append(errs, fmt.Errorf("output %s: %w", p.rel, err))
			continue
		}
		o.written = append(o.written, p.rel)
	}
	o.pending = nil
	return errors.Join(errs...)
}

// abort removes every pending file.
func (o *outDir) abort() {
	for _, p := range o.pending {
		p.f.Close()
		os.Remove(p.tmp)
	}
	o.pending = nil
}

// writeFile writes data to rel atomically.
func (o *outDir) writeFile(rel string, data []byte) error {
	w, err := o.create(rel)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		o.abort()
		return fmt.Errorf("output %s: %w", rel, err)
	}
	return o.commit()
}

// path returns the full path of rel.
func (o *outDir) path(rel string) string { return filepath.Join(o.root, rel) }
