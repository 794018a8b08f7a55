package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestInternalErrorExit3: a panic anywhere below the command line exits 3,
// not 2 like an invalid scenario, with one line asking for a report with
// the command that replays it (issue 16).
func TestInternalErrorExit3(t *testing.T) {
	testPanic = func(args []string) {
		if args[0] == "run" {
			panic("boom\nsecond line")
		}
	}
	defer func() { testPanic = nil }()
	out := filepath.Join(t.TempDir(), "out dir")
	code, stdout, stderr := cli(t, "run", handshake, "--out", out)
	assert.Equal(t, exitInternal, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	first, _, _ := strings.Cut(stderr, "\n")
	assert.Contains(t, first, "netsim: internal error (a bug in netsim")
	assert.Contains(t, first, "boom second line")
	assert.Contains(t, first, "please report it")
	assert.Contains(t, first, "netsim run "+handshake+" --out '"+out+"'")
	assert.Contains(t, stderr, "goroutine", "the stack follows for the report")
	// Other commands are unaffected.
	code, _, _ = cli(t, "--version")
	assert.Equal(t, exitOK, code)
	// The help lists every exit code.
	_, help, _ := cli(t, "--help")
	for _, c := range []string{"0    success", "1    an expect failed", "2    bad usage", "3    internal error", "130  interrupted"} {
		assert.Contains(t, help, c)
	}
}

// TestUntilTooLong: --until past the longest time a scenario may name is
// refused before anything runs (it overflowed the clock, issue 16).
func TestUntilTooLong(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := cli(t, "run", handshake, "--out", out, "--until", "2562047h47m16.854775807s")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--until 2562047h47m16.854775807s is too long (at most 100000h0m0s)")
	assert.NoDirExists(t, out)
}
