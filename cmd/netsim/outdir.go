package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/internal/handoff"
	"github.com/netsimlab/netsim/internal/prefetch"
	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/sweep"
)

// outDir is the --out folder of a run, committed once. A run writes every
// file into a fresh temporary folder beside --out (.NAME.netsim-PID-*);
// commit moves its files into --out at the end, the earlier run's out
// first (its manifest first), the manifest (written last) moved in last.
// So --out never holds a half-written file, never the new trace beside
// the old manifest, never the pcaps or plots of an earlier run beside the
// new results. A run that fails before the commit (or is killed) leaves
// --out as it was; the next run into it removes the temporary folder a
// killed run left.
//
// Only what netsim writes is replaced (the files the earlier manifest
// lists, those this run writes, and netsimNames' files): files of the
// user's in --out stay.
type outDir struct {
	root    string // the --out folder
	tmp     string // where this run writes, until commit
	pending []*pendingFile
	held    int      // files held open (at most maxHeldOpen)
	direct  int      // captures written by direct I/O (at most maxDirect)
	written []string // relative paths, in the order they were created
	// kept are the user's files named as netsim view's page and netsim
	// plot's figures (userPages), which the run leaves in place.
	kept []string
	// werr is the first write error. The trace's file is written on the
	// goroutine of sim.JSONLWriter while the run checks failed between
	// slices, so werr is guarded by mu.
	mu   sync.Mutex
	werr error
}

type pendingFile struct {
	rel string
	w   flushWriter
	f   *lazyFile
}

// flushWriter is a buffered writer: a bgWriter for a held file, a
// bufio.Writer for one opened around each write.
type flushWriter interface {
	io.Writer
	Flush() error
}

// lazyFile appends to a file. The first maxHeldOpen files of a run are
// held open from creation to the end of the run; later ones (a run
// capturing thousands of interfaces) are opened only for the length of
// each write, so that a run never holds thousands of descriptors. Its
// first error is kept in the outDir, which the run checks between slices
// of simulated time: a run stops at the first write error (a full disk)
// instead of simulating to the end for nothing.
type lazyFile struct {
	path string
	o    *outDir
	held *os.File  // nil: opened around each write
	bg   *bgWriter // a held file's writer, which buffers it
}

// Write appends p to a file opened around each write (a held one is
// written by its bgWriter).
func (l *lazyFile) Write(p []byte) (int, error) {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		l.o.fail(err)
		return 0, err
	}
	n, err := f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		l.o.fail(err)
	}
	return n, err
}

// close closes a held file (a lazy one has nothing open), once its last
// bytes are written.
func (l *lazyFile) close() error {
	if l.held == nil {
		return nil
	}
	if l.bg != nil {
		l.bg.stop()
	}
	err := l.held.Close()
	l.held = nil
	l.o.held--
	return err
}

// bgWriter buffers a held file and writes each full block on a
// goroutine of its own, so that a run with captures does not wait in
// write(2) (half the time of a run capturing a 1 Gbps link's two
// interfaces, the kernel copying into the page cache): Write copies into
// the current block and, when it is full, hands it over and goes on in
// another block (double buffering, so a byte is copied once, as into a
// bufio.Writer; a capture builds its records in the block itself,
// AvailableBuffer). It is I/O at the edge, outside the simulation path:
// the goroutine sees only finished bytes, in order (one block in flight,
// directDepth for direct I/O, written in the order handed over), and
// decides nothing the simulation reads; the file's bytes are those of
// writing on the caller's goroutine. The goroutine starts with the first
// block and ends at stop. After a write error nothing more is written;
// the error reaches the outDir (which the run checks between slices) and
// Flush.
//
// A capture's writer uses direct I/O where the file system takes it
// (newBGWriter's direct): its blocks go from the buffer to the disk,
// bypassing the page cache, as capture tools that keep up with a line
// rate do (n2disk, for one). Writing a 1 Gbps link's two captures,
// 2.5 GB, through the page cache cost 1.3 to 7.7 s of kernel CPU on the
// 2-core machine, most of it copying into fresh page-cache pages (past
// the dirty-page threshold, about a tenth of the memory, the kernel also
// starts writing back), and varied by as much from run to run; by direct
// I/O the same bytes took 0.4 to 0.6 s, the disk writing them while the
// run goes on (docs/performance.md, Captures by direct I/O). The trace,
// a gigabyte where the captures write 2.5, stays buffered: by direct I/O
// its run was slower (1.7 s against 2.45 s on a quiet machine). Direct
// I/O takes whole blocks from aligned memory at aligned offsets: such a
// writer hands over only full blocks of directBlock bytes, keeps
// directDepth of them in flight (each write waits for the disk), and
// writes its last partial block through the page cache at Flush, after
// turning direct I/O off. Where a direct write is refused (EINVAL: a file
// system that accepted the flag but not the write), the writer goes on
// through the page cache.
type bgWriter struct {
	l      *lazyFile
	buf    []byte // the block being filled; nil until the first Write
	size   int    // a block's size
	direct bool   // blocks are aligned and written by direct I/O (caller's side)
	w      *handoff.Worker[[]byte]
	err    error // the first write error (the worker's while a block is in flight)
}

// Direct I/O's blocks: 1 MiB, four in flight, measured best on the
// 2-core machine's disk (the 2.5 GB capture run above took 2.3-2.5 s of
// wall time with them, 2.4-2.7 s with 512 KiB and two, 2.9-3.8 s with
// 128 or 256 KiB). A writer makes a block only when none has come back
// from the disk, so a capture that the disk keeps up with holds two;
// at most maxDirect files write so, each with at most 5 MiB.
const (
	directBlock = 1 << 20
	directDepth = 4
	directAlign = 4096 // the largest logical block size of common disks
	maxDirect   = 16
)

// newBGWriter returns the writer of a held file with blocks of size
// bytes; with direct, by direct I/O where the file system allows it.
func newBGWriter(l *lazyFile, size int, direct bool) *bgWriter {
	b := &bgWriter{l: l, size: size}
	depth := 1
	if direct && setDirect(l.held, true) == nil {
		b.direct, b.size, depth = true, directBlock, directDepth
	}
	b.w = handoff.NewDepth(b.writeBlock, depth)
	return b
}

// newBlock returns an empty block, aligned in memory for direct I/O.
func (b *bgWriter) newBlock() []byte {
	if !b.direct {
		return make([]byte, 0, b.size)
	}
	raw := make([]byte, b.size+directAlign)
	off := int(uintptr(unsafe.Pointer(&raw[0])) % directAlign)
	if off != 0 {
		off = directAlign - off
	}
	return raw[off : off : off+b.size]
}

// Write appends p to the file; its errors come later (see bgWriter). A
// write of a whole block or more while nothing is buffered goes to the
// file at once, after the block in flight, on the caller's goroutine:
// such writes come from a writer that buffers on a goroutine beside the
// run already (the trace's sim.JSONLWriter hands over 256 KiB at a time),
// for which copying into blocks would cost a copy of the whole trace
// and a hand-over per 128 KiB, and gain nothing.
func (b *bgWriter) Write(p []byte) (int, error) {
	n := len(p)
	if b.buf == nil {
		b.buf = b.newBlock()
	}
	if free := b.buf[len(b.buf):cap(b.buf)]; n > 0 && n <= len(free) && &p[0] == &free[0] {
		// p was built in place, in AvailableBuffer's free end.
		b.buf = b.buf[:len(b.buf)+n]
		if len(b.buf) == cap(b.buf) {
			b.handOff()
		}
		return n, nil
	}
	if !b.direct && len(b.buf) == 0 && n >= cap(b.buf) {
		b.wait()
		b.writeBlock(p)
		return n, nil
	}
	for len(p) > 0 {
		k := copy(b.buf[len(b.buf):cap(b.buf)], p)
		b.buf, p = b.buf[:len(b.buf)+k], p[k:]
		if len(b.buf) == cap(b.buf) {
			b.handOff()
		}
	}
	return n, nil
}

// AvailableBuffer returns the free end of the current block, empty, to
// be appended to and passed to the next Write (as bufio.Writer's), which
// then copies nothing: a capture builds its records so.
func (b *bgWriter) AvailableBuffer() []byte {
	if b.buf == nil {
		b.buf = b.newBlock()
	}
	n := len(b.buf)
	if ahead := n + 2*recordAhead; ahead <= cap(b.buf) {
		// The block's lines are cold (a capture's blocks cycle through
		// megabytes): ask for those of the next record now, so that its
		// copy does not wait for them with the stores of this one.
		prefetch.Lines(unsafe.Pointer(&b.buf[:ahead][n+recordAhead]), recordAhead)
	}
	return b.buf[n:n]
}

// recordAhead is about a capture record's size (a full-sized datagram
// and its record header): AvailableBuffer prefetches that much of the
// block, that far ahead.
const recordAhead = 1536

// handOff gives the current block to the worker and goes on in the other
// one.
func (b *bgWriter) handOff() {
	next, ok := b.w.Hand(b.buf)
	if !ok {
		next = b.newBlock()
	}
	b.buf = next[:0]
}

// writeBlock writes a block, on the worker, unless a write failed before.
func (b *bgWriter) writeBlock(blk []byte) {
	if b.err != nil {
		return
	}
	n, err := b.l.held.Write(blk)
	if err != nil && errors.Is(err, syscall.EINVAL) && setDirect(b.l.held, false) == nil {
		// Refused by direct I/O (which writes nothing of a call it
		// refuses: n counts what earlier calls of this Write took):
		// the rest through the page cache, and so from now on.
		_, err = b.l.held.Write(blk[n:])
	}
	if err != nil {
		b.err = err
		b.l.o.fail(err)
	}
}

// wait waits for the block in flight, if any, to be written.
func (b *bgWriter) wait() { b.w.Wait() }

// Flush writes what is buffered, waits until every block is written and
// returns the first write error.
func (b *bgWriter) Flush() error {
	if b.direct && len(b.buf) > 0 {
		// Direct I/O writes whole blocks only: the last bytes (a partial
		// block: Write hands a block over as soon as it is full) go
		// through the page cache once the blocks before them are on disk.
		b.wait()
		b.direct = false
		if err := setDirect(b.l.held, false); err != nil && b.err == nil {
			b.err = err
			b.l.o.fail(err)
		}
	}
	if len(b.buf) > 0 {
		b.handOff()
	}
	b.wait()
	return b.err
}

// stop waits for the block in flight and ends the worker; what is still
// buffered is dropped (Flush first to keep it).
func (b *bgWriter) stop() { b.w.Stop() }

// Buffer sizes: files held open get large buffers (the trace, and the
// captures of a run with few interfaces: a 1 Gbps capture writes a
// 128 KiB block about every millisecond of simulated time); files opened
// per write get small ones, so that thousands of them take little memory.
const (
	bufHeld = 128 << 10
	bufLazy = 4 << 10
)

// maxHeldOpen is the most files a run holds open. A variable only so that
// a test can make every file lazy, and so swap one under a running run.
var maxHeldOpen = 64

// tmpMark is in the name of every temporary folder, after ".NAME": the
// PID of the process that writes it follows, so that a later run can tell
// a killed run's leftovers (PID gone) from a run still going.
const tmpMark = ".netsim-"

// netsimNames are the files netsim writes in an output folder, replaced
// even when no manifest lists them: those at the top, and the capture
// of netsim drill, which writes no manifest (netsim view's page,
// view.html, describes the run it was drawn from, unless it is the
// user's: see userPages).
var netsimNames = []string{"manifest.json", "summary.json", "trace.jsonl", "view.html",
	"pcap/" + drillstack.HostName + "-eth0.pcap"}

// isFigureName reports whether name is one netsim plot gives a figure in
// plots/ by default, plots/<kind>[-<conn>].<format>: a figure of the
// earlier run, which a new run replaces even when no manifest lists it.
func isFigureName(name string) bool {
	ext := filepath.Ext(name)
	if ext != ".png" && ext != ".svg" && ext != ".pdf" {
		return false
	}
	base := strings.TrimSuffix(name, ext)
	for _, k := range plots.Kinds() {
		rest, ok := strings.CutPrefix(base, k)
		if !ok {
			continue
		}
		if rest == "" {
			return true
		}
		if n, ok := strings.CutPrefix(rest, "-"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	return false
}

// newOutDir checks that root can be replaced (it is missing, empty or
// holds only netsim outputs), removes the temporaries of killed runs
// beside it, and makes this run's temporary folder.
func newOutDir(root string) (*outDir, error) {
	root = filepath.Clean(root)
	if err := replaceable(root); err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(root), filepath.Base(root)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	cleanLeftovers(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+tmpMark+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	// MkdirTemp makes the folder private (0700); outputs are ordinary.
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("output folder: %w", err)
	}
	o := &outDir{root: root, tmp: tmp}
	o.kept = o.userPages()
	return o, nil
}

// replaceable reports why root cannot take a run's outputs: it is not a
// folder, it holds a sweep (whose aggregate.csv would make netsim plot
// read the run's folder as a sweep's), or it is the current folder or one
// above it (whose netsim files would be replaced under the user's feet).
func replaceable(root string) error {
	fi, err := os.Stat(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output folder %s: not a folder", root)
	}
	if _, err := os.Stat(filepath.Join(root, sweep.ManifestFile)); err == nil {
		return fmt.Errorf("output folder %s: holds a netsim sweep (%s): give the run a folder of its own, like out/NAME", root, sweep.ManifestFile)
	}
	if sweep.HoldsWorkingFolder(root) {
		return fmt.Errorf("output folder %s: is the current folder or holds it: give a folder of its own, like out/NAME", root)
	}
	return nil
}

// Caps on the files netsim reads, so that a wrong path (/dev/zero, a huge
// file) is an error rather than an out-of-memory: every input file at
// 64 MiB like scenarios (the scenario loader has its own), one trace line
// read back at 1 MiB (a record is a few hundred bytes).
const (
	maxInputBytes    = capped.MaxInput
	maxManifestBytes = maxInputBytes
	maxTraceLine     = 1 << 20
)

// errLineTooLong is the error of a trace line longer than maxTraceLine.
var errLineTooLong = errors.New("a line is longer than 1 MiB: not a netsim trace")

// capLines returns r, failing with errLineTooLong once more than limit
// bytes come without a newline.
func capLines(r io.Reader, limit int) io.Reader { return &lineCapReader{r: r, limit: limit} }

type lineCapReader struct {
	r     io.Reader
	limit int
	run   int // bytes since the last newline
}

func (l *lineCapReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.run = 0
			continue
		}
		if l.run++; l.run > l.limit {
			return i, errLineTooLong
		}
	}
	return n, err
}

// cleanLeftovers removes the temporary folders of runs into base that were
// killed (their process is gone): SIGKILL, a crash or a power cut.
func cleanLeftovers(parent, base string) {
	matches, _ := filepath.Glob(filepath.Join(parent, "."+globEscape(base)+tmpMark+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+tmpMark)
		pidStr, _, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		os.RemoveAll(m)
	}
}

// globEscape quotes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fail keeps the first write error.
func (o *outDir) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.werr == nil {
		o.werr = err
	}
}

// failed returns the first write error, if any; nil for a nil outDir.
func (o *outDir) failed() error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.werr
}

// create makes rel in the temporary folder and returns a buffered writer
// to it: the first maxHeldOpen files are held open with large buffers,
// later ones opened around each write with small ones.
func (o *outDir) create(rel string) (io.Writer, error) { return o.open(rel, false) }

// createCapture is create for a capture, which a held file writes by
// direct I/O where the file system allows it (see bgWriter).
func (o *outDir) createCapture(rel string) (io.Writer, error) { return o.open(rel, true) }

// open is create, and createCapture with direct.
func (o *outDir) open(rel string, direct bool) (io.Writer, error) {
	full := o.path(rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", rel, err)
	}
	lf := &lazyFile{path: full, o: o}
	var w flushWriter
	if o.held < maxHeldOpen {
		lf.held = f
		lf.bg = newBGWriter(lf, bufHeld, direct && o.direct < maxDirect)
		if lf.bg.direct {
			o.direct++
		}
		w = lf.bg
		o.held++
	} else if err := f.Close(); err != nil {
		return nil, fmt.Errorf("output %s: %w", rel, err)
	} else {
		w = bufio.NewWriterSize(lf, bufLazy)
	}
	p := &pendingFile{rel: rel, w: w, f: lf}
	o.pending = append(o.pending, p)
	o.written = append(o.written, rel)
	return p.w, nil
}

// flush writes out every buffered file and returns the first write error
// of the run.
func (o *outDir) flush() error {
	for _, p := range o.pending {
		if o.failed() != nil {
			_ = p.f.close() // after a failure, only close what is open
			continue
		}
		if err := p.w.Flush(); err != nil {
			o.fail(fmt.Errorf("output %s: %w", p.rel, err))
		}
		if err := p.f.close(); err != nil {
			o.fail(fmt.Errorf("output %s: %w", p.rel, err))
		}
	}
	o.pending = nil
	if err := o.failed(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// writeFile writes rel in the temporary folder in one go.
func (o *outDir) writeFile(rel string, data []byte) error {
	w, err := o.create(rel)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("output %s: %w", rel, err)
	}
	return o.flush()
}

// commit flushes every file and moves them into root: first the earlier
// run's files leave root (its manifest first), then the new ones come in
// (the manifest last), so root never shows a new file beside an old
// manifest, nor a stale pcap or plot of an earlier run beside new
// results. Files of the user's in root stay. If a move fails, the moves
// done are undone; on any error nothing of this run remains.
func (o *outDir) commit() error {
	if err := o.flush(); err != nil {
		o.abort()
		return err
	}
	if _, err := os.Lstat(o.root); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(o.tmp, o.root); err != nil {
			o.abort()
			return fmt.Errorf("output folder: %w", err)
		}
		return nil
	}
	trash := o.tmp + "-old"
	var done [][2]string // renames made, to undo on error
	move := func(from, to string) error {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
		done = append(done, [2]string{from, to})
		return nil
	}
	stale := o.stale()
	err := func() error {
		for _, rel := range stale {
			if err := move(filepath.Join(o.root, rel), filepath.Join(trash, rel)); err != nil {
				return err
			}
		}
		news, err := filesUnder(o.tmp)
		if err != nil {
			return err
		}
		for _, rel := range news {
			if err := move(filepath.Join(o.tmp, rel), filepath.Join(o.root, rel)); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		for i := len(done) - 1; i >= 0; i-- {
			os.Rename(done[i][1], done[i][0])
		}
		os.RemoveAll(trash)
		o.abort()
		return fmt.Errorf("output folder: %w", err)
	}
	os.RemoveAll(trash)
	os.RemoveAll(o.tmp)
	// Folders the earlier run's files left empty go too (Remove fails,
	// as it should, on a folder that is not empty).
	for _, rel := range stale {
		for d := filepath.Dir(rel); d != "." && d != "/"; d = filepath.Dir(d) {
			if os.Remove(filepath.Join(o.root, d)) != nil {
				break
			}
		}
	}
	return nil
}

// filesUnder lists the files under dir as slash-separated relative paths,
// manifest.json last.
func filesUnder(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	slices.SortStableFunc(out, func(a, b string) int {
		return boolInt(a == "manifest.json") - boolInt(b == "manifest.json")
	})
	return out, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stale lists the files of root that this run's outputs replace, the
// manifest first: the files netsim writes at the top (netsimNames), every
// file the earlier run's manifest lists, every file this run wrote, and
// the temporaries of an older netsim (.NAME.tmp-*). The rest is the
// user's and stays, as do the user's pages and figures named as netsim's
// (keptPages). Only plain files reached through real folders inside
// root are listed, so that a manifest cannot name a file elsewhere.
func (o *outDir) stale() []string {
	cands := slices.Clone(netsimNames)
	cands = append(cands, o.written...)
	var m struct {
		Files []string `json:"files"`
	}
	if data, err := capped.ReadFile(filepath.Join(o.root, "manifest.json"), maxManifestBytes); err == nil && json.Unmarshal(data, &m) == nil {
		cands = append(cands, m.Files...)
	}
	for _, d := range []string{".", "pcap", "plots"} {
		entries, _ := os.ReadDir(filepath.Join(o.root, d))
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") || d == "plots" && isFigureName(name) {
				cands = append(cands, filepath.ToSlash(filepath.Join(d, name)))
			}
		}
	}
	kept := o.keptPages()
	var out []string
	for _, rel := range cands {
		rel = filepath.ToSlash(filepath.Clean(rel))
		if slices.Contains(out, rel) || !o.inside(rel) || slices.Contains(kept, rel) {
			continue
		}
		out = append(out, rel)
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return boolInt(b == "manifest.json") - boolInt(a == "manifest.json")
	})
	return out
}

// userPages lists the files of root named as netsim view's page
// (view.html) and netsim plot's figures (plots/<kind>[-<conn>].<format>)
// that are the user's, not drawn from a run: all of them in a folder that
// held no run (no manifest.json of netsim run, no trace.jsonl of netsim
// drill --out: both draw from a trace.jsonl), and those the earlier run's
// manifest kept so. A run's manifest lists them as kept (keptPages), so
// that the runs after the first one into the folder keep them too.
func (o *outDir) userPages() []string {
	var cands []string
	if !o.inside("manifest.json") && !o.inside("trace.jsonl") {
		cands = append(cands, "view.html")
		entries, _ := os.ReadDir(filepath.Join(o.root, "plots"))
		for _, e := range entries {
			cands = append(cands, "plots/"+e.Name())
		}
	} else {
		cands = manifestKept(o.root)
	}
	var out []string
	for _, rel := range cands {
		dir, name := path.Split(rel)
		page := rel == "view.html" || dir == "plots/" && isFigureName(name)
		if page && !slices.Contains(out, rel) && o.inside(rel) {
			out = append(out, rel)
		}
	}
	return out
}

// manifestKept returns the kept list of the manifest of the run in dir:
// the user's files at the names netsim view and netsim plot write by
// default (userPages), which those commands must not write over. A
// folder without a readable manifest keeps none.
func manifestKept(dir string) []string {
	var m struct {
		Kept []string `json:"kept"`
	}
	data, err := capped.ReadFile(filepath.Join(dir, "manifest.json"), maxManifestBytes)
	if err != nil || json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m.Kept
}

// keptPages are the user's pages and figures (userPages) that this run
// leaves in place: those it did not write over itself.
func (o *outDir) keptPages() []string {
	var out []string
	for _, rel := range o.kept {
		if !slices.Contains(o.written, rel) {
			out = append(out, rel)
		}
	}
	return out
}

// inside reports whether rel names a regular file under root reached
// through real folders (no "..", no absolute path, no symbolic link).
func (o *outDir) inside(rel string) bool {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return false
	}
	p := o.root
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return false
		}
		if last := i == len(parts)-1; last && !fi.Mode().IsRegular() || !last && !fi.IsDir() {
			return false
		}
	}
	return true
}

// abort removes the temporary folder and everything in it.
func (o *outDir) abort() {
	for _, p := range o.pending {
		_ = p.f.close()
	}
	o.pending = nil
	os.RemoveAll(o.tmp)
}

// path returns where rel is written until the commit.
func (o *outDir) path(rel string) string { return filepath.Join(o.tmp, rel) }
