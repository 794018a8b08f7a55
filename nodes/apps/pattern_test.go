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
)

// zeroSend is a sender that ignores the pattern: it writes n zero bytes
// and shuts down its write side.
type zeroSend struct {
	to   netip.AddrPort
	n    int64
	sent int64
	ctx  *Context
	fd   int
}

func (z *zeroSend) Type() string { return "zero-send" }

func (z *zeroSend) Start(ctx *Context) error {
	z.ctx = ctx
	fd, _, err := ctx.dial(z.to, "", func(fd int, ev nodes.SocketEvent, _ nodes.Errno) {
		if ev != nodes.SockConnected && ev != nodes.SockWritable {
			return
		}
		zeros := make([]byte, 4096)
		for z.sent < z.n {
			k, err := ctx.Host.Send(fd, zeros[:min(int64(len(zeros)), z.n-z.sent)])
			z.sent += int64(k)
			if err != nil {
				return
			}
		}
		_ = ctx.Host.Shutdown(fd, nodes.SHUT_WR)
	})
	z.fd = fd
	return err
}

// A sink that verifies counts every byte out of pattern, and its recv
// records carry the connection's count (summary.json's bytes_mismatched);
// an intact stream's records carry no such field.
func TestSinkCountsBytesOutOfPattern(t *testing.T) {
	for _, intact := range []bool{true, false} {
		rec := &sim.Recorder{}
		w := simpleWorld(t, rec)
		sink := &Sink{Port: 80, Verify: true}
		_, err := Install(w.server, 0, sink)
		require.NoError(t, err)
		const n = 50_000
		var app App = &zeroSend{to: netip.AddrPortFrom(serverAddr, 80), n: n}
		if intact {
			app = &BulkSend{To: netip.AddrPortFrom(serverAddr, 80), Bytes: n}
		}
		_, err = Install(w.client, 0, app)
		require.NoError(t, err)
		require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(5*time.Second)))
		require.Equal(t, int64(n), sink.Received)
		// Zero is byte 0 of the pattern's every 251: the zeros at stream
		// offsets 0, 251, 502, ... match, the others do not.
		want := int64(0)
		if !intact {
			want = n - (n+pattern.Mod-1)/pattern.Mod
		}
		assert.Equal(t, want, sink.Mismatched, "intact %v", intact)
		last := int64(-1)
		for _, r := range rec.Records {
			if e, ok := r.Event.(*sim.App); ok && r.Subject == "app/server/sink" && e.Event == sim.AppRecv {
				if e.Has&sim.AppHasMismatched != 0 {
					assert.GreaterOrEqual(t, e.Mismatched, last, "a running count")
					last = e.Mismatched
				}
			}
		}
		if intact {
			assert.Equal(t, int64(-1), last, "no recv record of an intact stream names mismatched bytes")
		} else {
			assert.Equal(t, want, last, "the last recv record carries the connection's count")
		}
	}
}
