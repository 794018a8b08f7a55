package drill

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Recorder is a Stack that passes every call to the stack under test and
// remembers the segments it sent, with their times. Report uses it to
// write the actual segment in the script's notation; with Log set it
// prints every step as it runs (netsim drill --verbose).
type Recorder struct {
	Stack
	// Log, when not nil, receives one line per step.
	Log io.Writer
	// Sent holds every segment the stack sent, oldest first.
	Sent []Sent
	now  time.Duration
	// localISN is the stack's ISN, from its first SYN, so that numbers
	// print relative as the script writes them.
	localISN tcp.Seq
	haveISN  bool
	// remoteISN is the peer's, from the latest SYN the script sent.
	remoteISN tcp.Seq
	// waiting holds the blocking calls already logged as blocked.
	waiting map[*Syscall]bool
}

// Sent is a segment the stack sent, and when.
type Sent struct {
	At  time.Duration
	Seg Segment
}

// NewRecorder wraps st.
func NewRecorder(st Stack, log io.Writer) *Recorder { return &Recorder{Stack: st, Log: log} }

func (r *Recorder) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}

// TCPInfo implements TCPInfoStack when the wrapped stack does, so that
// recording a run does not hide tcp_info from the runner.
func (r *Recorder) TCPInfo() (TCPInfo, bool) {
	if is, ok := r.Stack.(TCPInfoStack); ok {
		return is.TCPInfo()
	}
	return TCPInfo{}, false
}

// Call implements Stack.
func (r *Recorder) Call(now time.Duration, call *Syscall) (int64, string, bool, error) {
	r.now = now
	ret, errno, blocked, err := r.Stack.Call(now, call)
	if r.Log != nil {
		var b strings.Builder
		b.WriteString(call.Name + "(")
		writeExprs(&b, call.Args)
		b.WriteString(")")
		if !blocked {
			delete(r.waiting, call)
		}
		switch {
		case err != nil:
			r.logf("%s %s: %v", secs(now), b.String(), err)
		case blocked:
			if !r.waiting[call] {
				if r.waiting == nil {
					r.waiting = make(map[*Syscall]bool)
				}
				r.waiting[call] = true
				r.logf("%s %s blocks", secs(now), b.String())
			}
		case errno != "":
			r.logf("%s %s returned %d %s", secs(now), b.String(), ret, errno)
		default:
			r.logf("%s %s returned %d", secs(now), b.String(), ret)
		}
	}
	return ret, errno, blocked, err
}

// Inject implements Stack.
func (r *Recorder) Inject(now time.Duration, seg *Segment) {
	r.now = now
	if seg.Header.Flags.Has(tcp.FlagSYN) {
		r.remoteISN = seg.Header.Seq
	}
	r.logf("%s < %s", secs(now), r.Format(seg, Inbound))
	r.Stack.Inject(now, seg)
}

// InjectICMP implements ICMPStack, logging the message, when the wrapped
// stack takes ICMP errors; on another stack it does nothing (the runner
// fails the line before it gets here, as it asks the Recorder, which is
// always an ICMPStack: see Unwrap).
func (r *Recorder) InjectICMP(now time.Duration, m *ICMPError) {
	r.now = now
	is, ok := r.Stack.(ICMPStack)
	if !ok {
		return
	}
	r.logf("%s < icmp %d/%d mtu %d quoting %s", secs(now), m.Type, m.Code, m.MTU, r.Format(&m.Quoted, Outbound))
	is.InjectICMP(now, m)
}

// Unwrap returns the stack under test.
func (r *Recorder) Unwrap() Stack { return r.Stack }

// Tick implements Stack.
func (r *Recorder) Tick(now time.Duration) {
	r.now = now
	r.Stack.Tick(now)
}

// Drain implements Stack.
func (r *Recorder) Drain(fn func(seg *Segment)) {
	r.Stack.Drain(func(seg *Segment) {
		c := *seg
		c.Payload = append([]byte(nil), seg.Payload...)
		if !r.haveISN && c.Header.Flags.Has(tcp.FlagSYN) ||
			c.Header.Flags&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN && c.Header.Seq != r.localISN {
			// Our first SYN, or one that opens another connection.
			r.localISN, r.haveISN = c.Header.Seq, true
		}
		r.Sent = append(r.Sent, Sent{At: r.now, Seg: c})
		r.logf("%s > %s", secs(r.now), r.Format(&c, Outbound))
		fn(seg)
	})
}

// Format writes a segment in the script's notation: flags,
// start:end(len), ack, win and options, with each side's sequence numbers
// (SACK blocks included) relative to its ISN, the stack's from its SYN
// and the peer's from the latest SYN the script sent, as packetdrill
// numbers them; a SYN's own number and the ACK of a SYN-ACK are
// absolute. dir says which way it went: Inbound for one the script
// injected.
func (r *Recorder) Format(seg *Segment, dir Direction) string {
	h := &seg.Header
	seq, ack := uint32(h.Seq), uint32(h.Ack)
	syn := h.Flags.Has(tcp.FlagSYN)
	if dir == Outbound {
		seq = uint32(h.Seq - r.localISN)
		if !syn {
			ack = uint32(h.Ack - r.remoteISN)
		}
	} else {
		ack = uint32(h.Ack - r.localISN)
		if !syn {
			seq = uint32(h.Seq - r.remoteISN)
		}
	}
	var b strings.Builder
	flags := string(tcp.AppendFlags(nil, h.Flags&^tcp.FlagNS))
	if h.Flags&^tcp.FlagNS == 0 {
		flags = "-"
	}
	n := uint32(len(seg.Payload))
	fmt.Fprintf(&b, "%s%s %d:%d(%d)", ecnPrefix(seg.TOS), flags, seq, seq+n, n)
	if h.Flags.Has(tcp.FlagACK) {
		fmt.Fprintf(&b, " ack %d", ack)
	}
	fmt.Fprintf(&b, " win %d", h.Window)
	if h.Flags.Has(tcp.FlagURG) {
		fmt.Fprintf(&b, " urg %d", h.Urgent)
	}
	if h.Options.Len() > 0 {
		o := h.Options
		// SACK blocks of inbound segments acknowledge the stack's data
		// and are relative to its ISN; those it sends cover the peer's
		// data, relative to the peer's.
		if dir == Inbound {
			b.WriteString(" <" + FormatOptions(relativeSACK(&o, r.localISN)) + ">")
		} else {
			b.WriteString(" <" + FormatOptions(relativeSACK(&o, r.remoteISN)) + ">")
		}
	}
	return b.String()
}

// relativeSACK returns o with its SACK blocks made relative to isn, as a
// script writes them.
func relativeSACK(o *tcp.Options, isn tcp.Seq) *tcp.Options {
	// The options keep their lengths, so they fit as they did: no error.
	out, _ := remapOptions(o, -isn, nil)
	return &out
}

// Skipped counts the lines a run skips: backtick shell commands, and
// %{ }% code blocks except, when tcpInfo is set (the stack is a
// TCPInfoStack), the tcp_info assertions the runner evaluates.
func Skipped(s *Script, tcpInfo bool) (commands, code int) {
	for _, l := range s.Lines {
		switch {
		case l.Kind == LineCommand:
			commands++
		case l.Kind == LineCode && !(tcpInfo && Evaluable(l)):
			code++
		}
	}
	return commands, code
}

// Report writes a failed run the way packetdrill does: FILE:LINE and what
// went wrong, the script's line, and for a segment the actual one in the
// same notation (rec, the Recorder the run went through, knows the ISN
// that numbers are relative to) with its time and how far it was from the
// line's time. A non-run error (a parse error, a bad setting) is written
// as it is.
func Report(w io.Writer, s *Script, err error, rec *Recorder, cfg RunConfig) {
	var re *RunError
	if !errors.As(err, &re) || s == nil {
		fmt.Fprintln(w, err)
		return
	}
	var line *Line
	for _, l := range s.Lines {
		if l.Num == re.Line && l.Text == re.Text {
			line = l
			break
		}
	}
	msg, _, _ := strings.Cut(re.Msg, "\n")
	// The actual segment is shown below in the script's notation: drop
	// the runner's tcpdump-style copy of it.
	if strings.HasPrefix(msg, "segment sent at ") {
		if i := strings.Index(msg, "): "); i >= 0 {
			msg = msg[:i+1]
		}
	}
	if strings.HasPrefix(msg, "unexpected outbound segment at ") {
		if i := strings.Index(msg[len("unexpected outbound segment at "):], ": "); i >= 0 {
			msg = msg[:len("unexpected outbound segment at ")+i]
		}
	}
	what := "error handling system call"
	switch {
	case line != nil && line.Kind == LinePacket:
		what = "error handling packet"
	case line != nil && line.Kind == LineCode:
		what = "error handling code block"
	}
	fmt.Fprintf(w, "%s:%d: %s: %s\n", re.File, re.Line, what, msg)
	if line == nil {
		fmt.Fprintf(w, "script line:    %s\n", re.Text)
		return
	}
	if line.Kind == LinePacket {
		fmt.Fprintf(w, "script packet:  %s %s\n", secs(re.LineAt), packetNotation(line.Packet))
	} else {
		fmt.Fprintf(w, "script line:    %s\n", re.Text)
	}
	outbound := line.Kind == LinePacket && line.Packet.Dir == Outbound
	switch {
	case re.Actual != nil && rec != nil && (outbound || strings.HasPrefix(msg, "unexpected outbound segment")):
		fmt.Fprintf(w, "actual packet:  %s %s\n", secs(re.ActualAt), rec.Format(re.Actual, Outbound))
		fmt.Fprintf(w, "time difference: %s s (actual - script)\n", signedSecs(re.ActualAt-re.LineAt))
	case outbound:
		fmt.Fprintf(w, "actual packet:  (none sent within the tolerance, %s s)\n", secs(cfg.Tolerance))
	}
}

// packetNotation is the packet line without its direction, as packetdrill
// prints a script packet.
func packetNotation(p *Packet) string {
	return strings.TrimPrefix(strings.TrimPrefix(p.String(), p.Dir.String()), " ")
}

func signedSecs(d time.Duration) string {
	if d < 0 {
		return "-" + secs(-d)
	}
	return "+" + secs(d)
}
