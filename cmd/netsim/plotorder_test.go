package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeclaredNodes: a run's folder names its scenario in manifest.json;
// while that file is there unchanged, its nodes come in the order it
// declares them (the dumbbell: reno-1, reno-2, cubic-1, cubic-2, the
// sinks, then the routers); once it is edited or gone, nil (natural name
// order). The sequence figure `netsim run` draws itself at the end of the
// run follows the same order.
func TestDeclaredNodes(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/dumbbell.yaml")
	require.NoError(t, err)
	scen := filepath.Join(t.TempDir(), "dumbbell.yaml")
	require.NoError(t, os.WriteFile(scen, src, 0o644))
	dir := filepath.Join(t.TempDir(), "db")
	code, _, stderr := cli(t, "run", scen, "--out", dir, "--until", "3s",
		"--set", "outputs.plots=[sequence]", "--set", "outputs.format=svg")
	require.Contains(t, []int{exitOK, exitFailed}, code, stderr)
	svg, err := os.ReadFile(filepath.Join(dir, "plots", "sequence.svg"))
	require.NoError(t, err)
	var lifelines []string
	for _, m := range regexp.MustCompile(`>((?:reno|cubic|sink)-\d)<`).FindAllStringSubmatch(string(svg), -1) {
		lifelines = append(lifelines, m[1])
	}
	assert.Equal(t, []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-1", "sink-2", "sink-3", "sink-4"},
		lifelines, "the lifelines of the figure netsim run drew")

	assert.Equal(t, []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-1", "sink-2", "sink-3", "sink-4", "left", "right"},
		declaredNodes(dir))

	require.NoError(t, os.WriteFile(scen, append(src, "\n# edited\n"...), 0o644))
	assert.Nil(t, declaredNodes(dir), "the scenario changed since the run")
	require.NoError(t, os.Remove(scen))
	assert.Nil(t, declaredNodes(dir), "the scenario is gone")
	assert.Nil(t, declaredNodes(t.TempDir()), "no manifest")
}

// TestDeclaredNodesAsRun: the order is that of the scenario as the run
// loaded it, its --set overrides applied (here the routers declared the
// other way round), and the file is found where it was, whatever the
// working directory of the reader and wherever the output folder is (not
// only out/NAME beside the scenario).
func TestDeclaredNodesAsRun(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/dumbbell.yaml")
	require.NoError(t, err)
	at := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(at, "dumbbell.yaml"), src, 0o644))
	dir := filepath.Join(t.TempDir(), "a", "b", "c", "db")
	t.Chdir(at)
	code, _, stderr := cli(t, "run", "dumbbell.yaml", "--out", dir, "--until", "1ms",
		"--set", "routers={right: {}, left: {}}", "--set", "outputs.pcap=false")
	require.Equal(t, exitOK, code, stderr)
	want := []string{"reno-1", "reno-2", "cubic-1", "cubic-2", "sink-1", "sink-2", "sink-3", "sink-4", "right", "left"}
	assert.Equal(t, want, declaredNodes(dir), "read where the run was made")
	t.Chdir(t.TempDir())
	assert.Equal(t, want, declaredNodes(dir), "read from elsewhere")
}
