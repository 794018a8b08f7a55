package plots

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sweepFixture() SweepFigure {
	return SweepFigure{
		Title: "goodput vs loss", XLabel: "links[bottleneck].loss (%)", YLabel: "goodput (Mbit/s)",
		Series: []SweepSeries{
			{Name: "newreno", Points: []SweepPoint{{2, 4.1, 3.9, 4.3}, {0, 9.5, 9.4, 9.6}, {1, 6.2, 5.8, 6.6}}},
			{Name: "cubic", Points: []SweepPoint{{0, 9.6, 9.5, 9.7}, {1, 7.0, math.NaN(), math.NaN()}, {2, 5.1, 4.7, 5.5}}},
		},
	}
}

func TestRenderSweepSVG(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, RenderSweepTo(sweepFixture(), "svg", &a))
	require.NoError(t, RenderSweepTo(sweepFixture(), ".svg", &b))
	assert.Equal(t, a.String(), b.String(), "the same figure gives the same bytes")
	svg := a.String()
	for _, want := range []string{"newreno", "cubic", "goodput (Mbit/s)", "links[bottleneck].loss (%)", "goodput vs loss"} {
		assert.Contains(t, svg, want)
	}
	assert.Contains(t, svg, "fill-opacity", "the confidence bands are translucent")

	// Dropping the band must change the drawing: the band is really drawn.
	noBand := sweepFixture()
	for i := range noBand.Series {
		for j := range noBand.Series[i].Points {
			p := &noBand.Series[i].Points[j]
			p.Low, p.High = p.Mean, p.Mean
		}
	}
	var c bytes.Buffer
	require.NoError(t, RenderSweepTo(noBand, "svg", &c))
	assert.NotEqual(t, svg, c.String())
}

func TestRenderSweepCategoricalAndSinglePoint(t *testing.T) {
	fig := SweepFigure{XLabel: "defaults.tcp.congestion", YLabel: "retransmits", XTicks: []string{"newreno", "cubic"},
		Series: []SweepSeries{
			{Name: "queue 20", Points: []SweepPoint{{0, 30, 25, 35}, {1, 20, 18, 22}}},
			{Name: "queue 100", Points: []SweepPoint{{1, 12, 10, 14}}},
		}}
	var b bytes.Buffer
	require.NoError(t, RenderSweepTo(fig, "svg", &b))
	assert.Contains(t, b.String(), "newreno")
	assert.Contains(t, b.String(), "queue 100")
	// Nothing lies between two categories: no band is filled between
	// newreno and cubic (a band is the only filled shape with the series'
	// colour at bandAlpha), and each point has its error bar.
	assert.NotContains(t, b.String(), "fill-opacity:0.25098", "no confidence band on a categorical axis")
	numeric := sweepFixture()
	var nb bytes.Buffer
	require.NoError(t, RenderSweepTo(numeric, "svg", &nb))
	assert.Contains(t, nb.String(), "fill-opacity:0.25098", "a numeric axis keeps its band")
}

func TestRenderSweepFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"fig.png", "fig.svg", "fig.pdf"} {
		path := filepath.Join(dir, name)
		require.NoError(t, RenderSweep(sweepFixture(), path))
		st, err := os.Stat(path)
		require.NoError(t, err)
		assert.Positive(t, st.Size(), name)
	}
	png, err := os.ReadFile(filepath.Join(dir, "fig.png"))
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG", string(png[:4]))

	err = RenderSweep(sweepFixture(), filepath.Join(dir, "fig.gif"))
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.NoFileExists(t, filepath.Join(dir, "fig.gif"))
}

func TestRenderSweepNoData(t *testing.T) {
	for _, fig := range []SweepFigure{
		{},
		{Series: []SweepSeries{{Name: "empty"}}},
		{Series: []SweepSeries{{Name: "nan", Points: []SweepPoint{{1, math.NaN(), 0, 0}}}}},
	} {
		var b bytes.Buffer
		assert.ErrorIs(t, RenderSweepTo(fig, "svg", &b), ErrNoData)
	}
}
