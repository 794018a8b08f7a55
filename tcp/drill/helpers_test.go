package drill_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/tcp/drill"
)

// newStack returns the stack the runner's tests play against: a fresh
// simulated host with the default options.
func newStack(t *testing.T) drill.Stack {
	t.Helper()
	st, err := drillstack.New(drillstack.DefaultOptions())
	require.NoError(t, err)
	return st
}

// runScript parses src (a script named name) and runs it against a fresh
// stack under rc, returning the run's error.
func runScript(t *testing.T, name, src string, rc drill.RunConfig) error {
	t.Helper()
	s, err := drill.Parse(name, []byte(src))
	require.NoError(t, err)
	return drill.Run(s, newStack(t), rc)
}

// requireMismatch checks a run's error: none when want is empty, else a
// mismatch (drill.ErrMismatch) whose message contains want.
func requireMismatch(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		require.NoError(t, err)
		return
	}
	require.ErrorIs(t, err, drill.ErrMismatch)
	require.ErrorContains(t, err, want)
}

// failureReport runs src (named name) with a recorder under the default
// configuration, requires it to fail, and returns drill.Report's text.
func failureReport(t *testing.T, name, src string) string {
	t.Helper()
	s, err := drill.Parse(name, []byte(src))
	require.NoError(t, err)
	rc := drill.DefaultRunConfig()
	rec := drill.NewRecorder(newStack(t), nil)
	err = drill.Run(s, rec, rc)
	require.Error(t, err)
	var out strings.Builder
	drill.Report(&out, s, err, rec, rc)
	return out.String()
}
