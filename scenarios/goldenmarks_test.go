package scenarios

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The golden trace hashes of goldenFile say that a trace changed, not
// where. The full golden traces are too large to keep (about 1.3 MB
// gzipped for the six examples), so each example keeps a small marks file,
// testdata/trace-marks/NAME.gz, written with the hashes by -update:
//
//   - the first headRecords records verbatim, so that a change there (most
//     changes to a handshake, a first loss or a queue show early) is printed
//     as the first differing line, golden and new;
//   - the running sha256 (first 16 hex digits) of the trace after every
//     markEvery records and at its end, so that a later change is narrowed
//     to markEvery records and the new run's records there are printed.
//
// The six files take about 45 KB; the hashes stay the authority.
const (
	headRecords = 400
	markEvery   = 128
	marksDir    = "testdata/trace-marks"
)

// traceMarks is what a marks file holds.
type traceMarks struct {
	head  []string       // the first records of the golden trace
	marks []int          // record counts at which a running hash is kept
	sums  map[int]string // running hash after that many records
	total int            // records in the golden trace
}

func marksPath(name string) string { return filepath.Join(marksDir, name+".gz") }

// runningSums returns, for the trace text, the running sha256 prefix after
// every markEvery records and after the last one.
func runningSums(lines []string) map[int]string {
	h := sha256.New()
	sums := map[int]string{}
	for i, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
		if n := i + 1; n%markEvery == 0 || n == len(lines) {
			sums[n] = hex.EncodeToString(h.Sum(nil))[:16]
		}
	}
	return sums
}

// traceLines splits JSONL text into its records.
func traceLines(text []byte) []string {
	s := strings.TrimSuffix(string(text), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// writeMarks writes the marks file of the example name from its trace.
func writeMarks(t *testing.T, name string, text []byte) {
	t.Helper()
	lines := traceLines(text)
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	require.NoError(t, err)
	fmt.Fprintf(zw, "# trace marks of %s: rewritten with the trace hashes by go test ./scenarios -run TestExamples -update\n", name)
	fmt.Fprintf(zw, "records %d\n", len(lines))
	sums := runningSums(lines)
	for n := markEvery; n <= len(lines); n += markEvery {
		fmt.Fprintf(zw, "mark %d %s\n", n, sums[n])
	}
	if len(lines)%markEvery != 0 {
		fmt.Fprintf(zw, "mark %d %s\n", len(lines), sums[len(lines)])
	}
	fmt.Fprintf(zw, "head\n")
	for i := 0; i < len(lines) && i < headRecords; i++ {
		fmt.Fprintf(zw, "%s\n", lines[i])
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.MkdirAll(marksDir, 0o755))
	require.NoError(t, os.WriteFile(marksPath(name), b.Bytes(), 0o644))
}

// readMarks reads the marks file of the example name.
func readMarks(t *testing.T, name string) traceMarks {
	t.Helper()
	f, err := os.Open(marksPath(name))
	require.NoError(t, err, "marks of %s missing: go test ./scenarios -run TestExamples -update", name)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err, marksPath(name))
	m := traceMarks{sums: map[int]string{}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	inHead := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inHead:
			m.head = append(m.head, line)
		case strings.HasPrefix(line, "#"):
		case line == "head":
			inHead = true
		case strings.HasPrefix(line, "records "):
			m.total, err = strconv.Atoi(strings.TrimPrefix(line, "records "))
			require.NoError(t, err, "%s: %q", marksPath(name), line)
		default:
			f := strings.Fields(line)
			require.True(t, len(f) == 3 && f[0] == "mark", "%s: bad line %q", marksPath(name), line)
			n, err := strconv.Atoi(f[1])
			require.NoError(t, err, "%s: %q", marksPath(name), line)
			m.marks = append(m.marks, n)
			m.sums[n] = f[2]
		}
	}
	require.NoError(t, sc.Err(), marksPath(name))
	require.NoError(t, zr.Close(), marksPath(name))
	return m
}

// diff describes where the trace text first departs from the golden trace
// the marks describe, or returns "" when the marks find no difference.
func (m traceMarks) diff(text []byte) string {
	lines := traceLines(text)
	for i, golden := range m.head {
		if i >= len(lines) {
			return fmt.Sprintf("trace ends after %d records; golden record %d: %s", len(lines), i+1, golden)
		}
		if lines[i] != golden {
			return fmt.Sprintf("first differing trace record: line %d\n  golden: %s\n  got:    %s", i+1, golden, lines[i])
		}
	}
	sums := runningSums(lines)
	prev := 0
	for _, n := range m.marks {
		if n > len(lines) {
			return fmt.Sprintf("trace ends after %d records, the golden one after %d; the first %d agree", len(lines), m.total, prev)
		}
		got, ok := sums[n]
		if !ok { // n is not a multiple of markEvery: the golden end
			got = runningSums(lines[:n])[n]
		}
		if got != m.sums[n] {
			return fmt.Sprintf("first differing trace record: among lines %d..%d (the golden text is kept for the first %d records only; the marks agree up to line %d)\n%s",
				prev+1, n, len(m.head), prev, numbered(lines, prev, n))
		}
		prev = n
	}
	if len(lines) != m.total {
		return fmt.Sprintf("the first %d records agree; the trace has %d records, the golden one %d; got line %d: %s",
			prev, len(lines), m.total, prev+1, lines[min(prev, len(lines)-1)])
	}
	return ""
}

// numbered prints lines from..to (1-based, at most 8 of them) with their
// line numbers.
func numbered(lines []string, from, to int) string {
	var b strings.Builder
	for i := from; i < to && i < from+8; i++ {
		fmt.Fprintf(&b, "  got line %d: %s\n", i+1, lines[i])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// TestTraceMarksDiff: the marks name the first differing record exactly
// within the head, narrow a later one to markEvery records, and report a
// trace that ends early or runs on.
func TestTraceMarksDiff(t *testing.T) {
	var golden []string
	for i := range 1000 {
		golden = append(golden, fmt.Sprintf(`{"t":%d,"kind":"x"}`, i))
	}
	text := func(lines []string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }
	m := traceMarks{head: golden[:headRecords], sums: runningSums(golden), total: len(golden)}
	for n := markEvery; n <= len(golden); n += markEvery {
		m.marks = append(m.marks, n)
	}
	if len(golden)%markEvery != 0 {
		m.marks = append(m.marks, len(golden))
	}
	require.Empty(t, m.diff(text(golden)))

	changed := func(i int) []string {
		c := append([]string(nil), golden...)
		c[i] = `{"t":-1}`
		return c
	}
	require.Equal(t, "first differing trace record: line 8\n  golden: "+golden[7]+"\n  got:    {\"t\":-1}", m.diff(text(changed(7))))
	late := m.diff(text(changed(700)))
	require.Contains(t, late, "among lines 641..768")
	require.Contains(t, late, "got line 641: "+golden[640])
	require.Contains(t, m.diff(text(changed(999))), "among lines 897..1000")
	require.Contains(t, m.diff(text(golden[:900])), "trace ends after 900 records, the golden one after 1000; the first 896 agree")
	require.Contains(t, m.diff(text(append(golden, `{"t":1000}`))), "the trace has 1001 records, the golden one 1000")
	require.Contains(t, m.diff(text(golden[:10])), "trace ends after 10 records; golden record 11")
}
