package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/internal/capped"
)

// aliasBomb is a grid value of a few lines whose aliases expand to 10^9
// nodes (issue 16: copying it expanded every alias).
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\nbase: base.yaml\nseeds: 1\ngrid:\n  links[uplink].queue: [\n")
	b.WriteString("    &a0 {kind: droptail, limit: 50},\n")
	for i := 1; i <= 9; i++ {
		b.WriteString(fmt.Sprintf("    &a%d [", i))
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(fmt.Sprintf("*a%d", i-1))
		}
		b.WriteString("],\n")
	}
	b.WriteString("  ]\n")
	return b.String()
}

// TestAliasBombRefused: a value whose aliases expand past MaxValueNodes is
// an error at its position, found in time linear in the text.
func TestAliasBombRefused(t *testing.T) {
	_, err := Parse("testdata/bomb.yaml", []byte(aliasBomb()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "testdata/bomb.yaml:11:5: links[uplink].queue: the value is too large once its aliases are expanded")
	// Also in set:.
	_, err = Parse("testdata/bomb.yaml", []byte(strings.Replace(aliasBomb(), "grid:\n  links[uplink].queue: [", "set:\n  links[uplink].queue: [", 1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too large once its aliases are expanded")
}

// TestAliasesCopiedAsAliases: aliases in set: and grid: reach the points'
// scenarios as aliases (not expanded copies) when their anchor is in the
// same value, as the anchored node when it is in another value, and
// those scenarios load.
func TestAliasesCopiedAsAliases(t *testing.T) {
	text := `version: 1
base: base.yaml
set:
  links[uplink].queue: &q {kind: droptail, limit: 30}
  hosts: {client-a: &h {tcp: {mss: 1200}}, client-b: *h, server: {}}
grid:
  links[0]: [{between: [client-a, r1], bandwidth: 100Mbps, delay: 1ms, queue: *q}]
seeds: 1
`
	s, err := Parse("testdata/aliases.yaml", []byte(text))
	require.NoError(t, err)
	s.Base = []byte(readFile(t, "testdata/base.yaml"))
	p, err := Expand(s)
	require.NoError(t, err)
	require.Len(t, p.Points, 1)
	sc := string(p.Points[0].Scenario)
	assert.Contains(t, sc, "client-a: &h {tcp: {mss: 1200}}")
	assert.Contains(t, sc, "client-b: *h", "the alias stays an alias:\n%s", sc)
	assert.Contains(t, sc, "delay: 1ms, queue: &q {kind: droptail, limit: 30}}", "an anchor of another value comes along:\n%s", sc)
}

// TestCopyNodeLinear: copying a value whose aliases would expand to 10^9
// nodes copies only what is written.
func TestCopyNodeLinear(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(strings.SplitN(aliasBomb(), "queue: ", 2)[1]), &doc))
	c := copyNode(doc.Content[0])
	count := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		count++
		for _, ch := range n.Content {
			walk(ch)
		}
	}
	walk(c)
	assert.Less(t, count, 200)
}

// TestSweepLock: two sweeps cannot write one folder at once.
func TestSweepLock(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	out := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.NoError(t, err)
	unlock, err := lockDir(out)
	require.NoError(t, err)
	_, err = Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), fmt.Sprintf("is being written by another netsim process (PID %d)", os.Getpid()))
	_, err = Merge([]string{out}, out)
	require.ErrorIs(t, err, ErrLocked)
	unlock()
	_, err = Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.NoError(t, err)
}

// TestSweepRefusesARunFolder: a sweep never writes into the folder of a
// netsim run (out/NAME of a scenario and of a sweep of the same name):
// mixed with the sweep's aggregate.csv, the run's outputs could no longer
// be plotted or viewed as a run's. Merge refuses it too.
func TestSweepRefusesARunFolder(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "manifest.json"), []byte("{}\n"), 0o644))
	_, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.ErrorIs(t, err, ErrRunFolder)
	assert.Contains(t, err.Error(), "give the sweep a folder of its own with --out")
	assert.NoFileExists(t, filepath.Join(out, ManifestFile))
	assert.NoFileExists(t, filepath.Join(out, LockFile))

	shard := t.TempDir()
	_, err = Execute(context.Background(), p, Options{Out: shard, Workers: 1, Runner: fake})
	require.NoError(t, err)
	_, err = Merge([]string{shard}, out)
	require.ErrorIs(t, err, ErrRunFolder)
	assert.NoFileExists(t, filepath.Join(out, ResultsFile))
}

// TestSweepRefusesTheWorkingFolder: as netsim run, a sweep or merge never
// writes into the working folder or one above it (the root folder
// included), where its results.csv, aggregate.csv, points/ and runs/
// would land among (and over) the user's own files.
func TestSweepRefusesTheWorkingFolder(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	shard := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: shard, Workers: 1, Runner: fake})
	require.NoError(t, err)
	wd := filepath.Join(t.TempDir(), "work")
	require.NoError(t, os.Mkdir(wd, 0o755))
	t.Chdir(wd)
	require.NoError(t, os.Symlink(".", "self"))
	for _, out := range []string{".", "..", wd, string(filepath.Separator), "self"} {
		_, err = Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
		require.ErrorIs(t, err, ErrOutFolder, out)
		assert.Contains(t, err.Error(), "is the current folder or holds it", out)
		_, err = Merge([]string{shard}, out)
		require.ErrorIs(t, err, ErrOutFolder, out)
	}
	for _, f := range []string{ResultsFile, ManifestFile, LockFile} {
		assert.NoFileExists(t, filepath.Join(wd, f))
		assert.NoFileExists(t, filepath.Join(filepath.Dir(wd), f))
	}
}

// TestSweepRefusesAnotherSweepsFolder: a sweep or merge into the folder
// of another sweep (another name in its sweep.json) is refused, the
// folder as it was: it replaced that sweep's results.csv, aggregate.csv
// and sweep.json and mixed the two sweeps' runs in runs/. The same sweep
// with another grid resumes there as before.
func TestSweepRefusesAnotherSweepsFolder(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	out := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.NoError(t, err)
	results, err := os.ReadFile(filepath.Join(out, ResultsFile))
	require.NoError(t, err)
	manifest, err := os.ReadFile(filepath.Join(out, ManifestFile))
	require.NoError(t, err)

	other := expand(t, readFile(t, "testdata/small.yaml"))
	other.Sweep.Name = "another"
	_, err = Execute(context.Background(), other, Options{Out: out, Workers: 1, Runner: fake})
	require.ErrorIs(t, err, ErrOtherSweep)
	assert.Contains(t, err.Error(), `holds the sweep "`+p.Sweep.Name+`"`)

	shard := t.TempDir()
	_, err = Execute(context.Background(), other, Options{Out: shard, Workers: 1, Runner: fake})
	require.NoError(t, err)
	_, err = Merge([]string{shard}, out)
	require.ErrorIs(t, err, ErrOtherSweep)

	got, err := os.ReadFile(filepath.Join(out, ResultsFile))
	require.NoError(t, err)
	assert.Equal(t, results, got)
	got, err = os.ReadFile(filepath.Join(out, ManifestFile))
	require.NoError(t, err)
	assert.Equal(t, manifest, got)

	// The same sweep resumes: nothing to run again.
	rep, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.NoError(t, err)
	assert.Equal(t, rep.Total, rep.Skipped)
}

// TestResumeRefusesOtherVersion: every run record names the netsim
// version and scenario sha256; resuming with another version is refused
// before anything runs, and merging shards of two versions too.
func TestResumeRefusesOtherVersion(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	out := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake, Version: "1.0"})
	require.NoError(t, err)
	rec, ok := readRecord(out, p.Runs[0].ID)
	require.True(t, ok)
	assert.Equal(t, "1.0", rec.NetsimVersion)
	assert.Equal(t, p.Points[0].ScenarioSHA256, rec.ScenarioSHA256)
	m, err := ReadManifest(out)
	require.NoError(t, err)
	assert.Equal(t, "1.0", m.NetsimVersion)

	results := readFile(t, filepath.Join(out, ResultsFile))
	_, err = Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake, Version: "2.0"})
	require.ErrorIs(t, err, ErrVersion)
	assert.Contains(t, err.Error(), "holds complete runs of netsim 1.0")
	assert.Contains(t, err.Error(), "this is netsim 2.0")
	assert.Equal(t, results, readFile(t, filepath.Join(out, ResultsFile)), "nothing was rewritten")
	rep, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake, Version: "1.0"})
	require.NoError(t, err)
	assert.Equal(t, rep.Total, rep.Skipped, "the same version resumes")

	other := t.TempDir()
	_, err = Execute(context.Background(), p, Options{Out: other, Workers: 1, Runner: fake, Version: "2.0"})
	require.NoError(t, err)
	_, err = Merge([]string{out, other}, t.TempDir())
	require.ErrorIs(t, err, ErrMerge)
	assert.Contains(t, err.Error(), "different netsim versions")
}

// TestFigureMixedFolder: an aggregate.csv holding a grid point that
// sweep.json lacks (two sweeps wrote one folder) is a clear error, not an
// index out of range (issue 16).
func TestFigureMixedFolder(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	out := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: out, Workers: 1, Runner: fake})
	require.NoError(t, err)
	agg := readFile(t, filepath.Join(out, AggregateFile))
	lines := strings.Split(strings.TrimSpace(agg), "\n")
	// A row of another sweep: another point, another loss.
	extra := strings.Replace(strings.Replace(lines[1], ",1%,", ",7%,", 1), ",0%,", ",7%,", 1)
	extra = "ffffffffffff" + extra[strings.Index(extra, ","):]
	require.NoError(t, os.WriteFile(filepath.Join(out, AggregateFile), []byte(agg+extra+"\n"), 0o644))
	_, err = Figure(out, FigureOptions{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion"})
	require.ErrorIs(t, err, ErrFigure)
	assert.Contains(t, err.Error(), "holds grid point ffffffffffff (links[uplink].loss=7%) that sweep.json lacks")
}

// TestInputCaps: the files a sweep reads are capped, like scenarios.
func TestInputCaps(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := Load("/dev/zero")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than 64 MiB")
	big := filepath.Join(t.TempDir(), "aggregate.csv")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(maxInputBytes+1))
	require.NoError(t, f.Close())
	_, err = capped.ReadFile(big, maxInputBytes)
	assert.ErrorContains(t, err, "larger than 64 MiB")
}

// TestShardRefusesAnotherShardsFolder: a shard run into the folder of the
// whole sweep, or of another shard, is refused and the folder left as it
// was: it replaced that folder's results.csv with the shard's rows alone.
// A shard resumes in its own folder, and the whole sweep may complete a
// shard's folder.
func TestShardRefusesAnotherShardsFolder(t *testing.T) {
	p := expand(t, readFile(t, "testdata/small.yaml"))
	whole := t.TempDir()
	_, err := Execute(context.Background(), p, Options{Out: whole, Workers: 1, Runner: fake})
	require.NoError(t, err)
	results := readFile(t, filepath.Join(whole, ResultsFile))

	_, err = Execute(context.Background(), p, Options{Out: whole, Workers: 1, Runner: fake, Shard: Shard{0, 2}})
	require.ErrorIs(t, err, ErrOtherSweep)
	assert.Contains(t, err.Error(), "holds the whole sweep")
	assert.Equal(t, results, readFile(t, filepath.Join(whole, ResultsFile)))

	part := t.TempDir()
	_, err = Execute(context.Background(), p, Options{Out: part, Workers: 1, Runner: fake, Shard: Shard{0, 2}})
	require.NoError(t, err)
	_, err = Execute(context.Background(), p, Options{Out: part, Workers: 1, Runner: fake, Shard: Shard{1, 2}})
	require.ErrorIs(t, err, ErrOtherSweep)
	assert.Contains(t, err.Error(), "holds shard 0/2")
	rep, err := Execute(context.Background(), p, Options{Out: part, Workers: 1, Runner: fake, Shard: Shard{0, 2}})
	require.NoError(t, err)
	assert.Equal(t, rep.Total, rep.Skipped, "the shard resumes in its own folder")
	_, err = Execute(context.Background(), p, Options{Out: part, Workers: 1, Runner: fake})
	require.NoError(t, err)
	assert.Equal(t, results, readFile(t, filepath.Join(part, ResultsFile)), "the whole sweep completes a shard's folder")
}
