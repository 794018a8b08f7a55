package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/third_party/gonumplot/font"
)

// fontsChildEnv marks the child process of TestStartupParsesNoFonts.
const fontsChildEnv = "NETSIM_TEST_FONTS_CHILD"

// TestStartupParsesNoFonts holds issue 14's "no font parsing unless a plot
// is drawn" by state, not by time: in a fresh process (this test binary
// again, running only this test, so that no other test has drawn a figure
// yet) the Liberation fonts the figures use are not loaded by the package
// initialisation, nor by netsim version, nor by a run that asks for no
// figure; the first figure drawn loads them.
func TestStartupParsesNoFonts(t *testing.T) {
	if os.Getenv(fontsChildEnv) == "1" {
		startupFontsChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStartupParsesNoFonts$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), fontsChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the child process:\n%s", out)
	require.Contains(t, string(out), "--- PASS: TestStartupParsesNoFonts", "the child process did not run the test:\n%s", out)
}

// startupFontsChild is the child's side of TestStartupParsesNoFonts.
func startupFontsChild(t *testing.T) {
	require.False(t, font.DefaultCache.Loaded(), "the package initialisation parsed the fonts")

	code, _, stderr := cli(t, "version")
	require.Equal(t, exitOK, code, stderr)
	require.False(t, font.DefaultCache.Loaded(), "netsim version parsed the fonts")

	out := t.TempDir()
	code, _, stderr = cli(t, "run", handshake, "--out", out)
	require.Equal(t, exitOK, code, stderr)
	require.False(t, font.DefaultCache.Loaded(), "a run that asks for no figure parsed the fonts")

	code, _, stderr = cli(t, "plot", out, "--kind", "sequence", "-o", filepath.Join(t.TempDir(), "sequence.svg"))
	require.Equal(t, exitOK, code, stderr)
	require.True(t, font.DefaultCache.Loaded(), "a figure was drawn without loading the fonts: the text handler no longer uses font.DefaultCache?")
}
