package drill_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/drillstack"
)

// The drill suite: testdata/scripts must pass, testdata/fail must fail
// with the error each names, and testdata/bugs (when it exists) holds
// scripts that are right but fail because of a known netsim bug. Each is
// played through the whole simulated host, the one stack netsim drill
// runs.
const (
	suiteDir = "testdata/scripts"
	failDir  = "testdata/fail"
	bugsDir  = "testdata/bugs"
)

// suiteBugs gives, for each script of testdata/bugs, why it fails:
// netsim's TCP (or its socket layer) differs from Linux and the RFCs
// there. The script is right and stays until the stack is fixed; then it
// moves to scripts/ and leaves this list.
var suiteBugs = map[string]string{}

func runFile(t *testing.T, path string) error {
	t.Helper()
	return drillstack.RunFile(path, drillstack.DefaultOptions())
}

// scripts returns the scripts of dir; there must be some.
func scripts(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pkt"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no script in %s", dir)
	return files
}

// TestSuite plays every script of testdata/scripts: each must pass.
func TestSuite(t *testing.T) {
	for _, f := range scripts(t, suiteDir) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			require.NoError(t, runFile(t, f))
		})
	}
}

// TestKnownBugs: suiteBugs and testdata/bugs list the same scripts, and
// each still fails (when one passes, its bug is fixed: move it to
// scripts/). With no known bug the folder does not exist and the list is
// empty; an empty folder is an error.
func TestKnownBugs(t *testing.T) {
	if _, err := os.Stat(bugsDir); errors.Is(err, fs.ErrNotExist) {
		require.Empty(t, suiteBugs, "suiteBugs lists scripts but %s does not exist", bugsDir)
		t.Skip("no known bugs: " + bugsDir + " does not exist")
	}
	require.NotEmpty(t, suiteBugs, "%s exists: suiteBugs must give each script's reason", bugsDir)
	files := scripts(t, bugsDir)
	seen := map[string]bool{}
	for _, f := range files {
		seen[filepath.Base(f)] = true
	}
	for name := range suiteBugs {
		assert.True(t, seen[name], "suiteBugs lists %s, which is not in %s", name, bugsDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			why, ok := suiteBugs[filepath.Base(f)]
			require.True(t, ok, "a script in bugs/ needs its reason in suiteBugs")
			err := runFile(t, f)
			require.Error(t, err, "it passes now: move it to scripts/ and drop it from suiteBugs")
			t.Log("known stack bug: " + why + "\n" + err.Error())
		})
	}
}

// TestSuiteSeeds: the scripts pass whatever the host's ISNs and
// timestamp offsets (drawn from the seed), since every number they check
// is relative; a few seeds put the ISN near the wrap of the sequence space.
func TestSuiteSeeds(t *testing.T) {
	files := scripts(t, suiteDir)
	for _, seed := range []uint64{2, 3, 42, 1 << 40} {
		for _, f := range files {
			o := drillstack.DefaultOptions()
			o.Seed = seed
			assert.NoError(t, drillstack.RunFile(f, o), "seed %d", seed)
		}
	}
}

// wantError is the "// error: ..." line of a must-fail script: the
// runner's error must contain it exactly.
var wantError = regexp.MustCompile(`(?m)^// error: (.*)$`)

// TestMustFail: every script of testdata/fail fails with the exact error
// its "// error:" comment gives, so that the runner cannot pass
// everything by accident.
func TestMustFail(t *testing.T) {
	for _, f := range scripts(t, failDir) {
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
