package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorChainsNotRepeated reads the error messages netsim prints for
// bad input (every invalid scenario of the testdata, bad overrides, plots
// that cannot be drawn, missing files) and checks that no message repeats
// a part of its chain, as in "plots: render x: plots: ...": each layer
// adds its context once.
func TestErrorChainsNotRepeated(t *testing.T) {
	dir := t.TempDir()
	invalid, err := filepath.Glob("../../scenarios/testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, invalid)
	runs := [][]string{
		append([]string{"validate"}, invalid...),
		{"validate", handshake, "--set", "links.nope.loss=1%", "--set", "links[0].bandwidth=1 Mb", "--set", "duration={x"},
		{"run", handshake, "--set", "links[up"},
		{"run", handshake, "--set", "links"},
		{"run", filepath.Join(dir, "nope.yaml")},
		{"plot", handshake},
		{"plot", filepath.Join(dir, "nothing")},
		{"plot", "--kind", "nope", dir},
		{"sweep", filepath.Join(dir, "nope.yaml")},
	}
	out := filepath.Join(dir, "hs")
	code, _, stderr := cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	runs = append(runs,
		[]string{"plot", out, "--kind", "throughput"},
		[]string{"plot", out, "--kind", "cwnd", "--conn", "9", "-o", filepath.Join(dir, "x.svg")},
		[]string{"plot", out, "--kind", "cwnd", "-o", filepath.Join(dir, "x.bmp")},
		[]string{"plot", out, "--kind", "cwnd", "-o", filepath.Join(dir, "no", "such", "x.png")},
	)
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nbase: base.yaml\nseeds: 1\ngrid:\n  links[up.loss: [1%]\n"), 0o644))
	runs = append(runs, []string{"sweep", bad})

	lines := 0
	for _, args := range runs {
		code, _, stderr := cli(t, args...)
		assert.NotEqual(t, exitOK, code, "%v", args)
		for line := range strings.SplitSeq(strings.TrimSpace(stderr), "\n") {
			if strings.HasPrefix(line, "Run 'netsim") || strings.Contains(line, "warning:") {
				continue
			}
			lines++
			seen := map[string]bool{}
			for _, part := range strings.Split(line, ": ") {
				part = strings.TrimSpace(part)
				assert.False(t, seen[part], "%q is repeated in the chain of %v:\n%s", part, args, line)
				seen[part] = true
			}
		}
	}
	assert.Greater(t, lines, len(invalid), "every run printed its error")
}
