package nodes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/tcp"
)

// describe prints a record's kind, subject and chosen fields on one line,
// as its JSONL line has them.
func describe(r sim.Record, keys ...string) string {
	var line map[string]any
	dec := json.NewDecoder(bytes.NewReader(sim.AppendJSONL(nil, &r)))
	dec.UseNumber()
	if err := dec.Decode(&line); err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s", r.T, r.Kind(), r.Subject)
	for _, k := range keys {
		if v, ok := line[k]; ok {
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
	}
	return b.String()
}

// The handshake as the trace tells it: pkt.send records carry the TCP
// fields as tcpdump prints them, sequence numbers relative to the ISNs,
// and the connection ID both ends share; tcp.state records follow each
// end through its states.
func TestHandshakeTrace(t *testing.T) {
	rec := &sim.Recorder{}
	n, a, b := twoHosts(t, rec, fastLink("ab"))
	listenOn(t, b, 80, 8)
	fd, _ := a.Socket()
	require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
	require.NoError(t, n.Scheduler().RunUntil(sim.Time(10*time.Millisecond)))

	var got []string
	for _, r := range rec.Records {
		switch s := r.Event.(type) {
		case *sim.PacketSend:
			got = append(got, describe(r, "iface", "len", "sport", "dport", "flags", "rseq", "rack", "plen", "conn"))
			assert.Positive(t, s.Win, "the window is TCP's choice, but never 0 here")
			if s.Flags.Has(sim.TCPFlagSYN) {
				assert.Regexp(t, `^mss 1460,sackOK,TS val \d+ ecr \d+,nop,wscale 7$`, s.Opts.String())
			} else {
				assert.Regexp(t, `^nop,nop,TS val \d+ ecr \d+$`, s.Opts.String())
			}
		case *sim.TCPState:
			got = append(got, describe(r, "conn", "side", "from", "to"))
		case *sim.PacketDeliver:
			got = append(got, describe(r, "iface", "len", "conn"))
		}
	}
	assert.Equal(t, []string{
		"0 tcp.state host/a conn=1 side=client from=CLOSED to=SYN-SENT",
		"0 pkt.send host/a iface=eth0 len=60 sport=49152 dport=80 flags=S rseq=0 rack=0 plen=0 conn=1",
		"1000480 pkt.deliver host/b iface=eth0 len=60 conn=1",
		"1000480 tcp.state host/b conn=1 side=server from=LISTEN to=SYN-RECEIVED",
		"1000480 pkt.send host/b iface=eth0 len=60 sport=80 dport=49152 flags=S. rseq=0 rack=1 plen=0 conn=1",
		"2000960 pkt.deliver host/a iface=eth0 len=60 conn=1",
		"2000960 tcp.state host/a conn=1 side=client from=SYN-SENT to=ESTABLISHED",
		"2000960 pkt.send host/a iface=eth0 len=52 sport=49152 dport=80 flags=. rseq=1 rack=1 plen=0 conn=1",
		"3001376 pkt.deliver host/b iface=eth0 len=52 conn=1",
		"3001376 tcp.state host/b conn=1 side=server from=SYN-RECEIVED to=ESTABLISHED",
	}, got)
}

// The same world and seed give the same trace, record for record.
func TestTraceDeterministic(t *testing.T) {
	run := func() []string {
		rec := &sim.Recorder{}
		n, a, b := twoHosts(t, rec, fastLink("ab"))
		lfd := listenOn(t, b, 80, 8)
		require.NoError(t, b.SetHandler(lfd, func(fd int, ev SocketEvent, _ Errno) {
			if ev == SockAcceptable {
				cfd, _, _ := b.Accept(fd)
				_ = b.SetHandler(cfd, func(fd int, ev SocketEvent, _ Errno) {
					buf := make([]byte, 4096)
					for {
						if k, _ := b.Recv(fd, buf); k == 0 {
							return
						}
					}
				})
			}
		}))
		var fds []int
		for range 3 {
			fd, _ := a.Socket()
			// A fixed send buffer that takes each write whole.
			require.NoError(t, a.SetSockOpt(fd, SOL_SOCKET, SO_SNDBUF, 100_000))
			require.Equal(t, EINPROGRESS, a.Connect(fd, netip.AddrPortFrom(addrB, 80)))
			fds = append(fds, fd)
		}
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(100*time.Millisecond)))
		for _, fd := range fds {
			k, err := a.Send(fd, make([]byte, 100_000))
			require.NoError(t, err)
			require.Equal(t, 100_000, k)
			require.NoError(t, a.Close(fd))
		}
		require.NoError(t, n.Scheduler().RunUntil(sim.Time(2*time.Second)))
		var out []string
		for _, r := range rec.Records {
			out = append(out, describe(r, "id", "flags", "rseq", "rack", "conn", "cwnd", "from", "to", "reason"))
		}
		return out
	}
	first := run()
	assert.Greater(t, len(first), 200)
	assert.Equal(t, first, run())
}

// The trace writes TCP options with sim's formatter, which must print
// what tcp's does (tcp.AppendOptions, absolute SACK blocks) for every
// option list a host can send and for malformed ones.
func TestTraceOptionsMatchTCP(t *testing.T) {
	lists := []func(o *tcp.Options){
		func(o *tcp.Options) {},
		func(o *tcp.Options) { *o = tcp.SYNACKOptions(1460, true, 12345, 678, true, 7) },
		func(o *tcp.Options) { *o = tcp.SYNACKOptions(536, false, 0, 0, false, -1) },
		func(o *tcp.Options) {
			*o = tcp.SegmentOptions(1, 2, true, []tcp.SACKBlock{{Start: 100, End: 200}, {Start: 4294967000, End: 5}})
		},
		func(o *tcp.Options) {
			_ = o.AppendSACKPermitted()
			_ = o.AppendRaw(30, []byte{0xab, 0xcd})
			_ = o.AppendRaw(31, nil)
			_ = o.AppendEOL()
		},
		func(o *tcp.Options) {
			*o = tcp.SYNOptions(1460, true, 1, true, 7)
			_ = o.AppendFastOpen(nil, false) // a cookie request
		},
		func(o *tcp.Options) {
			_ = o.AppendFastOpen([]byte{0x51, 0x36, 0x73, 0x16, 0x03, 0x4f, 0xdf, 0x54}, false)
			_ = o.AppendFastOpen([]byte{1, 2, 3, 4}, true) // experimental, with its magic
			_ = o.AppendRaw(254, []byte{0x12, 0x34})
		},
	}
	for i, build := range lists {
		var o tcp.Options
		build(&o)
		var so sim.TCPOptions
		so.SetRaw(o.Bytes())
		assert.Equal(t, tcp.FormatOptions(&o), so.String(), "list %d", i)
	}
	// Option lists AppendRaw lets through, known kinds with other lengths
	// included when it accepts them.
	for _, opt := range []struct {
		kind uint8
		data []byte
	}{{2, []byte{1}}, {3, nil}, {5, []byte{0, 0, 0, 1}}, {8, []byte{1, 2, 3}}, {4, []byte{9}}, {200, make([]byte, 30)}} {
		var o tcp.Options
		_ = o.AppendNOP()
		if o.AppendRaw(opt.kind, opt.data) != nil {
			continue
		}
		var so sim.TCPOptions
		so.SetRaw(o.Bytes())
		assert.Equal(t, tcp.FormatOptions(&o), so.String(), "kind %d % x", opt.kind, opt.data)
	}
}
