package nodes

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
)

// closeBoth opens n connections from a to b:80, lets them establish, then
// closes the client's descriptors first and the server's after, so that
// every client end goes to TIME-WAIT; it returns the time reached.
func closeBoth(t *testing.T, n *Network, a, b *Host, lfd, conns int) sim.Time {
	t.Helper()
	fds := dialMany(t, a, conns)
	until := n.Scheduler().Now() + sim.Time(100*time.Millisecond)
	require.NoError(t, n.Scheduler().RunUntil(until))
	for _, fd := range fds {
		require.NoError(t, a.Close(fd))
	}
	for {
		sfd, _, err := b.Accept(lfd)
		if err != nil {
			break
		}
		require.NoError(t, b.Close(sfd))
	}
	until += sim.Time(100 * time.Millisecond)
	require.NoError(t, n.Scheduler().RunUntil(until))
	return until
}

// A connection in TIME-WAIT whose descriptor is closed keeps only its
// record: the host lists it in TIME-WAIT, it still holds its local port,
// and 2 MSL later both are gone, with the same tcp.timer and tcp.state
// records as a connection's own timer gives.
func TestTimeWaitRecordReplacesSocket(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	lfd := listenOn(t, b, 80, 8)
	until := closeBoth(t, n, a, b, lfd, 1)

	assert.Empty(t, a.conns, "the socket and its Conn are gone")
	require.Len(t, a.timeWaitConns, 1)
	assert.Equal(t, 1, a.timeWaits)
	infos := a.Conns()
	require.Len(t, infos, 1)
	assert.Equal(t, tcp.TimeWait, infos[0].State)
	port := infos[0].Local.Port()
	fd, _ := a.Socket()
	assert.Equal(t, EADDRINUSE, a.Bind(fd, netip.AddrPortFrom(addrA, port)), "TIME-WAIT holds the port")

	require.NoError(t, n.Scheduler().RunUntil(until+sim.Time(61*time.Second)))
	assert.Empty(t, a.Conns())
	assert.Empty(t, a.timeWaitConns)
	assert.Zero(t, a.timeWaits)
	assert.NoError(t, a.Bind(fd, netip.AddrPortFrom(addrA, port)), "the port is free again")

	var last []string
	for _, r := range rec.Records {
		if r.Subject != "host/a" {
			continue
		}
		switch e := r.Event.(type) {
		case *sim.TCPTimer:
			last = append(last, "timer "+e.Timer)
		case *sim.TCPState:
			last = append(last, e.From+">"+e.To+" "+e.Reason)
		}
	}
	require.GreaterOrEqual(t, len(last), 2)
	assert.Equal(t, []string{"timer timewait", "TIME-WAIT>CLOSED "}, last[len(last)-2:])
}

// A host keeps at most max_tw_buckets connections in TIME-WAIT (Linux
// tcp_max_tw_buckets): one more goes to CLOSED at once, traced with the
// reason timewait_overflow, and frees its port.
func TestTimeWaitOverflow(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	cfg := a.Config()
	cfg.MaxTimeWait = 2
	require.NoError(t, a.SetConfig(cfg))
	lfd := listenOn(t, b, 80, 8)
	closeBoth(t, n, a, b, lfd, 3)

	assert.Equal(t, 2, a.timeWaits)
	assert.Len(t, a.timeWaitConns, 2)
	assert.Len(t, a.ports, 2, "the third connection's port is free")
	overflows := 0
	for _, r := range rec.Records {
		if e, ok := r.Event.(*sim.TCPState); ok && e.Reason == "timewait_overflow" {
			overflows++
			assert.Equal(t, "host/a", r.Subject)
			assert.Equal(t, "TIME-WAIT", e.From)
			assert.Equal(t, "CLOSED", e.To)
		}
	}
	assert.Equal(t, 1, overflows)
}

// The heap a connection keeps in TIME-WAIT once its descriptor is closed
// is the record, not the socket and Conn (several KiB with the default
// settings, 4.9 KB per connection when they stayed): at most 1.5 KiB,
// the record's timer and the network's registry of connection IDs
// included.
func TestTimeWaitMemory(t *testing.T) {
	const conns = 500
	n, a, b, lfd := manyConnsWorld(t, conns)
	closeBoth(t, n, a, b, lfd, conns) // warms up the maps and free lists
	var m1, m2 runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	closeBoth(t, n, a, b, lfd, conns)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m2)
	per := float64(int64(m2.HeapAlloc)-int64(m1.HeapAlloc)) / conns
	t.Logf("%.0f bytes per connection in TIME-WAIT (both ends' registries included)", per)
	require.Len(t, a.timeWaitConns, 2*conns)
	assert.LessOrEqual(t, per, 1536.0)
	runtime.KeepAlive(n)
}
