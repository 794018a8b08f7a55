// Tests of the netsim patch (Cache.AddLazy); upstream's tests are not
// copied (third_party/gonumplot/README.md).

package font_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/netsimlab/netsim/third_party/gonumplot/font"
	"github.com/netsimlab/netsim/third_party/gonumplot/font/liberation"
)

// counted returns a loader of the Liberation collection that counts its
// calls.
func counted(calls *atomic.Int32) func() font.Collection {
	return func() font.Collection {
		calls.Add(1)
		return liberation.Collection()
	}
}

// TestAddLazyLoadsOnFirstUse: nothing is loaded until the cache is used,
// and then the cache is what Add(load()) at AddLazy's place would have
// made it: the lazy collection comes first, so its typeface is the
// default even when another collection is added before any lookup.
func TestAddLazyLoadsOnFirstUse(t *testing.T) {
	var calls atomic.Int32
	c := font.NewCache(nil)
	c.AddLazy(counted(&calls))
	if c.Loaded() || calls.Load() != 0 {
		t.Fatalf("AddLazy loaded at once: Loaded %v, %d calls", c.Loaded(), calls.Load())
	}

	serif := liberation.Collection()[0]
	other := serif
	other.Font.Typeface = "Other"
	c.Add(font.Collection{other})
	if !c.Loaded() || calls.Load() != 1 {
		t.Fatalf("after Add: Loaded %v, %d calls; want true, 1", c.Loaded(), calls.Load())
	}

	got := c.Lookup(font.Font{Typeface: "Unknown", Variant: "Serif"}, 12)
	if got.Font.Typeface != "Liberation" || got.Face != serif.Face {
		t.Errorf("an unknown typeface falls back to %q (face %p), want the lazy collection's Liberation (%p)", got.Font.Typeface, got.Face, serif.Face)
	}
	if !c.Has(other.Font) {
		t.Errorf("the collection added after AddLazy is missing")
	}
	if calls.Load() != 1 {
		t.Errorf("%d loads, want 1", calls.Load())
	}
}

// TestAddLazyLookupAndHas: Lookup and Has load too, each of them on a
// fresh cache.
func TestAddLazyLookupAndHas(t *testing.T) {
	for _, tt := range []struct {
		name string
		use  func(*font.Cache) bool
	}{
		{"Lookup", func(c *font.Cache) bool {
			return c.Lookup(font.Font{Typeface: "Liberation", Variant: "Serif"}, 10).Face != nil
		}},
		{"Has", func(c *font.Cache) bool { return c.Has(font.Font{Typeface: "Liberation", Variant: "Sans"}) }},
	} {
		name, use := tt.name, tt.use
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			c := font.NewCache(nil)
			c.AddLazy(counted(&calls))
			if !use(c) {
				t.Errorf("%s did not find the lazy collection's font", name)
			}
			if !c.Loaded() || calls.Load() != 1 {
				t.Errorf("Loaded %v, %d calls; want true, 1", c.Loaded(), calls.Load())
			}
		})
	}
}

// TestAddLazyConcurrent: goroutines that look up at the same time (a
// sweep drawing its figures in parallel) load once and all find the font.
// Run with -race to check the locking.
func TestAddLazyConcurrent(t *testing.T) {
	var calls atomic.Int32
	c := font.NewCache(nil)
	c.AddLazy(counted(&calls))
	var wg sync.WaitGroup
	var missing atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.Lookup(font.Font{Typeface: "Liberation", Variant: "Mono"}, 10).Face == nil {
				missing.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || missing.Load() != 0 {
		t.Errorf("%d loads and %d lookups without a face; want 1 and 0", calls.Load(), missing.Load())
	}
}

// TestCacheWithoutLazy: a cache that was never given AddLazy is loaded.
func TestCacheWithoutLazy(t *testing.T) {
	if !font.NewCache(nil).Loaded() {
		t.Errorf("a cache with nothing pending says it is not loaded")
	}
}
