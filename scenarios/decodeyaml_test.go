package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeYAML: the other files netsim reads get the scenario loader's
// decoding: a document, nothing for an empty file, and a syntax error at
// its FILE:LINE:COL.
func TestDecodeYAML(t *testing.T) {
	doc, err := DecodeYAML("a.yaml", []byte("x: 1\n"))
	require.NoError(t, err)
	require.Len(t, doc.Content, 1)

	doc, err = DecodeYAML("a.yaml", nil)
	require.NoError(t, err)
	assert.Empty(t, doc.Content)

	_, err = DecodeYAML("a.yaml", []byte("x: 1\ny: [\n"))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "a.yaml", e.File)
	assert.Positive(t, e.Pos.Line)
}
