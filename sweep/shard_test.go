package sweep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/4", Shard{0, 4}, ""},
		{"3/4", Shard{3, 4}, ""},
		{" 0 / 1 ", Shard{0, 1}, ""},
		{"4/4", Shard{}, "K counts from 0; for Slurm use --array=0-3"},
		{"-1/4", Shard{}, "want 0 <= K < N"},
		{"1/0", Shard{}, "want 0 <= K < N"},
		{"1", Shard{}, "want K/N"},
		{"a/b", Shard{}, "whole numbers"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			require.ErrorIs(t, err, ErrShard, tc.in)
			assert.Contains(t, err.Error(), tc.err)
			assert.Contains(t, err.Error(), tc.in, "the error repeats the input")
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
	assert.Equal(t, "all", Shard{}.String())
	assert.Equal(t, "2/5", Shard{2, 5}.String())
}

func TestShardsPartitionRuns(t *testing.T) {
	p := expand(t, gridSweep)
	for _, n := range []int{1, 2, 3, 4, 7, 16, 160, 1000} {
		count := map[string]int{}
		sizes := make([]int, n)
		for k := range n {
			for _, r := range p.Runs {
				if (Shard{k, n}).Has(r.ID) {
					count[r.ID]++
					sizes[k]++
				}
			}
		}
		require.Len(t, count, len(p.Runs), "N=%d: no run is lost", n)
		for id, c := range count {
			require.Equal(t, 1, c, "N=%d: run %s is in exactly one shard", n, id)
		}
		if n <= 4 {
			for k, sz := range sizes {
				assert.InDelta(t, len(p.Runs)/n, sz, float64(len(p.Runs)/n)/2, "N=%d: shard %d is roughly fair", n, k)
			}
		}
	}
	for _, r := range p.Runs {
		assert.True(t, Shard{}.Has(r.ID), "the zero shard has every run")
	}
}
