// Package drill reads scripts in the packetdrill dialect: lines that say,
// with timestamps, which segments arrive at the TCP under test, which system
// calls the application makes and what they return, and which segments the
// stack must send. Parse turns a script into a Script; the runner that plays
// a Script against netsim's TCP lives beside it.
//
// The grammar is google/packetdrill's (its lexer.l and parser.y), read for
// its rules and written anew; docs/drill.md (The packetdrill dialect) lists what is
// accepted. The package imports only the standard library, tcp and units.
package drill

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Script is a parsed packetdrill script.
type Script struct {
	// Name is the file name the script was parsed under, as used in errors.
	Name string
	// Lines holds the script's statements in source order: options first,
	// then an optional untimed init command, the timed events, and an
	// optional untimed cleanup command. Comments and blank lines are not
	// kept.
	Lines []*Line
}

// Option returns the value of the last --name[=value] option line, and
// whether the script has one. A flag without "=value" has value "".
func (s *Script) Option(name string) (string, bool) {
	val, ok := "", false
	for _, l := range s.Lines {
		if l.Kind == LineOption && l.Option.Name == name {
			val, ok = l.Option.Value, true
		}
	}
	return val, ok
}

// LineKind says what a Line holds.
type LineKind int

// The kinds of line.
const (
	// LinePacket is a segment (or UDP/ICMP packet) injected (<) or
	// expected (>); Line.Packet is set.
	LinePacket LineKind = iota + 1
	// LineSyscall is a system call and its expected result; Line.Syscall
	// is set.
	LineSyscall
	// LineCommand is a shell command in backticks; Line.Command is set.
	LineCommand
	// LineCode is a %{ ... }% code block (python, tcp_info assertions);
	// Line.Code is set.
	LineCode
	// LineOption is a --name[=value] line at the top; Line.Option is set.
	LineOption
)

var lineKindNames = [...]string{
	LinePacket:  "packet",
	LineSyscall: "syscall",
	LineCommand: "command",
	LineCode:    "code",
	LineOption:  "option",
}

// String returns the kind's name ("packet", "syscall", ...).
func (k LineKind) String() string {
	if k > 0 && int(k) < len(lineKindNames) {
		return lineKindNames[k]
	}
	return "LineKind(" + strconv.Itoa(int(k)) + ")"
}

// Line is one statement of a script. A statement usually is one source line,
// but commands, code blocks, strings and comments may span several, and
// packetdrill does not require a newline between statements.
type Line struct {
	// Num and Col locate the statement's first token (its time, when it
	// has one), both from 1; Col counts bytes.
	Num, Col int
	// Text is the statement's source text, from its first to its last
	// token.
	Text string
	// Time is when the statement happens; TimeNone for options and the
	// untimed init and cleanup commands.
	Time TimeSpec
	Kind LineKind

	Packet  *Packet  // LinePacket
	Syscall *Syscall // LineSyscall
	// Command is the text between the backticks of a LineCommand.
	Command string
	// Code is the text between %{ and }% of a LineCode, without the
	// spaces and tabs at either end (packetdrill strips them for Python).
	Code   string
	Option *Option // LineOption
}

// String formats the line back in the dialect, in a canonical spacing.
func (l *Line) String() string {
	var b strings.Builder
	if l.Time.Kind != TimeNone {
		b.WriteString(l.Time.String())
		// A blocking call's "...END" follows its time without a space.
		if l.Kind != LineSyscall || l.Syscall == nil || !l.Syscall.Blocking {
			b.WriteByte(' ')
		}
	}
	switch l.Kind {
	case LinePacket:
		if l.Packet != nil {
			b.WriteString(l.Packet.String())
		}
	case LineSyscall:
		if l.Syscall != nil {
			b.WriteString(l.Syscall.String())
		}
	case LineCommand:
		b.WriteString(quote(l.Command, '`'))
	case LineCode:
		b.WriteString("%{ " + l.Code + " }%")
	case LineOption:
		if l.Option != nil {
			b.WriteString(l.Option.String())
		}
	}
	return b.String()
}

// TimeKind says how a line's time is written.
type TimeKind int

// The kinds of time.
const (
	// TimeNone: the line has no time (options, init and cleanup
	// commands).
	TimeNone TimeKind = iota
	// TimeAbsolute: "0.100", seconds since the script's start.
	TimeAbsolute
	// TimeRelative: "+0.1", seconds after the previous line.
	TimeRelative
	// TimeAbsoluteRange: "0.1~0.2"; outbound packets only.
	TimeAbsoluteRange
	// TimeRelativeRange: "+0~+0.04"; outbound packets only.
	TimeRelativeRange
	// TimeAny: "*"; outbound packets only.
	TimeAny
)

// TimeSpec is a line's time column.
type TimeSpec struct {
	Kind TimeKind
	// Start is the time written (the lower bound of a range).
	Start time.Duration
	// End is the upper bound of a range.
	End time.Duration
}

// String formats the time as written in the dialect.
func (t TimeSpec) String() string {
	switch t.Kind {
	case TimeAbsolute:
		return formatSeconds(t.Start)
	case TimeRelative:
		return "+" + formatSeconds(t.Start)
	case TimeAbsoluteRange:
		return formatSeconds(t.Start) + "~" + formatSeconds(t.End)
	case TimeRelativeRange:
		return "+" + formatSeconds(t.Start) + "~+" + formatSeconds(t.End)
	case TimeAny:
		return "*"
	}
	return ""
}

// formatSeconds writes d as decimal seconds with no trailing zeros ("0",
// "0.1", "1.000250").
func formatSeconds(d time.Duration) string {
	s := strconv.FormatInt(int64(d/time.Second), 10)
	frac := int64(d % time.Second)
	if frac == 0 {
		return s
	}
	f := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	return s + "." + f
}

// Direction says whether a packet goes to the stack under test or comes
// from it.
type Direction int

// The directions.
const (
	// Inbound ("<") packets are injected into the stack under test.
	Inbound Direction = iota + 1
	// Outbound (">") packets are the ones the stack must send.
	Outbound
)

// String returns "<" or ">".
func (d Direction) String() string {
	switch d {
	case Inbound:
		return "<"
	case Outbound:
		return ">"
	}
	return "?"
}

// Proto is the transport protocol of a packet line.
type Proto int

// The protocols.
const (
	ProtoTCP Proto = iota
	ProtoUDP
	ProtoICMP
)

// ECN is the IP ECN codepoint a packet line asks for ("[ect0]"...).
type ECN int

// The ECN specifications.
const (
	// ECNUnspecified: no ECN written; not checked.
	ECNUnspecified ECN = iota
	ECNNone            // [noecn]: Not-ECT
	ECNECT0            // [ect0]
	ECNECT1            // [ect1]
	ECNCE              // [ce]
	ECNECT01           // [ect01]: either ECT codepoint; outbound only
)

var ecnNames = map[string]ECN{"noecn": ECNNone, "ect0": ECNECT0, "ect1": ECNECT1, "ce": ECNCE, "ect01": ECNECT01}

// codepoint returns the ECN field (RFC 3168 §5) a specification names,
// and false for none or for [ect01], which names two.
func (e ECN) codepoint() (uint8, bool) {
	switch e {
	case ECNNone:
		return 0, true
	case ECNECT1:
		return 1, true
	case ECNECT0:
		return 2, true
	case ECNCE:
		return 3, true
	}
	return 0, false
}

// ecnOf returns the specification of the ECN field of a TOS byte.
func ecnOf(tos uint8) ECN {
	return [4]ECN{ECNNone, ECNECT1, ECNECT0, ECNCE}[tos&3]
}

func (e ECN) String() string {
	switch e {
	case ECNNone:
		return "noecn"
	case ECNECT0:
		return "ect0"
	case ECNECT1:
		return "ect1"
	case ECNCE:
		return "ce"
	case ECNECT01:
		return "ect01"
	}
	return ""
}

// IPInfo is the optional IP detail of a packet line: "[ect0]", "(tos
// 0x10)", "(flowlabel 0x1)", "(ttl 64)", "[ce, flowlabel 0x2]".
type IPInfo struct {
	ECN ECN
	// TOS is the whole TOS byte, when HasTOS.
	TOS    uint8
	HasTOS bool
	// FlowLabel is the IPv6 flow label, when HasFlowLabel.
	FlowLabel    uint32
	HasFlowLabel bool
	// TTL is the IP TTL or hop limit, when HasTTL.
	TTL    uint8
	HasTTL bool
	// Brackets records whether the info was written in [] rather than ().
	Brackets bool
}

func (ip *IPInfo) String() string {
	var parts []string
	if ip.ECN != ECNUnspecified {
		parts = append(parts, ip.ECN.String())
	}
	if ip.HasTOS {
		parts = append(parts, fmt.Sprintf("tos 0x%x", ip.TOS))
	}
	if ip.HasFlowLabel {
		parts = append(parts, fmt.Sprintf("flowlabel 0x%x", ip.FlowLabel))
	}
	if ip.HasTTL {
		parts = append(parts, fmt.Sprintf("ttl %d", ip.TTL))
	}
	s := strings.Join(parts, ", ")
	if ip.Brackets {
		return "[" + s + "]"
	}
	return "(" + s + ")"
}

// Encap is an outer IP header written before a packet ("ipv4 192.0.2.1 >
// 192.0.2.2:").
type Encap struct {
	// Version is 4 or 6.
	Version  int
	IP       *IPInfo
	Src, Dst netip.Addr
}

// Packet is a packet line.
type Packet struct {
	Dir   Direction
	Encap []Encap
	// IP is the IP detail written before the flags, or nil.
	IP    *IPInfo
	Proto Proto
	// SrcPort and DstPort are set when the line names them ("8080>9090").
	SrcPort, DstPort uint16
	HasPorts         bool

	// Flags holds the TCP flags; FlagsText is how they were written
	// ("S.", "P.", "-" for none).
	Flags     tcp.Flags
	FlagsText string
	// ACE is the AccECN ACE counter written after the ACK dot ("S.2"),
	// when HasACE.
	ACE    uint8
	HasACE bool

	// Start is the first sequence number and Len the payload length of
	// "start:end(len)"; numbers are relative to the sender's ISN unless the
	// runner is told otherwise. For UDP, Len is the payload length.
	Start uint32
	Len   uint16
	// Ack is the acknowledgment number when HasAck.
	Ack    uint32
	HasAck bool
	// Win is the window field when HasWin; outbound windows are checked
	// only when written.
	Win    uint16
	HasWin bool
	// Urg is the urgent pointer when HasUrg.
	Urg    uint16
	HasUrg bool
	// Options are the TCP options in wire order ("<mss 1460,nop>"). An
	// empty list with AnyOptions false means the segment has no options.
	Options tcp.Options
	// AnyOptions is "<...>": any options are accepted (outbound only).
	AnyOptions bool
	// Fuzz is the raw text between the braces of a trailing "{...}"
	// packet-mutation spec, which netsim does not interpret.
	Fuzz string

	// ICMP: type and code names as written, the MTU of "mtu N" (when
	// HasMTU), the echo id, and the quoted packet ("[1:1001(1000)]" or
	// "[udp (100)]").
	ICMPType, ICMPCode string
	MTU                int
	HasMTU             bool
	EchoID             int
	Echoed             *EchoedPacket
}

// EchoedPacket is the original packet an ICMP error quotes.
type EchoedPacket struct {
	Proto Proto
	// Raw is set for "[raw (N)]".
	Raw   bool
	Start uint32
	Len   uint16
}

// End returns the sequence number after the payload, Start+Len.
func (p *Packet) End() uint32 { return p.Start + uint32(p.Len) }

// String formats the packet in the dialect.
func (p *Packet) String() string {
	var b strings.Builder
	b.WriteString(p.Dir.String())
	for _, e := range p.Encap {
		fmt.Fprintf(&b, " ipv%d", e.Version)
		if e.IP != nil {
			b.WriteString(" " + e.IP.String())
		}
		fmt.Fprintf(&b, " %s > %s:", e.Src, e.Dst)
	}
	if p.IP != nil {
		b.WriteString(" " + p.IP.String())
	}
	switch p.Proto {
	case ProtoUDP:
		b.WriteString(" udp")
		p.writePorts(&b)
		fmt.Fprintf(&b, " (%d)", p.Len)
		return b.String()
	case ProtoICMP:
		b.WriteString(" icmp " + p.ICMPType)
		if p.ICMPCode != "" {
			b.WriteString(" " + p.ICMPCode)
		}
		if p.HasMTU {
			fmt.Fprintf(&b, " mtu %d", p.MTU)
		}
		if p.EchoID != 0 {
			fmt.Fprintf(&b, " id %d", p.EchoID)
		}
		if e := p.Echoed; e != nil {
			switch {
			case e.Raw:
				fmt.Fprintf(&b, " [raw (%d)]", e.Len)
			case e.Proto == ProtoUDP:
				fmt.Fprintf(&b, " [udp (%d)]", e.Len)
			default:
				fmt.Fprintf(&b, " [%d:%d(%d)]", e.Start, e.Start+uint32(e.Len), e.Len)
			}
		}
		return b.String()
	}
	p.writePorts(&b)
	fmt.Fprintf(&b, " %s %d:%d(%d)", p.FlagsText, p.Start, p.End(), p.Len)
	if p.HasAck {
		fmt.Fprintf(&b, " ack %d", p.Ack)
	}
	if p.HasWin {
		fmt.Fprintf(&b, " win %d", p.Win)
	}
	if p.HasUrg {
		fmt.Fprintf(&b, " urg %d", p.Urg)
	}
	switch {
	case p.AnyOptions:
		b.WriteString(" <...>")
	case p.Options.Len() > 0:
		b.WriteString(" <" + FormatOptions(&p.Options) + ">")
	}
	if p.Fuzz != "" {
		b.WriteString(" {" + p.Fuzz + "}")
	}
	return b.String()
}

func (p *Packet) writePorts(b *strings.Builder) {
	if p.HasPorts {
		fmt.Fprintf(b, " %d>%d", p.SrcPort, p.DstPort)
	}
}

// TCP option kinds the dialect names beyond those of package tcp.
const (
	optMD5      uint8 = 19  // RFC 2385
	optFastOpen uint8 = 34  // RFC 7413
	optExp      uint8 = 254 // RFC 6994 experimental, with a 16-bit magic
	optAccECN0  uint8 = 172 // Accurate ECN, order e0b ceb e1b
	optAccECN1  uint8 = 174 // Accurate ECN, order e1b ceb e0b
	// fastOpenMagic is the experimental TFO option's magic (RFC 7413 §4.1.1).
	fastOpenMagic = 0xF989
)

// FormatOptions writes an option list in the dialect ("mss 1460,sackOK,TS
// val 100 ecr 0,nop,wscale 7"), as used inside "<...>".
func FormatOptions(o *tcp.Options) string {
	var parts []string
	for opt := range o.All() {
		d := opt.Data
		switch {
		case opt.Kind == tcp.OptEOL:
			parts = append(parts, "eol")
		case opt.Kind == tcp.OptNOP:
			parts = append(parts, "nop")
		case opt.Kind == tcp.OptMSS && len(d) == 2:
			parts = append(parts, fmt.Sprintf("mss %d", uint16(d[0])<<8|uint16(d[1])))
		case opt.Kind == tcp.OptWScale && len(d) == 1:
			parts = append(parts, fmt.Sprintf("wscale %d", d[0]))
		case opt.Kind == tcp.OptSACKPermitted && len(d) == 0:
			parts = append(parts, "sackOK")
		case opt.Kind == tcp.OptSACK && len(d)%8 == 0 && len(d) > 0:
			s := "sack"
			for i := 0; i < len(d); i += 8 {
				s += fmt.Sprintf(" %d:%d", be32(d[i:]), be32(d[i+4:]))
			}
			parts = append(parts, s)
		case opt.Kind == tcp.OptTimestamps && len(d) == 8:
			parts = append(parts, fmt.Sprintf("TS val %d ecr %d", be32(d), be32(d[4:])))
		case opt.Kind == optFastOpen:
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("FO %x", d)))
		case opt.Kind == optExp && len(d) >= 2 && uint16(d[0])<<8|uint16(d[1]) == fastOpenMagic:
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("FOEXP %x", d[2:])))
		case (opt.Kind == optAccECN0 || opt.Kind == optAccECN1) && len(d)%3 == 0 && len(d) <= 9:
			s := "ECN"
			for i, field := range accECNOrders[opt.Kind][:len(d)/3] {
				s += fmt.Sprintf(" %s %d", field, uint32(d[3*i])<<16|uint32(d[3*i+1])<<8|uint32(d[3*i+2]))
			}
			parts = append(parts, s)
		case opt.Kind == optMD5:
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("md5 %x", d)))
		default:
			parts = append(parts, fmt.Sprintf("kind %d %x", opt.Kind, d))
		}
	}
	return strings.Join(parts, ",")
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Syscall is a system-call line: "connect(3, ..., ...) = -1 EINPROGRESS
// (Operation now in progress)".
type Syscall struct {
	// Name is the call's name as written ("socket", "setsockopt").
	Name string
	// Args are the arguments; nil for "()".
	Args []*Expr
	// Ret is the expected return value.
	Ret *Expr
	// Errno is the expected errno name ("EINPROGRESS"), or "".
	Errno string
	// Note is the parenthesised text after the result ("Operation now in
	// progress"), whitespace collapsed; packetdrill does not check it.
	Note string
	// Blocking is set for "...END" calls: the call starts at the line's
	// time and must return at End, written in the same frame as the
	// line's time (absolute, or relative to the previous line's time).
	Blocking bool
	End      time.Duration
}

// String formats the call in the dialect.
func (s *Syscall) String() string {
	var b strings.Builder
	if s.Blocking {
		b.WriteString("..." + formatSeconds(s.End) + " ")
	}
	b.WriteString(s.Name + "(")
	writeExprs(&b, s.Args)
	b.WriteString(") = ")
	if s.Ret != nil {
		b.WriteString(s.Ret.String())
	}
	if s.Errno != "" {
		b.WriteString(" " + s.Errno)
	}
	if s.Note != "" {
		b.WriteString(" (" + s.Note + ")")
	}
	return b.String()
}

// ExprKind says what an Expr is.
type ExprKind int

// The kinds of expression in system-call arguments and results.
const (
	// ExprInt is a decimal or hex integer; Expr.Int, Expr.Hex.
	ExprInt ExprKind = iota + 1
	// ExprEllipsis is "...": any value, or a value the runner supplies.
	ExprEllipsis
	// ExprWord is a symbol: SOCK_STREAM, O_NONBLOCK; Expr.Str.
	ExprWord
	// ExprString is a quoted string, adjacent strings concatenated;
	// Expr.Str is the text between the quotes, escapes kept as written;
	// Expr.Ellipsis marks "abc"....
	ExprString
	// ExprOr is a|b|c; Expr.Elems holds the operands.
	ExprOr
	// ExprAssign is name=value in a struct; Elems[0] is the name (a word
	// or call), Elems[1] the value.
	ExprAssign
	// ExprList is an array "[1]"; Elems.
	ExprList
	// ExprStruct is a brace list "{fd=3, events=POLLOUT}"; Elems.
	ExprStruct
	// ExprCall is name(args): htons(8080), inet_addr("192.0.2.1"),
	// msg_iov(1); Expr.Str is the name, Elems the arguments.
	ExprCall
	// ExprAddrOf is &x; Elems[0] is x.
	ExprAddrOf
)

// Expr is an expression in a system-call line.
type Expr struct {
	Kind ExprKind
	Int  int64
	// Hex records that an integer was written in hex.
	Hex bool
	Str string
	// Ellipsis marks a string followed by "..." (a prefix match).
	Ellipsis bool
	Elems    []*Expr
}

// String formats the expression in the dialect.
func (e *Expr) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *Expr) write(b *strings.Builder) {
	switch e.Kind {
	case ExprInt:
		if e.Hex {
			fmt.Fprintf(b, "0x%x", e.Int)
		} else {
			b.WriteString(strconv.FormatInt(e.Int, 10))
		}
	case ExprEllipsis:
		b.WriteString("...")
	case ExprWord:
		b.WriteString(e.Str)
	case ExprString:
		b.WriteString(quote(e.Str, '"'))
		if e.Ellipsis {
			b.WriteString("...")
		}
	case ExprOr:
		for i, x := range e.Elems {
			if i > 0 {
				b.WriteByte('|')
			}
			x.write(b)
		}
	case ExprAssign:
		if len(e.Elems) == 2 {
			e.Elems[0].write(b)
			b.WriteByte('=')
			e.Elems[1].write(b)
		}
	case ExprList:
		b.WriteByte('[')
		writeExprs(b, e.Elems)
		b.WriteByte(']')
	case ExprStruct:
		b.WriteByte('{')
		writeExprs(b, e.Elems)
		b.WriteByte('}')
	case ExprCall:
		b.WriteString(e.Str + "(")
		writeExprs(b, e.Elems)
		b.WriteByte(')')
	case ExprAddrOf:
		b.WriteByte('&')
		if len(e.Elems) == 1 {
			e.Elems[0].write(b)
		}
	}
}

func writeExprs(b *strings.Builder, es []*Expr) {
	for i, x := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		x.write(b)
	}
}

// Option is a "--name" or "--name=value" line at the top of a script
// (--tolerance_usecs=10000, --strict_segments).
type Option struct {
	Name string
	// Value is the text after "=", without the quotes when it was a
	// quoted string (Quoted).
	Value    string
	HasValue bool
	Quoted   bool
}

// String formats the option as written.
func (o *Option) String() string {
	if !o.HasValue {
		return "--" + o.Name
	}
	if o.Quoted {
		return "--" + o.Name + "=" + quote(o.Value, '"')
	}
	return "--" + o.Name + "=" + o.Value
}

// quote encloses s in q. Contents are kept as written, escapes included,
// so s needs no escaping to read back the same.
func quote(s string, q byte) string { return string(q) + s + string(q) }
