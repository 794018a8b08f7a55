package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

const handshake = "../../scenarios/handshake.yaml"

// variant writes src with each old text replaced by its new text (pairs
// old, new, ...) as name in a temporary folder, and returns its path. It
// fails the test when an old text is not in src, so that a change of the
// example cannot leave a test checking the unchanged scenario.
func variant(t *testing.T, src, name string, oldNew ...string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	for i := 0; i+1 < len(oldNew); i += 2 {
		require.Contains(t, string(data), oldNew[i], "%s", src)
		data = bytes.Replace(data, []byte(oldNew[i]), []byte(oldNew[i+1]), 1)
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// cli runs netsim in-process and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := netsim(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	// The handshake takes 10 ms: an expectation of 1 ms must fail.
	failing := variant(t, handshake, "failing.yaml", "within: 50ms", "within: 1ms")
	invalid := variant(t, handshake, "invalid.yaml", "bandwidth: 100Mbps", "bandwidth: 100Mbs")

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of stdout, or ""
		stderr string // a substring of stderr, or ""
	}{
		{"no args", nil, exitUsage, "", "Usage:"},
		{"version", []string{"--version"}, exitOK, "netsim 0.1.0", ""},
		{"help", []string{"--help"}, exitOK, "netsim run SCENARIO.yaml", ""},
		{"run help", []string{"run", "--help"}, exitOK, "--check-determinism", ""},
		{"validate help", []string{"validate", "--help"}, exitOK, "Usage: netsim validate", ""},
		{"plot help", []string{"plot", "--help"}, exitOK, "--kind", ""},
		{"drill is dispatched", []string{"drill", "--help"}, exitOK, "Usage: netsim drill", ""},
		{"sweep is dispatched", []string{"sweep", "--help"}, exitOK, "Usage: netsim sweep", ""},
		{"sweep merge help", []string{"sweep", "merge", "--help"}, exitOK, "Usage: netsim sweep merge", ""},
		{"bad flag points at help", []string{"run", handshake, "--until"}, exitUsage, "", "Run 'netsim run --help' for its flags."},
		{"set", []string{"validate", handshake, "--set", "links[0].bandwidth=1 Gbit/s", "--set", "links.0.delay=5 ms"}, exitOK, "handshake.yaml: ok", ""},
		{"validate counts in words", []string{"validate", handshake}, exitOK, "handshake.yaml: ok (handshake: 2 hosts, 0 routers, 1 link, 2 apps, 0 faults, 1 expectation)", ""},
		{"set bad value", []string{"validate", handshake, "--set", "links[0].bandwidth=1 Gb"}, exitUsage, "", handshake + `: --set links[0].bandwidth=1 Gb: links[0].bandwidth: rate "1 Gb": unit "Gb" is ambiguous: write Gbit/s for bits or GB/s for bytes per second (`},
		{"set not a pair", []string{"run", handshake, "--set", "links"}, exitUsage, "", "want PATH=VALUE"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", handshake, "--sed", "1"}, exitUsage, "", "flag provided but not defined: -sed"},
		{"bad seed", []string{"run", handshake, "--seed", "x"}, exitUsage, "", "not a whole number"},
		{"bad until", []string{"run", handshake, "--until", "5"}, exitUsage, "", "invalid syntax"},
		{"two scenarios", []string{"run", handshake, handshake}, exitUsage, "", "want one scenario, got 2"},
		{"validate ok", []string{"validate", handshake, "../../scenarios/dumbbell.yaml"}, exitOK, "handshake.yaml: ok", ""},
		{"validate invalid", []string{"validate", handshake, invalid}, exitUsage, "handshake.yaml: ok", invalid + `:18:16: links[0].bandwidth: rate "100Mbs": unknown unit "Mbs"`},
		{"validate missing", []string{"validate", filepath.Join(dir, "nope.yaml")}, exitUsage, "", "nope.yaml:1:1: cannot read the scenario"},
		{"run invalid", []string{"run", invalid, "--out", filepath.Join(dir, "inv")}, exitUsage, "", invalid + ":18:16:"},
		{"run ok", []string{"run", handshake, "--out", filepath.Join(dir, "ok")}, exitOK, "expect established client -> server:80 within 50ms: ok", ""},
		{"run failing expect", []string{"run", failing, "--out", filepath.Join(dir, "fail")}, exitFailed, "within 1ms: FAILED (the fastest connection took", ""},
		{"plot missing dir", []string{"plot", filepath.Join(dir, "nothing")}, exitUsage, "", "trace.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
	// Nothing runs when the scenario is invalid: no output folder.
	assert.NoDirExists(t, filepath.Join(dir, "inv"))
}

// TestHelpNamesExitCodes: every command's --help says what its exit codes
// mean, as docs/cli.md's table does, so that a script can branch on them.
func TestHelpNamesExitCodes(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"validate", "--help"}, {"plot", "--help"},
		{"drill", "--help"}, {"sweep", "--help"}, {"sweep", "merge", "--help"}, {"view", "--help"}} {
		code, stdout, stderr := cli(t, args...)
		require.Equal(t, exitOK, code, "%v: %s", args, stderr)
		assert.Contains(t, stdout, "Exit codes:", "netsim %s", strings.Join(args, " "))
	}
}

// TestRunOutputs runs the handshake and checks every file of the contract's
// table exists and parses, and that the run ends with the replay lines.
func TestRunOutputs(t *testing.T) {
	out := t.TempDir()
	// A file of the user's in the output folder must survive the run.
	require.NoError(t, os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644))
	code, stdout, stderr := cli(t, "run", "--seed", "3", handshake, "--out", out, "--check-determinism")
	require.Equal(t, exitOK, code, stderr)

	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.GreaterOrEqual(t, len(lines), 2)
	m := readManifest(t, out)
	assert.Equal(t, "seed 3, trace sha256 "+m.TraceSHA256, lines[len(lines)-2])
	assert.Equal(t, "replay: netsim run ../../scenarios/handshake.yaml --seed 3", lines[len(lines)-1])
	assert.Contains(t, stdout, "determinism: two runs gave the same trace")

	assert.Equal(t, uint64(3), m.Seed)
	assert.Equal(t, "2s", m.Duration)
	assert.Equal(t, handshake, m.Scenario.Path)
	assert.Len(t, m.Scenario.SHA256, 64)
	assert.Len(t, m.TraceSHA256, 64)
	assert.Positive(t, m.EventsProcessed)
	assert.Positive(t, m.WallTimeNS)
	require.NotNil(t, m.Determinism)
	assert.True(t, m.Determinism.Same)
	require.Len(t, m.Expectations, 1)
	assert.True(t, m.Expectations[0].OK)
	assert.ElementsMatch(t, []string{"trace.jsonl", "pcap/client-eth0.pcap", "pcap/server-eth0.pcap", "summary.json", "manifest.json"}, m.Files)

	sum := readSummary(t, out)
	require.Len(t, sum.Conns, 1)
	assert.Equal(t, "10.0.0.1:49152", sum.Conns[0].Client)
	assert.Equal(t, "10.0.0.2:80", sum.Conns[0].Server)
	assert.NotNil(t, sum.Conns[0].EstablishedAt)

	f, err := os.Open(filepath.Join(out, "trace.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	n := 0
	var last sim.Time
	require.NoError(t, sim.ReadJSONL(f, func(r *sim.Record) error {
		assert.GreaterOrEqual(t, r.T, last, "records in simulated-time order")
		last = r.T
		n++
		return nil
	}))
	assert.Positive(t, n)

	for _, p := range []string{"pcap/client-eth0.pcap", "pcap/server-eth0.pcap"} {
		b, err := os.ReadFile(filepath.Join(out, p))
		require.NoError(t, err)
		require.Greater(t, len(b), 24)
		// Classic pcap with nanosecond timestamps: magic a1b23c4d.
		assert.Contains(t, [][]byte{{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}}, b[:4], p)
	}
	mine, err := os.ReadFile(filepath.Join(out, "notes.txt"))
	require.NoError(t, err)
	assert.Equal(t, "mine", string(mine))
	// No temporary file is left behind.
	left, err := filepath.Glob(filepath.Join(out, ".*tmp*"))
	require.NoError(t, err)
	assert.Empty(t, left)

	// The terminal shows the handshake: the app's socket calls, the three
	// segments, the close.
	for _, want := range []string{"socket(), connect(10.0.0.2:80)", "SYN seq=0", "SYN,ACK seq=0 ack=1", "ACK seq=1 ack=1", "FIN,ACK", "close()"} {
		assert.Contains(t, stdout, want)
	}

	// netsim plot draws from the folder.
	svg := filepath.Join(t.TempDir(), "seq.svg")
	code, stdout, stderr = cli(t, "plot", out, "--kind", "sequence", "-o", svg)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "wrote "+svg)
	b, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<svg")
}

// TestSeedAndUntil checks --seed changes the run and --until stops it.
func TestSeedAndUntil(t *testing.T) {
	hash := func(args ...string) manifest {
		out := t.TempDir()
		code, _, stderr := cli(t, append([]string{"run", handshake, "--out", out}, args...)...)
		require.NotEqual(t, exitUsage, code, stderr)
		return readManifest(t, out)
	}
	a, b, c := hash("--seed", "1"), hash("--seed", "1"), hash("--seed", "2")
	assert.Equal(t, a.TraceSHA256, b.TraceSHA256, "same seed, same trace")
	assert.NotEqual(t, a.TraceSHA256, c.TraceSHA256, "the seed reaches the ISNs")
	early := hash("--until", "105ms")
	assert.Equal(t, "105ms", early.Duration)
	assert.Equal(t, "netsim run ../../scenarios/handshake.yaml --seed 1 --until 105ms", early.Replay)
	assert.False(t, early.Expectations[0].OK, "the handshake is not over at 105ms")
}

// TestSetIsRecorded: netsim run --set replaces scenario keys (units
// written as people write them, with a space), and the overrides are in
// manifest.json and in the replay line, which reproduces the run (issue
// 21).
func TestSetIsRecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hs")
	sets := []string{"links[0].delay=20 ms", "links[0].bandwidth=10 Mbit/s"}
	code, stdout, stderr := cli(t, "run", handshake, "--out", out, "--set", sets[0], "--set", sets[1])
	require.Equal(t, exitOK, code, stderr)
	m := readManifest(t, out)
	assert.Equal(t, sets, m.Set)
	want := "replay: netsim run " + handshake + " --seed 1 --set 'links[0].delay=20 ms' --set 'links[0].bandwidth=10 Mbit/s'"
	assert.Contains(t, stdout, want+"\n")
	assert.Equal(t, strings.TrimPrefix(want, "replay: "), m.Replay)
	// The delay took: the client's RTT is about 40 ms, not 10.
	s := readSummary(t, out)
	require.NotEmpty(t, s.Conns)
	assert.GreaterOrEqual(t, s.Conns[0].RTT.Min, int64(40e6))
}

// readSummary reads the summary.json of the run folder dir.
func readSummary(t *testing.T, dir string) scenarios.Summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	var s scenarios.Summary
	require.NoError(t, json.Unmarshal(data, &s))
	return s
}

func TestParseInterleaved(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		seed string
	}{
		{[]string{"a.yaml"}, []string{"a.yaml"}, ""},
		{[]string{"--seed", "4", "a.yaml"}, []string{"a.yaml"}, "4"},
		{[]string{"a.yaml", "--seed", "4"}, []string{"a.yaml"}, "4"},
		{[]string{"a.yaml", "--seed=4", "b.yaml"}, []string{"a.yaml", "b.yaml"}, "4"},
		{[]string{"--", "--seed"}, []string{"--seed"}, ""},
	} {
		fs := newFlagSet("t", "", &bytes.Buffer{}, &bytes.Buffer{})
		seed := fs.String("seed", "", "")
		pos, err := parseInterleaved(fs, tc.args)
		require.NoError(t, err)
		assert.Equal(t, tc.pos, pos, tc.args)
		assert.Equal(t, tc.seed, *seed, tc.args)
	}
}

func TestQuoteArg(t *testing.T) {
	assert.Equal(t, "scenarios/a.yaml", quoteArg("scenarios/a.yaml"))
	assert.Equal(t, "'my file.yaml'", quoteArg("my file.yaml"))
	assert.Equal(t, `'it'\''s.yaml'`, quoteArg("it's.yaml"))
	assert.Equal(t, "''", quoteArg(""))
}

// TestASCIIDefault: the diagram is drawn for at most 20 packets, or with
// --ascii.
func TestASCIIDefault(t *testing.T) {
	const long = "../../scenarios/partition.yaml"
	code, stdout, stderr := cli(t, "run", long, "--out", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stdout, "|----")
	assert.Contains(t, stdout, "link uplink client>r1:")
	code, stdout, stderr = cli(t, "run", long, "--out", t.TempDir(), "--ascii", "--until", "150ms")
	require.Equal(t, exitOK, code, stderr) // the transfer is not done at 150ms, its deadline is 12s
	assert.Contains(t, stdout, "|---- SYN seq=0")
	assert.Contains(t, stdout, "expect delivered 1MB to server:80 by 12s: not reached (only ")
	assert.Contains(t, stdout, "; the run stopped before the deadline, 12.000000000s)")
}

// TestOutputsSwitches: outputs.trace and outputs.pcap false skip the files
// (and the trace hash; the fingerprint is still computed); plots land
// under plots/.
func TestOutputsSwitches(t *testing.T) {
	path := variant(t, handshake, "quiet.yaml", "outputs:\n  pcap: true\n  trace: true\n", "outputs:\n  pcap: false\n  trace: false\n  plots: [sequence, cwnd]\n  format: svg\n")
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", path, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	m := readManifest(t, out)
	assert.Equal(t, []string{"summary.json", "plots/sequence.svg", "plots/cwnd-1.svg", "manifest.json"}, m.Files)
	assert.Empty(t, m.TraceSHA256, "no trace, no trace hash")
	assert.Len(t, m.Fingerprint, 16)
	assert.Positive(t, m.TraceRecords)
	assert.Contains(t, stdout, fmt.Sprintf("seed 1, fingerprint %s (%d records)\n", m.Fingerprint, m.TraceRecords))
	assert.NoFileExists(t, filepath.Join(out, "trace.jsonl"))
	assert.NoDirExists(t, filepath.Join(out, "pcap"))
	assert.FileExists(t, filepath.Join(out, "plots", "cwnd-1.svg"))
}

// TestOutputsPcapSelection: outputs.pcap as a list captures only the
// nodes listed, and outputs.snaplen cuts each captured packet.
func TestOutputsPcapSelection(t *testing.T) {
	path := variant(t, handshake, "some.yaml", "outputs:\n  pcap: true\n", "outputs:\n  pcap: [client]\n  snaplen: 54\n")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", path, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	assert.NoFileExists(t, filepath.Join(out, "pcap", "server-eth0.pcap"))
	f, err := os.Open(filepath.Join(out, "pcap", "client-eth0.pcap"))
	require.NoError(t, err)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	require.NoError(t, err)
	assert.EqualValues(t, 54, r.Snaplen())
	n, cut := 0, 0
	for {
		b, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		assert.LessOrEqual(t, len(b), 54)
		if ci.Length > 54 {
			cut++
		}
		n++
	}
	assert.Equal(t, 6, n, "the client sends SYN, ACK, FIN and ACK and receives SYN-ACK and FIN")
	assert.Positive(t, cut, "SYNs with options are longer than 54 bytes")
}

// TestPlotCommand draws every kind from a run's folder, and one kind over
// a time window.
func TestPlotCommand(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, "run", "../../scenarios/partition.yaml", "--out", out, "--until", "1s")
	require.Equal(t, exitOK, code, stderr) // stopped before the transfer ends: not reached
	code, stdout, stderr := cli(t, "plot", out)
	require.Equal(t, exitOK, code, stderr)
	for _, f := range []string{"sequence.png", "time-sequence-1.png", "cwnd-1.png", "throughput.png", "queue.png"} {
		assert.FileExists(t, filepath.Join(out, "plots", f))
		assert.Contains(t, stdout, f)
	}
	pdf := filepath.Join(t.TempDir(), "ts.pdf")
	code, _, stderr = cli(t, "plot", out, "--kind", "time-sequence", "--conn", "1", "--from", "200ms", "--to", "900ms", "-o", pdf)
	require.Equal(t, exitOK, code, stderr)
	b, err := os.ReadFile(pdf)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("%PDF")))
	for _, bad := range [][]string{
		{"plot", out, "--kind", "pie"},
		{"plot", out, "-o", pdf},
		{"plot", out, "--kind", "throughput", "--window", "-5ms", "-o", pdf},
	} {
		code, _, _ = cli(t, bad...)
		assert.Equal(t, exitUsage, code, bad)
	}
	// A figure asked for that has nothing to draw fails with 1, with -o
	// or without.
	for _, none := range [][]string{
		{"plot", out, "--kind", "cwnd", "--conn", "9", "-o", pdf},
		{"plot", out, "--kind", "cwnd", "--conn", "9"},
		{"plot", out, "--kind", "throughput", "--from", "30s"},
	} {
		code, _, stderr = cli(t, none...)
		assert.Equal(t, exitFailed, code, none)
		assert.Contains(t, stderr, "nothing to plot", none)
	}
	code, _, stderr = cli(t, "plot", "../../scenarios/partition.yaml")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "netsim plot: ../../scenarios/partition.yaml is a scenario: plot draws from the output folder of a run (netsim run ../../scenarios/partition.yaml writes out/partition; then netsim plot out/partition)")
}

// runAndNoTrace runs the handshake into a folder of its own and makes a
// folder that holds a summary.json but no trace; it returns both.
func runAndNoTrace(t *testing.T) (dir, noTrace string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "hs")
	code, _, stderr := cli(t, "run", handshake, "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	noTrace = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noTrace, "summary.json"), []byte("{}"), 0o644))
	return dir, noTrace
}

// TestPlotAndViewSayWhatIsMissing: a folder without a trace, a folder
// that does not exist, and -o into a folder that does not exist are named
// as such (the last one named a hidden temporary file), exit 2, and
// nothing is written.
func TestPlotAndViewSayWhatIsMissing(t *testing.T) {
	dir, noTrace := runAndNoTrace(t)
	missing := filepath.Join(t.TempDir(), "no", "such")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", noTrace}, noTrace + " has no trace.jsonl: the figures are drawn from the trace (a scenario with outputs.trace: false writes none)"},
		{[]string{"plot", filepath.Join(dir, "nope")}, filepath.Join(dir, "nope") + ": no such output folder"},
		{[]string{"plot", dir, "--kind", "cwnd", "-o", filepath.Join(missing, "c.png")}, "-o " + filepath.Join(missing, "c.png") + ": no folder " + missing},
		{[]string{"view", dir, "-o", filepath.Join(missing, "v.html")}, "-o " + filepath.Join(missing, "v.html") + ": no folder " + missing},
		// --to 0s was taken for no --to: the whole run, or with --from
		// the rest of it, instead of a window that ends where it starts.
		{[]string{"plot", dir, "--kind", "sequence", "--to", "0s", "-o", filepath.Join(dir, "s.png")}, "--to 0s: the window would end at the start of the run"},
		{[]string{"plot", dir, "--kind", "sequence", "--from", "1ms", "--to", "0s", "-o", filepath.Join(dir, "s.png")}, "--to 0s: the window would end at the start of the run"},
		{[]string{"view", dir, "--to", "0s"}, "--to 0s: the window would end at the start of the run"},
		// A sweep's flags on a run's folder, or on one that does not exist,
		// were "flag provided but not defined: -metric".
		{[]string{"plot", dir, "--metric", "goodput", "--x", "links[0].loss"}, dir + " is not a sweep's folder (no aggregate.csv): --metric, --x, --series and --where draw a sweep"},
		{[]string{"plot", filepath.Join(dir, "nope"), "--metric=goodput"}, filepath.Join(dir, "nope") + " is not a sweep's folder"},
		{[]string{"plot", "--metric", "goodput", "--routers", dir}, dir + " is not a sweep's folder"},
		{[]string{"plot", "--compress-time", "--kind", "sequence", "--where", "a=b", dir}, dir + " is not a sweep's folder"},
		// --window 0s was taken for no --window: the default window.
		{[]string{"plot", dir, "--kind", "throughput", "--window", "0s", "-o", filepath.Join(dir, "s.png")}, "--window 0s: want an averaging window longer than 0"},
	} {
		code, stdout, stderr := cli(t, c.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, "%v", c.args)
		assert.NotContains(t, stderr, ".tmp", "%v", c.args)
		assert.Empty(t, stdout, "%v", c.args)
	}
	assert.NoDirExists(t, filepath.Join(noTrace, "plots"))
	assert.NoFileExists(t, filepath.Join(dir, "s.png"))
	assert.NoFileExists(t, filepath.Join(dir, "view.html"))
}

// The drawing options of the plots package reach it from the command line:
// each flag changes the figure.
func TestPlotDrawingFlags(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, "run", "../../scenarios/partition.yaml", "--out", out, "--until", "1s")
	require.Equal(t, exitOK, code, stderr)
	render := func(args ...string) []byte {
		t.Helper()
		svg := filepath.Join(t.TempDir(), "fig.svg")
		code, _, stderr := cli(t, append(append([]string{"plot", out}, args...), "-o", svg)...)
		require.Equal(t, exitOK, code, stderr)
		b, err := os.ReadFile(svg)
		require.NoError(t, err)
		return b
	}
	plain := render("--kind", "sequence", "--packets", "2000")
	compressed := render("--kind", "sequence", "--packets", "2000", "--compress-time")
	assert.NotEqual(t, plain, compressed)
	assert.Contains(t, string(compressed), "idle")
	assert.NotContains(t, string(plain), "idle")
	assert.NotEqual(t, plain, render("--kind", "sequence", "--packets", "2000", "--routers"))
	assert.NotEqual(t, render("--kind", "throughput", "--window", "10ms"), render("--kind", "throughput", "--window", "200ms"))
}

func TestWarningsPrinted(t *testing.T) {
	data, err := os.ReadFile(handshake)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "late.yaml")
	require.NoError(t, os.WriteFile(path, append(data, []byte("faults:\n  - {at: 3s, link: lan, down: true}\n")...), 0o644))
	code, stdout, stderr := cli(t, "validate", path)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "late.yaml: ok")
	assert.Contains(t, stderr, path+":38:10: warning: faults[0]: at 3s is not before the end of the run (duration 2s): it never applies")
}

// TestCheckDeterminismCatchesADifference: two runs that differ (here by
// seed, through the test seam) make --check-determinism exit 1.
func TestCheckDeterminismCatchesADifference(t *testing.T) {
	secondRunSeedOffset = 1
	defer func() { secondRunSeedOffset = 0 }()
	out := t.TempDir()
	code, stdout, stderr := cli(t, "run", handshake, "--out", out, "--check-determinism")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Contains(t, stdout, "determinism: FAILED: two runs of the same scenario and seed gave different traces")
	m := readManifest(t, out)
	require.NotNil(t, m.Determinism)
	assert.False(t, m.Determinism.Same)
	assert.NotEqual(t, m.Determinism.TraceSHA256[0], m.Determinism.TraceSHA256[1])
}

// TestPlotTextAndSizeFlags: --title, --xlabel, --ylabel, --width, --height
// and --font-size reach the figure; bad values are refused before anything
// is drawn, with the value and what is allowed.
func TestPlotTextAndSizeFlags(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	svg := filepath.Join(t.TempDir(), "fig.svg")
	code, _, stderr = cli(t, "plot", out, "--kind", "sequence", "-o", svg, "--title", "Three-way handshake",
		"--ylabel", "time since start", "--width", "3.5in", "--height", "10cm", "--font-size", "9")
	require.Equal(t, exitOK, code, stderr)
	b, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.Contains(t, string(b), ">Three-way handshake</text>")
	assert.Contains(t, string(b), ">time since start</text>")
	assert.Contains(t, string(b), `width="252pt"`, "3.5 in is 252 points")
	assert.Contains(t, string(b), "font-size:9px", "the labels at 9 points")
	for _, tc := range []struct{ flag, value, want string }{
		{"--width", "3.5furlongs", "not a length"},
		{"--width", "0.1in", "out of range"},
		{"--height", "-2cm", "out of range"},
		{"--font-size", "huge", "not a font size"},
		{"--font-size", "200", "out of range"},
		{"--packets", "-1", "--packets -1"},
	} {
		code, _, stderr := cli(t, "plot", out, "--kind", "sequence", "-o", svg, tc.flag, tc.value)
		assert.Equal(t, exitUsage, code, tc.flag+" "+tc.value)
		assert.Contains(t, stderr, tc.want, tc.flag+" "+tc.value)
	}
}

// TestPlotFormatRefusedBeforeTheTrace: an -o whose extension is no format
// netsim draws is a bad flag value, refused before the trace is read (as
// docs/cli.md says of every flag), not after minutes of reading a large
// trace: the folder's trace here does not even parse.
func TestPlotFormatRefusedBeforeTheTrace(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "trace.jsonl"), []byte("not a trace\n"), 0o644))
	for _, name := range []string{"fig.bmp", "fig"} {
		code, _, stderr := cli(t, "plot", out, "--kind", "sequence", "-o", filepath.Join(t.TempDir(), name))
		assert.Equal(t, exitUsage, code, name)
		assert.Contains(t, stderr, "unknown plot format", name)
		assert.NotContains(t, stderr, "trace line", "%s: refused before the trace is read", name)
	}
}

// TestRunProfiles: --cpuprofile and --memprofile write pprof files (gzip
// protobuf); an unwritable profile path is a usage error before the run.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	code, _, stderr := cli(t, "run", handshake, "--out", filepath.Join(dir, "out"), "--cpuprofile", cpu, "--memprofile", mem)
	require.Equal(t, exitOK, code, stderr)
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(b, []byte{0x1f, 0x8b}), "%s is a gzip-compressed profile", p)
	}
	code, _, stderr = cli(t, "run", handshake, "--out", filepath.Join(dir, "out2"), "--cpuprofile", filepath.Join(dir, "no", "such", "dir", "cpu"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--cpuprofile")
	assert.NoDirExists(t, filepath.Join(dir, "out2"))

	// A profile path naming a file that is not a profile (the scenario
	// itself, which --cpuprofile emptied before it was read; a run's
	// trace), or both profiles one file, is refused before anything is
	// written. Profiles are written over, as on every run of go test.
	scenario := filepath.Join(dir, "hs.yaml")
	text, err := os.ReadFile(handshake)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(scenario, text, 0o644))
	code, _, stderr = cli(t, "run", handshake, "--out", filepath.Join(dir, "out"))
	require.Equal(t, exitOK, code, stderr)
	trace, err := os.ReadFile(filepath.Join(dir, "out", "trace.jsonl"))
	require.NoError(t, err)
	for _, args := range [][]string{
		{"--cpuprofile", scenario},
		{"--memprofile", scenario},
		{"--memprofile", filepath.Join(dir, "out", "trace.jsonl")},
		{"--cpuprofile", mem, "--memprofile", mem},
		// One new file, named two ways: the heap profile would replace
		// the CPU profile.
		{"--cpuprofile", filepath.Join(dir, "new.pprof"), "--memprofile", dir + string(filepath.Separator) + "." + string(filepath.Separator) + "new.pprof"},
	} {
		code, _, stderr = cli(t, append([]string{"run", scenario, "--out", filepath.Join(dir, "out3")}, args...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, args[len(args)-2]+" "+args[len(args)-1], args)
		assert.NoDirExists(t, filepath.Join(dir, "out3"), args)
	}
	got, err := os.ReadFile(scenario)
	require.NoError(t, err)
	assert.Equal(t, text, got, "the scenario is intact")
	got, err = os.ReadFile(filepath.Join(dir, "out", "trace.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, trace, got, "the trace is intact")
	code, _, stderr = cli(t, "run", scenario, "--out", filepath.Join(dir, "out4"), "--cpuprofile", cpu, "--memprofile", mem)
	assert.Equal(t, exitOK, code, "profiles are written over: %s", stderr)

	// A profile named as a run's output, which does not exist yet, was
	// written over that output once the run had written it: the heap
	// profile in place of a fresh capture, a CPU profile under the
	// trace that the run's commit then replaced. Such a name is refused.
	for _, args := range [][]string{
		{"--memprofile", filepath.Join(dir, "out5", "pcap", "client-eth0.pcap")},
		{"--cpuprofile", filepath.Join(dir, "out5", "trace.jsonl")},
		{"--memprofile", filepath.Join(dir, "elsewhere", "summary.json")},
		{"--cpuprofile", filepath.Join(dir, "out5", "plots", "cwnd-1.png")},
	} {
		code, _, stderr = cli(t, append([]string{"run", scenario, "--out", filepath.Join(dir, "out5")}, args...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, args[0]+" "+args[1]+": a name netsim gives its outputs", args)
		assert.NoDirExists(t, filepath.Join(dir, "out5"), args)
	}
}

// The "wrote" line names the files of a run, but a subfolder of many
// once, with its count, where its first file stood.
func TestWrittenList(t *testing.T) {
	many := []string{"trace.jsonl"}
	for i := range 10000 {
		many = append(many, fmt.Sprintf("pcap/h%d-eth0.pcap", i))
	}
	many = append(many, "plots/cwnd.png", "summary.json", "manifest.json")
	for _, c := range []struct {
		files []string
		want  string
	}{
		{[]string{"trace.jsonl", "pcap/client-eth0.pcap", "pcap/server-eth0.pcap", "summary.json", "manifest.json"},
			"trace.jsonl pcap/client-eth0.pcap pcap/server-eth0.pcap summary.json manifest.json"},
		{many, "trace.jsonl pcap/ (10000 files) plots/cwnd.png summary.json manifest.json"},
		{nil, ""},
	} {
		assert.Equal(t, c.want, writtenList(c.files))
	}
}

// TestManifestRecordsGMLInput: a gml generator's graph is an input of the
// run as the scenario is: edit a latency in the GML file and the same
// scenario (same sha256 in the manifest) runs another network. The
// manifest named only the scenario; it now lists the graph with the
// sha256 of the bytes read.
func TestManifestRecordsGMLInput(t *testing.T) {
	dir := t.TempDir()
	gml := []byte("graph [ node [ id 0 label \"a\" ] node [ id 1 label \"b\" ] edge [ source 0 target 1 latency \"2 ms\" ] ]\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g.gml"), gml, 0o644))
	scenario := filepath.Join(dir, "g.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte("version: 1\nname: g\nduration: 10ms\ntopology:\n  - {kind: gml, file: g.gml, bandwidth: 1Gbps}\n"), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := cli(t, "run", scenario, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	sum := sha256.Sum256(gml)
	assert.Equal(t, []manifestInput{{Path: "g.gml", SHA256: hex.EncodeToString(sum[:])}}, readManifest(t, out).Inputs)

	// A scenario without one has none.
	out = filepath.Join(dir, "hs")
	code, _, stderr = cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, readManifest(t, out).Inputs)
}

// TestPlotPerConnectionKindWithoutConnection: a run without TCP (a ping
// across one link) has no cwnd or time-sequence figure. Asked for with
// --kind, netsim plot printed nothing and exited 0, where a figure asked
// for that has nothing to draw exits 1 and says why (as with -o); every
// kind at once skips them with a note, and so does netsim run for
// outputs.plots.
func TestPlotPerConnectionKindWithoutConnection(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "ping.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte(`version: 1
name: ping
duration: 1s
hosts: {a: {}, b: {}}
links:
  - {between: [a, b], bandwidth: 10Mbps, delay: 1ms}
apps:
  - {type: ping, host: a, to: b, interval: 100ms}
outputs: {pcap: false, plots: [ping, cwnd]}
`), 0o644))
	out := filepath.Join(dir, "out")
	code, _, stderr := cli(t, "run", scenario, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "netsim run: skipped plots/cwnd.png: cwnd: no TCP connection in the trace")
	for _, kind := range []string{"cwnd", "time-sequence"} {
		code, stdout, stderr := cli(t, "plot", out, "--kind", kind)
		assert.Equal(t, exitFailed, code, "%s: %s", kind, stdout)
		assert.Contains(t, stderr, kind+": no TCP connection in the trace: nothing to plot", kind)
	}
	code, _, stderr = cli(t, "plot", out)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "netsim plot: skipped: render "+filepath.Join(out, "plots", "cwnd.png")+": cwnd: no TCP connection in the trace")
	assert.FileExists(t, filepath.Join(out, "plots", "ping.png"))
}

// TestRunsKeepTheUsersPages: a view.html and figures named as netsim
// plot's that were in the folder before its first run are the user's
// (no run had drawn them), and every run into the folder keeps them, not
// only the first: the first's manifest lists them as kept. The second run
// deleted them, the folder then holding a run. A figure the user drew
// afterwards from the run (netsim plot) goes with the next run, as it did.
func TestRunsKeepTheUsersPages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "plots"), 0o755))
	mine := map[string]string{"view.html": "my page", "plots/cwnd-1.png": "my figure", "plots/notes.txt": "mine"}
	for rel, text := range mine {
		require.NoError(t, os.WriteFile(filepath.Join(out, rel), []byte(text), 0o644))
	}
	for run := 1; run <= 2; run++ {
		code, _, stderr := cli(t, "run", handshake, "--out", out, "--progress=false")
		require.Equal(t, 0, code, stderr)
		for rel, text := range mine {
			data, err := os.ReadFile(filepath.Join(out, rel))
			require.NoError(t, err, "run %d: %s", run, rel)
			assert.Equal(t, text, string(data), "run %d: %s", run, rel)
		}
		assert.Equal(t, []string{"view.html", "plots/cwnd-1.png"}, readManifest(t, out).Kept, "run %d", run)
	}
	// netsim view and netsim plot do not write over them either: the
	// page is refused without -o, the figure asked for too, and skipped
	// among every kind. Both were written over.
	code, _, stderr := cli(t, "view", out)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "view.html is yours, not a page netsim drew (the run's manifest.json keeps it): name the page with -o FILE.html")
	code, _, stderr = cli(t, "plot", out, "--kind", "cwnd")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "cwnd-1.png is yours, not a figure netsim drew")
	code, _, stderr = cli(t, "plot", out)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "netsim plot: skipped: "+filepath.Join(out, "plots", "cwnd-1.png")+" is yours")
	for rel, text := range mine {
		data, err := os.ReadFile(filepath.Join(out, rel))
		require.NoError(t, err, rel)
		assert.Equal(t, text, string(data), rel)
	}
	require.FileExists(t, filepath.Join(out, "plots", "sequence.png"))
	code, _, stderr = cli(t, "run", handshake, "--out", out, "--progress=false")
	require.Equal(t, 0, code, stderr)
	assert.NoFileExists(t, filepath.Join(out, "plots", "sequence.png"), "drawn from the earlier run")
	assert.FileExists(t, filepath.Join(out, "plots", "cwnd-1.png"))
}
