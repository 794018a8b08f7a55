package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.csv")
	require.NoError(t, Write(path, []byte("a\n")))
	require.NoError(t, Write(path, []byte("b\n")), "replaces an existing file")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "b\n", string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	left, err := filepath.Glob(filepath.Join(dir, TempPattern))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file is left behind")

	err = Write(filepath.Join(dir, "missing", "x"), nil)
	assert.Error(t, err, "a folder that does not exist")
}
