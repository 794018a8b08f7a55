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
	f        *os.File
	w        *bufio.Writer
}

func newOutDir(root string) (*outDir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	return &outDir{root: root}, nil
}

// create opens a buffered temporary file that commit renames to rel.
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
	p := &pendingFile{rel: rel, tmp: f.Name(), f: f, w: bufio.NewWriterSize(f, 64<<10)}
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
