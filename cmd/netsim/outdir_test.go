package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

func TestOutDirCommitAndAbort(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	o, err := newOutDir(root)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "summary.json"), []byte("old"), 0o644))

	// An aborted run leaves the earlier file as it was and no temporary.
	w, err := o.create("summary.json")
	require.NoError(t, err)
	_, err = w.WriteString("half")
	require.NoError(t, err)
	o.abort()
	got, err := os.ReadFile(filepath.Join(root, "summary.json"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))

	// A committed one replaces it, in nested folders too.
	w, err = o.create("pcap/a-eth0.pcap")
	require.NoError(t, err)
	_, err = w.WriteString("pcap")
	require.NoError(t, err)
	require.NoError(t, o.writeFile("summary.json", []byte("new")))
	assert.Equal(t, []string{"pcap/a-eth0.pcap", "summary.json"}, o.written)
	got, err = os.ReadFile(filepath.Join(root, "summary.json"))
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	got, err = os.ReadFile(filepath.Join(root, "pcap", "a-eth0.pcap"))
	require.NoError(t, err)
	assert.Equal(t, "pcap", string(got))
	left, err := filepath.Glob(filepath.Join(root, "*", ".*tmp*"))
	require.NoError(t, err)
	assert.Empty(t, left)
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
	var buf bytes.Buffer
	assert.Nil(t, newProgressBar(&buf, sim.Time(10e9), func() uint64 { return 0 }), "no bar on a pipe or a buffer")
	var nilBar *progressBar
	nilBar.update(5) // a nil bar does nothing
	nilBar.done()

	p := &progressBar{w: &buf, total: sim.Time(10e9), events: func() uint64 { return 3000 }}
	p.start = time.Now().Add(-time.Second)
	p.last = p.start
	p.update(sim.Time(5e9))
	assert.Empty(t, buf.String(), "nothing in the first two seconds")

	p.start = time.Now().Add(-3 * time.Second)
	p.update(sim.Time(5e9))
	out := buf.String()
	assert.Contains(t, out, "\r[===============               ] 5.000000000s / 10.000000000s   50%")
	assert.Contains(t, out, "events/s")
	assert.Contains(t, out, "ETA 3s")
	p.done()
	assert.Contains(t, buf.String(), "\r\033[K")
}
