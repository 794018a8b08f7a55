package drill

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// ParseError is a syntax or semantic error in a script, located at the
// offending token. It prints as FILE:LINE:COL: message.
type ParseError struct {
	File string
	// Line and Col are 1-based; Col counts bytes.
	Line, Col int
	Msg       string
}

// Error formats the error as FILE:LINE:COL: message.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// maxDepth bounds the nesting of expressions, so that no input can exhaust
// the stack.
const maxDepth = 64

// Parse reads a script in the packetdrill dialect. name is used in errors
// and kept in the Script. Any error is a *ParseError.
func Parse(name string, src []byte) (*Script, error) {
	return ParseDefines(name, src, nil)
}

// ParseDefines is Parse with the NAME=VALUE definitions of packetdrill's
// command line (-D, --define): a word they name stands for its value,
// unless the script's own --define lines define it again.
func ParseDefines(name string, src []byte, defines []string) (*Script, error) {
	toks, perr := tokenize(src)
	if perr == nil {
		p := &parser{src: src, toks: toks, script: &Script{Name: name}, defines: defines}
		perr = p.parseScript()
		if perr == nil {
			return p.script, nil
		}
	}
	perr.File = name
	return nil, perr
}

// parser is a recursive-descent parser over the token slice, following
// packetdrill's parser.y.
type parser struct {
	src    []byte
	toks   []token
	p      int
	depth  int
	script *Script
	// defines are the command line's NAME=VALUE definitions.
	defines []string
}

func (p *parser) peek() token { return p.toks[p.p] }

// defaultDefines are the -D values packetdrill's test runner
// (gtests/net/packetdrill/run_all.py, CmdTestIPv4) passes to every IPv4
// script: the Fast Open cookie that defaults.sh's tcp_fastopen_key gives
// the client 192.0.2.1 at 192.168.0.1, and the ICMP code of the
// fastopen/server/icmp-*.pkt templates, which leave it to the word CODE.
// Its CMSG_LEVEL_IP and CMSG_TYPE_RECVERR are symbols of the runner
// (SOL_IP, IP_RECVERR) already.
var defaultDefines = map[string]string{"TFO_COOKIE": "3021b9d889017eeb", "CODE": "host_unreachable"}

// define returns the value of word when an earlier --define=WORD=VALUE
// option line, the command line or the test runner's defaults define it
// (the first of them that does), else word.
func (p *parser) define(word string) string {
	val, found := defaultDefines[word]
	for _, d := range p.defines {
		if k, v, ok := strings.Cut(d, "="); ok && k == word {
			val, found = strings.Trim(v, `"`), true
		}
	}
	for _, l := range p.script.Lines {
		if l.Kind == LineOption && l.Option.Name == "define" {
			if k, v, ok := strings.Cut(l.Option.Value, "="); ok && k == word {
				val, found = strings.Trim(v, `"`), true
			}
		}
	}
	if !found {
		return word
	}
	return val
}

func (p *parser) peekAt(k int) token {
	if p.p+k < len(p.toks) {
		return p.toks[p.p+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}

// prev returns the last token consumed.
func (p *parser) prev() token { return p.toks[max(p.p-1, 0)] }

func errAt(t token, format string, args ...any) *ParseError {
	return &ParseError{Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

// expected reports that the next token is not what the grammar needs.
func (p *parser) expected(what string) *ParseError {
	t := p.peek()
	return errAt(t, "expected %s, found %s", what, t.describe())
}

func (p *parser) expectPunct(c byte, what string) *ParseError {
	if !p.peek().is(c) {
		return p.expected(what)
	}
	p.next()
	return nil
}

// parseScript is: options, an optional untimed init command, one or more
// events, an optional untimed cleanup command.
func (p *parser) parseScript() *ParseError {
	for p.peek().kind == tOption {
		t := p.next()
		p.add(&Line{Kind: LineOption, Option: &Option{Name: t.val, Value: t.optVal, HasValue: t.hasOptVal, Quoted: t.optQuoted}}, t)
	}
	events := 0
	for {
		t := p.peek()
		switch t.kind {
		case tEOF:
			if events == 0 {
				return errAt(t, "script has no events (a line starting with a time, like \"0 socket(...) = 3\")")
			}
			return nil
		case tOption:
			return errAt(t, "option --%s after the script's first line: options go at the top", t.val)
		case tBackquote:
			// packetdrill's opt_init_command and opt_cleanup_command: an
			// untimed command may only open or close the script.
			p.next()
			if events > 0 && p.peek().kind != tEOF {
				return errAt(t, "a command without a time may only be the first or the last statement; give it a time (\"+0 `...`\")")
			}
			if events == 0 && p.hasInitCommand() {
				return errAt(t, "a second command without a time before the first event; give it a time (\"+0 `...`\")")
			}
			p.add(&Line{Kind: LineCommand, Command: t.val}, t)
			continue
		}
		if err := p.parseEvent(); err != nil {
			return err
		}
		events++
	}
}

func (p *parser) hasInitCommand() bool {
	for _, l := range p.script.Lines {
		if l.Kind == LineCommand && l.Time.Kind == TimeNone {
			return true
		}
	}
	return false
}

// add appends l, starting at token first and ending at the last token
// consumed.
func (p *parser) add(l *Line, first token) {
	l.Num, l.Col = first.line, first.col
	l.Text = string(p.src[first.off:p.prev().end])
	p.script.Lines = append(p.script.Lines, l)
}

// parseEvent is: event_time action.
func (p *parser) parseEvent() *ParseError {
	first := p.peek()
	ts, err := p.parseTimeSpec()
	if err != nil {
		return err
	}
	l := &Line{Time: ts}
	t := p.peek()
	switch {
	case t.is('<') || t.is('>'):
		l.Kind = LinePacket
		l.Packet, err = p.parsePacket()
	case t.kind == tBackquote:
		p.next()
		l.Kind, l.Command = LineCommand, t.val
	case t.kind == tCode:
		p.next()
		l.Kind, l.Code = LineCode, t.val
	case t.kind == tEllipsis || (t.kind == tWord && p.peekAt(1).is('(')):
		l.Kind = LineSyscall
		l.Syscall, err = p.parseSyscall()
	default:
		return p.expected("a packet (< or >), a system call, a `command` or %{ code }% after the time")
	}
	if err != nil {
		return err
	}
	// parser.y's event rule: the semantic checks of times.
	outbound := l.Kind == LinePacket && l.Packet.Dir == Outbound
	switch ts.Kind {
	case TimeAny:
		if !outbound {
			return errAt(first, "event time * can only be used with outbound packets")
		}
	case TimeAbsoluteRange, TimeRelativeRange:
		if !outbound {
			return errAt(first, "event time range can only be used with outbound packets")
		}
		if ts.End < ts.Start {
			return errAt(first, "time range %s is backwards", ts)
		}
	}
	p.add(l, first)
	return nil
}

// parseTimeSpec is: '+' time | time | '*' | time '~' time | '+' time '~' '+'
// time.
func (p *parser) parseTimeSpec() (TimeSpec, *ParseError) {
	var ts TimeSpec
	if p.peek().is('*') {
		p.next()
		return TimeSpec{Kind: TimeAny}, nil
	}
	rel := p.peek().is('+')
	if rel {
		p.next()
	}
	start, err := p.parseTime()
	if err != nil {
		return ts, err
	}
	ts.Kind, ts.Start = TimeAbsolute, start
	if rel {
		ts.Kind = TimeRelative
	}
	if !p.peek().is('~') {
		return ts, nil
	}
	p.next()
	if rel {
		if err := p.expectPunct('+', `"+" after "~" in a relative time range (+A~+B)`); err != nil {
			return ts, err
		}
		ts.Kind = TimeRelativeRange
	} else {
		if p.peek().is('+') {
			return ts, p.expected("an absolute time after \"~\" in an absolute time range (A~B)")
		}
		ts.Kind = TimeAbsoluteRange
	}
	ts.End, err = p.parseTime()
	return ts, err
}

// parseTime reads a non-negative number of seconds, INTEGER or FLOAT,
// exactly to the nanosecond.
func (p *parser) parseTime() (time.Duration, *ParseError) {
	t := p.peek()
	if t.kind != tInt && t.kind != tFloat {
		return 0, p.expected("a time in seconds (0.100, +0.1, 0.1~0.2, *)")
	}
	p.next()
	d, err := parseSeconds(t.text)
	if err != nil {
		return 0, errAt(t, "time %s: %v", t.text, err)
	}
	return d, nil
}

var errNegativeTime = errors.New("negative time")

// parseSeconds converts "12", "0.1" or ".25" seconds to a Duration without
// floating point; digits past the nanosecond are dropped.
func parseSeconds(s string) (time.Duration, error) {
	if strings.HasPrefix(s, "-") {
		return 0, errNegativeTime
	}
	whole, frac, _ := strings.Cut(s, ".")
	var sec int64
	if whole != "" {
		var err error
		sec, err = strconv.ParseInt(whole, 10, 64)
		if err != nil || sec > math.MaxInt64/int64(time.Second)-1 {
			return 0, errors.New("out of range")
		}
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	ns := int64(0)
	if frac != "" {
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return 0, errors.New("bad fraction")
		}
		ns = n
	}
	return time.Duration(sec*int64(time.Second) + ns), nil
}

// parseSyscall is: opt_end_time WORD '(' args ')' '=' expression opt_errno
// opt_note.
func (p *parser) parseSyscall() (*Syscall, *ParseError) {
	s := &Syscall{}
	if p.peek().kind == tEllipsis {
		p.next()
		end, err := p.parseTime()
		if err != nil {
			return nil, err
		}
		s.Blocking, s.End = true, end
	}
	t := p.peek()
	if t.kind != tWord || !p.peekAt(1).is('(') {
		return nil, p.expected("a system call name and \"(\"")
	}
	p.next()
	p.next()
	s.Name = t.text
	if !p.peek().is(')') {
		args, err := p.parseExprList(')')
		if err != nil {
			return nil, err
		}
		s.Args = args
	}
	if err := p.expectPunct(')', `"," or ")" in the argument list of `+s.Name); err != nil {
		return nil, err
	}
	if err := p.expectPunct('=', `"= result" after the call to `+s.Name); err != nil {
		return nil, err
	}
	ret, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	s.Ret = ret
	// An errno name; packetdrill requires its note, netsim does not.
	if t := p.peek(); t.kind == tWord {
		p.next()
		s.Errno = t.text
	}
	if p.peek().is('(') {
		note, err := p.parseNote()
		if err != nil {
			return nil, err
		}
		s.Note = note
	}
	return s, nil
}

// parseNote reads "( words )" and returns the words (the tokens' text, so
// comments are dropped) separated by single spaces.
func (p *parser) parseNote() (string, *ParseError) {
	open := p.next()
	var words []string
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return "", errAt(open, "unterminated note: \"(\" without \")\"")
		case t.is('('):
			return "", errAt(t, "unexpected \"(\" inside a note")
		case t.is(')'):
			p.next()
			return strings.Join(words, " "), nil
		}
		words = append(words, strings.Fields(p.next().text)...)
	}
}

// parseExprList reads expressions separated by commas, up to (not
// including) the closing character.
func (p *parser) parseExprList(closing byte) ([]*Expr, *ParseError) {
	var list []*Expr
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.peek().is(',') {
			return list, nil
		}
		p.next()
		if p.peek().is(closing) {
			return nil, p.expected("an expression after \",\"")
		}
	}
}

// parseExpr is: operand ('|' operand)* ['=' expression] (the assignment
// only after a word or call).
func (p *parser) parseExpr() (*Expr, *ParseError) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errAt(p.peek(), "expression nested deeper than %d levels", maxDepth)
	}
	e, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if p.peek().is('|') {
		or := &Expr{Kind: ExprOr, Elems: []*Expr{e}}
		for p.peek().is('|') {
			p.next()
			x, err := p.parseOperand()
			if err != nil {
				return nil, err
			}
			or.Elems = append(or.Elems, x)
		}
		e = or
	}
	if p.peek().is('=') && (e.Kind == ExprWord || e.Kind == ExprCall) {
		p.next()
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		e = &Expr{Kind: ExprAssign, Elems: []*Expr{e, v}}
	}
	return e, nil
}

func (p *parser) parseOperand() (*Expr, *ParseError) {
	t := p.peek()
	switch {
	case t.kind == tEllipsis:
		p.next()
		return &Expr{Kind: ExprEllipsis}, nil
	case t.kind == tInt:
		p.next()
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, errAt(t, "integer %s out of range", t.text)
		}
		return &Expr{Kind: ExprInt, Int: n}, nil
	case t.kind == tHex:
		p.next()
		n, err := strconv.ParseUint(t.text[2:], 16, 63)
		if err != nil {
			return nil, errAt(t, "integer %s out of range", t.text)
		}
		return &Expr{Kind: ExprInt, Int: int64(n), Hex: true}, nil
	case t.kind == tString:
		// Adjacent strings concatenate; a trailing ... makes a prefix.
		e := &Expr{Kind: ExprString}
		for p.peek().kind == tString {
			e.Str += p.next().val
		}
		if p.peek().kind == tEllipsis {
			p.next()
			e.Ellipsis = true
		}
		return e, nil
	case t.kind == tWord:
		p.next()
		if !p.peek().is('(') {
			return &Expr{Kind: ExprWord, Str: t.text}, nil
		}
		p.next()
		call := &Expr{Kind: ExprCall, Str: t.text}
		if !p.peek().is(')') {
			args, err := p.parseExprList(')')
			if err != nil {
				return nil, err
			}
			call.Elems = args
		}
		return call, p.expectPunct(')', `"," or ")" after the arguments of `+t.text)
	case t.is('[') || t.is('{'):
		p.next()
		closing, kind := byte(']'), ExprList
		if t.is('{') {
			closing, kind = '}', ExprStruct
		}
		e := &Expr{Kind: kind}
		if !p.peek().is(closing) {
			elems, err := p.parseExprList(closing)
			if err != nil {
				return nil, err
			}
			e.Elems = elems
		}
		return e, p.expectPunct(closing, fmt.Sprintf(`"," or %q`, string(closing)))
	case t.is('&'):
		p.next()
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		return &Expr{Kind: ExprAddrOf, Elems: []*Expr{x}}, nil
	}
	return nil, p.expected("an expression (a number, ..., a name, a \"string\", [array] or {struct})")
}

// tcpFlagBits maps the dialect's flag letters to header bits.
var tcpFlagBits = map[byte]tcp.Flags{
	'S': tcp.FlagSYN, 'F': tcp.FlagFIN, 'R': tcp.FlagRST, 'P': tcp.FlagPSH,
	'E': tcp.FlagECE, 'W': tcp.FlagCWR, 'U': tcp.FlagURG, '.': tcp.FlagACK,
	// A is Accurate ECN's AE flag, the bit RFC 3540 named NS.
	'A': tcp.FlagNS,
}

// parsePacket is: direction [encapsulation] [ip_info] then a TCP, UDP or
// ICMP packet spec.
func (p *parser) parsePacket() (*Packet, *ParseError) {
	pk := &Packet{Dir: Inbound}
	if p.next().is('>') {
		pk.Dir = Outbound
	}
	for p.peek().isWord("ipv4") || p.peek().isWord("ipv6") {
		e, err := p.parseEncap()
		if err != nil {
			return nil, err
		}
		pk.Encap = append(pk.Encap, e)
	}
	if t := p.peek(); t.isWord("gre") || t.isWord("GREv0") || t.isWord("mpls") {
		return nil, errAt(t, "%s encapsulation is not supported", t.text)
	}
	ip, err := p.parseOptIPInfo()
	if err != nil {
		return nil, err
	}
	pk.IP = ip
	if ip != nil && ip.ECN == ECNECT01 && pk.Dir != Outbound {
		return nil, errAt(p.prev(), "[ect01] can only be used with outbound packets")
	}
	switch t := p.peek(); {
	case t.isWord("udp"):
		if ip != nil && ip.ECN != ECNUnspecified {
			return nil, errAt(t, "ECN can only be used with TCP packets")
		}
		p.next()
		pk.Proto = ProtoUDP
		if err := p.parsePorts(pk); err != nil {
			return nil, err
		}
		n, err := p.parseParenLen("UDP payload size")
		pk.Len = n
		return pk, err
	case t.isWord("icmp"):
		p.next()
		pk.Proto = ProtoICMP
		return pk, p.parseICMP(pk)
	}
	return pk, p.parseTCP(pk)
}

// parseEncap is: ipv4 [ip_info] ADDR '>' ADDR ':' (and the same for ipv6).
func (p *parser) parseEncap() (Encap, *ParseError) {
	v := p.next()
	e := Encap{Version: 4}
	want := tIPv4
	if v.text == "ipv6" {
		e.Version, want = 6, tIPv6
	}
	ip, err := p.parseOptIPInfo()
	if err != nil {
		return e, err
	}
	e.IP = ip
	addr := func() (netip.Addr, *ParseError) {
		t := p.peek()
		if t.kind != want {
			return netip.Addr{}, p.expected(fmt.Sprintf("an IPv%d address", e.Version))
		}
		p.next()
		a, err := netip.ParseAddr(t.text)
		if err != nil {
			return a, errAt(t, "invalid IPv%d address %s", e.Version, t.text)
		}
		return a, nil
	}
	if e.Src, err = addr(); err != nil {
		return e, err
	}
	if err := p.expectPunct('>', `">" between the addresses`); err != nil {
		return e, err
	}
	if e.Dst, err = addr(); err != nil {
		return e, err
	}
	return e, p.expectPunct(':', `":" after the addresses`)
}

// parseOptIPInfo is: ['(' ip_info ')' | '[' ip_info ']'], where ip_info is
// tos_spec | flowlabel HEX | ttl INT | tos_spec ',' flowlabel HEX.
func (p *parser) parseOptIPInfo() (*IPInfo, *ParseError) {
	open := p.peek()
	if !open.is('(') && !open.is('[') {
		return nil, nil
	}
	p.next()
	ip := &IPInfo{Brackets: open.is('[')}
	closing := byte(')')
	if ip.Brackets {
		closing = ']'
	}
	t := p.next()
	switch {
	case t.kind == tWord && ecnNames[t.text] != ECNUnspecified:
		ip.ECN = ecnNames[t.text]
	case t.isWord("tos"):
		n, err := p.parseHexField("tos", 0xff)
		if err != nil {
			return nil, err
		}
		ip.TOS, ip.HasTOS = uint8(n), true
	case t.isWord("flowlabel"):
		n, err := p.parseHexField("flowlabel", 1<<20-1)
		if err != nil {
			return nil, err
		}
		ip.FlowLabel, ip.HasFlowLabel = uint32(n), true
		return ip, p.expectPunct(closing, fmt.Sprintf("%q", string(closing)))
	case t.isWord("ttl"):
		n, err := p.parseUint("ttl", 0xff)
		if err != nil {
			return nil, err
		}
		ip.TTL, ip.HasTTL = uint8(n), true
		return ip, p.expectPunct(closing, fmt.Sprintf("%q", string(closing)))
	default:
		return nil, errAt(t, "expected IP detail (noecn, ect0, ect1, ce, ect01, tos 0xNN, flowlabel 0xN, ttl N), found %s", t.describe())
	}
	if p.peek().is(',') {
		p.next()
		if !p.peek().isWord("flowlabel") {
			return nil, p.expected("flowlabel after \",\"")
		}
		p.next()
		n, err := p.parseHexField("flowlabel", 1<<20-1)
		if err != nil {
			return nil, err
		}
		ip.FlowLabel, ip.HasFlowLabel = uint32(n), true
	}
	return ip, p.expectPunct(closing, fmt.Sprintf("%q", string(closing)))
}

func (p *parser) parseHexField(what string, limit uint64) (uint64, *ParseError) {
	t := p.peek()
	if t.kind != tHex {
		return 0, p.expected(what + " in hex (0x...)")
	}
	p.next()
	n, err := strconv.ParseUint(t.text[2:], 16, 64)
	if err != nil || n > limit {
		return 0, errAt(t, "%s %s out of range (at most %#x)", what, t.text, limit)
	}
	return n, nil
}

// parseUint reads a decimal INTEGER in [0, limit].
func (p *parser) parseUint(what string, limit uint64) (uint64, *ParseError) {
	t := p.peek()
	if t.kind != tInt {
		return 0, p.expected(what + " (a number)")
	}
	p.next()
	n, err := strconv.ParseUint(t.text, 10, 64)
	if err != nil || n > limit {
		return 0, errAt(t, "%s %s out of range (0 to %d)", what, t.text, limit)
	}
	return n, nil
}

// parsePorts is: [INTEGER '>' INTEGER].
func (p *parser) parsePorts(pk *Packet) *ParseError {
	if p.peek().kind != tInt || !p.peekAt(1).is('>') {
		return nil
	}
	src, err := p.parseUint("src port", math.MaxUint16)
	if err != nil {
		return err
	}
	p.next()
	dst, err := p.parseUint("dst port", math.MaxUint16)
	if err != nil {
		return err
	}
	pk.SrcPort, pk.DstPort, pk.HasPorts = uint16(src), uint16(dst), true
	return nil
}

// parseParenLen is: '(' INTEGER ')'.
func (p *parser) parseParenLen(what string) (uint16, *ParseError) {
	if err := p.expectPunct('(', `"(" and the `+what); err != nil {
		return 0, err
	}
	n, err := p.parseUint(what, math.MaxUint16)
	if err != nil {
		return 0, err
	}
	return uint16(n), p.expectPunct(')', `")"`)
}

// parseICMP is: icmp_type [icmp_code] [mtu N] [id N] ['[' echoed ']'].
func (p *parser) parseICMP(pk *Packet) *ParseError {
	t := p.peek()
	if t.kind != tWord {
		return p.expected("an ICMP type (unreachable, echo_request, ...)")
	}
	p.next()
	pk.ICMPType = t.text
	if t := p.peek(); t.kind == tWord && t.text != "mtu" && t.text != "id" {
		p.next()
		// packetdrill's lexer replaces every word a --define names
		// (word() in lexer.l): a script may leave its ICMP code to one.
		pk.ICMPCode = p.define(t.text)
	}
	if p.peek().isWord("mtu") {
		p.next()
		n, err := p.parseUint("mtu", math.MaxInt32)
		if err != nil {
			return err
		}
		pk.MTU, pk.HasMTU = int(n), true
	}
	if p.peek().isWord("id") {
		p.next()
		n, err := p.parseUint("echo id", math.MaxUint16)
		if err != nil {
			return err
		}
		pk.EchoID = int(n)
	}
	if !p.peek().is('[') {
		return nil
	}
	p.next()
	e := &EchoedPacket{Proto: ProtoTCP}
	switch t := p.peek(); {
	case t.isWord("udp") || t.isWord("raw"):
		p.next()
		e.Proto, e.Raw = ProtoUDP, t.text == "raw"
		n, err := p.parseParenLen(t.text + " payload size")
		if err != nil {
			return err
		}
		e.Len = n
	default:
		start, n, err := p.parseSeq()
		if err != nil {
			return err
		}
		e.Start, e.Len = start, n
	}
	pk.Echoed = e
	return p.expectPunct(']', `"]" after the quoted packet`)
}

// parseTCP is: [ports] flags seq [ack N] [win N] [urg N] [<options>]
// [{fuzz}].
func (p *parser) parseTCP(pk *Packet) *ParseError {
	first := p.peek()
	if err := p.parsePorts(pk); err != nil {
		return err
	}
	if err := p.parseFlags(pk); err != nil {
		return err
	}
	start, n, err := p.parseSeq()
	if err != nil {
		return err
	}
	pk.Start, pk.Len = start, n
	// The optional "ack N", "win N" and "urg N", in this order.
	for _, f := range []struct {
		word, what string
		max        uint64
		set        func(uint64)
	}{
		{"ack", "TCP ack sequence number", math.MaxUint32, func(v uint64) { pk.Ack, pk.HasAck = uint32(v), true }},
		{"win", "TCP window value", math.MaxUint16, func(v uint64) { pk.Win, pk.HasWin = uint16(v), true }},
		{"urg", "urg_ptr value", math.MaxUint16, func(v uint64) { pk.Urg, pk.HasUrg = uint16(v), true }},
	} {
		if !p.peek().isWord(f.word) {
			continue
		}
		p.next()
		v, err := p.parseUint(f.what, f.max)
		if err != nil {
			return err
		}
		f.set(v)
	}
	if open := p.peek(); open.is('<') {
		p.next()
		if p.peek().kind == tEllipsis {
			p.next()
			if pk.Dir != Outbound {
				return errAt(open, "<...> for TCP options can only be used with outbound packets")
			}
			pk.AnyOptions = true
			if err := p.expectPunct('>', `">" after "<..."`); err != nil {
				return err
			}
		} else if err := p.parseTCPOptions(pk); err != nil {
			return err
		}
	}
	// new_tcp_packet's checks: an injected segment needs a window, and
	// the options must fill whole 32-bit words of the header.
	if !pk.HasWin && pk.Dir == Inbound {
		return errAt(first, "window must be specified for inbound packets (win N)")
	}
	if n := pk.Options.Len() % 4; n != 0 {
		return errAt(first, "TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: %d excess bytes", n)
	}
	if open := p.peek(); open.is('{') {
		// A packet-mutation spec: kept as its tokens' text, braces
		// balanced.
		p.next()
		var words []string
		for depth := 1; ; {
			t := p.next()
			switch {
			case t.kind == tEOF:
				return errAt(open, "unterminated {...} after the packet")
			case t.is('{'):
				depth++
			case t.is('}'):
				depth--
			}
			if depth == 0 {
				break
			}
			words = append(words, strings.Fields(t.text)...)
		}
		pk.Fuzz = strings.Join(words, " ")
	}
	return nil
}

// parseFlags is: WORD ['.'] | [WORD] FLOAT | '.' | '-', where the FLOAT is
// a dot and AccECN ACE digits (".6"). The letters and digits together are
// then checked as packetdrill's new_tcp_packet does.
func (p *parser) parseFlags(pk *Packet) *ParseError {
	t := p.peek()
	var buf [2]token
	parts := buf[:0]
	switch {
	case t.is('-'):
		p.next()
		pk.FlagsText = "-"
		return nil
	case t.is('.') || (t.kind == tFloat && t.text[0] == '.'):
		parts = append(parts, p.next())
	case t.kind == tWord:
		parts = append(parts, p.next())
		if n := p.peek(); n.is('.') || (n.kind == tFloat && n.text[0] == '.') {
			parts = append(parts, p.next())
		}
	default:
		return p.expected("TCP flags (" + tcpFlagChars + ", . for ACK, - for none)")
	}
	for _, part := range parts {
		pk.FlagsText += part.text
	}
	return setTCPFlags(pk, parts)
}

// tcpFlagChars lists the flag characters for error messages.
const tcpFlagChars = "S F R P E W U A, 0-7 for AccECN's ACE"

// setTCPFlags validates the flag characters of parts and sets pk's flags:
// each of ".FSRPEWAU" sets its bit; a digit 0-7 is AccECN's ACE counter,
// whose three bits are ECE, CWR and AE, so it cannot be combined with E, W
// or A, nor with a second digit.
func setTCPFlags(pk *Packet, parts []token) *ParseError {
	var hasECN, hasACE bool
	for _, part := range parts {
		for i := 0; i < len(part.text); i++ {
			c := part.text[i]
			switch {
			case c >= '0' && c <= '7':
				if hasECN || hasACE {
					return flagError(part, i, pk, "conflicting TCP flag '%c' in %q: one ACE digit, and not with E, W or A")
				}
				hasACE = true
				pk.ACE, pk.HasACE = c-'0', true
				if pk.ACE&1 != 0 {
					pk.Flags |= tcp.FlagECE
				}
				if pk.ACE&2 != 0 {
					pk.Flags |= tcp.FlagCWR
				}
				if pk.ACE&4 != 0 {
					pk.Flags |= tcp.FlagNS
				}
			case tcpFlagBits[c] != 0:
				if c == 'E' || c == 'W' || c == 'A' {
					if hasACE {
						return flagError(part, i, pk, "conflicting TCP flag '%c' in %q: one ACE digit, and not with E, W or A")
					}
					hasECN = true
				}
				pk.Flags |= tcpFlagBits[c]
			default:
				return flagError(part, i, pk, "invalid TCP flag '%c' in %q (allowed: "+tcpFlagChars+", . for ACK)")
			}
		}
	}
	return nil
}

// flagError locates an error at character i of a flags token; format
// takes the character and the whole flags text.
func flagError(part token, i int, pk *Packet, format string) *ParseError {
	return &ParseError{Line: part.line, Col: part.col + i, Msg: fmt.Sprintf(format, part.text[i], pk.FlagsText)}
}

// accECNOrders are the field orders of the two Accurate ECN options: kind
// 172 (AccECN0) counts e0b, ceb, e1b; kind 174 (AccECN1) e1b, ceb, e0b.
// Trailing fields may be left out.
var accECNOrders = map[uint8][]string{
	optAccECN0: {"e0b", "ceb", "e1b"},
	optAccECN1: {"e1b", "ceb", "e0b"},
}

// parseAccECNOption reads the fields after "ECN" ("e0b 1 ceb 0 e1b 1"),
// each a 24-bit byte counter, and returns the option's payload and kind.
func (p *parser) parseAccECNOption() ([]byte, uint8, *ParseError) {
	kind := optAccECN0
	if p.peek().isWord("e1b") {
		kind = optAccECN1
	}
	var data []byte
	for _, field := range accECNOrders[kind] {
		t := p.peek()
		if t.kind != tWord || (t.text != "e0b" && t.text != "ceb" && t.text != "e1b") {
			break
		}
		if t.text != field {
			return nil, 0, errAt(t, "AccECN option field %s out of order (expected %s)", t.text, strings.Join(accECNOrders[kind], ", "))
		}
		p.next()
		v, err := p.parseUint("AccECN "+field+" counter", 1<<24-1)
		if err != nil {
			return nil, 0, err
		}
		data = append(data, byte(v>>16), byte(v>>8), byte(v))
	}
	return data, kind, nil
}

// parseSeq is: INTEGER ':' INTEGER '(' INTEGER ')', with end = start+len.
func (p *parser) parseSeq() (uint32, uint16, *ParseError) {
	first := p.peek()
	if first.kind != tInt {
		return 0, 0, p.expected("sequence numbers start:end(len)")
	}
	start, err := p.parseUint("TCP start sequence number", math.MaxUint32)
	if err != nil {
		return 0, 0, err
	}
	if err := p.expectPunct(':', `":" in start:end(len)`); err != nil {
		return 0, 0, err
	}
	end, err := p.parseUint("TCP end sequence number", math.MaxUint32)
	if err != nil {
		return 0, 0, err
	}
	n, err := p.parseParenLen("TCP payload size")
	if err != nil {
		return 0, 0, err
	}
	if end != start+uint64(n) {
		return 0, 0, errAt(first, "inconsistent TCP sequence numbers and payload size: %d:%d is %d bytes, not %d",
			start, end, int64(end)-int64(start), n)
	}
	return uint32(start), n, nil
}

// tcpOptionNames lists the option names for error messages.
const tcpOptionNames = "nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5, ECN"

// parseTCPOptions is: tcp_option (',' tcp_option)* '>', after the '<'.
func (p *parser) parseTCPOptions(pk *Packet) *ParseError {
	for {
		t := p.peek()
		if t.kind != tWord {
			return p.expected("a TCP option (" + tcpOptionNames + ")")
		}
		p.next()
		var err error
		switch t.text {
		case "nop":
			err = pk.Options.AppendNOP()
		case "eol":
			err = pk.Options.AppendEOL()
		case "mss":
			v, perr := p.parseUint("mss value", math.MaxUint16)
			if perr != nil {
				return perr
			}
			err = pk.Options.AppendMSS(uint16(v))
		case "wscale":
			v, perr := p.parseUint("window scale shift count", math.MaxUint8)
			if perr != nil {
				return perr
			}
			// Shifts above 14 are invalid to send but scripts inject them
			// to test the receiver's clamp (RFC 7323 §2.3).
			if v > tcp.MaxWScale {
				err = pk.Options.AppendRaw(tcp.OptWScale, []byte{byte(v)})
			} else {
				err = pk.Options.AppendWScale(uint8(v))
			}
		case "sackOK":
			err = pk.Options.AppendSACKPermitted()
		case "sack":
			var blocks []tcp.SACKBlock
			for p.peek().kind == tInt {
				l, perr := p.parseUint("TCP SACK left sequence number", math.MaxUint32)
				if perr != nil {
					return perr
				}
				if perr := p.expectPunct(':', `":" in a SACK block left:right`); perr != nil {
					return perr
				}
				r, perr := p.parseUint("TCP SACK right sequence number", math.MaxUint32)
				if perr != nil {
					return perr
				}
				blocks = append(blocks, tcp.SACKBlock{Start: tcp.Seq(l), End: tcp.Seq(r)})
			}
			if len(blocks) == 0 {
				return p.expected("SACK blocks left:right after sack")
			}
			err = pk.Options.AppendSACK(blocks)
		case "TS":
			if !p.peek().isWord("val") {
				return p.expected(`"val" after TS`)
			}
			p.next()
			val, perr := p.parseUint("ts val", math.MaxUint32)
			if perr != nil {
				return perr
			}
			if !p.peek().isWord("ecr") {
				return p.expected(`"ecr" after TS val N`)
			}
			p.next()
			ecr, perr := p.parseUint("ecr val", math.MaxUint32)
			if perr != nil {
				return perr
			}
			err = pk.Options.AppendTimestamps(uint32(val), uint32(ecr))
		case "FO", "FOEXP", "md5":
			var blob []byte
			if n := p.peek(); n.kind == tWord || n.kind == tInt {
				p.next()
				// The hex a defined name stands for is checked, not the
				// name (which may have any length).
				v, what := p.define(n.text), n.text
				if v != n.text {
					what += " (" + v + ")"
				}
				if len(v)%2 != 0 {
					return errAt(n, "%s value %s has an odd number of hex digits", t.text, what)
				}
				b, herr := hex.DecodeString(v)
				if herr != nil {
					return errAt(n, "%s value %s is not a valid hex string", t.text, what)
				}
				blob = b
			} else if t.text == "md5" {
				return p.expected("an MD5 digest in hex after md5")
			}
			switch t.text {
			case "FO":
				// packetdrill's MAX_TCP_FAST_OPEN_COOKIE_BYTES: what the
				// option area leaves after kind and length, so that a
				// script can send a cookie of an invalid length.
				if len(blob) > tcp.MaxOptionsLen-2 {
					return errAt(t, "TCP fast open cookie of %d bytes exceeds maximum cookie length of %d bytes", len(blob), tcp.MaxOptionsLen-2)
				}
				err = pk.Options.AppendRaw(optFastOpen, blob)
			case "FOEXP":
				if len(blob) > tcp.MaxOptionsLen-4 {
					return errAt(t, "TCP fast open cookie of %d bytes exceeds maximum cookie length of %d bytes", len(blob), tcp.MaxOptionsLen-4)
				}
				err = pk.Options.AppendRaw(optExp, append([]byte{fastOpenMagic >> 8, fastOpenMagic & 0xff}, blob...))
			default:
				if len(blob) > 16 {
					return errAt(t, "TCP MD5 digest longer than 16 bytes")
				}
				err = pk.Options.AppendRaw(optMD5, blob)
			}
		case "ECN":
			data, kind, perr := p.parseAccECNOption()
			if perr != nil {
				return perr
			}
			err = pk.Options.AppendRaw(kind, data)
		default:
			return errAt(t, "unknown TCP option %s (allowed: %s)", t.describe(), tcpOptionNames)
		}
		if err != nil {
			return errAt(t, "TCP option %s: %v", t.text, err)
		}
		if p.peek().is('>') {
			p.next()
			return nil
		}
		if err := p.expectPunct(',', `"," or ">" after a TCP option`); err != nil {
			return err
		}
	}
}

// tokKind is the kind of a lexical token, after packetdrill's lexer.l.
type tokKind int

const (
	tEOF       tokKind = iota
	tInt               // [-]?[0-9]+
	tHex               // 0x[0-9a-fA-F]+
	tFloat             // [-]?[0-9]*[.][0-9]+
	tWord              // [a-zA-Z0-9_]+
	tString            // "...", a backslash escaping the next character
	tBackquote         // `...`, likewise
	tCode              // %{ ... }%
	tOption            // --name, with its =value
	tEllipsis          // ...
	tIPv4              // 192.0.2.1
	tIPv6              // 2001:db8::1
	tPunct             // any other single character
)

// token is one lexical token with its place in the source.
type token struct {
	kind tokKind
	// text is the token's source text.
	text string
	// val is the content of strings, commands and code between their
	// delimiters, escapes kept as written (packetdrill's quoted()), and
	// the name of an option.
	val string
	// optVal is the value of an option written --name=value.
	optVal               string
	hasOptVal, optQuoted bool
	// off and end delimit text in the source; line and col locate off.
	off, end  int
	line, col int
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString, tBackquote, tCode:
		s := t.text
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i] + "..."
		}
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return "`" + strings.ReplaceAll(s, "`", "'") + "`"
	}
	return `"` + t.text + `"`
}

// is reports whether t is the punctuation character c.
func (t token) is(c byte) bool { return t.kind == tPunct && t.text[0] == c }

// isWord reports whether t is the word w.
func (t token) isWord(w string) bool { return t.kind == tWord && t.text == w }

// lexer splits a script into tokens. Where packetdrill's flex rules
// overlap, the longest match wins and ties go to the earlier rule: FLOAT,
// INTEGER, HEX, WORD, then the addresses.
type lexer struct {
	src []byte
	// str is src as a string, made once, so that token texts are
	// substrings of it rather than allocations of their own.
	str  string
	pos  int
	line int
	// lineStart is the offset of the current line's first byte.
	lineStart int
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWordCh(c byte) bool { return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isHex(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// advance moves to off, counting newlines.
func (lx *lexer) advance(off int) {
	for ; lx.pos < off; lx.pos++ {
		if lx.src[lx.pos] == '\n' {
			lx.line++
			lx.lineStart = lx.pos + 1
		}
	}
}

func (lx *lexer) errAt(off int, msg string) *ParseError {
	// Work out the line and column of off from the current position,
	// which is never after it.
	line, start := lx.line, lx.lineStart
	for i := lx.pos; i < off && i < len(lx.src); i++ {
		if lx.src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return &ParseError{Line: line, Col: off - start + 1, Msg: msg}
}

// tokenize returns every token of src, ending with tEOF.
func tokenize(src []byte) ([]token, *ParseError) {
	lx := &lexer{src: src, str: string(src), line: 1}
	// Packet lines run about two and a half bytes a token; one
	// allocation suffices for most scripts, and a huge input does not
	// reserve memory it may never use.
	toks := make([]token, 0, min(len(src)/2+1, 1<<15))
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tEOF {
			return toks, nil
		}
	}
}

// next returns the next token, skipping whitespace and comments.
func (lx *lexer) next() (token, *ParseError) {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			lx.advance(lx.pos + 1)
			continue
		case c == '/' && lx.pos+1 < len(src) && src[lx.pos+1] == '/':
			end := len(src)
			if i := bytes.IndexByte(src[lx.pos:], '\n'); i >= 0 {
				end = lx.pos + i
			}
			lx.advance(end)
			continue
		case c == '/' && lx.pos+1 < len(src) && src[lx.pos+1] == '*':
			i := bytes.Index(src[lx.pos+2:], []byte("*/"))
			if i < 0 {
				return token{}, lx.errAt(lx.pos, "unterminated /* comment")
			}
			lx.advance(lx.pos + 2 + i + 2)
			continue
		}
		break
	}
	start := lx.pos
	tok := token{off: start, line: lx.line, col: start - lx.lineStart + 1}
	if start >= len(src) {
		tok.kind = tEOF
		tok.end = start
		return tok, nil
	}
	end, err := lx.scan(&tok)
	if err != nil {
		return token{}, err
	}
	tok.end = end
	tok.text = lx.str[start:end]
	lx.advance(end)
	return tok, nil
}

// scan sets tok's kind (and value) for the token at lx.pos and returns its
// end offset.
func (lx *lexer) scan(tok *token) (int, *ParseError) {
	src, i := lx.src, lx.pos
	c := src[i]
	switch {
	case c == '%' && i+1 < len(src) && src[i+1] == '{':
		j := bytes.Index(src[i+2:], []byte("}%"))
		if j < 0 {
			return 0, lx.errAt(i, "unterminated %{ code block (no }%)")
		}
		tok.kind = tCode
		tok.val = strings.Trim(lx.str[i+2:i+2+j], " \t")
		return i + 2 + j + 2, nil
	case c == '"' || c == '`':
		j := i + 1
		for ; j < len(src) && src[j] != c; j++ {
			if src[j] == '\\' {
				j++
			}
		}
		if j >= len(src) {
			what := "string"
			if c == '`' {
				what = "`command`"
			}
			return 0, lx.errAt(i, "unterminated "+what)
		}
		tok.kind = tString
		if c == '`' {
			tok.kind = tBackquote
		}
		tok.val = lx.str[i+1 : j]
		return j + 1, nil
	case c == '-' && i+2 < len(src) && src[i+1] == '-' && isWordCh(src[i+2]):
		return lx.scanOption(tok), nil
	case c == '.' && i+2 < len(src) && src[i+1] == '.' && src[i+2] == '.':
		tok.kind = tEllipsis
		return i + 3, nil
	case isWordCh(c) || c == '-' || c == '.' || c == ':':
		if end, kind := lx.scanNumberish(); end > i {
			tok.kind = kind
			return end, nil
		}
	}
	tok.kind = tPunct
	return i + 1, nil
}

// scanOption reads "--name" and an optional "=value"; the value runs to the
// next whitespace, or is a quoted string.
func (lx *lexer) scanOption(tok *token) int {
	src := lx.src
	j := lx.pos + 2
	for j < len(src) && isWordCh(src[j]) {
		j++
	}
	tok.kind = tOption
	tok.val = lx.str[lx.pos+2 : j]
	if j >= len(src) || src[j] != '=' {
		return j
	}
	j++
	tok.hasOptVal = true
	if j < len(src) && src[j] == '"' {
		q := src[j]
		k := j + 1
		for ; k < len(src) && src[k] != q; k++ {
			if src[k] == '\\' {
				k++
			}
		}
		if k < len(src) {
			tok.optVal, tok.optQuoted = lx.str[j+1:k], true
			return k + 1
		}
	}
	k := j
	for k < len(src) && src[k] != ' ' && src[k] != '\t' && src[k] != '\n' && src[k] != '\r' {
		k++
	}
	tok.optVal = lx.str[j:k]
	return k
}

// scanNumberish finds the longest of FLOAT, INTEGER, HEX, WORD, IPv4 and
// IPv6 at lx.pos (ties to the earlier) and returns its end and kind; end
// equals lx.pos when none matches.
func (lx *lexer) scanNumberish() (int, tokKind) {
	src, i := lx.src, lx.pos
	digits := func(j int) int {
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		return j
	}
	// Candidates in rule order; only a strictly longer match replaces the
	// best so far, so ties go to the earlier rule.
	bestEnd, bestKind := i, tEOF
	consider := func(end int, kind tokKind) {
		if end > bestEnd {
			bestEnd, bestKind = end, kind
		}
	}
	// FLOAT and INTEGER take an optional minus sign.
	j := i
	if src[j] == '-' {
		j++
	}
	d := digits(j)
	if d < len(src) && src[d] == '.' {
		if f := digits(d + 1); f > d+1 {
			consider(f, tFloat)
		}
	}
	if d > j {
		consider(d, tInt)
	}
	if src[i] == '0' && i+2 < len(src) && src[i+1]|0x20 == 'x' && isHex(src[i+2]) {
		h := i + 2
		for h < len(src) && isHex(src[h]) {
			h++
		}
		consider(h, tHex)
	}
	w := i
	for w < len(src) && isWordCh(src[w]) {
		w++
	}
	consider(w, tWord)
	consider(lx.scanIPv4(), tIPv4)
	consider(lx.scanIPv6(), tIPv6)
	return bestEnd, bestKind
}

// scanIPv4 matches [0-9]+.[0-9]+.[0-9]+.[0-9]+.
func (lx *lexer) scanIPv4() int {
	src, j := lx.src, lx.pos
	for part := 0; part < 4; part++ {
		if part > 0 {
			if j >= len(src) || src[j] != '.' {
				return lx.pos
			}
			j++
		}
		k := j
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		if k == j {
			return lx.pos
		}
		j = k
	}
	return j
}

// maxIPv6Text is the longest textual IPv6 address (with an embedded IPv4).
const maxIPv6Text = 45

// scanIPv6 matches the longest run of hex digits, colons and dots that is
// an IPv6 address. Runs like "1:1001" in "1:1001(1000)" are not addresses.
func (lx *lexer) scanIPv6() int {
	src, i := lx.src, lx.pos
	j := i
	for j < len(src) && j-i < maxIPv6Text && (isHex(src[j]) || src[j] == ':' || src[j] == '.') {
		j++
	}
	// Every textual IPv6 address has "::" or eight groups; this keeps
	// "1:1001" and "sack 1:2" cheap.
	if run := src[i:j]; !bytes.Contains(run, []byte("::")) && bytes.Count(run, []byte(":")) < 7 {
		return i
	}
	for ; j > i+1; j-- {
		if a, err := netip.ParseAddr(lx.str[i:j]); err == nil && a.Is6() {
			return j
		}
	}
	return i
}
