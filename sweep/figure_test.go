package sweep

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/plots"
)

func TestFigure(t *testing.T) {
	p := expand(t, gridSweep)
	out := t.TempDir()
	execute(t, p, Options{Out: out})

	_, err := Figure(out, FigureOptions{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion"})
	require.ErrorIs(t, err, ErrFigure)
	assert.Contains(t, err.Error(), "links[uplink].queue.limit has values 20, 100: pin one with --where links[uplink].queue.limit=VALUE")

	fig, err := Figure(out, FigureOptions{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion",
		Where: []string{"links[uplink].queue.limit=100"}})
	require.NoError(t, err)
	assert.Equal(t, "loss of link uplink (%)", fig.XLabel)
	assert.Equal(t, "goodput (Mbit/s)", fig.YLabel)
	assert.Nil(t, fig.XTicks)
	require.Len(t, fig.Series, 2)
	assert.Equal(t, "newreno", fig.Series[0].Name)
	assert.Contains(t, fig.Title, ", by TCP congestion control")
	require.Len(t, fig.Series[1].Points, 4)
	var xs []float64
	for _, pt := range fig.Series[1].Points {
		xs = append(xs, pt.X)
		assert.LessOrEqual(t, pt.Low, pt.Mean)
		assert.GreaterOrEqual(t, pt.High, pt.Mean)
	}
	assert.Equal(t, []float64{0, 0.5, 1, 2}, xs)

	// The mean plotted is aggregate.csv's, scaled to Mbit/s.
	agg := readFile(t, filepath.Join(out, AggregateFile))
	var want string
	for line := range strings.SplitSeq(agg, "\n") {
		if strings.HasPrefix(line, p.Points[15].ID+",") && strings.Contains(line, ",goodput_bps,") {
			want = strings.Split(line, ",")[7] // after the loss as a ratio
		}
	}
	require.NotEmpty(t, want)
	assert.InDelta(t, mustFloat(t, want)/1e6, fig.Series[1].Points[3].Mean, 1e-9, "point 15 is cubic, 2%, limit 100")

	cat, err := Figure(out, FigureOptions{Metric: "retransmits_conn2", X: "defaults.tcp.congestion",
		Where: []string{"links[uplink].queue.limit=20", "links[uplink].loss=1%"}})
	require.NoError(t, err)
	// A value written another way pins the same point: 0.01 is the 1%
	// of the grid, 20.0 its 20 (it was "not a value of" the parameter).
	same, err := Figure(out, FigureOptions{Metric: "retransmits_conn2", X: "defaults.tcp.congestion",
		Where: []string{"links[uplink].queue.limit=20.0", "links[uplink].loss=0.01"}})
	require.NoError(t, err)
	assert.Equal(t, cat, same)
	assert.Equal(t, []string{"newreno", "cubic"}, cat.XTicks)
	require.Len(t, cat.Series, 1)
	assert.Len(t, cat.Series[0].Points, 2)
	svg := filepath.Join(t.TempDir(), "f.svg")
	require.NoError(t, plots.RenderSweep(cat, svg))
	assert.FileExists(t, svg)

	for _, bad := range []FigureOptions{
		{Metric: "latency", X: "links[uplink].loss"},
		{Metric: "goodput", X: "links[downlink].loss"},
		{Metric: "goodput", X: "links[uplink].loss", Series: "links[uplink].loss"},
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion", Where: []string{"links[uplink].queue.limit=7"}},
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion", Where: []string{"queue=1"}},
		// A parameter pinned twice, or the one --x or --series draws,
		// was taken silently: the last value won, or the pin was
		// dropped, and the figure was not the one asked for.
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion",
			Where: []string{"links[uplink].queue.limit=20", "links[uplink].queue.limit=100"}},
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion",
			Where: []string{"links[uplink].queue.limit=20", "links[uplink].loss=1%"}},
		{Metric: "goodput", X: "links[uplink].loss", Series: "defaults.tcp.congestion",
			Where: []string{"links[uplink].queue.limit=20", "defaults.tcp.congestion=cubic"}},
	} {
		_, err := Figure(out, bad)
		assert.ErrorIs(t, err, ErrFigure, "%+v", bad)
	}
	_, err = Figure(t.TempDir(), FigureOptions{Metric: "goodput", X: "a"})
	assert.Error(t, err)
}

func TestAxisValues(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    []float64
		unit    string
		numeric bool
	}{
		{[]string{"20", "100", "500"}, []float64{20, 100, 500}, "", true},
		{[]string{"0%", "0.5%", "2%"}, []float64{0, 0.5, 2}, "%", true},
		{[]string{"5ms", "1s"}, []float64{5, 1000}, "ms", true},
		{[]string{"10Mbps", "1Gbps"}, []float64{10, 1000}, "Mbit/s", true},
		{[]string{"64KiB", "1MB"}, []float64{65536, 1e6}, "bytes", true},
		{[]string{"newreno", "cubic"}, []float64{0, 1}, "", false},
		{[]string{"1%", "0.02"}, []float64{0, 1}, "", false},
	} {
		xs, unit, numeric := axisValues(tc.in)
		assert.Equal(t, tc.numeric, numeric, "%v", tc.in)
		assert.Equal(t, tc.unit, unit, "%v", tc.in)
		for i := range xs {
			assert.InDelta(t, tc.want[i], xs[i], 1e-9, "%v", tc.in)
		}
	}
}

func TestReadAggregateRoundTrip(t *testing.T) {
	p := expand(t, gridSweep)
	out := t.TempDir()
	execute(t, p, Options{Out: out})
	f, err := os.Open(filepath.Join(out, AggregateFile))
	require.NoError(t, err)
	defer f.Close()
	params, rows, err := ReadAggregate(f)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, WriteAggregate(&b, params, rows))
	assert.Equal(t, readFile(t, filepath.Join(out, AggregateFile)), b.String())
	_, _, err = ReadAggregate(strings.NewReader("a,b\n"))
	assert.ErrorIs(t, err, ErrResults)
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	_, err := fmtSscan(s, &v)
	require.NoError(t, err)
	require.False(t, math.IsNaN(v))
	return v
}

// TestTablesReadWithAndWithoutNumericColumns: results.csv and
// aggregate.csv written before the numeric parameter columns existed read
// as before; written now, they read back to the same parameters and rows.
func TestTablesReadWithAndWithoutNumericColumns(t *testing.T) {
	old := "point,links[l].loss,links[l].bandwidth,metric,n,mean,stddev,ci95,ci95_low,ci95_high\n" +
		"p1,1%,10Mbps,goodput_bps,2,5,1,9,-4,14\n"
	params, rows, err := ReadAggregate(strings.NewReader(old))
	require.NoError(t, err)
	assert.Equal(t, []string{"links[l].loss", "links[l].bandwidth"}, params)
	require.Len(t, rows, 1)
	assert.Equal(t, []string{"1%", "10Mbps"}, rows[0].Params)
	assert.Equal(t, "goodput_bps", rows[0].Metric)

	var b strings.Builder
	require.NoError(t, WriteAggregate(&b, params, rows))
	header, line, _ := strings.Cut(b.String(), "\n")
	assert.Equal(t, "point,links[l].loss,links[l].bandwidth,links[l].loss_ratio,links[l].bandwidth_bps,metric,n,mean,stddev,ci95,ci95_low,ci95_high", header)
	assert.True(t, strings.HasPrefix(line, "p1,1%,10Mbps,0.01,1e+07,goodput_bps,2,5,"), line)
	params2, rows2, err := ReadAggregate(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, params, params2)
	assert.Equal(t, rows[0].Params, rows2[0].Params)
	assert.Equal(t, rows[0].Mean, rows2[0].Mean)

	res := []Row{{RunID: "r1", Point: "p1", Params: []string{"5ms", "none"}, Seed: 1, Status: StatusOK, Metrics: map[string]float64{"goodput_bps": 1}}}
	b.Reset()
	require.NoError(t, WriteResults(&b, []string{"links[l].delay", "q"}, res))
	header, _, _ = strings.Cut(b.String(), "\n")
	assert.Equal(t, "run_id,point,links[l].delay,q,links[l].delay_s,seed,status,expect_failed,goodput_bps,trace_sha256,error,replay", header,
		"a duration in seconds; a parameter that is no quantity gets no second column")
	p3, rows3, err := ReadResults(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, []string{"links[l].delay", "q"}, p3)
	assert.Equal(t, res[0].Params, rows3[0].Params)

	_, _, err = ReadAggregate(strings.NewReader("point,a,a_bps,b,metric,n,mean,stddev,ci95,ci95_low,ci95_high\n"))
	assert.ErrorIs(t, err, ErrResults, "a parameter after the numeric columns")
}

func TestParamTitle(t *testing.T) {
	for path, want := range map[string]string{
		"links[uplink].loss":            "loss of link uplink",
		"links[uplink].queue.limit":     "queue limit of link uplink",
		"defaults.tcp.congestion":       "TCP congestion control",
		"hosts[client].tcp.recv_buffer": "TCP receive buffer of host client",
		"links[10.0.0.1-r1].delay":      "delay of link 10.0.0.1-r1",
		"apps[0].bytes":                 "bytes of app 0",
		"links[b].queue.p_max":          "queue max drop probability of link b",
		"seed":                          "seed",
	} {
		assert.Equal(t, want, ParamTitle(path), path)
	}
}

// TestMetricTitles: each metric's axis reads as a name with its unit, the
// values scaled to it (issue 21: "rtt_mean_ms" was the y axis title).
func TestMetricTitles(t *testing.T) {
	for _, tc := range []struct {
		col   string
		scale float64
		label string
	}{
		{ColGoodput, 1e-6, "goodput (Mbit/s)"},
		{ColGoodput + "_conn2", 1e-6, "goodput of connection 2 (Mbit/s)"},
		{ColGoodputSum, 1e-6, "aggregate goodput (sum over flows) (Mbit/s)"},
		{ColRTTMean, 1, "mean RTT (ms)"},
		{ColRTTP99, 1, "99th percentile RTT (ms)"},
		{ColCompletion + "_conn1", 1, "completion time of connection 1 (s)"},
		{ColRetransmits, 1, "retransmissions"},
		{ColQueuePeak, 1, "peak queue (packets)"},
		{ColFairness, 1, "Jain's fairness index"},
		{ColDelayP99 + "_flow3", 1e-6, "99th percentile one-way delay of flow 3 (ms)"},
		{ColJitter, 1e-6, "jitter (ms)"},
		{ColLoss, 100, "loss (%)"},
		{"something_else", 1, "something_else"},
	} {
		scale, label := yScale(tc.col)
		assert.Equal(t, tc.label, label, tc.col)
		assert.Equal(t, tc.scale, scale, tc.col)
	}
	for _, f := range families {
		assert.NotEmpty(t, f.title.name, "%s has a title", f.col)
	}
}
