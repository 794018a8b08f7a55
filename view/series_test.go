package view

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinnerKeepsEveryPointUnderTheBound(t *testing.T) {
	b := newBinner(10)
	for i := int64(0); i < 10; i++ {
		b.add(100+i*7, i)
	}
	require.Len(t, b.pts, 10)
	assert.Equal(t, int64(1), b.width)
	assert.Equal(t, [4]int64{163, 9, 9, 9}, b.pts[9])
}

func TestBinnerCoarsensAndKeepsExtremes(t *testing.T) {
	b := newBinner(8)
	for i := int64(0); i < 1000; i++ {
		v := i
		if i == 500 {
			v = 1_000_000 // one spike must survive the decimation
		}
		b.add(i*10, v)
	}
	assert.LessOrEqual(t, len(b.pts), 8)
	var top, last int64
	for _, p := range b.pts {
		top = max(top, p[2])
		assert.LessOrEqual(t, p[1], p[3])
		assert.GreaterOrEqual(t, p[2], p[3])
		last = p[3]
	}
	assert.Equal(t, int64(1_000_000), top)
	assert.Equal(t, int64(999), last)
	assert.Equal(t, int64(0), b.pts[0][0])
}
