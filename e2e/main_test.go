// Package e2e holds netsim's acceptance tests: they drive the netsim binary
// the way a user does (a scenario file in, an output folder out) and check
// what it leaves behind against arithmetic, models and Linux's wire
// behaviour worked out here, independently of the code under test.
//
// The default run is fast. Long checks (tshark over every scenario, more
// seeds, longer transfers) run with `go test ./e2e -long` or NETSIM_LONG=1
// (NETSIM_E2E_LONG=1 still works); -short leaves out the slow checks.
// Checks that need tshark skip when it is not on PATH.
package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

// netsimBin is the netsim binary built once by TestMain.
var netsimBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "netsim-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	netsimBin = filepath.Join(dir, "netsim")
	build := exec.Command("go", "build", "-o", netsimBin, "github.com/netsimlab/netsim/cmd/netsim")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building netsim:", err)
		return 2
	}
	return m.Run()
}

// sources stats, once, every Go source file of the module and go.mod
// (statSources).
var sources sync.Once

// statSources stats every Go source file of the module and go.mod: go
// test's cache reruns a test when a file it looked at during the tests
// changed, and the netsim binary built by TestMain depends on code
// (cmd/netsim) that this test binary does not import, so without this an
// edit there left the suite's result cached. netsim calls it once.
func statSources(root string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "out" || d.Name() == "testdata"):
			return filepath.SkipDir
		case !d.IsDir() && (strings.HasSuffix(d.Name(), ".go") || d.Name() == "go.mod" || d.Name() == "go.sum"):
			_, _ = os.Stat(p)
		}
		return nil
	})
}

// long reports whether the slow checks were asked for: -long (defined by
// internal/testflags), NETSIM_LONG=1, or the older NETSIM_E2E_LONG=1.
func long() bool { return testflags.Long() || os.Getenv("NETSIM_E2E_LONG") == "1" }

// slow skips t in -short mode: it runs netsim for more than about a
// second on 2 cores.
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs netsim for more than a second: skipped in -short mode")
	}
}

// bin returns the netsim binary's path for a test to run, after statting
// the module's sources once (statSources), so that every test that runs
// netsim is rerun by go test after a source change.
func bin(t *testing.T) string {
	sources.Do(func() { statSources(repoRoot(t)) })
	return netsimBin
}

// result is what one netsim invocation printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// netsim runs the binary with args in dir (the repository root when dir
// is empty) and returns what it printed and its exit code.
func netsim(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin(t), args...)
	if dir == "" {
		dir = repoRoot(t)
	}
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err, "running netsim %v", args)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// run runs a scenario into a fresh output folder, requires exit 0, and
// returns the folder.
func run(t *testing.T, scenario string, args ...string) string {
	t.Helper()
	return runExpecting(t, []int{0}, scenario, args...)
}

// runExpecting is run for a caller that accepts any of codes as the exit
// code (1 when an expect may fail, as when --until cuts a run short).
func runExpecting(t *testing.T, codes []int, scenario string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	abs, err := filepath.Abs(scenario)
	require.NoError(t, err)
	r := netsim(t, "", append([]string{"run", abs, "--out", out}, args...)...)
	require.Contains(t, codes, r.code, "netsim run %s %v\nstdout:\n%s\nstderr:\n%s", scenario, args, r.stdout, r.stderr)
	return out
}

// repoRoot is the module root, one level above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Dir(wd)
}

// writeScenario writes text to a scenario file in a temporary folder.
func writeScenario(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// rec is one trace.jsonl record, with the fields the checks read. "to" and
// "from" are TCP states in tcp.state records and addresses in app records.
type rec struct {
	T        int64  `json:"t"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
	ID       int64  `json:"id"`
	Of       int64  `json:"of"`
	Iface    string `json:"iface"`
	Len      int64  `json:"len"`
	Arrive   int64  `json:"arrive"`
	Qlen     int64  `json:"qlen"`
	Qbytes   int64  `json:"qbytes"`
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	Sport    int    `json:"sport"`
	Dport    int    `json:"dport"`
	Flags    string `json:"flags"`
	Seq      uint32 `json:"seq"`
	Ack      uint32 `json:"ack"`
	Rseq     int64  `json:"rseq"`
	Rack     int64  `json:"rack"`
	Win      int64  `json:"win"`
	Plen     int64  `json:"plen"`
	Opts     string `json:"opts"`
	Conn     int64  `json:"conn"`
	Side     string `json:"side"`
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason"`
	Timer    string `json:"timer"`
	Errno    string `json:"errno"`
	Event    string `json:"event"`
	Bytes    int64  `json:"bytes"`
	Cwnd     int64  `json:"cwnd"`
	Ssthresh int64  `json:"ssthresh"`
	RTO      int64  `json:"rto"`
	Srtt     int64  `json:"srtt"`
	Sample   int64  `json:"sample"`
	Corrupt  bool   `json:"corrupt"`
	Up       bool   `json:"up"`
	TTL      int    `json:"ttl"`
	Mode     string `json:"mode"`
}

// readTrace reads DIR/trace.jsonl.
func readTrace(t *testing.T, dir string) []rec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "trace.jsonl"))
	require.NoError(t, err)
	b = bytes.TrimRight(b, "\n")
	// A rec is a few hundred bytes and a trace has up to a few hundred
	// thousand lines: sized once, the slice is not copied as it grows
	// (growing it was most of this package's test time).
	recs := make([]rec, bytes.Count(b, []byte("\n"))+1)
	for i := range recs {
		line := b
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			line, b = b[:j], b[j+1:]
		}
		r := &recs[i]
		if err := json.Unmarshal(line, r); err != nil {
			t.Fatalf("trace.jsonl line %d: %v: %s", i+1, err, line)
		}
		// The contract: one record per line in simulated-time order.
		if i > 0 && r.T < recs[i-1].T {
			t.Fatalf("trace.jsonl line %d goes back in time: t=%d after t=%d", i+1, r.T, recs[i-1].T)
		}
	}
	return recs
}

// filter returns the records for which keep is true, in trace order.
func filter(recs []rec, keep func(r rec) bool) []rec {
	var out []rec
	for _, r := range recs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// summary is the part of summary.json the checks read.
type summary struct {
	Connections []struct {
		ID             int64   `json:"id"`
		Client         string  `json:"client"`
		Server         string  `json:"server"`
		EstablishedAt  int64   `json:"established_at"`
		BytesSent      int64   `json:"bytes_sent"`
		BytesAcked     int64   `json:"bytes_acked"`
		BytesDelivered int64   `json:"bytes_delivered"`
		Retransmits    int64   `json:"retransmits"`
		ThroughputBps  float64 `json:"throughput_bps"`
	} `json:"connections"`
}

// readSummary reads DIR/summary.json.
func readSummary(t *testing.T, dir string) summary {
	t.Helper()
	return readJSON[summary](t, dir, "summary.json")
}
