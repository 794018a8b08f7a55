package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWanted: a Selective sink's own set, every kind for another sink,
// none without a sink; the fingerprint leaves out exactly the per-packet
// kinds that follow from the others.
func TestWanted(t *testing.T) {
	assert.Equal(t, AllKinds, *Wanted(&Recorder{}))
	assert.Equal(t, KindSet(0), *Wanted(nil))
	f := NewFingerprint()
	assert.Equal(t, FingerprintKinds, *Wanted(f))
	for k := Kind(1); k < kindEnd; k++ {
		assert.True(t, AllKinds.Has(k), "%v", k)
		left := k == KindPacketRx || k == KindPacketForward || k == KindTCPCwnd || k == KindTCPRate || k == KindTCPBBR
		assert.Equal(t, !left, FingerprintKinds.Has(k), "%v", k)
	}
	assert.False(t, AllKinds.Has(0))
	assert.False(t, AllKinds.Has(kindEnd))
	assert.Equal(t, KindSet(1<<KindApp|1<<KindFault), KindsOf(KindApp, KindFault))
}
