package scenarios

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The table answers as a map would, whatever the order of puts and takes:
// in order, reordered, with entries never taken (lost packets), IDs far
// apart (a link that carries one packet in a thousand) and IDs behind the
// window.
func TestInFlightTableIsAMap(t *testing.T) {
	for _, tc := range []struct {
		name          string
		gap, reorder  int
		lossPerMille  int
		behindPerMill int
	}{
		{"in order", 1, 0, 0, 0},
		{"reordered", 1, 50, 0, 0},
		{"lossy", 1, 5, 20, 0},
		{"sparse", 997, 3, 5, 0},
		{"late puts", 2, 10, 10, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.gap)))
			var tab inFlightTable[int]
			model := map[uint64]int{}
			var pending []uint64
			id := uint64(1000)
			for step := range 20000 {
				id += uint64(1 + r.IntN(tc.gap))
				put := id
				if tc.behindPerMill > 0 && r.IntN(1000) < tc.behindPerMill && id > 5000 {
					put = id - uint64(r.IntN(5000))
				}
				if _, dup := model[put]; !dup {
					pending = append(pending, put)
				}
				tab.put(put, step)
				model[put] = step
				for len(pending) > 64 || len(pending) > 0 && r.IntN(2) == 0 {
					i := min(len(pending)-1, r.IntN(tc.reorder+1))
					victim := pending[i]
					pending = append(pending[:i], pending[i+1:]...)
					if r.IntN(1000) < tc.lossPerMille {
						continue // never taken
					}
					got, ok := tab.take(victim)
					want, wok := model[victim]
					delete(model, victim)
					if ok != wok || got != want {
						t.Fatalf("step %d: take(%d) = %d, %v; the map says %d, %v", step, victim, got, ok, want, wok)
					}
				}
				if probe := id + 1; true {
					if _, ok := tab.take(probe); ok {
						t.Fatalf("step %d: take(%d) found an ID never put", step, probe)
					}
				}
			}
			for id, want := range model {
				if got, ok := tab.take(id); !ok || got != want {
					t.Fatalf("at the end: take(%d) = %d, %v; want %d", id, got, ok, want)
				}
			}
			t.Logf("%d slots, %d in the map", len(tab.slots), len(tab.old))
			if len(tab.slots) > 1<<16 {
				t.Errorf("the ring grew to %d slots for at most 64 packets in flight", len(tab.slots))
			}
		})
	}
}

// TestRadixSort: the samples' sort orders as slices.Sort does, negative
// values, repeated values, shared digits and short inputs included.
func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 1023, 1024, 5000, 70000} {
		for _, gen := range []func() int64{
			func() int64 { return r.Int64() - r.Int64() },
			func() int64 { return r.Int64N(1000) },          // only the low digit differs
			func() int64 { return 1<<40 + r.Int64N(1<<20) }, // high digits shared
			func() int64 { return -r.Int64N(1 << 33) },
		} {
			v := make([]int64, n)
			for i := range v {
				v[i] = gen()
			}
			want := slices.Clone(v)
			slices.Sort(want)
			radixSort(v)
			if !slices.Equal(v, want) {
				t.Fatalf("n=%d: radixSort differs from slices.Sort", n)
			}
		}
	}
}

// TestSamplesPercentiles: the samples' percentiles, minimum, maximum and
// mean are those of the sorted values (nearest rank), whatever the spread
// of the values: one bucket per value, wide buckets, values beyond 32
// bits or negative, all values equal.
func TestSamplesPercentiles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ps := []int{0, 1, 50, 95, 99, 100}
	for _, n := range []int{1, 2, 7, 100, 4095, 4096, 5000, 70000} {
		for gi, gen := range []func() int64{
			func() int64 { return r.Int64N(1000) },                    // one bucket per value
			func() int64 { return r.Int64N(25_000_000) },              // 25 ms: wide buckets
			func() int64 { return 12_000_000 + r.Int64N(3) },          // nearly all equal
			func() int64 { return r.Int64N(1<<33) - r.Int64N(1<<20) }, // beyond 32 bits, negative
			func() int64 { return 42 },
		} {
			var s samples
			v := make([]int64, n)
			var sum float64
			for i := range v {
				v[i] = gen()
				s.add(v[i])
			}
			sorted := slices.Clone(v)
			slices.Sort(sorted)
			for _, x := range sorted {
				sum += float64(x)
			}
			got := s.percentiles(ps...)
			for i, p := range ps {
				if want := sorted[nearestRankIndex(n, p)]; got[i] != want {
					t.Fatalf("n=%d gen %d: p%d = %d, want %d", n, gi, p, got[i], want)
				}
			}
			if s.len() != n || s.min != sorted[0] || s.max != sorted[n-1] {
				t.Fatalf("n=%d gen %d: len %d min %d max %d, want %d %d %d", n, gi, s.len(), s.min, s.max, n, sorted[0], sorted[n-1])
			}
			if want := sum / float64(n); s.mean() != want {
				t.Fatalf("n=%d gen %d: mean %v, want %v", n, gi, s.mean(), want)
			}
		}
	}
	// A sum beyond int64 falls back to adding the values as float64.
	var s samples
	for range 4 {
		s.add(1 << 62)
	}
	if !s.overflow || s.mean() != 1<<62 {
		t.Fatalf("overflowing sum: overflow %v, mean %v", s.overflow, s.mean())
	}
}

// A distribution of a few values (a link direction or a connection of a
// 10,000-host network that carried a handful of packets) costs a few
// hundred bytes, gathered and summed up: not a 64 KiB block and 512 KiB
// of buckets.
func TestSamplesFewCostLittle(t *testing.T) {
	waitBlocksMade(t)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const rounds = 100
	for range rounds {
		var s samples
		for i := range 10 {
			s.add(int64(1000 + i))
		}
		_ = s.percentiles(50, 99)
	}
	runtime.ReadMemStats(&m1)
	per := (m1.TotalAlloc - m0.TotalAlloc) / rounds
	if per >= 2048 {
		t.Fatalf("%d bytes allocated per distribution of 10 values", per)
	}
}

// A link direction that never holds more than a few packets at a time
// (each of the 20,000 directions of a 10,000-host star) costs a few
// hundred bytes for its table of packets in flight, not a 256-slot ring:
// 4 KiB each, 80 MB of the run's heap at the end of that star.
func TestInFlightTableFewCostLittle(t *testing.T) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const rounds = 100
	tabs := make([]inFlightTable[int64], rounds)
	for r := range tabs {
		tab := &tabs[r]
		for i := range uint64(10) {
			id := 1000 + 7*i
			tab.put(id, int64(i))
			tab.put(id+1, int64(i))
			tab.take(id)
			tab.take(id + 1)
		}
	}
	runtime.ReadMemStats(&m1)
	if per := (m1.TotalAlloc - m0.TotalAlloc) / rounds; per >= 512 {
		t.Fatalf("%d bytes allocated per table that held at most 2 entries", per)
	}
	runtime.KeepAlive(tabs)
}

// TestFullBlocks: a full block is empty with room for sampleBlock values,
// whether the goroutine beside the run had one ready or the summary made
// it, and no two blocks share memory.
func TestFullBlocks(t *testing.T) {
	seen := map[*uint32]bool{}
	for i := range 20 {
		b := fullBlock()
		if len(b) != 0 || cap(b) != sampleBlock {
			t.Fatalf("block %d: len %d cap %d, want 0 and %d", i, len(b), cap(b), sampleBlock)
		}
		p := &b[:1][0]
		if seen[p] {
			t.Fatalf("block %d handed out twice", i)
		}
		seen[p] = true
		if i%2 == 0 {
			time.Sleep(time.Millisecond) // let the goroutine refill the pool
		}
	}
}

// waitBlocksMade waits until the goroutine that touches sample blocks
// beside the run has made every block asked for (earlier tests took full
// blocks): from then on it allocates nothing until a test takes one.
func waitBlocksMade(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for blocksOwed.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the goroutine beside the run still owes %d sample blocks after 10 s", blocksOwed.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFullBlocksFromManyGoroutines: callers on several goroutines at once
// (a sweep's workers) may each see room in the pool and ask for a block;
// the goroutine beside the run never waits to put one in (a block that
// finds the pool full is dropped), so every block asked for is made.
func TestFullBlocksFromManyGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if b := fullBlock(); len(b) != 0 || cap(b) != sampleBlock {
					t.Errorf("len %d cap %d, want 0 and %d", len(b), cap(b), sampleBlock)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitBlocksMade(t)
	if n := len(blockPool); n > cap(blockPool) {
		t.Fatalf("pool holds %d of %d", n, cap(blockPool))
	}
}
