package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/topology"
)

func TestConnMSS(t *testing.T) {
	tests := []struct {
		name            string
		configured, mtu int
		want            int
	}{
		{"ethernet", 1460, 1500, 1460},
		{"small mtu lowers a configured mss", 1460, 576, 536},
		{"TCP_MAXSEG below the mtu is kept", 1000, 1500, 1000},
		{"jumbo mtu does not raise a configured mss", 1460, 9000, 1460},
		{"loopback keeps a configured mss", 1460, LoopbackMTU, 1460},
		{"largest mss on loopback", 65495, LoopbackMTU, 65495},
		{"tiny mtu floors at the smallest valid mss", 1460, 68, tcp.MinMSS},
		// auto (0, the default) is the route's advmss, MTU - 40, as
		// Linux's tcp_advertise_mss and ipv4_default_advmss.
		{"auto on ethernet", 0, 1500, 1460},
		{"auto on a jumbo mtu", 0, 9000, 8960},
		{"auto on a small mtu", 0, 576, 536},
		{"auto on loopback, as Linux's lo", 0, LoopbackMTU, tcp.MaxMSS},
		{"auto on a tiny mtu", 0, 68, tcp.MinMSS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tcp.DefaultConfig()
			cfg.MSS = tt.configured
			v, err := cfg.Valid()
			require.NoError(t, err)
			assert.Equal(t, tt.want, connMSS(v, tt.mtu).MSS())
		})
	}
}

// TestConnMSSAutoKeepsBuffersValid: a raised auto MSS stops where the
// buffers still hold it, so the connection's settings stay valid.
func TestConnMSSAutoKeepsBuffersValid(t *testing.T) {
	tests := []struct {
		name string
		set  func(*tcp.Config)
		want int
	}{
		{"fixed send buffer", func(c *tcp.Config) { c.SendBuffer = 4000 }, 4000},
		{"fixed receive buffer", func(c *tcp.Config) { c.RecvBuffer = 3000 }, 3000},
		{"recv_buffer_initial holds two segments", func(c *tcp.Config) { c.RecvBufferInitial = 10000 }, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tcp.DefaultConfig()
			tt.set(&cfg)
			v, err := cfg.Valid()
			require.NoError(t, err)
			got := connMSS(v, 9000)
			assert.Equal(t, tt.want, got.MSS())
			c := got.Config()
			c.MSS = got.MSS()
			assert.NoError(t, c.Validate())
		})
	}
}

// bulkOver connects from to to:80 (addr) with a socket set up by opt, has
// it write size bytes from 100 ms, runs the network to 2 s while the
// listener's side reads, and returns the bytes read and from's socket.
func bulkOver(t *testing.T, n *Network, from, to *Host, addr netip.Addr, size int, opt func(fd int)) ([]byte, int) {
	t.Helper()
	lfd := listenOn(t, to, 80, 8)
	fd, _ := from.Socket()
	if opt != nil {
		opt(fd)
	}
	require.Equal(t, EINPROGRESS, from.Connect(fd, netip.AddrPortFrom(addr, 80)))
	data := bulkData(size)
	var got []byte
	afd := -1
	buf := make([]byte, 1<<16)
	for step := 1; step <= 200; step++ {
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(time.Duration(step)*10*time.Millisecond)))
		if step >= 10 && len(data) > 0 {
			if k, err := from.Send(fd, data); err == nil {
				data = data[k:]
			}
		}
		if afd < 0 {
			if a, _, err := to.Accept(lfd); err == nil {
				afd = a
			}
		}
		for afd >= 0 {
			k, err := to.Recv(afd, buf)
			if err != nil || k == 0 {
				break
			}
			got = append(got, buf[:k]...)
		}
	}
	require.Empty(t, data, "everything written")
	return got, fd
}

// bulkData is what bulkOver writes.
func bulkData(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

// TestAutoMSSFollowsTheMTU: with the default mss (auto) a connection
// announces its interface's MTU less 40 in its SYN, raised above 1460 on
// a jumbo link, as Linux's tcp_advertise_mss (8948-byte payloads with
// timestamps, RFC 6691); TCP_MAXSEG keeps it an upper bound
// (tcp_mss_clamp); to its own address, over the loopback interface of
// MTU 65536 (Linux's lo), it announces 65495. An interface whose own MTU
// is below its link's (SetMTU, `ip link set mtu`) is the one that counts.
func TestAutoMSSFollowsTheMTU(t *testing.T) {
	const size = 300000
	tests := []struct {
		name      string
		mtu       int
		loopback  bool
		maxseg    int
		syn       string
		largest   int
		datagrams int // the largest datagram allowed
		ifaceMTU  int // the sender's interface's own MTU (SetMTU); 0: the link's
	}{
		{"jumbo link", 9000, false, 0, "mss 8960,", 8948, 9000, 0},
		{"jumbo link with TCP_MAXSEG 1460", 9000, false, 1460, "mss 1460,", 1448, 1500, 0},
		{"ethernet", 1500, false, 0, "mss 1460,", 1448, 1500, 0},
		{"small mtu", 576, false, 0, "mss 536,", 524, 576, 0},
		{"loopback", 1500, true, 0, "mss 65495,", 65483, 65535, 0},
		{"ethernet device on a jumbo link", 9000, false, 0, "mss 1460,", 1448, 1500, 1500},
		{"device mtu above the link's", 1500, false, 0, "mss 1460,", 1448, 1500, 9000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &sim.Recorder{}
			link := fastLink("ab")
			link.MTU = tt.mtu
			n, a, b := twoHosts(t, rec, link)
			if tt.ifaceMTU != 0 {
				require.NoError(t, a.Interfaces()[0].SetMTU(tt.ifaceMTU))
			}
			to, addr := b, addrB
			if tt.loopback {
				to, addr = a, addrA
			}
			var opt func(int)
			if tt.maxseg != 0 {
				opt = func(fd int) { require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, tt.maxseg)) }
			}
			got, fd := bulkOver(t, n, a, to, addr, size, opt)
			assert.Equal(t, bulkData(size), got, "the data arrives intact")

			out := sends(rec, "host/a")
			require.NotEmpty(t, out)
			assert.Regexp(t, "^"+tt.syn, out[0].Opts.String(), "the SYN's MSS option")
			largest := 0
			for _, r := range out {
				assert.LessOrEqual(t, r.Len, tt.datagrams, "datagram %v", r.ID)
				largest = max(largest, r.PLen)
			}
			assert.Equal(t, tt.largest, largest, "the largest segment: the MSS less 12 bytes of timestamps")
			assert.Zero(t, a.Drops(sim.DropMTU))
			i, _ := a.Info(fd)
			assert.Equal(t, tt.largest, i.Stats.MSS)
		})
	}
}

// TestMaxsegBeforeConnect: getsockopt(TCP_MAXSEG) on a socket not yet
// connected answers, as Linux's do_tcp_getsockopt, TCP_MSS_DEFAULT (536,
// tcp_init_sock's mss_cache) for the auto default, whatever the route,
// and the value TCP_MAXSEG set.
func TestMaxsegBeforeConnect(t *testing.T) {
	link := fastLink("ab")
	link.MTU = 9000
	_, a, _ := twoHosts(t, nil, link)
	fd, _ := a.Socket()
	v, err := a.GetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG)
	require.NoError(t, err)
	assert.Equal(t, 536, v, "tcp_init_sock's mss_cache, TCP_MSS_DEFAULT")
	require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 1000))
	v, err = a.GetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG)
	require.NoError(t, err)
	assert.Equal(t, 1000, v)
	// do_tcp_setsockopt: above MAX_TCP_WINDOW is EINVAL; 32767 is taken,
	// and 0 makes the MSS auto again.
	assert.Equal(t, EINVAL, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 32768))
	require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 32767))
	require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, 0))
	v, err = a.GetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG)
	require.NoError(t, err)
	assert.Equal(t, 536, v)
}

// TestMaxsegSynSent: in SYN-SENT Linux answers the mss_cache that
// tcp_connect_init's tcp_sync_mss set: the route's MSS (8960 on a 9000
// MTU) clamped to TCP_MAXSEG's value, or to TCP_MSS_DEFAULT without it,
// less 12 bytes of timestamps.
func TestMaxsegSynSent(t *testing.T) {
	for _, tc := range []struct {
		maxseg, want int
	}{{0, 536 - 12}, {1000, 1000 - 12}} {
		link := fastLink("ab")
		link.MTU = 9000
		_, a, _ := twoHosts(t, nil, link)
		fd, _ := a.Socket()
		if tc.maxseg != 0 {
			require.NoError(t, a.SetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG, tc.maxseg))
		}
		require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
		v, err := a.GetSockOpt(fd, IPPROTO_TCP, TCP_MAXSEG)
		require.NoError(t, err)
		assert.Equal(t, tc.want, v, "TCP_MAXSEG %d", tc.maxseg)
	}
}

// TestHostMSSShared: a host's connections on routes of one MTU share one
// copy of its settings with the route's MSS (hostMSS), where each used to
// get a copy of its own (184 bytes a connection on a jumbo network); a
// socket whose options made its settings its own gets its own copy.
func TestHostMSSShared(t *testing.T) {
	link := fastLink("ab")
	link.MTU = 9000
	_, a, _ := twoHosts(t, nil, link)
	first := a.hostMSS(a.cfg, 9000)
	require.Equal(t, 8960, first.MSS())
	assert.True(t, first == a.hostMSS(a.cfg, 9000), "a second connection shares the first's settings")
	assert.Equal(t, 1460, a.hostMSS(a.cfg, 1500).MSS())
	assert.True(t, a.hostMSS(a.cfg, 1500) == a.cfg, "where the MSS stays, the host's own settings")

	own, err := tcp.DefaultConfig().Valid()
	require.NoError(t, err)
	assert.Equal(t, 8960, a.hostMSS(own, 9000).MSS())
	assert.False(t, a.hostMSS(own, 9000) == a.hostMSS(own, 9000), "a socket's own settings are not kept")
	assert.Len(t, a.net.mssConfigs, 1)
}

// TestSetMTUBounds: an interface's own MTU is at least IPv4's 68 bytes,
// the loopback interface's is fixed, and 0 goes back to the link's.
func TestSetMTUBounds(t *testing.T) {
	link := fastLink("ab")
	link.MTU = 9000
	_, a, _ := twoHosts(t, nil, link)
	ifc := a.Interfaces()[0]
	require.Error(t, ifc.SetMTU(67))
	require.NoError(t, ifc.SetMTU(68))
	assert.Equal(t, 68, ifc.MTU())
	require.NoError(t, ifc.SetMTU(0))
	assert.Equal(t, 9000, ifc.MTU())
}

// TestInterfaceMTUFollowsALowerLink: an interface's own MTU (SetMTU) is
// an upper bound, as its link's is: a link lowered under it by a fault
// (here 800 under a device of 1500) carries no more, and the interface
// must say so, so that a segment too big is answered by the host itself
// (fragmentation needed, Host.output) rather than lost on the link
// without a word. MTU answered the device's 1500.
func TestInterfaceMTUFollowsALowerLink(t *testing.T) {
	link := fastLink("ab")
	link.MTU = 9000
	n, a, _ := twoHosts(t, nil, link)
	ifc := a.Interfaces()[0]
	require.NoError(t, ifc.SetMTU(1500))
	l, ok := n.Link("ab")
	require.True(t, ok)
	mtu := 800
	require.NoError(t, l.Set(topology.LinkChange{MTU: &mtu}))
	assert.Equal(t, 800, ifc.MTU())
	mtu = 9000
	require.NoError(t, l.Set(topology.LinkChange{MTU: &mtu}))
	assert.Equal(t, 1500, ifc.MTU(), "the device's own MTU again")
}
