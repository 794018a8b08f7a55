package drill

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/tcp"
)

// mustParse parses src as the script t.pkt.
func mustParse(t *testing.T, src string) *Script {
	t.Helper()
	s, err := Parse("t.pkt", []byte(src))
	require.NoError(t, err, src)
	return s
}

// parseOne parses a script made of line alone and returns its only line.
func parseOne(t *testing.T, line string) *Line {
	t.Helper()
	s := mustParse(t, line)
	require.Len(t, s.Lines, 1, line)
	return s.Lines[0]
}

func TestParseTimes(t *testing.T) {
	tests := []struct {
		line string
		want TimeSpec
	}{
		{"0 close(3) = 0", TimeSpec{Kind: TimeAbsolute}},
		{"0.100 close(3) = 0", TimeSpec{Kind: TimeAbsolute, Start: 100 * time.Millisecond}},
		{"1.000250 close(3) = 0", TimeSpec{Kind: TimeAbsolute, Start: time.Second + 250*time.Microsecond}},
		{"2 close(3) = 0", TimeSpec{Kind: TimeAbsolute, Start: 2 * time.Second}},
		{"+0 close(3) = 0", TimeSpec{Kind: TimeRelative}},
		{"+0.1 close(3) = 0", TimeSpec{Kind: TimeRelative, Start: 100 * time.Millisecond}},
		{"+.1 close(3) = 0", TimeSpec{Kind: TimeRelative, Start: 100 * time.Millisecond}},
		{"+0.000000001 close(3) = 0", TimeSpec{Kind: TimeRelative, Start: 1}},
		{"+0.0000000019 close(3) = 0", TimeSpec{Kind: TimeRelative, Start: 1}},
		{"0.1~0.2 > . 1:1(0) ack 1", TimeSpec{Kind: TimeAbsoluteRange, Start: 100 * time.Millisecond, End: 200 * time.Millisecond}},
		{"+0~+0.04 > . 1:1(0) ack 1", TimeSpec{Kind: TimeRelativeRange, End: 40 * time.Millisecond}},
		{"* > . 1:1(0) ack 1", TimeSpec{Kind: TimeAny}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, tt.line).Time)
		})
	}
}

func TestParseBlockingSyscall(t *testing.T) {
	l := parseOne(t, "+0...0.050 connect(3, ..., ...) = 0")
	assert.Equal(t, TimeSpec{Kind: TimeRelative}, l.Time)
	require.NotNil(t, l.Syscall)
	assert.True(t, l.Syscall.Blocking)
	assert.Equal(t, 50*time.Millisecond, l.Syscall.End)
	assert.Equal(t, "+0...0.05 connect(3, ..., ...) = 0", l.String())

	l = parseOne(t, "0.1...0.2 read(4, ..., 1000) = 1000")
	assert.Equal(t, 100*time.Millisecond, l.Time.Start)
	assert.Equal(t, 200*time.Millisecond, l.Syscall.End)
}

// mustOptions builds an option list with the tcp builders, for comparison.
func mustOptions(t *testing.T, build ...func(o *tcp.Options) error) tcp.Options {
	t.Helper()
	var o tcp.Options
	for _, b := range build {
		require.NoError(t, b(&o))
	}
	return o
}

func TestParseTCPPackets(t *testing.T) {
	type want struct {
		dir     Direction
		flags   tcp.Flags
		text    string
		start   uint32
		len     uint16
		ack     uint32
		hasAck  bool
		win     uint16
		hasWin  bool
		anyOpts bool
		opts    string
	}
	tests := []struct {
		line string
		want want
	}{
		{"+0 < S 0:0(0) win 32792", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", win: 32792, hasWin: true}},
		{"+0 > S. 0:0(0) ack 1", want{dir: Outbound, flags: tcp.FlagSYN | tcp.FlagACK, text: "S.", ack: 1, hasAck: true}},
		{"+0 > . 1:1(0) ack 1", want{dir: Outbound, flags: tcp.FlagACK, text: ".", start: 1, ack: 1, hasAck: true}},
		{"+0 < P. 1:1001(1000) ack 1 win 257", want{dir: Inbound, flags: tcp.FlagPSH | tcp.FlagACK, text: "P.", start: 1, len: 1000, ack: 1, hasAck: true, win: 257, hasWin: true}},
		{"+0 > F. 1:1(0) ack 1", want{dir: Outbound, flags: tcp.FlagFIN | tcp.FlagACK, text: "F.", start: 1, ack: 1, hasAck: true}},
		{"+0 < R 1:1(0) win 0", want{dir: Inbound, flags: tcp.FlagRST, text: "R", start: 1, hasWin: true}},
		{"+0 > R. 0:0(0) ack 1 win 0", want{dir: Outbound, flags: tcp.FlagRST | tcp.FlagACK, text: "R.", ack: 1, hasAck: true, hasWin: true}},
		{"+0 < SEW 0:0(0) win 65535", want{dir: Inbound, flags: tcp.FlagSYN | tcp.FlagECE | tcp.FlagCWR, text: "SEW", win: 65535, hasWin: true}},
		{"+0 < WES 0:0(0) win 100", want{dir: Inbound, flags: tcp.FlagSYN | tcp.FlagECE | tcp.FlagCWR, text: "WES", win: 100, hasWin: true}},
		{"+0 < FP. 1:11(10) ack 1 win 257", want{dir: Inbound, flags: tcp.FlagFIN | tcp.FlagPSH | tcp.FlagACK, text: "FP.", start: 1, len: 10, ack: 1, hasAck: true, win: 257, hasWin: true}},
		{"+0 < U. 1:2(1) ack 1 win 257 urg 1", want{dir: Inbound, flags: tcp.FlagURG | tcp.FlagACK, text: "U.", start: 1, len: 1, ack: 1, hasAck: true, win: 257, hasWin: true}},
		{"+0 < - 1:1(0) win 0", want{dir: Inbound, text: "-", start: 1, hasWin: true}},
		{"+0 > P. 4294967295:4294967295(0) ack 4294967295", want{dir: Outbound, flags: tcp.FlagPSH | tcp.FlagACK, text: "P.", start: 4294967295, ack: 4294967295, hasAck: true}},
		{"+0 > S 0:0(0) <...>", want{dir: Outbound, flags: tcp.FlagSYN, text: "S", anyOpts: true}},
		{"+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
			want{dir: Outbound, flags: tcp.FlagSYN, text: "S", opts: "mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7"}},
		{"+0 < . 1:1(0) ack 1001 win 257 <sack 2001:3001 4001:5001,nop,nop>",
			want{dir: Inbound, flags: tcp.FlagACK, text: ".", start: 1, ack: 1001, hasAck: true, win: 257, hasWin: true, opts: "sack 2001:3001 4001:5001,nop,nop"}},
		{"+0 < S 0:0(0) win 0 <wscale 15,eol>", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", hasWin: true, opts: "wscale 15,eol"}},
		{"+0 < S 0:0(0) win 0 <FO abcd1234,nop,nop>", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", hasWin: true, opts: "FO abcd1234,nop,nop"}},
		{"+0 < S 0:0(0) win 0 <FO,nop,nop>", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", hasWin: true, opts: "FO,nop,nop"}},
		{"+0 < S 0:0(0) win 0 <FOEXP 0011,nop,nop>", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", hasWin: true, opts: "FOEXP 0011,nop,nop"}},
		// Cookies of lengths a receiver must refuse (RFC 7413 §4.1.1),
		// for scripts that check it does.
		{"+0 < S. 0:0(0) ack 1 win 0 <FO 0123456789abcdef0123456789abcdef0123>", want{dir: Inbound, flags: tcp.FlagSYN | tcp.FlagACK, text: "S.", hasWin: true, hasAck: true, ack: 1, opts: "FO 0123456789abcdef0123456789abcdef0123"}},
		{"+0 < S. 0:0(0) ack 1 win 0 <FO 112233,nop,nop,nop>", want{dir: Inbound, flags: tcp.FlagSYN | tcp.FlagACK, text: "S.", hasWin: true, hasAck: true, ack: 1, opts: "FO 112233,nop,nop,nop"}},
		{"+0 > SEWA 0:0(0) <mss 1460>", want{dir: Outbound, flags: tcp.FlagSYN | tcp.FlagECE | tcp.FlagCWR | tcp.FlagNS, text: "SEWA", opts: "mss 1460"}},
		{"+0 < . 1:1(0) ack 1 win 257 <ECN e0b 1 ceb 0 e1b 16777215,nop>", want{dir: Inbound, flags: tcp.FlagACK, text: ".", start: 1, ack: 1, hasAck: true, win: 257, hasWin: true, opts: "ECN e0b 1 ceb 0 e1b 16777215,nop"}},
		{"+0 > WA. 1:1(0) ack 1 <ECN e1b 1 ceb 0>", want{dir: Outbound, flags: tcp.FlagCWR | tcp.FlagNS | tcp.FlagACK, text: "WA.", start: 1, ack: 1, hasAck: true, opts: "ECN e1b 1 ceb 0"}},
		{"+0 < S 0:0(0) win 0 <nop,nop,md5 000102030405060708090a0b0c0d0e0f>", want{dir: Inbound, flags: tcp.FlagSYN, text: "S", hasWin: true, opts: "nop,nop,md5 000102030405060708090a0b0c0d0e0f"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			l := parseOne(t, tt.line)
			require.Equal(t, LinePacket, l.Kind)
			p := l.Packet
			got := want{dir: p.Dir, flags: p.Flags, text: p.FlagsText, start: p.Start, len: p.Len, ack: p.Ack, hasAck: p.HasAck,
				win: p.Win, hasWin: p.HasWin, anyOpts: p.AnyOptions, opts: FormatOptions(&p.Options)}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, ProtoTCP, p.Proto)
			assert.Equal(t, tt.line, l.String(), "formats back as written")
		})
	}
}

// TestParseOptionsWireBytes checks that option lists are held as the bytes
// the tcp builders produce, in the written order.
func TestParseOptionsWireBytes(t *testing.T) {
	l := parseOne(t, "+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>")
	want := mustOptions(t,
		func(o *tcp.Options) error { return o.AppendMSS(1460) },
		(*tcp.Options).AppendSACKPermitted,
		func(o *tcp.Options) error { return o.AppendTimestamps(100, 0) },
		(*tcp.Options).AppendNOP,
		func(o *tcp.Options) error { return o.AppendWScale(7) },
	)
	assert.Equal(t, want.Bytes(), l.Packet.Options.Bytes())
	assert.Equal(t, 20, l.Packet.Options.Len())

	l = parseOne(t, "+0 < . 1:1(0) ack 1 win 0 <nop,nop,sack 1:2 3:4 5:6>")
	want = mustOptions(t, (*tcp.Options).AppendNOP, (*tcp.Options).AppendNOP,
		func(o *tcp.Options) error {
			return o.AppendSACK([]tcp.SACKBlock{{Start: 1, End: 2}, {Start: 3, End: 4}, {Start: 5, End: 6}})
		})
	assert.Equal(t, want.Bytes(), l.Packet.Options.Bytes())

	l = parseOne(t, "+0 < S 0:0(0) win 0")
	assert.Equal(t, 0, l.Packet.Options.Len())
	assert.False(t, l.Packet.AnyOptions, "no options written means none expected")
}

func TestParsePacketIPAndOtherProtocols(t *testing.T) {
	tests := []struct {
		line  string
		check func(t *testing.T, p *Packet)
	}{
		{"+0 > [ect0] . 1:1(0) ack 1", func(t *testing.T, p *Packet) {
			assert.Equal(t, ECNECT0, p.IP.ECN)
			assert.True(t, p.IP.Brackets)
		}},
		{"+0 < [ce] P. 1:11(10) ack 1 win 257", func(t *testing.T, p *Packet) { assert.Equal(t, ECNCE, p.IP.ECN) }},
		{"+0 > [ect01] . 1:1(0) ack 1", func(t *testing.T, p *Packet) { assert.Equal(t, ECNECT01, p.IP.ECN) }},
		{"+0 < [noecn] S 0:0(0) win 0", func(t *testing.T, p *Packet) { assert.Equal(t, ECNNone, p.IP.ECN) }},
		{"+0 < (tos 0x1) S 0:0(0) win 0", func(t *testing.T, p *Packet) {
			assert.True(t, p.IP.HasTOS)
			assert.Equal(t, uint8(1), p.IP.TOS)
		}},
		{"+0 < (ect1, flowlabel 0x2) S 0:0(0) win 0", func(t *testing.T, p *Packet) {
			assert.Equal(t, ECNECT1, p.IP.ECN)
			assert.Equal(t, uint32(2), p.IP.FlowLabel)
		}},
		{"+0 < (ttl 64) S 0:0(0) win 0", func(t *testing.T, p *Packet) { assert.Equal(t, uint8(64), p.IP.TTL) }},
		{"+0 < 8080>9090 S 0:0(0) win 0", func(t *testing.T, p *Packet) {
			assert.True(t, p.HasPorts)
			assert.Equal(t, [2]uint16{8080, 9090}, [2]uint16{p.SrcPort, p.DstPort})
		}},
		{"+0 < S.2 0:0(0) ack 1 win 0", func(t *testing.T, p *Packet) {
			assert.Equal(t, tcp.FlagSYN|tcp.FlagACK|tcp.FlagCWR, p.Flags, "ACE 2 is the CWR bit")
			assert.True(t, p.HasACE)
			assert.Equal(t, uint8(2), p.ACE)
		}},
		{"+0 > .5 1:1(0) ack 1", func(t *testing.T, p *Packet) {
			assert.Equal(t, tcp.FlagACK|tcp.FlagECE|tcp.FlagNS, p.Flags, "ACE 5 is the ECE and AE bits")
			assert.Equal(t, ".5", p.FlagsText)
		}},
		{"+0 > S.0 0:0(0) ack 1", func(t *testing.T, p *Packet) {
			assert.Equal(t, tcp.FlagSYN|tcp.FlagACK, p.Flags)
			assert.True(t, p.HasACE)
		}},
		{"+0 < P. 1:21(20) ack 1 win 257 {rep tcp win_size 0x1021}", func(t *testing.T, p *Packet) {
			assert.Equal(t, "rep tcp win_size 0x1021", p.Fuzz)
		}},
		{"+0 < udp (100)", func(t *testing.T, p *Packet) {
			assert.Equal(t, ProtoUDP, p.Proto)
			assert.Equal(t, uint16(100), p.Len)
		}},
		{"+0 > icmp unreachable frag_needed mtu 1200 [1:1461(1460)]", func(t *testing.T, p *Packet) {
			assert.Equal(t, ProtoICMP, p.Proto)
			assert.Equal(t, "unreachable", p.ICMPType)
			assert.Equal(t, "frag_needed", p.ICMPCode)
			assert.Equal(t, 1200, p.MTU)
			assert.Equal(t, &EchoedPacket{Proto: ProtoTCP, Start: 1, Len: 1460}, p.Echoed)
		}},
		{"+0 < icmp echo_reply id 7 [udp (10)]", func(t *testing.T, p *Packet) {
			assert.Equal(t, 7, p.EchoID)
			assert.Equal(t, ProtoUDP, p.Echoed.Proto)
		}},
		{"+0 < ipv4 192.0.2.1 > 192.0.2.2: S 0:0(0) win 0", func(t *testing.T, p *Packet) {
			require.Len(t, p.Encap, 1)
			assert.Equal(t, "192.0.2.1", p.Encap[0].Src.String())
			assert.Equal(t, "192.0.2.2", p.Encap[0].Dst.String())
		}},
		{"+0 < ipv6 2001:db8::1 > 2001:db8::2: S 0:0(0) win 0", func(t *testing.T, p *Packet) {
			require.Len(t, p.Encap, 1)
			assert.Equal(t, 6, p.Encap[0].Version)
			assert.Equal(t, "2001:db8::2", p.Encap[0].Dst.String())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			l := parseOne(t, tt.line)
			tt.check(t, l.Packet)
			assert.Equal(t, tt.line, l.String(), "formats back as written")
		})
	}
}

func TestParseSyscalls(t *testing.T) {
	tests := []struct {
		line       string
		name       string
		args       []string
		ret, errno string
		note       string
	}{
		{line: "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", name: "socket", args: []string{"...", "SOCK_STREAM", "IPPROTO_TCP"}, ret: "3"},
		{line: "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", name: "setsockopt", args: []string{"3", "SOL_SOCKET", "SO_REUSEADDR", "[1]", "4"}, ret: "0"},
		{line: "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)", name: "connect", args: []string{"3", "...", "..."}, ret: "-1", errno: "EINPROGRESS", note: "Operation now in progress"},
		{line: "+0 connect(3, ..., ...) = -1 ECONNREFUSED", name: "connect", args: []string{"3", "...", "..."}, ret: "-1", errno: "ECONNREFUSED"},
		{line: "+0 read(4, ..., 1000) = -1 EAGAIN (Resource   temporarily\tunavailable)", name: "read", args: []string{"4", "...", "1000"}, ret: "-1", errno: "EAGAIN", note: "Resource temporarily unavailable"},
		{line: "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0", name: "fcntl", args: []string{"3", "F_SETFL", "O_RDWR|O_NONBLOCK"}, ret: "0"},
		{line: "+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)", name: "fcntl", args: []string{"3", "F_GETFL"}, ret: "0x2", note: "flags O_RDWR"},
		{line: "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0", name: "setsockopt",
			args: []string{"4", "SOL_SOCKET", "SO_LINGER", "{l_onoff=1, l_linger=0}", "8"}, ret: "0"},
		{line: "+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1", name: "poll",
			args: []string{"[{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}]", "1", "0"}, ret: "1"},
		{line: `+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, 16) = 0`, name: "bind",
			args: []string{"3", `{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}`, "16"}, ret: "0"},
		{line: "+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 1000", name: "sendmsg",
			args: []string{"4", "{msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}", "0"}, ret: "1000"},
		{line: `+0 write(4, "hello " "world", 11) = 11`, name: "write", args: []string{"4", `"hello world"`, "11"}, ret: "11"},
		{line: `+0 read(4, "abc"..., 100) = 100`, name: "read", args: []string{"4", `"abc"...`, "100"}, ret: "100"},
		{line: "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0", name: "getsockopt", args: []string{"3", "SOL_SOCKET", "SO_ERROR", "[0]", "[4]"}, ret: "0"},
		{line: "+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) = 0", name: "getsockopt", args: []string{"3", "SOL_SOCKET", "SO_RCVBUF", "&rcvbuf", "&len"}, ret: "0"},
		{line: "+0 accept(3, ..., ...) = 4", name: "accept", args: []string{"3", "...", "..."}, ret: "4"},
		{line: "+0 getpid() = ...", name: "getpid", ret: "..."},
		{line: "+0 ioctl(4, SIOCINQ, [0xff]) = 0", name: "ioctl", args: []string{"4", "SIOCINQ", "[0xff]"}, ret: "0"},
		{line: "+0 setsockopt(3, SOL_SOCKET, SO_ZEROCOPY, [], 4) = 0", name: "setsockopt", args: []string{"3", "SOL_SOCKET", "SO_ZEROCOPY", "[]", "4"}, ret: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			l := parseOne(t, tt.line)
			require.Equal(t, LineSyscall, l.Kind)
			s := l.Syscall
			assert.Equal(t, tt.name, s.Name)
			var args []string
			for _, a := range s.Args {
				args = append(args, a.String())
			}
			assert.Equal(t, tt.args, args)
			assert.Equal(t, tt.ret, s.Ret.String())
			assert.Equal(t, tt.errno, s.Errno)
			assert.Equal(t, tt.note, s.Note)
		})
	}
}

func TestParseExprTree(t *testing.T) {
	l := parseOne(t, "+0 poll([{fd=4, events=POLLIN|POLLOUT}], 1, -5) = 0x10")
	args := l.Syscall.Args
	require.Len(t, args, 3)
	list := args[0]
	require.Equal(t, ExprList, list.Kind)
	st := list.Elems[0]
	require.Equal(t, ExprStruct, st.Kind)
	fd := st.Elems[0]
	assert.Equal(t, ExprAssign, fd.Kind)
	assert.Equal(t, &Expr{Kind: ExprWord, Str: "fd"}, fd.Elems[0])
	assert.Equal(t, &Expr{Kind: ExprInt, Int: 4}, fd.Elems[1])
	ev := st.Elems[1].Elems[1]
	assert.Equal(t, ExprOr, ev.Kind)
	assert.Equal(t, []*Expr{{Kind: ExprWord, Str: "POLLIN"}, {Kind: ExprWord, Str: "POLLOUT"}}, ev.Elems)
	assert.Equal(t, &Expr{Kind: ExprInt, Int: -5}, args[2])
	assert.Equal(t, &Expr{Kind: ExprInt, Int: 16, Hex: true}, l.Syscall.Ret)
}

func TestParseCommandsCodeAndOptions(t *testing.T) {
	src := "--tolerance_usecs=10000\n" +
		"--strict_segments\n" +
		"--define=PROTO=\"tcp\"\n" +
		"`../common/defaults.sh\n  sysctl -q net.ipv4.tcp_syn_retries=5`\n" +
		"\n" +
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" +
		"+0 `echo \\`hi\\``\n" +
		"+0 %{\n  assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd\n}%\n" +
		"+0 %{ assert tcpi_ca_state == 0 }%\n" +
		"`echo cleanup`\n"
	s := mustParse(t, src)
	type row struct {
		num  int
		kind LineKind
		time TimeKind
		body string
	}
	var got []row
	for _, l := range s.Lines {
		r := row{num: l.Num, kind: l.Kind, time: l.Time.Kind}
		switch l.Kind {
		case LineCommand:
			r.body = l.Command
		case LineCode:
			r.body = l.Code
		case LineOption:
			r.body = l.Option.String()
		case LineSyscall:
			r.body = l.Syscall.Name
		}
		got = append(got, r)
	}
	assert.Equal(t, []row{
		{1, LineOption, TimeNone, "--tolerance_usecs=10000"},
		{2, LineOption, TimeNone, "--strict_segments"},
		{3, LineOption, TimeNone, `--define=PROTO="tcp"`},
		{4, LineCommand, TimeNone, "../common/defaults.sh\n  sysctl -q net.ipv4.tcp_syn_retries=5"},
		{7, LineSyscall, TimeAbsolute, "socket"},
		{8, LineCommand, TimeRelative, "echo \\`hi\\`"},
		{9, LineCode, TimeRelative, "\n  assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd\n"},
		{12, LineCode, TimeRelative, "assert tcpi_ca_state == 0"},
		{13, LineCommand, TimeNone, "echo cleanup"},
	}, got)

	v, ok := s.Option("tolerance_usecs")
	assert.True(t, ok)
	assert.Equal(t, "10000", v)
	v, ok = s.Option("strict_segments")
	assert.True(t, ok)
	assert.Equal(t, "", v)
	v, ok = s.Option("define")
	assert.True(t, ok)
	assert.Equal(t, `PROTO="tcp"`, v)
	_, ok = s.Option("nope")
	assert.False(t, ok)
	assert.Equal(t, "t.pkt", s.Name)
}

func TestParseCommentsAndLineNumbers(t *testing.T) {
	src := "// a comment\n" +
		"/* a block\n   comment */ 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // trailing\n" +
		"\n" +
		"   +0   bind(3, ..., ...)   =   0\n" +
		"+0 listen(3, 1) = 0 +0 close(3) = 0\n" +
		"+0 > S. 0:0(0)\n" +
		"   ack 1 /* split */ <mss 1460>\n" +
		"// no newline at the end"
	s := mustParse(t, src)
	type row struct {
		num, col int
		text     string
	}
	var got []row
	for _, l := range s.Lines {
		got = append(got, row{l.Num, l.Col, l.Text})
	}
	assert.Equal(t, []row{
		{3, 15, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"},
		{5, 4, "+0   bind(3, ..., ...)   =   0"},
		{6, 1, "+0 listen(3, 1) = 0"},
		{6, 21, "+0 close(3) = 0"},
		{7, 1, "+0 > S. 0:0(0)\n   ack 1 /* split */ <mss 1460>"},
	}, got)
	assert.Equal(t, "+0 > S. 0:0(0) ack 1 <mss 1460>", s.Lines[4].String())
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty script", "", "e.pkt:1:1: script has no events (a line starting with a time, like \"0 socket(...) = 3\")"},
		{"only comments", "// nothing\n/* here */\n", "e.pkt:3:1: script has no events (a line starting with a time, like \"0 socket(...) = 3\")"},
		{"no time", "socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", `e.pkt:1:1: expected a time in seconds (0.100, +0.1, 0.1~0.2, *), found "socket"`},
		{"negative time", "-1 close(3) = 0", "e.pkt:1:1: time -1: negative time"},
		{"star on a syscall", "* close(3) = 0", "e.pkt:1:1: event time * can only be used with outbound packets"},
		{"range on an inbound packet", "0 close(3) = 0\n+0~+1 < S 0:0(0) win 0", "e.pkt:2:1: event time range can only be used with outbound packets"},
		{"backwards range", "0.2~0.1 > S 0:0(0)", "e.pkt:1:1: time range 0.2~0.1 is backwards"},
		{"mixed range", "+0~0.1 > S 0:0(0)", `e.pkt:1:4: expected "+" after "~" in a relative time range (+A~+B), found "0.1"`},
		{"unknown flag", "0 < SX 0:0(0)", `e.pkt:1:6: invalid TCP flag 'X' in "SX" (allowed: S F R P E W U A, 0-7 for AccECN's ACE, . for ACK)`},
		{"missing flags", "0 < 0:0(0)", `e.pkt:1:5: expected TCP flags (S F R P E W U A, 0-7 for AccECN's ACE, . for ACK, - for none), found "0"`},
		{"bad seq length", "0 < P. 1:11(9) ack 1", "e.pkt:1:8: inconsistent TCP sequence numbers and payload size: 1:11 is 10 bytes, not 9"},
		{"seq out of range", "0 < S 4294967296:4294967296(0)", "e.pkt:1:7: TCP start sequence number 4294967296 out of range (0 to 4294967295)"},
		{"win out of range", "0 < S 0:0(0) win 65536", "e.pkt:1:18: TCP window value 65536 out of range (0 to 65535)"},
		{"ack without number", "0 < . 1:1(0) ack win 5", `e.pkt:1:18: expected TCP ack sequence number (a number), found "win"`},
		{"unknown option", "0 < S 0:0(0) <mss 1460,foo>", `e.pkt:1:24: unknown TCP option "foo" (allowed: nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5, ECN)`},
		{"option without comma", "0 < S 0:0(0) <mss 1460 nop>", `e.pkt:1:24: expected "," or ">" after a TCP option, found "nop"`},
		{"mss out of range", "0 < S 0:0(0) <mss 70000>", "e.pkt:1:19: mss value 70000 out of range (0 to 65535)"},
		{"TS without ecr", "0 < S 0:0(0) <TS val 1>", `e.pkt:1:23: expected "ecr" after TS val N, found ">"`},
		{"options too long", "0 < S 0:0(0) <sack 1:2 3:4 5:6 7:8,TS val 1 ecr 2>", "e.pkt:1:36: TCP option TS: tcp: append TS option (10 bytes) after 34 bytes: tcp: option area full"},
		{"any options inbound", "0 < S 0:0(0) <...>", "e.pkt:1:14: <...> for TCP options can only be used with outbound packets"},
		{"ect01 inbound", "0 < [ect01] S 0:0(0)", "e.pkt:1:11: [ect01] can only be used with outbound packets"},
		{"AccECN fields out of order", "0 < S 0:0(0) <ECN ceb 1>", "e.pkt:1:19: AccECN option field ceb out of order (expected e0b, ceb, e1b)"},
		{"AccECN counter too large", "0 < S 0:0(0) <ECN e0b 16777216>", "e.pkt:1:23: AccECN e0b counter 16777216 out of range (0 to 16777215)"},
		{"inbound without window", "0 < . 1:1(0) ack 1", "e.pkt:1:5: window must be specified for inbound packets (win N)"},
		{"unpadded options", "0 > S 0:0(0) <mss 1460,sackOK>", "e.pkt:1:5: TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 2 excess bytes"},
		{"ACE with an ECN flag", "0 > E.5 1:1(0)", `e.pkt:1:7: conflicting TCP flag '5' in "E.5": one ACE digit, and not with E, W or A`},
		{"ACE out of range", "0 > .8 1:1(0)", `e.pkt:1:6: invalid TCP flag '8' in ".8" (allowed: S F R P E W U A, 0-7 for AccECN's ACE, . for ACK)`},
		{"ECN on UDP", "0 < [ect0] udp (10)", "e.pkt:1:12: ECN can only be used with TCP packets"},
		{"odd FO cookie", "0 < S 0:0(0) <FO abc>", "e.pkt:1:18: FO value abc has an odd number of hex digits"},
		{"FO cookie past the option area", "0 < S 0:0(0) <FO " + strings.Repeat("ab", 39) + ">", "e.pkt:1:15: TCP fast open cookie of 39 bytes exceeds maximum cookie length of 38 bytes"},
		{"FOEXP cookie past the option area", "0 < S 0:0(0) <FOEXP " + strings.Repeat("ab", 37) + ">", "e.pkt:1:15: TCP fast open cookie of 37 bytes exceeds maximum cookie length of 36 bytes"},
		{"syscall without result", "0 close(3)", `e.pkt:1:11: expected "= result" after the call to close, found end of file`},
		{"unclosed args", "0 close(3 = 0", `e.pkt:1:11: expected "," or ")" in the argument list of close, found "="`},
		{"trailing comma", "0 close(3,) = 0", `e.pkt:1:11: expected an expression after ",", found ")"`},
		{"bad expression", "0 close(:) = 0", `e.pkt:1:9: expected an expression (a number, ..., a name, a "string", [array] or {struct}), found ":"`},
		{"integer overflow", "0 close(99999999999999999999) = 0", "e.pkt:1:9: integer 99999999999999999999 out of range"},
		{"unterminated note", "0 close(3) = -1 EBADF (Bad file", `e.pkt:1:23: unterminated note: "(" without ")"`},
		{"unterminated string", "0 write(3, \"abc, 3) = 3", "e.pkt:1:12: unterminated string"},
		{"unterminated command", "0 `echo", "e.pkt:1:3: unterminated `command`"},
		{"unterminated code", "0 %{ print(1)", "e.pkt:1:3: unterminated %{ code block (no }%)"},
		{"unterminated comment", "0 close(3) = 0\n  /* oops", "e.pkt:2:3: unterminated /* comment"},
		{"nothing after time", "0\n", "e.pkt:2:1: expected a packet (< or >), a system call, a `command` or %{ code }% after the time, found end of file"},
		{"late option", "0 close(3) = 0\n--tolerance_usecs=5", "e.pkt:2:1: option --tolerance_usecs after the script's first line: options go at the top"},
		{"untimed command mid-script", "0 close(3) = 0\n`ls`\n+0 close(4) = 0", "e.pkt:2:1: a command without a time may only be the first or the last statement; give it a time (\"+0 `...`\")"},
		{"two init commands", "`a`\n`b`\n0 close(3) = 0", "e.pkt:2:1: a second command without a time before the first event; give it a time (\"+0 `...`\")"},
		{"deep nesting", "0 f(" + strings.Repeat("[", 100) + ") = 0", "e.pkt:1:69: expression nested deeper than 64 levels"},
		{"unsupported encapsulation", "0 < gre: S 0:0(0)", "e.pkt:1:5: gre encapsulation is not supported"},
		{"unterminated fuzz spec", "0 < S 0:0(0) win 0 {rep tcp", "e.pkt:1:20: unterminated {...} after the packet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("e.pkt", []byte(tt.src))
			require.Error(t, err)
			assert.Nil(t, s)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "error is a *ParseError")
			assert.Equal(t, "e.pkt", pe.File)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestLineStringRoundTrip parses each line, formats it, and parses the
// result: the second parse must format the same way.
func TestLineStringRoundTrip(t *testing.T) {
	lines := []string{
		"0.250 > P. 1:1449(1448) ack 1 win 502 <nop,nop,TS val 2000 ecr 100>",
		"+.1 < S 0:0(0) win 32792 <wscale 8,nop>",
		"0.1~0.2 > [ect01] . 1:1(0) ack 1",
		"+0 `sysctl -q net.ipv4.tcp_rmem=\"4096 87380 6291456\"`",
		"+0 %{ assert tcpi_rto == 200000 }%",
		"+0...0.1 accept(3, ..., ...) = 4",
		`+0 write(4, "a\"b", 3) = 3`,
		"+0 close(4) = -1 EBADF (Bad file descriptor)",
	}
	for _, line := range lines {
		t.Run(line, func(t *testing.T) {
			first := parseOne(t, line).String()
			assert.Equal(t, first, parseOne(t, first).String())
		})
	}
}

// FuzzParse checks that no input panics the parser, that every error is a
// located *ParseError, and that every timed line formats to text that
// parses back to the same formatting.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n",
		"+0...0.2 accept(3, ..., ...) = 4\n* > F. 1:1(0) ack 1 <...>\n0.1~0.2 > [ect0] P.2 1:1(0) ack 1\n",
		"--tolerance_usecs=10000\n`sysctl a`\n0 %{ x = 1 }%\n+0 < udp (10)\n+0 > icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n",
		"+0 poll([{fd=3, events=POLLOUT, revents=POLLOUT}], 1, 0) = -1 EAGAIN (Resource temporarily unavailable)\n",
		"/* c */ 0 < ipv6 ::1 > ::2: (ttl 0) 1>2 - 0:0(0) win 0 {rep tcp}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("f.pkt", src)
		if err != nil {
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			require.GreaterOrEqual(t, pe.Line, 1)
			require.GreaterOrEqual(t, pe.Col, 1)
			return
		}
		for _, l := range s.Lines {
			text := l.String()
			if l.Time.Kind == TimeNone {
				continue
			}
			again, err := Parse("r.pkt", []byte(text))
			require.NoError(t, err, "line %d %q formats as %q", l.Num, l.Text, text)
			require.Len(t, again.Lines, 1, "line %d %q formats as %q", l.Num, l.Text, text)
			require.Equal(t, text, again.Lines[0].String(), "line %d %q", l.Num, l.Text)
		}
	})
}

// TestFuzzSeedsParse keeps the seed corpus meaningful: every seed is a
// whole script that parses, so fuzzing starts from deep inside the grammar.
func TestFuzzSeedsParse(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzParse/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		body, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
		require.True(t, ok, f)
		src, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
		require.NoError(t, err, f)
		_, err = Parse(f, []byte(src))
		assert.NoError(t, err)
	}
}

// BenchmarkParse parses a 1000-line script of segments and calls, the size
// of the longest public packetdrill scripts; b.SetBytes makes the result a
// throughput.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n")
	for i := 0; i < 333; i++ {
		seq := 1 + 1000*i
		fmt.Fprintf(&sb, "+0 write(4, ..., 1000) = 1000\n")
		fmt.Fprintf(&sb, "+0 > P. %d:%d(1000) ack 1 <nop,nop,TS val %d ecr 100>\n", seq, seq+1000, i)
		fmt.Fprintf(&sb, "+.01 < . 1:1(0) ack %d win 257 <nop,nop,sack 1:2>\n", seq+1000)
	}
	src := []byte(sb.String())
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench.pkt", src); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParse() {
	src := `--tolerance_usecs=10000
// A passive open.
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>
+0  > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 502
+0  accept(3, ..., ...) = 4
`
	s, err := Parse("passive.pkt", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range s.Lines {
		fmt.Printf("%d %-7s %s\n", l.Num, l.Kind, l)
	}
	tol, _ := s.Option("tolerance_usecs")
	fmt.Println("tolerance:", tol)
	// Output:
	// 1 option  --tolerance_usecs=10000
	// 3 syscall 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
	// 4 syscall +0 bind(3, ..., ...) = 0
	// 5 syscall +0 listen(3, 1) = 0
	// 6 packet  +0 < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>
	// 7 packet  +0 > S. 0:0(0) ack 1 <...>
	// 8 packet  +0.1 < . 1:1(0) ack 1 win 502
	// 9 syscall +0 accept(3, ..., ...) = 4
	// tolerance: 10000
}

func ExampleParseError() {
	_, err := Parse("bad.pkt", []byte("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S. 0:0(0) ack 1 win 100 <mss 1460,sackOK>\n"))
	fmt.Println(err)
	// Output:
	// bad.pkt:2:6: TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 2 excess bytes
}

// TestParseFastOpenDefine: a cookie may be a name that --define (or the
// test runner's TFO_COOKIE) gives, checked as the hex it stands for,
// whatever the length of the name.
func TestParseFastOpenDefine(t *testing.T) {
	s, err := Parse("d.pkt", []byte("--define=COOKIE5=0102030405060708\n0 < S 0:0(0) win 0 <FO COOKIE5,nop,nop>\n+0 < S 0:0(0) win 0 <FO TFO_COOKIE,nop,nop>\n"))
	require.NoError(t, err)
	var cookies []string
	for _, l := range s.Lines {
		if l.Kind != LinePacket {
			continue
		}
		f, ok := l.Packet.Options.FastOpen()
		require.True(t, ok)
		cookies = append(cookies, hex.EncodeToString(f.Bytes()))
	}
	assert.Equal(t, []string{"0102030405060708", "3021b9d889017eeb"}, cookies)
	_, err = Parse("d.pkt", []byte("--define=C=0102030\n0 < S 0:0(0) win 0 <FO C,nop,nop>\n"))
	require.EqualError(t, err, "d.pkt:2:24: FO value C (0102030) has an odd number of hex digits")
}

// TestParseICMPCodeDefine: an ICMP code may be a word a --define names,
// as packetdrill's lexer replaces every defined word; an undefined one is
// kept for the runner to refuse.
func TestParseICMPCodeDefine(t *testing.T) {
	s, err := Parse("d.pkt", []byte("--define=CODE=host_unreachable\n0 < icmp unreachable CODE\n+0 < icmp unreachable OTHER [0:0(0)]\n"))
	require.NoError(t, err)
	var codes []string
	for _, l := range s.Lines {
		if l.Kind == LinePacket {
			codes = append(codes, l.Packet.ICMPCode)
		}
	}
	assert.Equal(t, []string{"host_unreachable", "OTHER"}, codes)
}

// TestParseICMPCodeRunnerDefault: CODE is host_unreachable unless the
// command line or the script defines it, as packetdrill's run_all.py
// passes -D CODE=host_unreachable to every IPv4 script.
func TestParseICMPCodeRunnerDefault(t *testing.T) {
	code := func(s *Script) string {
		for _, l := range s.Lines {
			if l.Kind == LinePacket {
				return l.Packet.ICMPCode
			}
		}
		return ""
	}
	src := "0 < icmp unreachable CODE\n"
	s, err := Parse("d.pkt", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "host_unreachable", code(s))
	s, err = ParseDefines("d.pkt", []byte(src), []string{"CODE=port_unreachable"})
	require.NoError(t, err)
	assert.Equal(t, "port_unreachable", code(s))
	s, err = ParseDefines("d.pkt", []byte("--define=CODE=net_unreachable\n"+src), []string{"CODE=port_unreachable"})
	require.NoError(t, err)
	assert.Equal(t, "net_unreachable", code(s))
}
