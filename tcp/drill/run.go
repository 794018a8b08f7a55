package drill

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// RunConfig sets up a run: the addresses and ports the script's peer uses
// and the timing tolerance.
type RunConfig struct {
	// Tolerance is how far an outbound segment may be from its line's
	// time; a script's --tolerance_usecs overrides it. Default 4 ms, as
	// packetdrill's.
	Tolerance time.Duration
	// Local is the stack's address; Remote the peer's, and RemotePort the
	// port a peer connects from. ServerPort is where scripts' servers
	// listen and clients connect (packetdrill uses 8080).
	Local, Remote netip.Addr
	RemotePort    uint16
	ServerPort    uint16
	// MaxWait bounds how far "*" or a missing segment lets virtual time run.
	MaxWait time.Duration
	// QueueUnmatched selects packetdrill's own rule for segments that no
	// outbound line has taken yet: they wait, in order, for the next
	// outbound line, which fails if the first of them does not match it,
	// and those still waiting when the script ends are not checked. The
	// public scripts rely on it (google/packetdrill
	// blocking/blocking-connect-data.pkt injects data and never lists the
	// ACKs Linux sends). Without it, netsim's stricter default, such a
	// segment fails the script at the next inbound or system-call line, so
	// a script also proves what the stack did not send.
	QueueUnmatched bool
	// StrictSegments matches each outbound line with exactly one segment,
	// as packetdrill's --strict_segments (which a script may also set).
	// Without it a line may stand for several consecutive segments.
	StrictSegments bool
}

// DefaultRunConfig returns packetdrill's defaults: local 192.168.0.1,
// remote 192.0.2.1, server port 8080, tolerance 4 ms.
func DefaultRunConfig() RunConfig {
	return RunConfig{
		Tolerance:  4 * time.Millisecond,
		Local:      netip.MustParseAddr("192.168.0.1"),
		Remote:     netip.MustParseAddr("192.0.2.1"),
		RemotePort: 50000,
		ServerPort: 8080,
		MaxWait:    300 * time.Second,
	}
}

// ErrMismatch is wrapped by every *RunError: the stack did not behave as
// the script says.
var ErrMismatch = errors.New("drill: stack does not match the script")

// RunError locates a failed expectation: the script line and what
// happened.
type RunError struct {
	File string
	Line int
	Text string // the script line
	Msg  string
	// Actual is the segment the stack sent that the line was compared
	// with (several merged into one when the line stood for them), or
	// the unexpected one; nil when the error is not about a segment.
	Actual *Segment
	// ActualAt is when Actual was sent (its first segment's time).
	ActualAt time.Duration
	// LineAt is when the line was due (the start of its time range).
	LineAt time.Duration
}

// Error formats the error as FILE:LINE: message, with the line quoted.
func (e *RunError) Error() string {
	return fmt.Sprintf("%s:%d: %s\n\tscript: %s", e.File, e.Line, e.Msg, e.Text)
}

// Is makes errors.Is(err, ErrMismatch) hold.
func (e *RunError) Is(target error) bool { return target == ErrMismatch }

// sentSeg is a segment the stack sent, with its time.
type sentSeg struct {
	at  time.Duration
	seg Segment
}

// pendingCall is a blocking system call not finished yet.
type pendingCall struct {
	line *Line
	// end is when a "...END" call must return, when hasEnd.
	end    time.Duration
	hasEnd bool
}

// runner plays one script against one stack.
type runner struct {
	s   *Script
	st  Stack
	cfg RunConfig
	now time.Duration
	// prev is the time relative times count from: the previous line's time
	// (for an outbound segment, when it was actually sent).
	prev    time.Duration
	out     []sentSeg
	pending []pendingCall
	// The connection the script talks about: learned from the first
	// segment the stack sends, else the server defaults.
	localISN tcp.Seq
	haveISN  bool
	// remoteISN is the sequence number of the script's latest inbound
	// SYN: as packetdrill (remote_seq_script_to_live_offset), a SYN's
	// number is absolute and those of the segments that follow count
	// from it; 0 until then.
	remoteISN tcp.Seq
	// scriptISN is the script's name for our ISN, the sequence number
	// of the SYN line that opened the connection; newLocal and
	// newRemote say a new connection started whose first SYN (ours, the
	// peer's) names the ISNs, as packetdrill learns them when a new
	// socket is under test (handle_connect_for_script_packet,
	// handle_listen_for_script_packet): the numbers of a later SYN of
	// the same connection are compared through the same offset, those
	// of other segments count from the ISN.
	scriptISN           tcp.Seq
	newLocal, newRemote bool
	// lastSyn is the sequence number of the latest SYN without ACK we
	// sent: a SYN with another opens a new connection.
	lastSyn tcp.Seq
	// listening: a listen call ran since the last inbound SYN; passive
	// counts the inbound SYNs that found one. As packetdrill's
	// handle_listen_for_script_packet, each after the first comes from
	// a new port (next_ephemeral_port), so that a script can open
	// connection after connection from one listener or a new one while
	// the old ones live.
	listening  bool
	passive    int
	localPort  uint16
	remotePort uint16
	lastTSVal  uint32
	// tsVals maps the TS val an outbound line wrote to the one the
	// stack sent in the segment it matched, for the connection the
	// script talks about; tsFirst holds its first such pair (script,
	// live), the base of --tcp_ts_ecr_scaled (inboundEcr).
	tsVals    map[uint32]uint32
	tsFirst   [2]uint32
	tsHaveOne bool
	err       error
	// lineAt is when the line being played is due, for RunError.
	lineAt time.Duration
	// fds maps a descriptor the script wrote as socket()'s or accept()'s
	// result to the one the stack returned, where they differ;
	// liveCalls holds the calls rewritten for it, poll and epoll's
	// included (liveCall).
	fds       map[int64]int64
	liveCalls map[*Syscall]*Syscall
}

// Run plays script s against st: inbound segments are injected at their
// times, system calls are made and their results checked, and every
// segment the stack sends must match the next outbound line (flags,
// sequence and ack numbers relative to the ISNs, window when written,
// options unless "<...>", time within the tolerance). Sequence numbers of
// the script's peer are taken as written (its ISN is 0).
func Run(s *Script, st Stack, cfg RunConfig) error {
	r := &runner{s: s, st: st, cfg: cfg, localPort: cfg.ServerPort, remotePort: cfg.RemotePort}
	if v, ok := s.Option("tolerance_usecs"); ok {
		us, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("drill: %s: --tolerance_usecs=%q: %w", s.Name, v, err)
		}
		r.cfg.Tolerance = time.Duration(us) * time.Microsecond
	}
	for _, l := range s.Lines {
		if err := r.line(l); err != nil {
			return err
		}
	}
	r.finishPending()
	if r.err != nil {
		return r.err
	}
	if len(r.pending) > 0 {
		if p := r.pending[0]; p.hasEnd {
			return r.fail(p.line, "%s still blocked at %s, expected to return at %s (tolerance %s)", p.line.Syscall.Name, secs(r.now), secs(p.end), r.cfg.Tolerance)
		}
		return r.fail(r.pending[0].line, "blocking call never returned")
	}
	return nil
}

func (r *runner) fail(l *Line, format string, args ...any) error {
	return &RunError{File: r.s.Name, Line: l.Num, Text: l.Text, Msg: fmt.Sprintf(format, args...), LineAt: r.lineAt}
}

// failSeg is fail for an error about seg, sent at at.
func (r *runner) failSeg(l *Line, seg Segment, at time.Duration, format string, args ...any) error {
	e := r.fail(l, format, args...).(*RunError)
	seg.Payload = append([]byte(nil), seg.Payload...)
	e.Actual, e.ActualAt = &seg, at
	return e
}

// collect takes what the stack sent at now.
func (r *runner) collect() {
	r.st.Drain(func(seg *Segment) {
		c := *seg
		c.Payload = append([]byte(nil), seg.Payload...)
		r.out = append(r.out, sentSeg{at: r.now, seg: c})
		h := &seg.Header
		if !r.haveISN && h.Flags.Has(tcp.FlagSYN) {
			r.localISN, r.haveISN = h.Seq, true
			r.localPort, r.remotePort = h.SrcPort, h.DstPort
		}
		if h.Flags&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN && h.Seq != r.lastSyn {
			// An active open (a retransmitted SYN keeps its number): the
			// connection the script talks about from now on.
			r.lastSyn, r.newLocal, r.newRemote = h.Seq, true, true
			r.localPort, r.remotePort = h.SrcPort, h.DstPort
		}
		if val, _, ok := h.Options.Timestamps(); ok {
			r.lastTSVal = val
		}
	})
}

// settle collects output and retries blocked calls.
func (r *runner) settle() {
	r.collect()
	for i := 0; i < len(r.pending); {
		p := r.pending[i]
		ret, errno, blocked, err := r.st.Call(r.now, r.liveCall(p.line.Syscall))
		if blocked && err == nil {
			i++
			continue
		}
		r.pending = append(r.pending[:i], r.pending[i+1:]...)
		e := r.checkResult(p.line, ret, errno, err)
		if e == nil {
			e = r.checkEnd(p)
		}
		if e != nil && r.err == nil {
			r.err = e
		}
		r.collect()
	}
}

// advance runs the stack's timers up to t.
func (r *runner) advance(t time.Duration) {
	for r.fireNext(t) {
	}
	r.now = max(r.now, t)
}

// fireNext runs the stack's next timer if it is due by limit, moving the
// clock to it, and reports whether there was one.
func (r *runner) fireNext(limit time.Duration) bool {
	d, ok := r.st.Deadline()
	if !ok || d > limit {
		return false
	}
	r.now = max(r.now, d)
	r.st.Tick(r.now)
	r.settle()
	return true
}

// awaitOutbound runs the stack's timers due by limit until it sends a
// segment or fails.
func (r *runner) awaitOutbound(limit time.Duration) {
	for len(r.out) == 0 && r.err == nil && r.fireNext(limit) {
	}
}

// lineTime returns a line's time range [lo, hi] in absolute terms.
func (r *runner) lineTime(l *Line) (lo, hi time.Duration, any bool) {
	t := l.Time
	switch t.Kind {
	case TimeAbsolute:
		return t.Start, t.Start, false
	case TimeRelative:
		return r.prev + t.Start, r.prev + t.Start, false
	case TimeAbsoluteRange:
		return t.Start, t.End, false
	case TimeRelativeRange:
		return r.prev + t.Start, r.prev + t.End, false
	case TimeAny:
		return r.now, r.now + r.cfg.MaxWait, true
	}
	return r.now, r.now, false
}

func (r *runner) line(l *Line) error {
	if r.err != nil {
		return r.err
	}
	r.lineAt, _, _ = r.lineTime(l)
	switch l.Kind {
	case LineCode:
		// A block of tcp_info assertions is checked on a stack that
		// reports TCPInfo (tcpinfo.go); other code is skipped.
		return r.code(l)
	case LineOption:
		return nil
	case LineCommand:
		// An untimed command's sysctls are in the stack's Config
		// already (ConfigFromScript). A timed command's time passes, as
		// packetdrill waits for it, and then its sysctls apply, as
		// Linux applies a sysctl at once.
		if l.Time.Kind == TimeNone {
			return nil
		}
		if err := r.arrive(l); err != nil {
			return err
		}
		return r.sysctls(l)
	case LinePacket:
		p := l.Packet
		if p.Proto == ProtoICMP && p.Dir == Inbound {
			return r.inboundICMP(l)
		}
		if p.Proto != ProtoTCP {
			return r.fail(l, "only TCP packets and inbound ICMP errors are supported")
		}
		if p.Dir == Inbound {
			return r.inbound(l)
		}
		return r.outbound(l)
	case LineSyscall:
		return r.syscall(l)
	}
	return nil
}

// unexpected fails if the stack sent a segment no line accounted for
// (unless RunConfig.QueueUnmatched leaves it to the next outbound line).
func (r *runner) unexpected(l *Line) error {
	if len(r.out) == 0 || r.cfg.QueueUnmatched {
		return nil
	}
	o := r.out[0]
	return r.failSeg(l, o.seg, o.at, "unexpected outbound segment at %s: %s", secs(o.at), r.describe(&o.seg))
}

// arrive runs the stack up to line l's time and makes it the line's: the
// prologue of every line that acts at its time (an inbound segment, a
// system call, a tcp_info check). It fails if the stack sent a segment no
// line accounted for, or a blocked call failed meanwhile.
func (r *runner) arrive(l *Line) error {
	lo, _, _ := r.lineTime(l)
	r.advance(lo)
	if err := r.unexpected(l); err != nil {
		return err
	}
	if r.err != nil {
		return r.err
	}
	r.now, r.prev = lo, lo
	return nil
}

// sysctls applies a timed shell command's sysctls to a stack that takes
// them (SettingsStack); other stacks keep the settings they started with.
func (r *runner) sysctls(l *Line) error {
	st := r.st
	if w, ok := st.(interface{ Unwrap() Stack }); ok {
		st = w.Unwrap() // a Recorder: the stack it records
	}
	ss, ok := st.(SettingsStack)
	if !ok {
		return nil
	}
	if FlushesMetrics(l) {
		ss.FlushTCPMetrics()
	}
	set := LineSysctls(r.s, l)
	if len(set) == 0 {
		return nil
	}
	if err := ss.ApplySettings(r.now, set); err != nil {
		return r.fail(l, "%v", err)
	}
	return nil
}

func (r *runner) inbound(l *Line) error {
	if err := r.arrive(l); err != nil {
		return err
	}
	p := l.Packet
	seg := Segment{
		Src: tcp.Endpoint{Addr: r.cfg.Remote, Port: r.remotePort},
		Dst: tcp.Endpoint{Addr: r.cfg.Local, Port: r.localPort},
	}
	if p.Flags&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN && r.listening {
		r.listening, r.newLocal, r.newRemote = false, true, true
		if r.passive++; r.passive > 1 {
			r.remotePort++
			seg.Src.Port = r.remotePort
		}
	}
	if p.HasPorts {
		seg.Src.Port, seg.Dst.Port = p.SrcPort, p.DstPort
	}
	h := &seg.Header
	h.SrcPort, h.DstPort = seg.Src.Port, seg.Dst.Port
	h.Flags = p.Flags
	h.Seq = r.remoteISN + tcp.Seq(p.Start)
	if p.Flags.Has(tcp.FlagSYN) {
		// A SYN's number is absolute (remote_seq_script_to_live_offset);
		// the first of a new connection is the peer's ISN.
		h.Seq = tcp.Seq(p.Start)
		if r.newRemote {
			r.remoteISN, r.newRemote = h.Seq, false
		}
	}
	if p.HasAck {
		h.Ack = r.localISN + tcp.Seq(p.Ack)
	}
	h.Window = 65535
	if p.HasWin {
		h.Window = p.Win
	}
	h.Urgent = p.Urg
	opts, err := r.mapInboundOptions(&p.Options)
	if err != nil {
		return r.fail(l, "%v", err)
	}
	h.Options = opts
	if ip := p.IP; ip != nil {
		// "(tos 0x2)" gives the whole byte, "[ect0]" the ECN field; an
		// inbound line without either is Not-ECT, as in packetdrill.
		if ip.HasTOS {
			seg.TOS = ip.TOS
		}
		if cp, ok := ip.ECN.codepoint(); ok {
			seg.TOS = seg.TOS&^3 | cp
		}
	}
	seg.Payload = make([]byte, p.Len)
	r.st.Inject(r.now, &seg)
	r.settle()
	return r.err
}

// offsetSACK returns o with off added to the edges of its SACK blocks,
// every other option as it is.
func offsetSACK(o *tcp.Options, off tcp.Seq) (tcp.Options, error) {
	out, err := remapOptions(o, off, nil)
	if err != nil {
		return out, fmt.Errorf("options <%s>: %w", FormatOptions(o), err)
	}
	return out, nil
}

// mapInboundOptions turns a script's option list into wire options: SACK
// blocks are relative to the stack's ISN, and a TS ecr is the stack's
// TSval it names (inboundEcr).
func (r *runner) mapInboundOptions(o *tcp.Options) (tcp.Options, error) {
	return remapOptions(o, r.localISN, r.inboundEcr)
}

// inboundEcr maps a non-zero TS ecr of an inbound line to the stack's
// clock as packetdrill's map_inbound_packet does: the TS val the stack
// sent in the segment whose outbound line wrote that value; else, with
// the script's --tcp_ts_ecr_scaled, the value moved by the difference
// between the first pair of such values (a TSecr the stack never sent,
// as a script that tests PAWS writes); else, where packetdrill fails
// the script ("unable to infer live TS ecr"), the last TS val the stack
// sent, as a well-behaved peer would echo.
func (r *runner) inboundEcr(ecr uint32) uint32 {
	if live, ok := r.tsVals[ecr]; ok {
		return live
	}
	if _, scaled := r.s.Option("tcp_ts_ecr_scaled"); scaled && r.tsHaveOne {
		return ecr - r.tsFirst[0] + r.tsFirst[1]
	}
	return r.lastTSVal
}

// noteTSVal records the TS val an outbound line wrote and the one the
// segment it matched carries (packetdrill's set_outbound_ts_val_mapping).
func (r *runner) noteTSVal(p *Packet, h *tcp.Header) {
	want, _, okw := p.Options.Timestamps()
	got, _, okg := h.Options.Timestamps()
	if p.AnyOptions || !okw || !okg {
		return
	}
	if r.tsVals == nil {
		r.tsVals = map[uint32]uint32{}
	}
	r.tsVals[want] = got
	if !r.tsHaveOne {
		r.tsFirst, r.tsHaveOne = [2]uint32{want, got}, true
	}
}

// remapOptions returns o with sackOff added to the edges of its SACK
// blocks and, when echo is not nil, a non-zero TS ecr replaced by
// echo(ecr); every other option as it is.
func remapOptions(o *tcp.Options, sackOff tcp.Seq, echo func(uint32) uint32) (tcp.Options, error) {
	var out tcp.Options
	for opt := range o.All() {
		var err error
		switch {
		case opt.Kind == tcp.OptSACK:
			blocks, n := o.SACK()
			for i := range n {
				blocks[i].Start += sackOff
				blocks[i].End += sackOff
			}
			err = out.AppendSACK(blocks[:n])
		case opt.Kind == tcp.OptTimestamps && echo != nil:
			val, ecr, _ := o.Timestamps()
			if ecr != 0 {
				ecr = echo(ecr)
			}
			err = out.AppendTimestamps(val, ecr)
		case opt.Kind == tcp.OptNOP || opt.Kind == tcp.OptEOL:
			err = out.AppendRaw(opt.Kind, nil)
		default:
			err = out.AppendRaw(opt.Kind, opt.Data)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (r *runner) outbound(l *Line) error {
	lo, hi, any := r.lineTime(l)
	tol := r.cfg.Tolerance
	limit := hi + tol
	r.awaitOutbound(limit)
	for r.cfg.QueueUnmatched && !l.Packet.HasPorts && r.err == nil && r.dropForeign() {
		r.awaitOutbound(limit)
	}
	if r.err != nil {
		return r.err
	}
	if len(r.out) == 0 {
		r.now = max(r.now, limit)
		return r.fail(l, "expected an outbound segment by %s; none was sent", secs(limit))
	}
	o := r.out[0]
	r.out = r.out[1:]
	if !any && (o.at < lo-tol || o.at > hi+tol) {
		return r.failSeg(l, o.seg, o.at, "segment sent at %s, expected at %s (tolerance %s): %s", secs(o.at), secs(lo), tol, r.describe(&o.seg))
	}
	seg, pieces := r.coalesce(l.Packet, o.seg, lo, hi, limit, any)
	if msg := r.match(l.Packet, &seg, pieces > 1); msg != "" {
		return r.failSeg(l, seg, o.at, "%s\n\tgot:    %s", msg, r.describe(&seg))
	}
	r.noteTSVal(l.Packet, &seg.Header)
	r.prev = o.at
	return nil
}

// dropForeign drops the waiting segments, ahead of the first of the
// connection the script talks about, that belong to another (an earlier
// connection's FIN or ACK after the script moved on), as packetdrill's
// sniffer only hands it the socket under test's packets. It reports
// whether it dropped the whole queue.
func (r *runner) dropForeign() bool {
	n := 0
	for n < len(r.out) {
		h := &r.out[n].seg.Header
		if h.SrcPort == r.localPort && h.DstPort == r.remotePort {
			break
		}
		n++
	}
	if n == 0 {
		return false
	}
	r.out = r.out[n:]
	return len(r.out) == 0
}

// coalesce lets one outbound line stand for several segments, as
// packetdrill does without --strict_segments: public scripts are written
// against Linux with TSO/GSO on the tun device, where "P. 1:5841(5840)" is
// one 5840-byte super-packet, and netsim sends MSS-sized segments. When
// first starts at the line's sequence number but carries less than the
// line's payload, the segments that follow it in order, each contiguous
// and sent within the line's time window, are merged into it (payloads
// joined, flags ORed) until the line's length is covered. It returns the
// merged segment and how many segments it took.
func (r *runner) coalesce(p *Packet, first Segment, lo, hi, limit time.Duration, any bool) (Segment, int) {
	if r.strictSegments() || len(first.Payload) == 0 || len(first.Payload) >= int(p.Len) ||
		uint32(first.Header.Seq-r.localISN) != p.Start {
		return first, 1
	}
	seg := first
	seg.Payload = append([]byte(nil), first.Payload...)
	pieces := 1
	tol := r.cfg.Tolerance
	for len(seg.Payload) < int(p.Len) && r.err == nil {
		r.awaitOutbound(limit)
		if len(r.out) == 0 {
			break
		}
		next := r.out[0]
		h := &next.seg.Header
		if len(next.seg.Payload) == 0 || h.Seq != seg.Header.Seq.Add(uint32(len(seg.Payload))) ||
			h.Ack != seg.Header.Ack || len(seg.Payload)+len(next.seg.Payload) > int(p.Len) ||
			(!any && (next.at < lo-tol || next.at > hi+tol)) {
			break
		}
		r.out = r.out[1:]
		seg.Payload = append(seg.Payload, next.seg.Payload...)
		seg.Header.Flags |= h.Flags
		pieces++
	}
	return seg, pieces
}

// strictSegments reports whether the script asks for one segment per
// outbound line (packetdrill's --strict_segments).
func (r *runner) strictSegments() bool {
	_, ok := r.s.Option("strict_segments")
	return ok || r.cfg.StrictSegments
}

// match compares a sent segment with an outbound line and says what
// differs.
// When the segment was coalesced from several, PSH is not compared: Linux
// marks it per super-packet (tcp_mark_push), netsim on the last segment of
// a write.
func (r *runner) match(p *Packet, seg *Segment, coalesced bool) string {
	h := &seg.Header
	ignore := tcp.FlagNS
	if coalesced {
		ignore |= tcp.FlagPSH
	}
	if h.Flags&^ignore != p.Flags&^ignore {
		return fmt.Sprintf("flags %s, want %s", h.Flags, p.Flags)
	}
	got := uint32(h.Seq - r.localISN)
	if p.Flags.Has(tcp.FlagSYN) && h.Flags.Has(tcp.FlagSYN) {
		// As packetdrill (local_seq_script_to_live_offset), the SYN
		// line that opens a connection names our ISN, whatever its
		// value; the connection's other SYNs are offset as it was.
		if r.newLocal {
			r.localISN, r.scriptISN, r.newLocal = h.Seq, tcp.Seq(p.Start), false
			// As packetdrill's per-socket map, TS vals are
			// matched within a connection.
			r.tsVals, r.tsHaveOne = nil, false
		}
		got = uint32(h.Seq - r.localISN + r.scriptISN)
	}
	if got != p.Start {
		return fmt.Sprintf("seq %d, want %d", got, p.Start)
	}
	if len(seg.Payload) != int(p.Len) {
		return fmt.Sprintf("payload length %d, want %d", len(seg.Payload), p.Len)
	}
	ack := h.Ack - r.remoteISN
	if h.Flags.Has(tcp.FlagSYN) {
		// packetdrill's offsets of a SYN's numbers are 0: the ACK of a
		// SYN-ACK is absolute, as the SYN it answers.
		ack = h.Ack
	}
	if p.HasAck && h.Flags.Has(tcp.FlagACK) && uint32(ack) != p.Ack {
		return fmt.Sprintf("ack %d, want %d", uint32(ack), p.Ack)
	}
	if p.HasWin && h.Window != p.Win {
		return fmt.Sprintf("win %d, want %d", h.Window, p.Win)
	}
	if p.HasUrg && h.Urgent != p.Urg {
		return fmt.Sprintf("urg %d, want %d", h.Urgent, p.Urg)
	}
	if !p.AnyOptions {
		opts := h.Options
		if !h.Flags.Has(tcp.FlagSYN) {
			// As packetdrill's tcp_convert_seq_number, the SACK
			// blocks we send are numbered from the peer's ISN, as
			// our ACK is (a SYN's offset is 0).
			var err error
			if opts, err = offsetSACK(&h.Options, -r.remoteISN); err != nil {
				return err.Error()
			}
		}
		if msg := matchOptions(&opts, &p.Options); msg != "" {
			return msg
		}
	}
	return matchIP(p.IP, seg.TOS)
}

// matchIP compares the TOS byte of a sent segment with the IP detail of
// its line: the ECN field when one is written ([ect01] takes either ECT
// codepoint), the whole byte for (tos N). A line without either checks
// nothing, as packetdrill does.
func matchIP(ip *IPInfo, tos uint8) string {
	if ip == nil {
		return ""
	}
	got := ecnOf(tos)
	switch {
	case ip.ECN == ECNECT01 && got != ECNECT0 && got != ECNECT1,
		ip.ECN != ECNUnspecified && ip.ECN != ECNECT01 && got != ip.ECN:
		return fmt.Sprintf("ECN field %s, want %s", got, ip.ECN)
	case ip.HasTOS && tos != ip.TOS:
		return fmt.Sprintf("tos 0x%x, want 0x%x", tos, ip.TOS)
	}
	return ""
}

// matchOptions compares options in wire order. The TSval is the stack's
// clock and is not checked, as packetdrill does by default; everything else
// must be equal.
func matchOptions(got, want *tcp.Options) string {
	var g, w []optKV
	for o := range got.All() {
		g = append(g, optKV{o.Kind, o.Data})
	}
	for o := range want.All() {
		w = append(w, optKV{o.Kind, o.Data})
	}
	bad := func() string {
		return fmt.Sprintf("options <%s>, want <%s>", FormatOptions(got), FormatOptions(want))
	}
	if len(g) != len(w) {
		return bad()
	}
	for i := range g {
		if g[i].Kind != w[i].Kind {
			return bad()
		}
		gd, wd := g[i].Data, w[i].Data
		if g[i].Kind == tcp.OptTimestamps && len(gd) == 8 && len(wd) == 8 {
			gd, wd = gd[4:], wd[4:] // the echo only
		}
		if string(gd) != string(wd) {
			return bad()
		}
	}
	return ""
}

// optKV is an option's kind and data, for comparisons.
type optKV struct {
	Kind uint8
	Data []byte
}

func (r *runner) syscall(l *Line) error {
	prev := r.prev // "...END" counts from it, not from the line's time
	if err := r.arrive(l); err != nil {
		return err
	}
	p := pendingCall{line: l}
	if sc := l.Syscall; sc.Blocking {
		// "...END" is written in the frame of the line's own time.
		p.end, p.hasEnd = sc.End, true
		if l.Time.Kind == TimeRelative || l.Time.Kind == TimeRelativeRange {
			p.end += prev
		}
	}
	ret, errno, blocked, err := r.st.Call(r.now, r.liveCall(l.Syscall))
	if l.Syscall.Name == "listen" && err == nil && ret == 0 {
		r.listening = true
	}
	if blocked && err == nil {
		r.pending = append(r.pending, p)
		r.settle()
		return r.err
	}
	if e := r.checkResult(l, ret, errno, err); e != nil {
		return e
	}
	if e := r.checkEnd(p); e != nil {
		return e
	}
	r.settle()
	return r.err
}

// checkEnd checks when a "...END" call returned.
func (r *runner) checkEnd(p pendingCall) error {
	if !p.hasEnd {
		return nil
	}
	if d := r.now - p.end; d < -r.cfg.Tolerance || d > r.cfg.Tolerance {
		return r.fail(p.line, "%s returned at %s, expected at %s (tolerance %s)", p.line.Syscall.Name, secs(r.now), secs(p.end), r.cfg.Tolerance)
	}
	return nil
}

// checkResult compares a call's result with the line's "= ret ERRNO".
func (r *runner) checkResult(l *Line, ret int64, errno string, err error) error {
	sc := l.Syscall
	if err != nil {
		return r.fail(l, "%s: %v", sc.Name, err)
	}
	if r.newFD(sc, ret) {
		return nil
	}
	if sc.Name == "close" && ret == 0 && len(r.fds) > 0 {
		if fd, ok := evalInt(arg(sc, 0)); ok {
			delete(r.fds, fd)
		}
	}
	if sc.Ret != nil && sc.Ret.Kind == ExprInt && sc.Ret.Int != ret {
		if errno != "" {
			return r.fail(l, "%s returned %d %s, want %s", sc.Name, ret, errno, sc.Ret)
		}
		return r.fail(l, "%s returned %d, want %s", sc.Name, ret, sc.Ret)
	}
	if sc.Errno != "" && sc.Errno != errno {
		return r.fail(l, "%s failed with %q, want %s", sc.Name, errno, sc.Errno)
	}
	return nil
}

// newFD reports whether a call is socket(), accept() or epoll_create()
// with a descriptor written as its result and one returned. Like
// packetdrill (CHECK_FD in run_system_call.c, and
// run_syscall_epoll_create's script and live descriptors), any
// descriptor then matches: the number the script wrote names the one the
// stack returned in the calls that follow (liveCall), since a script may
// count from another first descriptor than the stack (the public ecn/
// scripts write socket() = 4).
func (r *runner) newFD(sc *Syscall, ret int64) bool {
	if sc.Name != "socket" && sc.Name != "accept" && sc.Name != "epoll_create" || sc.Ret == nil || sc.Ret.Kind != ExprInt || sc.Ret.Int < 0 || ret < 0 {
		return false
	}
	if sc.Ret.Int != ret {
		if r.fds == nil {
			r.fds = map[int64]int64{}
		}
		r.fds[sc.Ret.Int] = ret
	} else {
		delete(r.fds, ret)
	}
	return true
}

// liveCall is the call with its descriptor arguments written as the
// stack knows them, when the script numbers them differently (newFD):
// the first argument, epoll_ctl's third (the descriptor it adds, changes
// or removes), and the fd=N of poll's structs and of epoll_ctl's and
// epoll_wait's events (packetdrill's get_epoll_event_from_expr stores
// the live descriptor in the event's data and compares epoll_wait's with
// the script's mapped the same way).
func (r *runner) liveCall(sc *Syscall) *Syscall {
	if len(r.fds) == 0 || sc.Name == "socket" || sc.Name == "epoll_create" || len(sc.Args) == 0 {
		return sc
	}
	// The copy is made once per call: a blocked poll or epoll_wait is
	// known by it when the runner calls it again (Syscalls.waits).
	if c, ok := r.liveCalls[sc]; ok {
		return c
	}
	var c *Syscall
	set := func(i int, e *Expr) {
		if c == nil {
			cp := *sc
			cp.Args = slices.Clone(sc.Args)
			c = &cp
		}
		c.Args[i] = e
	}
	ints := []int{0}
	structs := []int(nil)
	switch sc.Name {
	case "poll":
		ints, structs = nil, []int{0}
	case "epoll_ctl":
		ints, structs = []int{0, 2}, []int{3}
	case "epoll_wait":
		structs = []int{1}
	}
	for _, i := range ints {
		if i < len(sc.Args) && sc.Args[i].Kind == ExprInt {
			if live, ok := r.fds[sc.Args[i].Int]; ok {
				set(i, &Expr{Kind: ExprInt, Int: live})
			}
		}
	}
	for _, i := range structs {
		if i < len(sc.Args) {
			if e := r.liveFDs(sc.Args[i]); e != sc.Args[i] {
				set(i, e)
			}
		}
	}
	if c == nil {
		return sc
	}
	if r.liveCalls == nil {
		r.liveCalls = make(map[*Syscall]*Syscall)
	}
	r.liveCalls[sc] = c
	return c
}

// liveFDs returns e with each fd=N of its structs naming the stack's
// descriptor for the script's N (a copy where one changes).
func (r *runner) liveFDs(e *Expr) *Expr {
	switch e.Kind {
	case ExprList, ExprStruct:
		var c *Expr
		for i, x := range e.Elems {
			if y := r.liveFDs(x); y != x {
				if c == nil {
					cp := *e
					cp.Elems = slices.Clone(e.Elems)
					c = &cp
				}
				c.Elems[i] = y
			}
		}
		if c == nil {
			return e
		}
		return c
	case ExprAssign:
		if len(e.Elems) == 2 && e.Elems[0].Kind == ExprWord && e.Elems[0].Str == "fd" && e.Elems[1].Kind == ExprInt {
			if live, ok := r.fds[e.Elems[1].Int]; ok {
				c := *e
				c.Elems = []*Expr{e.Elems[0], {Kind: ExprInt, Int: live}}
				return &c
			}
		}
	}
	return e
}

func (r *runner) describe(seg *Segment) string {
	// Each side's numbers from its ISN, as the script writes them; the
	// ACK of a SYN-ACK is absolute.
	b := tcp.Bases{Seq: r.localISN, Ack: r.remoteISN}
	if seg.Header.Flags.Has(tcp.FlagSYN) {
		b.Ack = 0
	}
	return ecnPrefix(seg.TOS) + seg.Header.Text(seg.Src.Addr, seg.Dst.Addr, len(seg.Payload), b)
}

// ecnPrefix is how a script writes the ECN field of a segment before its
// flags ("[ect0] "), or nothing for Not-ECT.
func ecnPrefix(tos uint8) string {
	if e := ecnOf(tos); e != ECNNone {
		return "[" + e.String() + "] "
	}
	return ""
}

func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}
