package capped

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/netsimlab/netsim/internal/testflags"
)

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("12345"), 0o644))
	data, err := ReadFile(p, 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(data))

	_, err = ReadFile(p, 4)
	var tl *TooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	assert.Equal(t, p, tl.Path)

	_, err = ReadFile("/dev/zero", 1<<20)
	assert.ErrorContains(t, err, "larger than 1 MiB")

	_, err = ReadFile(filepath.Join(t.TempDir(), "missing"), 5)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
