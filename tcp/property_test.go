package tcp

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
)

var (
	propertySeeds = flag.Int("tcp.seeds", 60, "seeds for TestPropertyLossyChannel (raise for a soak)")
	propertyOnly  = flag.Int("tcp.seed", -1, "run only this seed of TestPropertyLossyChannel")
	propertyTrace = flag.Bool("tcp.trace", false, "log every segment of TestPropertyLossyChannel")
)

// TestPropertyLossyChannel: two Conns over a channel that loses, reorders,
// duplicates and delays segments. For every seed, each side reads exactly
// the stream the other wrote, and both end CLOSED. -short runs the first 15
// seeds (every feature combination below still meets loss), -long 600.
func TestPropertyLossyChannel(t *testing.T) {
	ccs := []string{"newreno", "cubic"}
	seeds := *propertySeeds
	switch {
	case testing.Short():
		seeds = min(seeds, 15)
	case testflags.Long():
		seeds = max(seeds, 600)
	}
	for seed := range seeds {
		if *propertyOnly >= 0 && seed != *propertyOnly {
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
		cfgA, cfgB := DefaultConfig(), DefaultConfig()
		cfgA.Congestion = ccs[seed%2]
		// Vary the features so that every combination meets loss.
		cfgA.SACK = seed%3 != 0
		cfgB.Timestamps = seed%4 != 1
		cfgA.Nagle = seed%5 != 2
		cfgB.DelayedAck = []time.Duration{0, 40 * time.Millisecond}[seed%2]
		if seed%7 == 3 {
			cfgB.RecvBuffer = 8 << 10 // a small window: persist and SWS
			cfgA.SendBuffer = 16 << 10
		}
		if seed%11 == 5 {
			cfgB.MSS = 536 // asymmetric MSS: A sends smaller segments
			cfgA.InitialCwnd = 2
		}
		if seed%13 == 7 {
			cfgA.MSS = 1000
			cfgB.SendBuffer = 4 << 10
			cfgB.Congestion = "cubic"
		}
		cfgA.TimeWait = time.Second
		cfgB.TimeWait = time.Second
		name := fmt.Sprintf("seed%d_%s_sack%v_ts%v", seed, cfgA.Congestion, cfgA.SACK, cfgB.Timestamps)
		t.Run(name, func(t *testing.T) {
			ch := newChannel(t, cfgA, cfgB, time.Duration(1+rng.IntN(30))*time.Millisecond)
			ch.rng = rng
			ch.trace = *propertyTrace
			ch.loss = []float64{0, 0.01, 0.05, 0.1, 0.2}[seed%5]
			ch.dup = 0.02
			ch.reorder = 0.05
			ch.jitter = time.Duration(rng.IntN(5)) * time.Millisecond
			ch.open()
			wantA := testPayload(20000+rng.IntN(200000), byte(seed))
			wantB := testPayload(rng.IntN(50000), byte(seed+1))
			ch.toWriteA = append([]byte(nil), wantA...)
			ch.toWriteB = append([]byte(nil), wantB...)
			ch.closeWhenDone = true
			// 20% loss with backed-off RTOs of up to 120 s can take a while.
			ch.runUntil(4 * time.Hour)
			if ch.gotB.Len() != len(wantA) {
				t.Logf("A %s %+v", ch.a.State(), ch.a.Stats())
				t.Logf("B %s %+v", ch.b.State(), ch.b.Stats())
			}
			require.Equal(t, len(wantA), ch.gotB.Len(), "B read")
			require.Equal(t, wantA, ch.gotB.Bytes())
			require.Equal(t, len(wantB), ch.gotA.Len(), "A read")
			require.Equal(t, wantB, ch.gotA.Bytes())
			require.Equal(t, Closed, ch.a.State(), "A state")
			require.Equal(t, Closed, ch.b.State(), "B state")
			require.Zero(t, ch.a.Err(), "A err")
			require.Zero(t, ch.b.Err(), "B err")
		})
	}
}
