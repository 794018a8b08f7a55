package sweep_test

import (
	"fmt"

	"github.com/netsimlab/netsim/sweep"
)

func ExampleParseShard() {
	// Slurm passes "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT".
	var shards []sweep.Shard
	for _, arg := range []string{"0/4", "1/4", "2/4", "3/4"} {
		s, err := sweep.ParseShard(arg)
		if err != nil {
			panic(err)
		}
		shards = append(shards, s)
	}
	for _, id := range []string{"33ea7064ed6b", "b22cca857257", "1d7b00e17e47", "623ec32a8b6a", "8c7c88c7e0d8"} {
		for _, s := range shards {
			if s.Has(id) {
				fmt.Println(id, "is in shard", s)
			}
		}
	}
	_, err := sweep.ParseShard("4/4")
	fmt.Println(err)
	// Output:
	// 33ea7064ed6b is in shard 3/4
	// b22cca857257 is in shard 3/4
	// 1d7b00e17e47 is in shard 3/4
	// 623ec32a8b6a is in shard 2/4
	// 8c7c88c7e0d8 is in shard 0/4
	// bad shard "4/4": want 0 <= K < N (K counts from 0; for Slurm use --array=0-3)
}

func ExampleDescribe() {
	goodputMbps := []float64{5.1, 4.8, 5.3, 4.9, 5.0}
	st := sweep.Describe(goodputMbps)
	fmt.Printf("n=%d mean=%.2f sd=%.3f 95%% CI ±%.3f\n", st.N, st.Mean, st.StdDev, st.CI95)
	fmt.Printf("t(0.975, 4) = %.4f\n", sweep.StudentTQuantile(0.975, 4))
	// Output:
	// n=5 mean=5.02 sd=0.192 95% CI ±0.239
	// t(0.975, 4) = 2.7764
}

func ExampleJain() {
	fair, _ := sweep.Jain([]float64{5, 5, 5, 5})
	hog, _ := sweep.Jain([]float64{20, 0, 0, 0})
	mixed, _ := sweep.Jain([]float64{6.2, 5.3, 5.1, 4.5})
	fmt.Printf("%.3f %.3f %.3f\n", fair, hog, mixed)
	// Output: 1.000 0.250 0.987
}
