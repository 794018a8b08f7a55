package sweep

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStudentTQuantile(t *testing.T) {
	// Reference values from tables of Student's t (and R's qt).
	for _, tc := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.706204736174707},
		{0.975, 2, 4.302652729749464},
		{0.975, 4, 2.7764451051977934},
		{0.975, 9, 2.2621571628540993},
		{0.975, 29, 2.045229642132703},
		{0.975, 1000, 1.9623390808264078},
		{0.95, 10, 1.8124611228107341},
		{0.995, 3, 5.840909309733351},
		{0.5, 7, 0},
		{0.025, 9, -2.2621571628540993},
	} {
		assert.InDelta(t, tc.want, StudentTQuantile(tc.p, tc.df), 1e-9, "p=%v df=%v", tc.p, tc.df)
	}
	assert.True(t, math.IsNaN(StudentTQuantile(1, 3)))
	assert.True(t, math.IsNaN(StudentTQuantile(0.9, 0)))
}

func TestDescribe(t *testing.T) {
	st := Describe([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	assert.Equal(t, 8, st.N)
	assert.InDelta(t, 5.0, st.Mean, 1e-12)
	assert.InDelta(t, 2.138089935299395, st.StdDev, 1e-12)
	assert.InDelta(t, 2.3646242510102993*2.138089935299395/math.Sqrt(8), st.CI95, 1e-9)

	same := Describe(slices.Repeat([]float64{5.371059379339764e+06}, 20))
	assert.Equal(t, 5.371059379339764e+06, same.Mean, "equal samples have their value as mean")
	assert.Equal(t, 0.0, same.StdDev)
	assert.Equal(t, 0.0, same.CI95)

	one := Describe([]float64{3})
	assert.Equal(t, 3.0, one.Mean)
	assert.True(t, math.IsNaN(one.StdDev) && math.IsNaN(one.CI95), "one sample has no spread")
	assert.True(t, math.IsNaN(Describe(nil).Mean))
}

func TestJain(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
		ok   bool
	}{
		{[]float64{5, 5, 5, 5}, 1, true},
		{[]float64{10, 0, 0, 0}, 0.25, true},
		{[]float64{1, 2}, 9.0 / 10, true},
		{[]float64{3}, 1, true},
		{[]float64{0, 0}, 0, false},
		{nil, 0, false},
	} {
		got, ok := Jain(tc.xs)
		assert.Equal(t, tc.ok, ok, "%v", tc.xs)
		assert.InDelta(t, tc.want, got, 1e-12, "%v", tc.xs)
	}
}

// TestSeedlessPoints: a point whose seeds all gave the same metrics is
// reported; one whose metrics differ, or with a single seed, or whose
// other runs failed, is not.
func TestSeedlessPoints(t *testing.T) {
	m := func(v float64) map[string]float64 { return map[string]float64{"goodput_bps": v, "retransmits": 0} }
	rows := []Row{
		{Point: "a", Seed: 1, Status: StatusOK, Metrics: m(5)},
		{Point: "a", Seed: 2, Status: StatusOK, Metrics: m(5)},
		{Point: "b", Seed: 1, Status: StatusOK, Metrics: m(5)},
		{Point: "b", Seed: 2, Status: StatusOK, Metrics: m(6)},
		{Point: "c", Seed: 1, Status: StatusOK, Metrics: m(5)},
		{Point: "d", Seed: 1, Status: StatusOK, Metrics: m(5)},
		{Point: "d", Seed: 2, Status: StatusFailed, Error: "boom"},
	}
	assert.Equal(t, []string{"a"}, SeedlessPoints(rows))
}
