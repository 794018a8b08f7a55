package apps

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
)

// appReads is what one host's apps traced as read: the sum of the bytes
// of its recv records, whether each record's total is the connection's
// running sum, and the events in order.
type appReads struct {
	bytes      int64
	totalsOK   bool
	events     []string
	recvOnConn map[uint64]int64
}

func readsOf(recs []sim.Record, subject string) appReads {
	a := appReads{totalsOK: true, recvOnConn: map[uint64]int64{}}
	for _, r := range recs {
		e, ok := r.Event.(*sim.App)
		if !ok || r.Subject != subject {
			continue
		}
		a.events = append(a.events, e.Event)
		if e.Event != sim.AppRecv {
			continue
		}
		a.bytes += e.Bytes
		a.recvOnConn[e.Conn] += e.Bytes
		if e.Bytes <= 0 || e.Total != a.recvOnConn[e.Conn] {
			a.totalsOK = false
		}
	}
	return a
}

// Every built-in app that reads traces what it read as recv records (the
// bytes of each read burst and the connection's total), so both
// directions of summary.json's bytes_delivered count: the echo an on-off
// or bulk-send source gets back, and a request-response client's
// responses, as well as what the servers and the sink read.
func TestEveryAppThatReadsTracesRecv(t *testing.T) {
	type run struct {
		clientRead, serverRead int64 // what the apps counted
	}
	tests := []struct {
		name   string
		server func() App
		client func() (App, func() run)
		// responses is how many "response" records the client must
		// write, each after the recv records of its bytes.
		responses int
	}{
		{
			name:   "on-off to echo",
			server: func() App { return &Echo{Port: 7} },
			client: func() (App, func() run) {
				o := &OnOff{To: netip.AddrPortFrom(serverAddr, 7), On: 100 * time.Millisecond, Off: 100 * time.Millisecond,
					Rate: mbps(2), Stop: 500 * time.Millisecond}
				return o, func() run {
					assert.True(t, o.Done)
					return run{o.Received, o.Sent}
				}
			},
		},
		{
			name:   "bulk-send to echo",
			server: func() App { return &Echo{Port: 7} },
			client: func() (App, func() run) {
				b := &BulkSend{To: netip.AddrPortFrom(serverAddr, 7), Bytes: 100_000}
				return b, func() run {
					assert.True(t, b.Done)
					return run{b.Received, b.Sent}
				}
			},
		},
		{
			name:   "bulk-send to sink",
			server: func() App { return &Sink{Port: 80} },
			client: func() (App, func() run) {
				b := &BulkSend{To: netip.AddrPortFrom(serverAddr, 80), Bytes: 100_000}
				return b, func() run {
					assert.True(t, b.Done)
					return run{0, b.Sent}
				}
			},
		},
		{
			name:   "persistent request-response",
			server: func() App { return &ResponseServer{Port: 80, RequestSize: 300, ResponseSize: 20_000} },
			client: func() (App, func() run) {
				r := &RequestResponse{To: netip.AddrPortFrom(serverAddr, 80), RequestSize: 300, ResponseSize: 20_000,
					Count: 3, Think: 10 * time.Millisecond, Persistent: true}
				return r, func() run {
					assert.True(t, r.Done)
					return run{r.Received, 900}
				}
			},
			responses: 3,
		},
		{
			name:   "request-response, a connection per request",
			server: func() App { return &ResponseServer{Port: 80, RequestSize: 300, ResponseSize: 20_000} },
			client: func() (App, func() run) {
				r := &RequestResponse{To: netip.AddrPortFrom(serverAddr, 80), RequestSize: 300, ResponseSize: 20_000,
					Count: 3, Think: 10 * time.Millisecond}
				return r, func() run {
					assert.True(t, r.Done)
					return run{r.Received, 900}
				}
			},
			responses: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &sim.Recorder{}
			w := simpleWorld(t, rec)
			srv := tt.server()
			_, err := Install(w.server, 0, srv)
			require.NoError(t, err)
			cl, result := tt.client()
			_, err = Install(w.client, 10*time.Millisecond, cl)
			require.NoError(t, err)
			require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(10*time.Second)))
			got := result()

			client := readsOf(rec.Records, "app/client/"+cl.Type())
			server := readsOf(rec.Records, "app/server/"+srv.Type())
			assert.Equal(t, got.clientRead, client.bytes, "the client's recv records add up to what it read")
			assert.Equal(t, got.serverRead, server.bytes, "the server read all the client sent")
			assert.True(t, client.totalsOK, "client totals: %v", client.recvOnConn)
			assert.True(t, server.totalsOK, "server totals: %v", server.recvOnConn)
			if _, ok := srv.(*Echo); ok {
				assert.Equal(t, server.bytes, client.bytes, "the echo came back and was counted")
			}
			if tt.responses > 0 {
				assert.Equal(t, int64(tt.responses*20_000), client.bytes)
				// Each response record follows recv records of at least its
				// bytes since the one before.
				n, since := 0, int64(0)
				for i, r := range rec.Records {
					e, ok := r.Event.(*sim.App)
					if !ok || r.Subject != "app/client/"+cl.Type() {
						continue
					}
					switch e.Event {
					case sim.AppRecv:
						since += e.Bytes
					case sim.AppResponse:
						n++
						assert.Equal(t, int64(20_000), e.Bytes, "record %d", i)
						assert.Equal(t, int64(20_000), since, "record %d: the reads come first", i)
						since = 0
					}
				}
				assert.Equal(t, tt.responses, n)
			}
		})
	}
}
