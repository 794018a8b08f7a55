package plots

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netsimlab/netsim/sim"
)

func TestDecimateSmallSeriesUntouched(t *testing.T) {
	b := bins{lo: 0, hi: 1000, n: 100}
	bars := []seqBar{{1, 0, 10}, {2, 10, 20}}
	assert.Equal(t, bars, decimateBars(bars, b))
	pts := []seqPoint{{1, 5}, {2, 3}}
	assert.Equal(t, pts, decimateLine(pts, b))
	assert.Equal(t, pts, decimateMarks(pts, b))
}

func TestDecimateBounded(t *testing.T) {
	const n = 200_000
	b := bins{lo: 0, hi: n, n: 100}
	bars := make([]seqBar, n)
	pts := make([]seqPoint, n)
	for i := range n {
		bars[i] = seqBar{t: sim.Time(i), lo: int64(i) * 10, hi: int64(i)*10 + 10}
		// A saw tooth: the line must keep its extremes.
		pts[i] = seqPoint{t: sim.Time(i), v: int64(i%1000) - 500}
	}
	db := decimateBars(bars, b)
	assert.Len(t, db, 100, "one bar per bin")
	// Together the bars still cover the whole range.
	assert.Equal(t, int64(0), db[0].lo)
	assert.Equal(t, int64(n*10), db[len(db)-1].hi)
	for i := 1; i < len(db); i++ {
		assert.Equal(t, db[i-1].hi, db[i].lo, "no gap between bins")
	}
	dl := decimateLine(pts, b)
	assert.LessOrEqual(t, len(dl), 4*100)
	var lo, hi int64
	for i, p := range dl {
		lo, hi = min(lo, p.v), max(hi, p.v)
		if i > 0 {
			assert.LessOrEqual(t, dl[i-1].t, p.t, "time order kept")
		}
	}
	assert.Equal(t, int64(-500), lo)
	assert.Equal(t, int64(499), hi)
	assert.Equal(t, pts[0], dl[0])
	assert.Equal(t, pts[n-1], dl[len(dl)-1], "the last point is kept")
	assert.Len(t, decimateMarks(pts, b), 100)
}
