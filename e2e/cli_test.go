package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goodScenario is a small valid scenario the bad-input cases start from.
const goodScenario = `version: 1
name: cli-check
duration: 2s
hosts:
  a: {address: 10.0.0.1}
  b: {address: 10.0.0.2}
links:
  - between: [a, b]
    bandwidth: 10Mbps
    delay: 5ms
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 100KB}
`

// noPanic fails if a netsim run crashed instead of reporting.
func noPanic(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, "panic:")
		assert.NotContains(t, s, "goroutine ")
	}
}

// TestInvalidScenarios: each mistake a user makes is reported as
// FILE:LINE:COL: message (allowed), at the place of the mistake, by both
// run and validate, with exit 2, no panic and no output folder.
func TestInvalidScenarios(t *testing.T) {
	tests := []struct {
		name    string
		from    string // text of goodScenario to replace
		to      string
		linecol string // where the error must point
		says    string // a word of the message
	}{
		{"unknown unit", "10Mbps", "10Mbs", "9:16", "Mbs"},
		{"misspelt key", "    delay: 5ms", "    delya: 5ms", "10:5", "delay"},
		{"zero bandwidth", "10Mbps", "0bps", "9:16", "bandwidth"},
		{"negative delay", "5ms", "-5ms", "10:12", "negative"},
		{"unknown host in link", "between: [a, b]", "between: [a, c]", "8:18", `"c"`},
		{"duplicate address", "10.0.0.2", "10.0.0.1", "6:16", "10.0.0.1"},
		{"port taken", "bytes: 100KB}", "bytes: 100KB}\n  - {type: echo, host: b, port: 80}", "14:", "80"},
		{"unknown app type", "type: sink", "type: sinc", "12:", "sinc"},
		{"ratio above 100%", "    delay: 5ms", "    delay: 5ms\n    loss: 150%", "11:11", "150%"},
		{"fault before 0", "apps:", "faults:\n  - {at: -1s, link: a-b, down: true}\napps:", "12:10", "-1s"},
		{"tab in YAML", "    delay: 5ms", "\tdelay: 5ms", "10:", ""},
		{"missing duration", "duration: 2s\n", "", "", "duration"},
		{"unknown congestion control", "hosts:", "defaults:\n  tcp: {congestion: westwood}\nhosts:", "5:21", "westwood"},
		{"bad IPv4 address", "10.0.0.2", "10.0.0.256", "6:16", "10.0.0.256"},
	}
	lineRE := regexp.MustCompile(`^(.+):(\d+):(\d+): (.+) \((.+)\)$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, goodScenario, tt.from)
			path := writeScenario(t, "bad.yaml", strings.Replace(goodScenario, tt.from, tt.to, 1))
			out := filepath.Join(t.TempDir(), "out")
			for _, args := range [][]string{{"run", path, "--out", out}, {"validate", path}} {
				r := netsim(t, "", args...)
				noPanic(t, r)
				assert.Equal(t, 2, r.code, "%v\n%s", args, r.stderr)
				lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
				var errs []string
				for _, l := range lines {
					if strings.Contains(l, "warning:") {
						continue
					}
					errs = append(errs, l)
					assert.Regexp(t, lineRE, l, "%v: FILE:LINE:COL: message (allowed)", args)
					assert.True(t, strings.HasPrefix(l, path+":"), "%v: the message names the file: %q", args, l)
				}
				require.NotEmpty(t, errs, "%v: %s", args, r.stderr)
				assert.Contains(t, errs[0], path+":"+tt.linecol, "%v: points at the mistake", args)
				assert.Contains(t, r.stderr, tt.says)
			}
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "an invalid scenario writes nothing")
		})
	}
}

// TestGarbageInput: files that are not scenarios at all are reported the
// same way, never with a panic.
func TestGarbageInput(t *testing.T) {
	tests := map[string]string{
		"empty":          "",
		"binary":         "\x00\x01\x02\xff\xfe\x7fELF\x00",
		"a list":         "- 1\n- 2\n",
		"two documents":  goodScenario + "---\n" + goodScenario,
		"deep nesting":   strings.Repeat("[", 5000),
		"huge number":    strings.Replace(goodScenario, "bytes: 100KB", "bytes: 99999999999999999999999999", 1),
		"version 2":      strings.Replace(goodScenario, "version: 1", "version: 2", 1),
		"anchor bomb":    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
		"non-UTF-8 name": strings.Replace(goodScenario, "name: cli-check", "name: \"caf\\xe9\"", 1),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := writeScenario(t, "bad.yaml", text)
			r := netsim(t, "", "validate", path)
			noPanic(t, r)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Regexp(t, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(path)+`:\d+:\d+: `), r.stderr)
		})
	}
}

func TestCommandLineMisuse(t *testing.T) {
	good := writeScenario(t, "good.yaml", goodScenario)
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"no command", nil, "Usage"},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
		{"unknown flag", []string{"run", good, "--bogus"}, "bogus"},
		{"no scenario", []string{"run"}, "scenario"},
		{"two scenarios", []string{"run", good, good}, "scenario"},
		{"missing file", []string{"run", "/nonexistent/x.yaml"}, "/nonexistent/x.yaml"},
		{"a folder as scenario", []string{"run", os.TempDir()}, os.TempDir()},
		{"bad seed", []string{"run", good, "--seed", "abc"}, "abc"},
		{"negative until", []string{"run", good, "--until", "-1s"}, "-1s"},
		{"validate nothing", []string{"validate"}, "scenario"},
		{"plot a missing folder", []string{"plot", "/nonexistent"}, "/nonexistent"},
		{"out is a file", []string{"run", good, "--out", good}, "out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := netsim(t, t.TempDir(), tt.args...)
			noPanic(t, r)
			assert.Equal(t, 2, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.says)
		})
	}
	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"validate", "--help"}, {"plot", "--help"}} {
			r := netsim(t, "", args...)
			noPanic(t, r)
			assert.Equal(t, 0, r.code, "%v", args)
			assert.Contains(t, r.stdout+r.stderr, "Usage", "%v", args)
		}
	})
}

// TestOutFolder: a run into a folder that holds other files leaves them
// alone and replaces only what it writes; without --out it writes
// out/<name> under the working directory.
func TestOutFolder(t *testing.T) {
	good := writeScenario(t, "good.yaml", goodScenario)
	out := t.TempDir()
	mine := map[string]string{"notes.txt": "precious", "pcap/extra.pcap": "mine", "plots/old.png": "old"}
	for name, text := range mine {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(out, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, name), []byte(text), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(out, "trace.jsonl"), []byte("stale\n"), 0o644))
	r := netsim(t, "", "run", good, "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	for name, text := range mine {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err, name)
		assert.Equal(t, text, string(b), name)
	}
	assert.NotEqual(t, "stale\n", string(readFile(t, out, "trace.jsonl")), "trace.jsonl is replaced")
	for _, f := range []string{"manifest.json", "summary.json", "pcap/a-eth0.pcap", "pcap/b-eth0.pcap"} {
		assert.FileExists(t, filepath.Join(out, f))
	}

	wd := t.TempDir()
	r = netsim(t, wd, "run", good)
	require.Equal(t, 0, r.code, r.stderr)
	assert.FileExists(t, filepath.Join(wd, "out", "cli-check", "trace.jsonl"))
}

// TestQuickStartWritesUnderOut reads the README's commands as a new user
// copies them: every file they name to write (-o, --out) is under out/,
// never in the repository's own folders, and the sweep the Quick start
// runs writes the folder the Sweeps page plots from (issue 21).
func TestQuickStartWritesUnderOut(t *testing.T) {
	readme := string(readFile(t, repoRoot(t), "README.md"))
	sweeps := string(readFile(t, filepath.Join(repoRoot(t), "docs"), "sweeps.md"))
	cmdLine := regexp.MustCompile(`(?m)^(?:\$ )?(?:go run \./cmd/netsim|netsim) (.*)$`)
	outArg := regexp.MustCompile(`(?:^|\s)(?:-o|--out|-out)[ =](\S+)`)
	commands, outs := 0, 0
	for _, m := range cmdLine.FindAllStringSubmatch(readme, -1) {
		commands++
		for _, o := range outArg.FindAllStringSubmatch(m[1], -1) {
			outs++
			assert.True(t, strings.HasPrefix(o[1], "out/"), "README: %q writes %s, outside out/", m[0], o[1])
		}
	}
	require.GreaterOrEqual(t, commands, 5, "the README's commands were found")
	require.Positive(t, outs)
	// The README's sweep and the Sweeps page's first example use one folder.
	into := regexp.MustCompile(`netsim sweep scenarios/sweeps/(\S+)\.yaml\s+# .*into (out/\S+)`)
	rm, sm := into.FindStringSubmatch(readme), into.FindStringSubmatch(sweeps)
	require.NotNil(t, rm, "the README runs a sweep and says where it writes")
	require.NotNil(t, sm, "docs/sweeps.md runs a sweep and says where it writes")
	assert.Equal(t, rm[1:], sm[1:], "the Quick start and the Sweeps page run one sweep into one folder")
	assert.Equal(t, "out/"+rm[1], rm[2], "a sweep writes out/<name> by default")
	assert.Contains(t, sweeps, "plot "+sm[2]+" ", "the Sweeps page plots the folder its sweep wrote")
}

// TestQuickStart is the README's first command, as a new user types it
// from the repository root (into a temporary folder, not the tree).
func TestQuickStart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hs")
	r := netsim(t, "", "run", "scenarios/handshake.yaml", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "SYN")
	assert.Contains(t, r.stdout, ": ok (")
	assert.Regexp(t, regexp.MustCompile(`(?m)^replay: netsim run scenarios/handshake.yaml --seed 1$`), r.stdout)
}

// TestPlotCommand: netsim plot draws every kind from a run's folder, in
// the format the file name asks for, and refuses what it cannot draw.
func TestPlotCommand(t *testing.T) {
	slow(t)
	dir := run(t, writeScenario(t, "good.yaml", goodScenario))
	r := netsim(t, "", "plot", dir)
	require.Equal(t, 0, r.code, r.stderr)
	for _, f := range []string{"sequence.png", "time-sequence-1.png", "cwnd-1.png", "throughput.png", "queue.png"} {
		assert.FileExists(t, filepath.Join(dir, "plots", f))
	}
	// Each kind once, the formats taken in turn (drawing is slow).
	formats := []struct{ ext, magic string }{{".svg", "<"}, {".pdf", "%PDF"}, {".png", "\x89PNG"}}
	for i, kind := range []string{"sequence", "time-sequence", "cwnd", "throughput", "queue"} {
		ff := formats[i%len(formats)]
		f := filepath.Join(t.TempDir(), kind+ff.ext)
		r := netsim(t, "", "plot", dir, "--kind", kind, "-o", f)
		require.Equal(t, 0, r.code, "%s %s: %s", kind, ff.ext, r.stderr)
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(strings.TrimSpace(string(b)), ff.magic), "%s is a %s file", f, ff.ext)
	}
	for _, args := range [][]string{
		{"--kind", "bogus"},
		{"--kind", "cwnd", "--from", "5s", "--to", "1s", "-o", filepath.Join(t.TempDir(), "x.png")},
		{"--kind", "queue", "-o", filepath.Join(t.TempDir(), "x.gif")},
	} {
		r := netsim(t, "", append([]string{"plot", dir}, args...)...)
		noPanic(t, r)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
	// A figure asked for that has nothing to draw is a failure (1), not
	// bad usage.
	r = netsim(t, "", "plot", dir, "--kind", "cwnd", "--conn", "9", "-o", filepath.Join(t.TempDir(), "x.png"))
	noPanic(t, r)
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stderr, "nothing to plot")
}

// TestValidateExamples: every example scenario and every scenario of this
// package is valid as written.
func TestValidateExamples(t *testing.T) {
	files := captureScenarios(t)
	r := netsim(t, ".", append([]string{"validate"}, files...)...)
	require.Equal(t, 0, r.code, r.stderr)
	for _, f := range files {
		assert.Contains(t, r.stdout, f+": ok (")
	}
}
