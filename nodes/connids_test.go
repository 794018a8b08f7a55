package nodes

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// An entry lives while an end holds it: the server's end joins the
// client's, the entry goes with the last one, and the release of an end
// whose 4-tuple a newer connection took leaves the newer one alone.
func TestConnIDsReleased(t *testing.T) {
	r := newConnRegistry()
	c, s := netip.MustParseAddrPort("10.0.0.1:49152"), netip.MustParseAddrPort("10.0.0.2:80")
	k := keyOf(tupleOf(c, s), false)
	require.Equal(t, k, keyOf(tupleOf(s, c), true), "both ends name the same entry")
	id := r.id(c, s, true)
	require.Equal(t, id, r.id(c, s, false))
	r.release(k, id)
	got, ok := r.lookup(c, s)
	require.True(t, ok, "one end is left")
	require.Equal(t, id, got)
	r.release(k, id)
	_, ok = r.lookup(c, s)
	require.False(t, ok)
	require.Zero(t, len(r.byTuple))

	old := r.id(c, s, true)
	_ = r.id(c, s, false)
	r.release(k, old) // the client end closed; the server's waits
	newer := r.id(c, s, true)
	r.release(k, old) // the old server end goes: not the newer entry
	got, ok = r.lookup(c, s)
	require.True(t, ok)
	require.Equal(t, newer, got)
}

// The registry holds the live connections, not all those ever made: a
// thousand and a half connections opened at once and closed keep their
// entries while an end waits in TIME-WAIT and none once it ends, and the
// table, rebuilt, keeps no room for them.
func TestConnIDsForgottenWhenConnectionsEnd(t *testing.T) {
	const conns = 1500
	net, a, b, lfd := manyConnsWorld(t, conns)
	at := closeBoth(t, net, a, b, lfd, conns)
	require.GreaterOrEqual(t, net.conns.peak, conns, "every connection was open at once")
	// Every connection has an end waiting in TIME-WAIT.
	require.Len(t, net.conns.byTuple, conns)
	require.Equal(t, conns, a.timeWaits)

	at += sim.Time(a.cfg.Config().TimeWait)
	require.NoError(t, net.Scheduler().RunUntil(at))
	assert.Zero(t, len(net.conns.byTuple), "entries left")
	assert.Less(t, net.conns.peak, minRebuild, "the table was made again, small")
	assert.Zero(t, len(a.conns))
	assert.Zero(t, len(a.timeWaitConns))
	assert.Zero(t, len(b.conns))
}
