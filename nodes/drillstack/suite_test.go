package drillstack

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp/drill"
)

// suiteBugs gives, for each script of tcp/drill/testdata/bugs, why it
// fails: netsim's TCP (or its socket layer) differs from Linux and the
// RFCs there. The script is right and stays, skipped with the reason,
// until the stack is fixed; then it moves to scripts/.
var suiteBugs = map[string]string{}

// TestSuite plays every script of tcp/drill/testdata/scripts through the
// whole host.
func TestSuite(t *testing.T) {
	files, err := filepath.Glob("../../tcp/drill/testdata/scripts/*.pkt")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 1)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if why, bug := suiteBugs[filepath.Base(f)]; bug {
				t.Skip("known stack bug: " + why)
			}
			require.NoError(t, runFile(t, f))
		})
	}
}

// TestKnownBugs plays the scripts of tcp/drill/testdata/bugs: each is
// skipped with its reason while it still fails, and reported when it
// passes (the bug is fixed: move it to scripts/).
func TestKnownBugs(t *testing.T) {
	files, err := filepath.Glob("../../tcp/drill/testdata/bugs/*.pkt")
	require.NoError(t, err)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			why, ok := suiteBugs[filepath.Base(f)]
			require.True(t, ok, "a script in bugs/ needs its reason in suiteBugs")
			err := runFile(t, f)
			require.Error(t, err, "it passes now: move it to scripts/ and drop it from suiteBugs")
			t.Skip("known stack bug: " + why + "\n" + err.Error())
		})
	}
}

// TestSuiteSeeds: the scripts pass whatever the host's ISNs and
// timestamp offsets (drawn from the seed), since every number they check
// is relative; a few seeds put the ISN near the wrap of the sequence space.
func TestSuiteSeeds(t *testing.T) {
	files, err := filepath.Glob("../../tcp/drill/testdata/scripts/*.pkt")
	require.NoError(t, err)
	for _, seed := range []uint64{2, 3, 42, 1 << 40} {
		for _, f := range files {
			if _, bug := suiteBugs[filepath.Base(f)]; bug {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			s, err := drill.Parse(filepath.Base(f), src)
			require.NoError(t, err)
			o := defaultOptions()
			o.Seed = seed
			assert.NoError(t, Run(s, o), "seed %d", seed)
		}
	}
}

// wantError is the "// error: ..." line of a must-fail script: the
// runner's error must contain it exactly.
var wantError = regexp.MustCompile(`(?m)^// error: (.*)$`)

// TestMustFail: every script of tcp/drill/testdata/fail fails with the
// exact error its "// error:" comment gives, so that the runner cannot
// pass everything by accident.
func TestMustFail(t *testing.T) {
	files, err := filepath.Glob("../../tcp/drill/testdata/fail/*.pkt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			m := wantError.FindSubmatch(src)
			require.NotNil(t, m, "a must-fail script needs a // error: line")
			err = runFile(t, f)
			require.Error(t, err)
			assert.Contains(t, strings.ReplaceAll(err.Error(), "\n\t", " | "), string(m[1]))
		})
	}
}
