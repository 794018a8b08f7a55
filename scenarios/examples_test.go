package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/sim"
)

// goldenFile holds the trace sha256 of every example scenario at its own
// seed, one "name sha256" per line. When behaviour changes on purpose,
// rewrite it with: go test ./scenarios -run TestExamples -update
// (which rewrites the trace marks of goldenmarks_test.go too).
const goldenFile = "testdata/trace-sha256.txt"

// runExample builds and runs s, returning its records, trace hash and the
// trace text.
func runExample(t testing.TB, s *Scenario) ([]sim.Record, string, sim.Time, []byte) {
	t.Helper()
	var text bytes.Buffer
	jsonl := sim.NewJSONLWriter(&text)
	rec := &sim.Recorder{}
	w, err := Build(s, BuildOptions{Seed: s.Seed, Trace: sim.Tee{jsonl, rec}})
	require.NoError(t, err)
	end, err := w.Run(0, nil)
	require.NoError(t, err)
	require.NoError(t, jsonl.Flush())
	return rec.Records, jsonl.Sum(), end, text.Bytes()
}

// TestExamples runs every example scenario: its expectations hold, two runs
// give the same trace (the second run only with -long: the golden hash
// already pins the first), and the trace hash is the golden one. When it
// is not, the test names the first trace record that differs from the
// golden trace, from the marks of goldenmarks_test.go. With -short the
// slowExamples are left out.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	golden := readGolden(t)
	got := map[string]string{}
	for _, f := range files {
		name := strings.TrimSuffix(f, ".yaml")
		t.Run(name, func(t *testing.T) {
			if testing.Short() && !testflags.Update() && slowExamples[name] {
				t.Skipf("%s takes more than a second; skipped in -short mode", f)
			}
			s, err := Load(f)
			require.NoError(t, err)
			recs, sum, end, text := runExample(t, s)
			for _, r := range Check(s, recs, end) {
				assert.True(t, r.OK, r.String(f))
			}
			if check := exampleChecks[name]; check != nil {
				check(t, recs)
			}
			if testflags.Long() {
				_, again, _, _ := runExample(t, s)
				assert.Equal(t, sum, again, "two runs of %s differ", f)
			}
			got[name] = sum
			if testflags.Update() {
				writeMarks(t, name, text)
				return
			}
			marks := readMarks(t, name)
			if golden[name] == sum {
				// The marks must describe the golden trace, or a later
				// failure would point at the wrong record.
				assert.Empty(t, marks.diff(text), "%s of %s is stale: go test ./scenarios -run TestExamples -update", marksPath(name), f)
				return
			}
			where := marks.diff(text)
			if where == "" {
				where = "the marks match the trace (" + marksPath(name) + " is stale)"
			}
			t.Errorf("trace sha256 of %s changed: got %s, golden %s\n%s\nif on purpose: go test ./scenarios -run TestExamples -update", f, sum, golden[name], where)
		})
	}
	if testflags.Update() {
		writeGolden(t, got)
	}
}

// slowExamples are the example scenarios that take about a second or more
// on 2 cores: TestExamples leaves them out with -short.
var slowExamples = map[string]bool{"bulk-transfer": true, "dumbbell": true, "dctcp": true}

func readGolden(t *testing.T) map[string]string {
	m := map[string]string{}
	f, err := os.Open(goldenFile)
	if os.IsNotExist(err) && testflags.Update() {
		return m
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, sum, ok := strings.Cut(line, " ")
		require.True(t, ok, "bad line %q in %s", line, goldenFile)
		m[name] = strings.TrimSpace(sum)
	}
	require.NoError(t, sc.Err())
	return m
}

func writeGolden(t *testing.T, m map[string]string) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# trace sha256 of each example scenario at its own seed.\n# Rewrite on purpose with: go test ./scenarios -run TestExamples -update\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, m[n])
	}
	require.NoError(t, os.WriteFile(goldenFile, []byte(b.String()), 0o644))
}

// TestRunStops: a progress function that returns false stops the run
// before its end with ErrStopped.
func TestRunStops(t *testing.T) {
	s, err := Load("partition.yaml")
	require.NoError(t, err)
	w, err := Build(s, BuildOptions{Seed: s.Seed})
	require.NoError(t, err)
	calls := 0
	end, err := w.Run(0, func(now sim.Time) bool {
		calls++
		return calls < 3
	})
	assert.ErrorIs(t, err, ErrStopped)
	assert.Equal(t, 3, calls)
	assert.Equal(t, sim.FromDuration(s.Duration)/progressSlices*3, end)
}

// TestFaultRecords: every fault of partition.yaml is applied at its time and
// traced as a fault record before the link records it causes.
func TestFaultRecords(t *testing.T) {
	s, err := Load("partition.yaml")
	require.NoError(t, err)
	recs, _, _, _ := runExample(t, s)
	var got []string
	for _, r := range recs {
		if f, ok := r.Event.(*sim.Fault); ok {
			got = append(got, fmt.Sprintf("%v %s %s", r.T, r.Subject, f.What))
		}
	}
	assert.Equal(t, []string{
		"0.300000000s link/uplink down",
		"0.800000000s link/uplink up",
		"1.000000000s link/downlink set delay=50ms",
		"1.200000000s partition partition [client] | [server]",
		"2.200000000s partition heal",
	}, got)
	// The partition took both links down (client and server are on either
	// side of r1), and the heal brought them back.
	var states []string
	for _, r := range recs {
		if ls, ok := r.Event.(*sim.LinkState); ok && r.T >= 1200*ms {
			states = append(states, fmt.Sprintf("%v %s %v", r.T, r.Subject, ls.Up))
		}
	}
	assert.Equal(t, []string{
		"1.200000000s link/downlink/r1>server false", "1.200000000s link/downlink/server>r1 false",
		"1.200000000s link/uplink/client>r1 false", "1.200000000s link/uplink/r1>client false",
		"2.200000000s link/downlink/r1>server true", "2.200000000s link/downlink/server>r1 true",
		"2.200000000s link/uplink/client>r1 true", "2.200000000s link/uplink/r1>client true",
	}, states)
}
