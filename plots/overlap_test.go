package plots_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/plots"
	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// runFor runs an example scenario for its first until of simulated time
// and returns its trace records.
func runFor(t *testing.T, file string, until time.Duration) []sim.Record {
	t.Helper()
	s, err := scenarios.Load(file)
	require.NoError(t, err)
	rec := &sim.Recorder{}
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: s.Seed, Trace: rec})
	require.NoError(t, err)
	_, err = w.Run(sim.FromDuration(until), nil)
	require.NoError(t, err)
	return rec.Records
}

// textSlack is how far (points) two texts may touch or a text may reach
// past the figure's edge: the SVG prints 5 significant digits.
const textSlack = 0.1

// checkTextsApart fails for every two texts of fig that overlap and every
// text that is not wholly inside the figure, and returns how many of its
// texts are arrow labels (they carry seq= or ack=).
func checkTextsApart(t *testing.T, fig svgFigure) (labels int) {
	t.Helper()
	for i, a := range fig.texts {
		if strings.Contains(a.text, "seq=") || strings.Contains(a.text, "ack=") {
			labels++
		}
		b := boxOf(a.corners[:]...)
		assert.True(t, b.x0 >= -textSlack && b.y0 >= -textSlack && b.x1 <= fig.w+textSlack && b.y1 <= fig.h+textSlack,
			"%q at %v runs off the %gx%g figure", a.text, b, fig.w, fig.h)
		for _, o := range fig.texts[i+1:] {
			assert.False(t, quadsOverlap(a.corners, o.corners, textSlack),
				"%q at %v overlaps %q at %v", a.text, b, o.text, boxOf(o.corners[:]...))
		}
	}
	return labels
}

// TestSequenceLabelsApartAndInside draws the sequence diagrams of runs with
// many packets (the dumbbell's four flows through two routers, the bulk
// transfer's bursts), whole and windowed with --from and --to, and reads
// every text back from the SVG: no two overlap, none leaves the figure
// (the right edge included), and the arrows do carry labels.
func TestSequenceLabelsApartAndInside(t *testing.T) {
	dumbbell := runFor(t, "../scenarios/dumbbell.yaml", 300*time.Millisecond)
	bulk := runFor(t, "../scenarios/bulk-transfer.yaml", 400*time.Millisecond)
	ms := func(n int64) sim.Time { return sim.Time(n * 1e6) }
	for _, tc := range []struct {
		name string
		recs []sim.Record
		opts plots.Options
		// labels is the fewest arrow labels the view has room for.
		labels int
	}{
		{"dumbbell", dumbbell, plots.Options{}, 5},
		{"dumbbell-routers", dumbbell, plots.Options{ShowRouters: true}, 5},
		{"dumbbell-to", dumbbell, plots.Options{To: ms(60)}, 5},
		{"dumbbell-from-to-routers", dumbbell, plots.Options{From: ms(40), To: ms(46), ShowRouters: true}, 5},
		{"dumbbell-compressed", dumbbell, plots.Options{CompressTime: true, MaxPackets: 60}, 5},
		{"dumbbell-conn", dumbbell, plots.Options{Conn: 2, MaxPackets: 60}, 5},
		{"dumbbell-big-font", dumbbell, plots.Options{FontSize: 18}, 5},
		{"dumbbell-narrow", dumbbell, plots.Options{Width: 400, To: ms(60)}, 3},
		{"bulk", bulk, plots.Options{}, 5},
		{"bulk-routers", bulk, plots.Options{ShowRouters: true}, 5},
		{"bulk-to", bulk, plots.Options{To: ms(170)}, 5},
		{"bulk-from-to", bulk, plots.Options{From: ms(150), To: ms(200)}, 5},
		{"bulk-from", bulk, plots.Options{From: ms(300), MaxPackets: 40}, 5},
		{"bulk-big-font", bulk, plots.Options{FontSize: 16}, 5},
		{"bulk-narrow", bulk, plots.Options{Width: 300, To: ms(150)}, 3},
		{"bulk-tiny", bulk, plots.Options{Width: 150, Height: 500, To: ms(150)}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Kind = plots.KindSequence
			var buf bytes.Buffer
			require.NoError(t, plots.RenderTo(tc.recs, opts, "svg", &buf))
			fig := parseSVG(t, buf.Bytes())
			labels := checkTextsApart(t, fig)
			t.Logf("%d texts, %d arrow labels", len(fig.texts), labels)
			if dir := os.Getenv("NETSIM_PLOTS_KEEP"); dir != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, tc.name+".svg"), buf.Bytes(), 0o644))
			}
			assert.GreaterOrEqual(t, labels, tc.labels, "a multi-packet view labels its arrows")
		})
	}
}

// TestGeometryCheckCatches makes sure the geometry above can fail: two
// texts drawn on one another, and one past the right edge, are found.
func TestGeometryCheckCatches(t *testing.T) {
	svg := `<svg width="100pt" height="50pt" viewBox="0 0 100 50"><g transform="scale(1, -1) translate(0, -50)">
<text x="10" y="-20" transform="scale(1, -1)" style="font-family:Liberation Serif;font-size:10px">seq=1:1461</text>
<text x="30" y="-22" transform="scale(1, -1)" style="font-family:Liberation Serif;font-size:10px">ack=1</text>
<g transform="translate(80, 10)"><g transform="rotate(30)"><text x="0" y="0" transform="scale(1, -1)" style="font-family:Liberation Sans;font-size:8px">SYN-RECEIVED</text></g></g>
</g></svg>`
	fig := parseSVG(t, []byte(svg))
	require.Len(t, fig.texts, 3)
	var errs []string
	for i, a := range fig.texts {
		b := boxOf(a.corners[:]...)
		if b.x1 > fig.w+textSlack {
			errs = append(errs, fmt.Sprintf("%q off the right edge", a.text))
		}
		for _, o := range fig.texts[i+1:] {
			if quadsOverlap(a.corners, o.corners, textSlack) {
				errs = append(errs, fmt.Sprintf("%q over %q", a.text, o.text))
			}
		}
	}
	assert.Equal(t, []string{`"seq=1:1461" over "ack=1"`, `"SYN-RECEIVED" off the right edge`}, errs)
	// The rotated text's box turns with it: 30° up from its baseline start.
	c := fig.texts[2].corners
	assert.InDelta(t, 80, c[3].x, 0.5, "its baseline starts where the translate put it")
	assert.Less(t, c[2].y, c[3].y, "30° turns the baseline's end up the page (y grows down)")
}

// legendAndData splits a figure drawn by plots: the legend's backdrop (the
// translucent white box laid just before the legend), and every path drawn
// between the grid and that box (bands, lines, error bars, markers).
func legendAndData(t *testing.T, fig svgFigure) (legend box, data []svgPath) {
	t.Helper()
	grid, backdrop := -1, -1
	for k, e := range fig.order {
		if e.kind != 'p' {
			continue
		}
		st := fig.paths[e.i].style
		switch {
		case styleOf(st, "stroke") == "#E1E1E1":
			grid = k
		case styleOf(st, "fill") == "#FFFFFF" && styleOf(st, "fill-opacity") != "":
			backdrop = k
		}
	}
	require.GreaterOrEqual(t, grid, 0, "the grid is drawn")
	require.Greater(t, backdrop, grid, "the legend's backdrop is drawn after the data")
	for _, e := range fig.order[grid+1 : backdrop] {
		if e.kind == 'p' {
			data = append(data, fig.paths[e.i])
		}
	}
	return boxOf(fig.paths[fig.order[backdrop].i].points...), data
}

// pathMeetsBox reports whether anything a path draws lies in b: a point,
// a segment through it, an arc's disc reaching it, or, for a closed
// filled shape (a band), b inside the shape.
func pathMeetsBox(p svgPath, b box) bool {
	for i, q := range p.points {
		if p.radius > 0 && boxOf(pt{q.x - p.radius, q.y - p.radius}, pt{q.x + p.radius, q.y + p.radius}).intersects(b) {
			return true
		}
		if b.contains(q) || i > 0 && segmentMeetsBox(p.points[i-1], q, b) {
			return true
		}
	}
	if p.closed && len(p.points) > 2 {
		if segmentMeetsBox(p.points[len(p.points)-1], p.points[0], b) {
			return true
		}
		if styleOf(p.style, "fill") != "none" && polygonContains(p.points, pt{(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2}) {
			return true
		}
	}
	return false
}

// TestSweepLegendOverNoData draws sweep figures whose data reach the
// legend's corner (rising means with wide intervals, up to eight series,
// a y range that does not start at 0, a categorical axis) and reads the
// legend's box and every band, line, error bar and marker back from the
// SVG: none lies under the legend.
func TestSweepLegendOverNoData(t *testing.T) {
	rising := func(n int, base, step, ci float64) []plots.SweepSeries {
		var out []plots.SweepSeries
		for s := range n {
			var pts []plots.SweepPoint
			for x := range 6 {
				m := base + step*float64(x) + float64(s)*step/4
				pts = append(pts, plots.SweepPoint{X: float64(x * 10), Mean: m, Low: m - ci, High: m + ci})
			}
			out = append(out, plots.SweepSeries{Name: fmt.Sprintf("queue %d packets", 10*(s+1)), Points: pts})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		fig  plots.SweepFigure
	}{
		{"one-rising", plots.SweepFigure{Series: rising(1, 1, 2, 1)}},
		{"two-rising", plots.SweepFigure{Series: rising(2, 1, 2, 1.5)}},
		{"four-rising", plots.SweepFigure{Series: rising(4, 1, 2, 1)}},
		{"eight-rising", plots.SweepFigure{Series: rising(8, 1, 2, 1)}},
		{"offset-y", plots.SweepFigure{Series: rising(3, 100, 2, 1)}},
		{"flat-wide", plots.SweepFigure{Series: rising(3, 50, 0, 20)}},
		{"categorical", plots.SweepFigure{XTicks: []string{"newreno", "cubic", "bbr"}, Series: []plots.SweepSeries{
			{Name: "loss 0%", Points: []plots.SweepPoint{{X: 0, Mean: 5, Low: 4, High: 6}, {X: 1, Mean: 7, Low: 6, High: 8}, {X: 2, Mean: 9.5, Low: 9, High: 10}}},
			{Name: "loss 1%", Points: []plots.SweepPoint{{X: 0, Mean: 3, Low: 2, High: 4}, {X: 1, Mean: 6, Low: 5, High: 7}, {X: 2, Mean: 9.8, Low: 9.5, High: 10.1}}},
			{Name: "loss 2%", Points: []plots.SweepPoint{{X: 0, Mean: 2, Low: 1, High: 3}, {X: 1, Mean: 4, Low: 3, High: 5}, {X: 2, Mean: 10, Low: 9.8, High: 10.2}}},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fig := tc.fig
			fig.XLabel, fig.YLabel = "bottleneck queue (packets)", "goodput (Mbit/s)"
			var buf bytes.Buffer
			require.NoError(t, plots.RenderSweepTo(fig, "svg", &buf))
			if dir := os.Getenv("NETSIM_PLOTS_KEEP"); dir != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "sweep-"+tc.name+".svg"), buf.Bytes(), 0o644))
			}
			svg := parseSVG(t, buf.Bytes())
			legend, data := legendAndData(t, svg)
			require.NotEmpty(t, data)
			for _, p := range data {
				assert.False(t, pathMeetsBox(p, legend), "the legend %v covers a %s drawn through %v", legend, p.style, boxOf(p.points...))
			}
			for _, tx := range svg.texts {
				if strings.HasPrefix(tx.text, "queue ") || strings.HasPrefix(tx.text, "loss ") {
					b := boxOf(tx.corners[:]...)
					assert.True(t, b.x0 >= legend.x0 && b.x1 <= legend.x1 && b.y0 >= legend.y0 && b.y1 <= legend.y1,
						"legend entry %q at %v lies in the legend's box %v", tx.text, b, legend)
				}
			}
		})
	}
}

// TestLegendCheckCatches makes sure the legend check can fail: a band, a
// line and a marker under a legend box are found, one beside it is not.
func TestLegendCheckCatches(t *testing.T) {
	legend := box{100, 10, 200, 60}
	band := svgPath{style: "fill:#D45D00", closed: true, points: []pt{{50, 0}, {300, 0}, {300, 100}, {50, 100}}}
	line := svgPath{style: "fill:none", points: []pt{{90, 70}, {150, 30}}}
	mark := svgPath{style: "fill:none", radius: 2.5, points: []pt{{99, 9}}}
	beside := svgPath{style: "fill:none", points: []pt{{90, 70}, {210, 65}}}
	assert.True(t, pathMeetsBox(band, legend), "a band all around the legend")
	assert.True(t, pathMeetsBox(line, legend), "a line through it")
	assert.True(t, pathMeetsBox(mark, legend), "a marker at its corner")
	assert.False(t, pathMeetsBox(beside, legend), "a line below it")
}
