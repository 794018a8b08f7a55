// Package atomicfile writes whole files so that a reader, or a run killed
// half-way, never sees half a file under its final name.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// TempPattern is the glob of the temporary files Write leaves behind only
// when the process dies between creating and renaming one; callers that
// resume work in a folder may remove them.
const TempPattern = ".*.tmp"

// Write writes data to a temporary file beside path (named
// ".<base>.<random>.tmp"), makes it readable by everyone (0644, as an
// ordinary output file) and renames it to path.
func Write(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private (0600).
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
