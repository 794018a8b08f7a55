package tcp

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMuteChangesOnlyTheObservables runs the same lossy transfer with A
// reporting everything and with A's observables muted: the segments on
// the wire, the data and A's notifications must be the same, and the
// muted run must report no observable.
func TestMuteChangesOnlyTheObservables(t *testing.T) {
	run := func(mute EventMask) (wire []string, notes, observed []EventKind) {
		ch := newChannel(t, DefaultConfig(), DefaultConfig(), 10*time.Millisecond)
		ch.a.Mute(mute)
		ch.rng = rand.New(rand.NewPCG(3, 3))
		ch.loss, ch.reorder = 0.02, 0.02
		ch.onEventA = func(_ time.Duration, e Event) {
			if Observables.Has(e.Kind) {
				observed = append(observed, e.Kind)
			} else {
				notes = append(notes, e.Kind)
			}
		}
		ch.drop = func(toB bool, h *Header, n int) bool {
			wire = append(wire, fmt.Sprintf("%v %v %s %d", ch.now, toB, h.String(), n))
			return false
		}
		ch.open()
		ch.toWriteA = testPayload(400000, 5)
		ch.closeWhenDone = true
		ch.runUntil(100 * time.Second)
		require.Equal(t, Closed, ch.a.State())
		return wire, notes, observed
	}
	wireAll, notesAll, observedAll := run(0)
	wireMuted, notesMuted, observedMuted := run(Observables)
	require.NotEmpty(t, observedAll)
	require.Contains(t, observedAll, EvRTTSample)
	require.Empty(t, observedMuted)
	require.Equal(t, notesAll, notesMuted)
	require.Equal(t, wireAll, wireMuted)

	_, _, observedSome := run(1<<EvCwnd | 1<<EvRate)
	require.NotContains(t, observedSome, EvCwnd)
	require.NotContains(t, observedSome, EvRate)
	require.Contains(t, observedSome, EvRTTSample)
}
