package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/sweep"
)

// write makes rel in o with content.
func write(t *testing.T, o *outDir, rel, content string) {
	t.Helper()
	w, err := o.create(rel)
	require.NoError(t, err)
	_, err = io.WriteString(w, content)
	require.NoError(t, err)
}

// tree lists the files under root as rel=content, and the temporaries
// beside it.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if p == root && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		require.NoError(t, err)
		if d.Type()&os.ModeSymlink != 0 {
			rel, _ := filepath.Rel(root, p)
			got[filepath.ToSlash(rel)] = "symlink"
			return nil
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			rel, _ := filepath.Rel(root, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	left, err := filepath.Glob(filepath.Join(filepath.Dir(root), ".*"+tmpMark+"*"))
	require.NoError(t, err)
	for _, l := range left {
		got["TEMPORARY "+filepath.Base(l)] = ""
	}
	return got
}

// TestOutDirCommitAndAbort: an aborted run leaves the folder as it was and
// no temporary; a committed one replaces every file of the earlier run
// (also those it does not write again: no stale pcap or plot beside the
// new results) and keeps the user's files (issue 16).
func TestOutDirCommitAndAbort(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	o, err := newOutDir(root)
	require.NoError(t, err)
	write(t, o, "pcap/old-eth0.pcap", "old pcap")
	write(t, o, "plots/cwnd-1.svg", "old plot")
	write(t, o, "listed/extra.txt", "listed by the manifest")
	require.NoError(t, o.writeFile("manifest.json", []byte(`{"files": ["pcap/old-eth0.pcap", "plots/cwnd-1.svg", "listed/extra.txt", "../escape.txt", "/etc/passwd", "link/x"]}`)))
	require.NoError(t, o.commit())
	require.NoError(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, ".summary.json.tmp-123"), []byte("older netsim's"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "plots", "mine.png"), []byte("mine too"), 0o644))
	// A manifest cannot make netsim remove files outside the folder.
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(root), "escape.txt"), []byte("outside"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(filepath.Dir(root), "elsewhere"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(root), "elsewhere", "x"), []byte("outside"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(filepath.Dir(root), "elsewhere"), filepath.Join(root, "link")))
	first := tree(t, root)
	assert.Len(t, first, 8)

	o, err = newOutDir(root)
	require.NoError(t, err)
	write(t, o, "summary.json", "half")
	o.abort()
	assert.Equal(t, first, tree(t, root), "an aborted run changes nothing")

	o, err = newOutDir(root)
	require.NoError(t, err)
	write(t, o, "pcap/new-eth0.pcap", "new pcap")
	require.NoError(t, o.writeFile("summary.json", []byte("new")))
	require.NoError(t, o.writeFile("manifest.json", []byte("{}")))
	require.NoError(t, o.commit())
	assert.Equal(t, []string{"pcap/new-eth0.pcap", "summary.json", "manifest.json"}, o.written)
	assert.Equal(t, map[string]string{"pcap/new-eth0.pcap": "new pcap", "summary.json": "new", "manifest.json": "{}", "notes.txt": "mine",
		"plots/mine.png": "mine too", "link": "symlink"}, tree(t, root))
	assert.NoDirExists(t, filepath.Join(root, "listed"), "a folder the earlier run's files left empty goes")
	assert.FileExists(t, filepath.Join(filepath.Dir(root), "escape.txt"))
	assert.FileExists(t, filepath.Join(filepath.Dir(root), "elsewhere", "x"))
}

// TestOutDirDropsStaleViewAndFigures: the page of netsim view and the
// figures of netsim plot at their default places describe the earlier run,
// which no manifest lists: a new run removes them, so that the folder never
// holds a mix of two runs. Figures of other names are the user's and stay.
func TestOutDirDropsStaleViewAndFigures(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "plots"), 0o755))
	for rel, text := range map[string]string{"manifest.json": "{}", "view.html": "old page", "plots/cwnd-1.png": "old",
		"plots/delay-cdf.svg": "old", "plots/sequence.pdf": "old", "plots/mine.png": "mine", "plots/cwnd-final.png": "mine",
		"my-view.html": "mine"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644))
	}
	o, err := newOutDir(root)
	require.NoError(t, err)
	require.NoError(t, o.writeFile("manifest.json", []byte("{}")))
	require.NoError(t, o.commit())
	assert.Equal(t, map[string]string{"manifest.json": "{}", "plots/mine.png": "mine", "plots/cwnd-final.png": "mine",
		"my-view.html": "mine"}, tree(t, root))
}

// TestOutDirKeepsPagesOfAFolderWithoutARun: a view.html or a figure named
// like netsim plot's in a folder that never held a run (no manifest.json
// of netsim run, no trace.jsonl of netsim drill --out, which netsim view
// and netsim plot need to draw there) was not drawn from a run: it is the
// user's, and a first run into the folder keeps it.
func TestOutDirKeepsPagesOfAFolderWithoutARun(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "plots"), 0o755))
	mine := map[string]string{"view.html": "my page", "plots/cwnd-1.png": "my figure", "plots/throughput.svg": "mine too"}
	for rel, text := range mine {
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644))
	}
	o, err := newOutDir(root)
	require.NoError(t, err)
	require.NoError(t, o.writeFile("manifest.json", []byte("{}")))
	require.NoError(t, o.commit())
	mine["manifest.json"] = "{}"
	assert.Equal(t, mine, tree(t, root))
}

// TestOutDirStaleOrder: while a commit moves files, the earlier manifest
// leaves first and the new one comes last, so a manifest never describes
// files it did not list.
func TestOutDirStaleOrder(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"a.txt", "manifest.json", "summary.json", "zz"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, n), nil, 0o644))
	}
	o := &outDir{root: root, written: []string{"zz"}}
	assert.Equal(t, []string{"manifest.json", "summary.json", "zz"}, o.stale())
	news, err := filesUnder(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.txt", "summary.json", "zz", "manifest.json"}, news)
}

// TestOutDirWriteError: the first write error (a full disk) is kept, the
// commit refuses, and nothing of the run remains.
func TestOutDirWriteError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	for _, held := range []bool{true, false} {
		root := filepath.Join(t.TempDir(), "out")
		o, err := newOutDir(root)
		require.NoError(t, err)
		if !held {
			for i := range maxHeldOpen {
				_, err := o.create(fmt.Sprintf("pcap/%d.pcap", i))
				require.NoError(t, err)
			}
		}
		w, err := o.create("trace.jsonl")
		require.NoError(t, err)
		lf := o.pending[len(o.pending)-1].f
		require.Equal(t, held, lf.held != nil, "held open")
		if held {
			// The file is open already: point its descriptor at the full disk.
			require.NoError(t, lf.held.Close())
			lf.held, err = os.OpenFile("/dev/full", os.O_WRONLY, 0)
			require.NoError(t, err)
		} else {
			require.NoError(t, os.Remove(o.path("trace.jsonl")))
			require.NoError(t, os.Symlink("/dev/full", o.path("trace.jsonl")))
		}
		_, _ = w.Write(make([]byte, 2*bufHeld))
		if held {
			lf.bg.wait() // a held file is written on a goroutine beside the run
		}
		require.ErrorIs(t, o.failed(), syscall.ENOSPC)
		err = o.commit()
		require.ErrorIs(t, err, syscall.ENOSPC)
		assert.NoDirExists(t, root)
		assert.Empty(t, tree(t, root))
		assert.Zero(t, o.held, "every held file closed")
	}
}

// TestBGWriterOrder: small writes (through blocks, written on the
// worker) and writes of a block or more (straight to the file when
// nothing is buffered) reach the file whole and in order; so do a
// capture's (createCapture), written by direct I/O in whole aligned blocks
// where the file system takes it, its last partial block through the
// page cache. Writes built in AvailableBuffer's free end are kept where
// they were built.
func TestBGWriterOrder(t *testing.T) {
	for _, capture := range []bool{false, true} {
		root := filepath.Join(t.TempDir(), "out")
		o, err := newOutDir(root)
		require.NoError(t, err)
		create, size := o.create, bufHeld
		if capture {
			create, size = o.createCapture, directBlock
		}
		w, err := create("f")
		require.NoError(t, err)
		var want []byte
		lend := w.(interface{ AvailableBuffer() []byte })
		for i, n := range []int{10, size - 10, 3 * size, 7, 2*size + 5, size - 12, size, 1, size, 4093, 100, size - 200, 300} {
			p := bytes.Repeat([]byte{byte('a' + i)}, n)
			inPlace := false
			if b := lend.AvailableBuffer(); i >= 10 && cap(b) >= n {
				p, inPlace = append(b, p...), true // as a capture builds its records
			}
			_, err := w.Write(p)
			require.NoError(t, err)
			if !inPlace {
				p[0] = '!' // the caller reuses its buffer once Write returns
			}
			want = append(want, bytes.Repeat([]byte{byte('a' + i)}, n)...)
		}
		require.NoError(t, o.flush())
		got, err := os.ReadFile(o.path("f"))
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "the bytes in order (capture %v)", capture)
		o.abort()
	}
}

// TestBGWriterDirect: a capture's blocks are aligned for direct I/O, at
// most maxDirect captures are written so, and a block that direct I/O
// refuses (here one that is not aligned) is written through the page
// cache instead, the writer going on so.
func TestBGWriterDirect(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	o, err := newOutDir(root)
	require.NoError(t, err)
	_, err = o.createCapture("c.pcap")
	require.NoError(t, err)
	b := o.pending[0].f.bg
	if !b.direct {
		o.abort()
		t.Skip("the file system of the temporary folder refuses direct I/O")
	}
	for i := 1; i <= maxDirect; i++ {
		_, err = o.createCapture(fmt.Sprintf("c%d.pcap", i))
		require.NoError(t, err)
	}
	assert.True(t, o.pending[maxDirect-1].f.bg.direct)
	assert.False(t, o.pending[maxDirect].f.bg.direct, "at most maxDirect captures by direct I/O")
	blk := b.newBlock()
	require.Equal(t, directBlock, cap(blk))
	require.Zero(t, uintptr(unsafe.Pointer(&blk[:1][0]))%directAlign, "aligned")
	odd := make([]byte, directBlock+1)[1:] // not aligned: EINVAL
	for i := range odd {
		odd[i] = byte(i)
	}
	b.writeBlock(odd)
	require.NoError(t, b.err)
	require.NoError(t, o.flush())
	got, err := os.ReadFile(o.path("c.pcap"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(odd, got))
	o.abort()
}

// TestOutDirLeftovers: the temporary folder of a killed run (its process
// gone) is removed by the next run into the same folder; one of a run
// still going, or of another folder, is not.
func TestOutDirLeftovers(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	dead := cmd.Process.Pid
	require.False(t, processAlive(dead))
	mk := func(name string) string {
		p := filepath.Join(parent, name)
		require.NoError(t, os.MkdirAll(filepath.Join(p, "pcap"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(p, "pcap", "big.pcap"), []byte("x"), 0o644))
		return p
	}
	killed := mk(".out" + tmpMark + strconv.Itoa(dead) + "-123")
	killedOld := mk(".out" + tmpMark + strconv.Itoa(dead) + "-123-old")
	live := mk(".out" + tmpMark + strconv.Itoa(os.Getppid()) + "-456")
	other := mk(".other" + tmpMark + strconv.Itoa(dead) + "-789")
	o, err := newOutDir(root)
	require.NoError(t, err)
	defer o.abort()
	assert.NoDirExists(t, killed)
	assert.NoDirExists(t, killedOld)
	assert.DirExists(t, live)
	assert.DirExists(t, other)
}

// TestOutDirRefuses: --out must be a folder of its own.
func TestOutDirRefuses(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	// The root folder holds every working folder: it failed later, in
	// MkdirTemp ("pattern contains path separator"), instead.
	for _, root := range []string{".", "..", wd, string(filepath.Separator)} {
		_, err := newOutDir(root)
		assert.ErrorContains(t, err, "is the current folder or holds it", root)
	}
}

// TestOutDirRefusesALinkToTheWorkingFolder: a symbolic link to the
// working folder (or above it) is that folder: the run wrote its files
// there, replacing a summary.json of the user's.
func TestOutDirRefusesALinkToTheWorkingFolder(t *testing.T) {
	wd := filepath.Join(t.TempDir(), "work")
	require.NoError(t, os.Mkdir(wd, 0o755))
	t.Chdir(wd)
	require.NoError(t, os.Symlink(".", "self"))
	require.NoError(t, os.Symlink("..", "up"))
	for _, root := range []string{"self", "up", filepath.Join(wd, "self")} {
		_, err := newOutDir(root)
		assert.ErrorContains(t, err, "is the current folder or holds it", root)
	}
}

// TestOutDirRefusesASweepFolder: a run never writes into a sweep's folder
// (out/NAME of a sweep and of its base scenario): mixed with the run's
// files, aggregate.csv would make netsim plot read the folder as a sweep.
func TestOutDirRefusesASweepFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, sweep.ManifestFile), []byte("{}\n"), 0o644))
	_, err := newOutDir(dir)
	assert.ErrorContains(t, err, "holds a netsim sweep (sweep.json): give the run a folder of its own")
	code, _, stderr := cli(t, "run", handshake, "--out", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "holds a netsim sweep")
	assert.NoFileExists(t, filepath.Join(dir, "manifest.json"))
}

func TestOutDirUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := newOutDir(filepath.Join(file, "out"))
	assert.Error(t, err)
	code, _, stderr := cli(t, "run", handshake, "--out", filepath.Join(file, "out"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "output folder")
}

func TestProgressBar(t *testing.T) {
	var nilBar *progressBar
	nilBar.update(5) // a nil bar does nothing
	nilBar.done()

	var buf bytes.Buffer
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressBarClock(&buf, true, sim.Time(10e9), func() uint64 { return 3000 }, func() time.Time { return wall })
	wall = wall.Add(time.Second)
	p.update(sim.Time(5e9))
	assert.Empty(t, buf.String(), "nothing in the first two seconds")

	wall = wall.Add(2 * time.Second)
	p.update(sim.Time(5e9))
	out := buf.String()
	assert.Contains(t, out, "\r[===============               ] 5.000000000s / 10.000000000s   50%")
	assert.Contains(t, out, "events/s")
	assert.Contains(t, out, "ETA 3s")
	p.done()
	assert.Contains(t, buf.String(), "\r\033[K")
}
