package plots

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNiceTicks: 4 to 8 labelled ticks at 1, 2 or 5 × 10ⁿ (2.5 × 10ⁿ
// when those give 3 or 9), where gonum's default gave 250/1000/1750 ms and
// 0/25 Mbit/s.
func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 1750, []string{"0", "500", "1000", "1500"}},
		{100, 1900, []string{"250", "500", "750", "1000", "1250", "1500", "1750"}},
		{0, 14.1, []string{"0.0", "2.5", "5.0", "7.5", "10.0", "12.5"}},
		{0, 17, []string{"0", "5", "10", "15"}},
		{0.1, 1.9, []string{"0.25", "0.50", "0.75", "1.00", "1.25", "1.50", "1.75"}},
		{2.3, 5.7, []string{"2.5", "3.0", "3.5", "4.0", "4.5", "5.0", "5.5"}},
		{0, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{0, 25, []string{"0", "5", "10", "15", "20", "25"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-3, 3, []string{"-3", "-2", "-1", "0", "1", "2", "3"}},
		{0.001, 0.0042, []string{"0.0010", "0.0015", "0.0020", "0.0025", "0.0030", "0.0035", "0.0040"}},
		{5, 5, []string{"5"}},
	} {
		var labels []string
		for _, tk := range (niceTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
			assert.True(t, tk.Value >= tc.lo-1e-9 && tk.Value <= tc.hi+1e-9, "%v in [%v, %v]", tk.Value, tc.lo, tc.hi)
		}
		assert.Equal(t, tc.want, labels, "%v..%v", tc.lo, tc.hi)
	}
}
