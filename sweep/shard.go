package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrShard is wrapped by the errors of ParseShard.
var ErrShard = errors.New("bad shard")

// Shard selects the runs one machine of N runs: K counts from 0, as Slurm's
// SLURM_ARRAY_TASK_ID (with --array=0-(N-1)) and Kubernetes'
// JOB_COMPLETION_INDEX do. The zero Shard selects every run.
type Shard struct {
	K, N int
}

// ParseShard parses "K/N".
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%w %q: want K/N, like 0/4", ErrShard, s)
	}
	k, errK := strconv.Atoi(strings.TrimSpace(ks))
	n, errN := strconv.Atoi(strings.TrimSpace(ns))
	if errK != nil || errN != nil {
		return Shard{}, fmt.Errorf("%w %q: K and N must be whole numbers, like 0/4", ErrShard, s)
	}
	if n < 1 || k < 0 || k >= n {
		return Shard{}, fmt.Errorf("%w %q: want 0 <= K < N (K counts from 0; for Slurm use --array=0-%d)", ErrShard, s, max(n-1, 0))
	}
	return Shard{K: k, N: n}, nil
}

// String returns "K/N", or "all" for the zero Shard.
func (s Shard) String() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Has reports whether the run with this ID belongs to the shard. The
// assignment is the run ID's first 48 bits modulo N: it depends on the ID
// alone, so adding seeds or grid values moves no existing run to another
// shard, and every run falls in exactly one shard.
func (s Shard) Has(runID string) bool {
	if s.N <= 1 {
		return true
	}
	return bucket(runID)%uint64(s.N) == uint64(s.K)
}

func bucket(id string) uint64 {
	if len(id) > 12 {
		id = id[:12]
	}
	v, err := strconv.ParseUint(id, 16, 64)
	if err != nil {
		// Not one of our hex IDs: fall back to FNV-1a of the text.
		h := uint64(14695981039346656037)
		for i := 0; i < len(id); i++ {
			h ^= uint64(id[i])
			h *= 1099511628211
		}
		return h
	}
	return v
}
