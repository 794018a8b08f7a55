package apps

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/pattern"
	"github.com/netsimlab/netsim/nodes"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

func simpleWorld(t *testing.T, rec sim.Sink) *world {
	return newWorld(t, rec,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		topology.LinkConfig{Rate: mbps(10), Delay: 4 * time.Millisecond})
}

// echoClient writes n pattern bytes, reads everything back, checks it and
// closes.
type echoClient struct {
	to       netip.AddrPort
	n        int64
	sent     int64
	got, bad int64
	done     bool
	ctx      *Context
	fd       int
	buf      [4096]byte
}

func (e *echoClient) Type() string { return "echo-client" }

func (e *echoClient) Start(ctx *Context) error {
	e.ctx = ctx
	fd, _ := ctx.Host.Socket()
	e.fd = fd
	_ = ctx.Host.SetHandler(fd, e.event)
	if err := ctx.Host.Connect(fd, e.to); err != nodes.EINPROGRESS {
		return err
	}
	return nil
}

func (e *echoClient) event(fd int, ev nodes.SocketEvent, _ nodes.Errno) {
	h := e.ctx.Host
	for e.sent < e.n {
		k, err := h.Send(fd, pattern.At(e.sent, int(e.n-e.sent)))
		e.sent += int64(k)
		if err != nil {
			break
		}
	}
	for {
		k, err := h.Recv(fd, e.buf[:])
		if k > 0 {
			e.bad += pattern.Check(e.got, e.buf[:k])
			e.got += int64(k)
			if e.got == e.n {
				_ = h.Shutdown(fd, nodes.SHUT_WR)
			}
			continue
		}
		if err == nil && !e.done {
			e.done = true
			_ = h.Close(fd)
		}
		return
	}
}

func TestEchoReturnsEveryByte(t *testing.T) {
	w := simpleWorld(t, nil)
	_, err := Install(w.server, 0, &Echo{Port: 7})
	require.NoError(t, err)
	c := &echoClient{to: netip.AddrPortFrom(serverAddr, 7), n: 500_000}
	_, err = Install(w.client, 10*time.Millisecond, c)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(20*time.Second)))
	assert.True(t, c.done)
	assert.Equal(t, int64(500_000), c.got)
	assert.Zero(t, c.bad)
	assert.Empty(t, w.server.Conns(), "the echo server closed its side")
}

func TestRequestResponse(t *testing.T) {
	// Round trip: 2×(1 ms + 4 ms) plus serialization.
	tests := []struct {
		name       string
		persistent bool
		// minLatency bounds each exchange from below: one RTT for a
		// request on an open connection, two with a handshake.
		minLatency time.Duration
	}{
		{"persistent", true, 10 * time.Millisecond},
		{"connection per request", false, 20 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &sim.Recorder{}
			w := simpleWorld(t, rec)
			_, err := Install(w.server, 0, &ResponseServer{Port: 80, RequestSize: 300, ResponseSize: 20_000})
			require.NoError(t, err)
			rr := &RequestResponse{To: netip.AddrPortFrom(serverAddr, 80), RequestSize: 300, ResponseSize: 20_000,
				Count: 5, Think: 50 * time.Millisecond, Persistent: tc.persistent}
			_, err = Install(w.client, 0, rr)
			require.NoError(t, err)
			require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(10*time.Second)))
			assert.True(t, rr.Done)
			assert.Zero(t, rr.Err)
			require.Len(t, rr.Latencies, 5)
			for _, l := range rr.Latencies {
				assert.GreaterOrEqual(t, l, tc.minLatency)
				assert.Less(t, l, tc.minLatency+40*time.Millisecond)
			}
			conns := map[uint64]bool{}
			for _, r := range rec.Records {
				if e, ok := r.Event.(*sim.App); ok && r.Subject == "app/client/request-response" && e.Event == sim.AppConnect {
					conns[e.Conn] = true
				}
			}
			if tc.persistent {
				assert.Len(t, conns, 1)
			} else {
				assert.Len(t, conns, 5)
			}
			assert.Empty(t, w.server.Conns())
		})
	}
}

// An on-off source sends at its rate while on and nothing while off: with
// 100 ms on and 100 ms off at 2 Mbps over 1 s it sends about 1 Mbit.
func TestOnOffAverageRate(t *testing.T) {
	w := simpleWorld(t, nil)
	sink := &Sink{Port: 80, Verify: true}
	_, err := Install(w.server, 0, sink)
	require.NoError(t, err)
	src := &OnOff{To: netip.AddrPortFrom(serverAddr, 80), On: 100 * time.Millisecond, Off: 100 * time.Millisecond,
		Rate: mbps(2), Stop: time.Second}
	_, err = Install(w.client, 0, src)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(5*time.Second)))
	assert.True(t, src.Done)
	assert.Equal(t, src.Sent, sink.Received)
	assert.Zero(t, sink.Mismatched)
	// 5 On periods of 100 ms at 2 Mbps = 125 kB, give or take a chunk per
	// period.
	assert.InDelta(t, 125_000, float64(sink.Received), 5*onOffChunk)
}

// An on-off source that starts at or after its Stop (a random start
// drawn past it) opens no connection: it sent a SYN and closed at once,
// and the summary counted two connections that never got established
// (the client's, and the server's answer to the SYN), each with a
// goodput of 0 that a sweep's mean over connections took in.
func TestOnOffStartingAfterStopConnectsNot(t *testing.T) {
	rec := &sim.Recorder{}
	w := simpleWorld(t, rec)
	_, err := Install(w.server, 0, &Sink{Port: 80})
	require.NoError(t, err)
	src := &OnOff{To: netip.AddrPortFrom(serverAddr, 80), On: 100 * time.Millisecond, Off: 100 * time.Millisecond,
		Rate: mbps(2), Stop: time.Second}
	_, err = Install(w.client, 1500*time.Millisecond, src)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(3*time.Second)))
	for _, r := range rec.Records {
		_, isSend := r.Event.(*sim.PacketSend)
		assert.False(t, isSend, "no packet: %+v", r)
		if a, ok := r.Event.(*sim.App); ok {
			assert.NotEqual(t, sim.AppConnect, a.Event, "no connect")
		}
	}
	assert.Zero(t, src.Sent)
}

func TestBulkSendZeroBytesOpensAndCloses(t *testing.T) {
	w := simpleWorld(t, nil)
	sink := &Sink{Port: 80}
	_, err := Install(w.server, 0, sink)
	require.NoError(t, err)
	bulk := &BulkSend{To: netip.AddrPortFrom(serverAddr, 80)}
	_, err = Install(w.client, 0, bulk)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(time.Second)))
	assert.True(t, bulk.Done)
	assert.Equal(t, 1, sink.Completed)
	assert.Zero(t, sink.Received)
}
