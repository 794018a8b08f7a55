package sweep

import "math"

// Stats summarises the samples of one metric at one grid point.
type Stats struct {
	N      int
	Mean   float64
	StdDev float64 // sample standard deviation (n-1); NaN when N < 2
	// CI95 is the half-width of the 95% confidence interval of the mean,
	// t(0.975, N-1)·s/√N with Student's t; NaN when N < 2.
	CI95 float64
}

// Describe computes the Stats of xs, summing in the order given so that the
// same samples in the same order always give the same bits.
func Describe(xs []float64) Stats {
	st := Stats{N: len(xs), Mean: math.NaN(), StdDev: math.NaN(), CI95: math.NaN()}
	if len(xs) == 0 {
		return st
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	st.Mean = sum / float64(len(xs))
	// One corrective pass (the "corrected two-pass" algorithm of Chan,
	// Golub and LeVeque) removes the rounding of the first: n equal samples
	// get their own value as mean and a spread of exactly 0.
	var corr float64
	for _, x := range xs {
		corr += x - st.Mean
	}
	st.Mean += corr / float64(len(xs))
	if len(xs) < 2 {
		return st
	}
	var ss float64
	for _, x := range xs {
		d := x - st.Mean
		ss += d * d
	}
	st.StdDev = math.Sqrt(ss / float64(len(xs)-1))
	st.CI95 = StudentTQuantile(0.975, float64(len(xs)-1)) * st.StdDev / math.Sqrt(float64(len(xs)))
	return st
}

// Jain returns Jain's fairness index of xs, (Σx)²/(n·Σx²): 1 when every
// flow gets the same, 1/n when one flow gets everything (R. Jain, D. Chiu,
// W. Hawe, DEC-TR-301, 1984). It reports false when the index is undefined
// (no flows, or every x is 0).
func Jain(xs []float64) (float64, bool) {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if len(xs) == 0 || sq == 0 {
		return 0, false
	}
	return sum * sum / (float64(len(xs)) * sq), true
}

// StudentTQuantile returns the p quantile of Student's t distribution with
// df degrees of freedom (df > 0, 0 < p < 1), by bisection on the CDF; NaN
// for arguments out of range.
func StudentTQuantile(p, df float64) float64 {
	if !(p > 0 && p < 1) || !(df > 0) {
		return math.NaN()
	}
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -StudentTQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for studentTCDF(hi, df) < p {
		hi *= 2
		if hi > 1e300 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if studentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// studentTCDF is P(T <= t) for t >= 0: 1 - I_x(df/2, 1/2)/2 with
// x = df/(df+t²).
func studentTCDF(t, df float64) float64 {
	x := df / (df + t*t)
	return 1 - 0.5*regIncBeta(df/2, 0.5, x)
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by the
// continued fraction of Numerical Recipes §6.4 (modified Lentz).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	// step is one term of the modified Lentz recurrence: it folds the
	// coefficient num into d and c and returns the factor h takes.
	step := func(num float64) float64 {
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		return d * c
	}
	for m := 1; m <= 500; m++ {
		fm := float64(m)
		h *= step(fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)))
		del := step(-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)))
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h
}
