package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/internal/capped"
)

// ErrLocked is wrapped by the error of Execute and Merge when another
// netsim process is writing the same sweep folder.
var ErrLocked = errors.New("the sweep folder is in use")

// LockFile is the lock a sweep holds on its folder while it writes there,
// so that two sweeps (or a sweep and a merge) never write one folder at
// once: their runs would mix, and aggregate.csv would hold values that
// sweep.json lacks. It holds the PID of its owner.
const LockFile = ".lock"

// ErrRunFolder is wrapped by the error of Execute and Merge when the
// output folder holds the outputs of a netsim run (its manifest.json): a
// sweep and its base scenario default to the same out/NAME, and mixed
// with a sweep's files a run's could no longer be plotted as a run's.
var ErrRunFolder = errors.New("not a sweep's folder")

// ErrOutFolder is wrapped by the error of Execute and Merge when the
// output folder is the working folder or one above it (as netsim run
// refuses): the sweep's files would land among the user's and replace
// any of theirs with the same names (results.csv, aggregate.csv).
var ErrOutFolder = errors.New("not a folder of its own")

// ErrOtherSweep is wrapped by the error of Execute and Merge when the
// output folder holds another sweep (another name in its sweep.json):
// its results.csv, aggregate.csv and sweep.json would be replaced and
// the two sweeps' runs mixed in runs/.
var ErrOtherSweep = errors.New("another sweep's folder")

// checkSameSweep returns an ErrOtherSweep error when dir holds the
// sweep.json of a sweep named other than name, or, when shard is one
// shard of the sweep, of another shard or the whole sweep: the shard's
// results.csv and sweep.json would replace theirs, which list runs this
// shard does not have. The whole sweep may go where one of its shards
// ran: it completes that folder.
func checkSameSweep(dir, name string, shard Shard) error {
	m, err := ReadManifest(dir)
	if err != nil || m.Name == "" {
		return nil
	}
	if m.Name != name {
		return fmt.Errorf("%w: %s holds the sweep %q (its %s), not %q: give this sweep a folder of its own with --out", ErrOtherSweep, dir, m.Name, ManifestFile, name)
	}
	if shard != (Shard{}) && m.Shard != shard.String() {
		what := "shard " + m.Shard
		if m.Shard == (Shard{}).String() {
			what = "the whole sweep"
		}
		return fmt.Errorf("%w: %s holds %s of %q (its %s), not shard %s: give each shard a folder of its own with --out", ErrOtherSweep, dir, what, name, ManifestFile, shard)
	}
	return nil
}

// runManifest is the file a netsim run writes last into its folder.
const runManifest = "manifest.json"

// checkNotRunDir returns an ErrOutFolder error when dir is the working
// folder or holds it, and an ErrRunFolder error when dir holds a run's
// manifest.json.
func checkNotRunDir(dir string) error {
	if HoldsWorkingFolder(dir) {
		return fmt.Errorf("%w: output folder %s is the current folder or holds it: give the sweep a folder of its own with --out, like out/NAME", ErrOutFolder, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, runManifest)); err == nil {
		return fmt.Errorf("%w: %s holds the outputs of a netsim run (%s); give the sweep a folder of its own with --out", ErrRunFolder, dir, runManifest)
	}
	return nil
}

// HoldsWorkingFolder reports whether dir is the working folder or one
// above it, symbolic links followed (a link to "." is the working
// folder): an output folder that would put netsim's files among the
// user's, which netsim run and netsim sweep refuse. The root folder ends
// in a separator already, hence TrimSuffix.
func HoldsWorkingFolder(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	wd, err := os.Getwd()
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	sep := string(filepath.Separator)
	return wd == abs || strings.HasPrefix(wd, strings.TrimSuffix(abs, sep)+sep)
}

// lockDir takes dir's lock, or returns an ErrLocked error naming the
// process that holds it. unlock releases it.
func lockDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("output folder: lock %s: %w", path, err)
	}
	if !held {
		data, _ := capped.ReadFile(path, 64)
		f.Close()
		who := "another netsim process"
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
			who = fmt.Sprintf("another netsim process (PID %d)", pid)
		}
		return nil, fmt.Errorf("%w: %s is being written by %s; wait for it to finish, or give another --out", ErrLocked, dir, who)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
