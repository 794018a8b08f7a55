package apps

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/internal/testflags"
	"github.com/netsimlab/netsim/internal/testutil"
	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/topology"
)

// Every capture of a lossy transfer through a router, and of a refused
// connection, opens in tshark as raw IPv4 with no malformed packet and
// every IPv4 and TCP checksum valid.
func TestCapturesReadByTshark(t *testing.T) {
	// About 20 s on 2 cores: the quick run reads captures with tshark in
	// e2e's TestCaptures instead.
	testflags.SkipUnlessLong(t, "tshark over four captures of a lossy transfer")
	tshark := testflags.Program(t, "tshark", "the captures are not checked (Debian package tshark)")
	w := newWorld(t, nil,
		topology.LinkConfig{Rate: mbps(100), Delay: time.Millisecond},
		topology.LinkConfig{Rate: mbps(10), Delay: 5 * time.Millisecond, Loss: topology.Bernoulli(0.01)})
	dir := t.TempDir()
	var files []*os.File
	require.NoError(t, w.net.EnableCaptures(func(node, iface string) (io.Writer, error) {
		f, err := os.Create(filepath.Join(dir, node+"-"+iface+".pcap"))
		files = append(files, f)
		return f, err
	}, 0))
	bulk, _ := w.transfer(t, 300_000)
	refused := &BulkSend{To: netip.AddrPortFrom(serverAddr, 81), Bytes: 10}
	_, err := Install(w.client, 0, refused)
	require.NoError(t, err)
	require.NoError(t, w.net.Scheduler().RunUntil(sim.Time(30*time.Second)))
	require.True(t, bulk.Done)
	require.NoError(t, w.net.CaptureErr())
	for _, f := range files {
		require.NoError(t, f.Close())
	}
	require.Len(t, files, 4, "client eth0, server eth0, r eth0 and eth1")

	for _, f := range files {
		name := filepath.Base(f.Name())
		t.Run(name, func(t *testing.T) {
			rows := testutil.TsharkFields(t, tshark, f.Name(), "frame.protocols", "ip.checksum.status", "tcp.checksum.status", "_ws.malformed")
			assert.Greater(t, len(rows), 10)
			for i, cols := range rows {
				require.Len(t, cols, 4, "frame %d: %q", i+1, cols)
				assert.True(t, strings.HasPrefix(cols[0], "raw:ip:tcp"), "frame %d decoded as raw IPv4 carrying TCP: %s", i+1, cols[0])
				assert.Equal(t, "1", cols[1], "frame %d: IPv4 checksum good", i+1)
				assert.Equal(t, "1", cols[2], "frame %d: TCP checksum good", i+1)
				assert.Empty(t, cols[3], "frame %d malformed", i+1)
			}
		})
	}
}
