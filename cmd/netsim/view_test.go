package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/view"
)

// TestViewWritesThePage: netsim view writes DIR/view.html (or -o FILE)
// from a run's folder, with the captured bytes of its packets.
func TestViewWritesThePage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hs")
	code, _, stderr := cli(t, "run", handshake, "--out", dir)
	require.Equal(t, exitOK, code, stderr)

	code, stdout, stderr := cli(t, "view", dir)
	require.Equal(t, exitOK, code, stderr)
	page := filepath.Join(dir, "view.html")
	assert.Equal(t, "wrote "+page+" (6 packets)\n", stdout)
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	// The SYN's IPv4 header as captured, and checksums found valid.
	packets, err := view.ReadPackets(b)
	require.NoError(t, err)
	require.Len(t, packets, 6)
	assert.True(t, strings.HasPrefix(packets[0].Bytes, "4500003c0001"), packets[0].Bytes)
	for _, p := range packets {
		require.NotNil(t, p.IPSum, "packet %d", p.ID)
		require.NotNil(t, p.L4Sum, "packet %d", p.ID)
		assert.True(t, *p.IPSum && *p.L4Sum, "packet %d: checksums valid", p.ID)
	}

	other := filepath.Join(t.TempDir(), "x.html")
	code, stdout, stderr = cli(t, "view", "--max-packets", "2", dir, "-o", other)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "(2 packets; 4 more left out by --max-packets 2")
	assert.FileExists(t, other)
}

// TestViewBadInput: every mistake exits 2 with a message saying what is
// wrong, and writes nothing.
func TestViewBadInput(t *testing.T) {
	dir, noTrace := runAndNoTrace(t)
	badTrace := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badTrace, "trace.jsonl"), []byte("{\"t\":1,\"kind\":\"nope\"}\n"), 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"view"}, "want one output folder, got 0"},
		{[]string{"view", filepath.Join(dir, "nope")}, "no such output folder"},
		{[]string{"view", handshake}, "is not a folder"},
		{[]string{"view", noTrace}, "has no trace.jsonl"},
		{[]string{"view", badTrace}, "trace.jsonl: trace line 1"},
		{[]string{"view", dir, "--conn", "9"}, "--conn 9: no such connection"},
		{[]string{"view", dir, "--conn", "-1"}, "want a connection id"},
		{[]string{"view", dir, "--max-packets", "0"}, "--max-packets 0: want 1 or more"},
		{[]string{"view", dir, "--from", "2s", "--to", "1s"}, "--to 1s is before --from 2s"},
		{[]string{"view", dir, "--from", "soon"}, "invalid value"},
		{[]string{"view", dir, "-o", filepath.Join(dir, "no", "such", "x.html")}, "x.html"},
	} {
		code, stdout, stderr := cli(t, c.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, "%v", c.args)
		assert.Empty(t, stdout, "%v", c.args)
		assert.False(t, strings.Contains(stderr, "panic"), "%v", c.args)
	}
	assert.NoFileExists(t, filepath.Join(dir, "view.html"))
}

// TestViewKeepsTheRunsFiles: -o naming a file of the run (its trace, its
// summary, a capture) or anything else that is not an HTML page is
// refused before anything is written: the page would have replaced the
// trace it was drawn from.
func TestViewKeepsTheRunsFiles(t *testing.T) {
	dir, _ := runAndNoTrace(t)
	for _, rel := range []string{"trace.jsonl", "summary.json", "manifest.json", filepath.Join("pcap", "client-eth0.pcap"), "page"} {
		target := filepath.Join(dir, rel)
		before, _ := os.ReadFile(target)
		code, stdout, stderr := cli(t, "view", dir, "-o", target)
		assert.Equal(t, exitUsage, code, "%s: %s", rel, stderr)
		assert.Contains(t, stderr, "-o "+target+": not an HTML page", rel)
		assert.Empty(t, stdout, rel)
		after, _ := os.ReadFile(target)
		assert.Equal(t, before, after, "%s must not change", rel)
	}
	for _, name := range []string{"page.html", "PAGE.HTM"} {
		code, _, stderr := cli(t, "view", dir, "-o", filepath.Join(dir, name))
		assert.Equal(t, exitOK, code, "%s: %s", name, stderr)
	}
}
