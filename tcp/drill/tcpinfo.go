package drill

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// TCPInfo is what getsockopt(TCP_INFO) would report about the connection a
// script talks about, for the %{ assert tcpi_... }% lines netsim can
// evaluate.
type TCPInfo struct {
	State tcp.State
	// Stats are the connection's counters and congestion state.
	Stats tcp.Stats
	// Options is tcpi_options (tcp.Conn.InfoOptions).
	Options uint8
}

// TCPInfoStack is a Stack that can report TCPInfo: the runner then
// evaluates code blocks made only of simple assertions on the fields
// TCPInfoFields lists, instead of skipping them.
type TCPInfoStack interface {
	Stack
	// TCPInfo describes the newest connection, false when there is none.
	TCPInfo() (TCPInfo, bool)
}

// linuxInfiniteSsthresh is what Linux reports for an ssthresh never set
// (TCP_INFINITE_SSTHRESH).
const linuxInfiniteSsthresh = 0x7fffffff

// tcpiFields are the tcp_info fields netsim evaluates, in Linux's units.
var tcpiFields = map[string]func(i *TCPInfo) int64{
	// tcpi_snd_cwnd and tcpi_snd_ssthresh count segments of tcpi_snd_mss.
	"tcpi_snd_cwnd": func(i *TCPInfo) int64 { return int64(i.Stats.Cwnd / max(i.Stats.MSS, 1)) },
	"tcpi_snd_ssthresh": func(i *TCPInfo) int64 {
		if i.Stats.Ssthresh >= tcp.InfiniteSsthresh {
			return linuxInfiniteSsthresh
		}
		return int64(i.Stats.Ssthresh / max(i.Stats.MSS, 1))
	},
	"tcpi_snd_mss":       func(i *TCPInfo) int64 { return int64(i.Stats.MSS) },
	"tcpi_rto":           func(i *TCPInfo) int64 { return int64(i.Stats.RTO / time.Microsecond) },
	"tcpi_rtt":           func(i *TCPInfo) int64 { return int64(i.Stats.SRTT / time.Microsecond) },
	"tcpi_total_retrans": func(i *TCPInfo) int64 { return int64(i.Stats.Retransmits) },
	"tcpi_state":         func(i *TCPInfo) int64 { return linuxState(i.State) },
	// tcp.CAState keeps Linux's numbers (enum tcp_ca_state).
	"tcpi_ca_state": func(i *TCPInfo) int64 { return int64(i.Stats.CAState) },
	// The delivery-rate estimator (Linux tcp_rate.c): segments delivered,
	// the latest rate in bytes per second and whether it was
	// application-limited.
	"tcpi_delivered":     func(i *TCPInfo) int64 { return i.Stats.DeliveredSegments },
	"tcpi_delivery_rate": func(i *TCPInfo) int64 { return i.Stats.DeliveryRate },
	"tcpi_delivery_rate_app_limited": func(i *TCPInfo) int64 {
		if i.Stats.DeliveryRateAppLimited {
			return 1
		}
		return 0
	},
	"tcpi_min_rtt":     func(i *TCPInfo) int64 { return int64(i.Stats.RTTMin / time.Microsecond) },
	"tcpi_pacing_rate": func(i *TCPInfo) int64 { return i.Stats.PacingRate },
	// The sender's chronographs in µs (Linux's tcp_get_info_chrono_stats):
	// time with data to send, and of it the time the peer's window and the
	// send buffer held it back.
	"tcpi_busy_time":      func(i *TCPInfo) int64 { return int64(i.Stats.BusyTime / time.Microsecond) },
	"tcpi_rwnd_limited":   func(i *TCPInfo) int64 { return int64(i.Stats.RwndLimited / time.Microsecond) },
	"tcpi_sndbuf_limited": func(i *TCPInfo) int64 { return int64(i.Stats.SndbufLimited / time.Microsecond) },
	// The options the connection negotiated (Linux's tcp_get_info),
	// tested with the TCPI_OPT_* bits of tcpiOptBits.
	"tcpi_options": func(i *TCPInfo) int64 { return int64(i.Options) },
}

// tcpiOptBits are the TCPI_OPT_* names a block may test tcpi_options with:
// those tcp.Conn.InfoOptions reports (a block naming another, such as
// TCPI_OPT_ECN_SEEN, is skipped).
var tcpiOptBits = map[string]int64{
	"TCPI_OPT_TIMESTAMPS": tcp.TCPIOptTimestamps, "TCPI_OPT_SACK": tcp.TCPIOptSACK,
	"TCPI_OPT_WSCALE": tcp.TCPIOptWScale, "TCPI_OPT_ECN": tcp.TCPIOptECN, "TCPI_OPT_SYN_DATA": tcp.TCPIOptSynData,
}

// linuxStates are Linux's TCP state numbers (include/net/tcp_states.h),
// which tcpi_state reports and scripts compare with by name.
var linuxStates = map[string]int64{
	"TCP_ESTABLISHED": 1, "TCP_SYN_SENT": 2, "TCP_SYN_RECV": 3, "TCP_FIN_WAIT1": 4,
	"TCP_FIN_WAIT2": 5, "TCP_TIME_WAIT": 6, "TCP_CLOSE": 7, "TCP_CLOSE_WAIT": 8,
	"TCP_LAST_ACK": 9, "TCP_LISTEN": 10, "TCP_CLOSING": 11,
}

// linuxCAStates are Linux's congestion-avoidance states (enum
// tcp_ca_state), which tcpi_ca_state reports.
var linuxCAStates = map[string]int64{
	"TCP_CA_Open": int64(tcp.CAOpen), "TCP_CA_Disorder": int64(tcp.CADisorder), "TCP_CA_CWR": int64(tcp.CACWR),
	"TCP_CA_Recovery": int64(tcp.CARecovery), "TCP_CA_Loss": int64(tcp.CALoss),
}

func linuxState(s tcp.State) int64 {
	switch s {
	case tcp.Established:
		return 1
	case tcp.SynSent:
		return 2
	case tcp.SynReceived:
		return 3
	case tcp.FinWait1:
		return 4
	case tcp.FinWait2:
		return 5
	case tcp.TimeWait:
		return 6
	case tcp.CloseWait:
		return 8
	case tcp.LastAck:
		return 9
	case tcp.Listen:
		return 10
	case tcp.Closing:
		return 11
	}
	return 7 // TCP_CLOSE
}

// TCPInfoFields returns the tcp_info fields a code block may assert on,
// in sorted order: the names of tcpiFields, so that the list cannot miss
// one the runner evaluates.
func TCPInfoFields() []string {
	return slices.Sorted(maps.Keys(tcpiFields))
}

// tcpiAssert is one "assert LHS OP RHS" of a code block.
type tcpiAssert struct {
	lhs, op, rhs string
	text         string
}

// parseTCPInfoCode reads a code block made only of assertions comparing
// tcp_info fields, integers and state names ("assert tcpi_snd_cwnd == 10,
// tcpi_snd_cwnd"); ok is false for anything else, which is skipped.
func parseTCPInfoCode(code string) (out []tcpiAssert, ok bool) {
	for _, stmt := range strings.FieldsFunc(code, func(r rune) bool { return r == '\n' || r == ';' }) {
		// A backslash ends a Python line that continues on the next.
		stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stmt), "\\"))
		if stmt == "" || strings.HasPrefix(stmt, "#") {
			continue
		}
		rest, found := strings.CutPrefix(stmt, "assert ")
		if !found {
			return nil, false
		}
		rest, _, _ = strings.Cut(rest, ",") // the message printed on failure
		chain, ok := parseComparison(strings.TrimSpace(rest))
		if !ok {
			return nil, false
		}
		out = append(out, chain...)
	}
	return out, len(out) > 0
}

// parseComparison reads "A OP B" or a Python chain "A OP B OP C" (which
// means A OP B and B OP C, as in "98000 <= tcpi_rwnd_limited <= 110000")
// into one tcpiAssert per comparison.
func parseComparison(text string) (out []tcpiAssert, ok bool) {
	lhs, rest := "", text
	for {
		at, op := -1, ""
		for i := 0; i < len(rest) && at < 0; i++ {
			for _, o := range []string{"==", "!=", "<=", ">=", "<", ">"} {
				if strings.HasPrefix(rest[i:], o) {
					at, op = i, o
					break
				}
			}
		}
		if at < 0 {
			if lhs == "" || !tcpiOperand(strings.TrimSpace(rest)) {
				return nil, false
			}
			out[len(out)-1].rhs = strings.TrimSpace(rest)
			return out, true
		}
		operand := strings.TrimSpace(rest[:at])
		if !tcpiOperand(operand) {
			return nil, false
		}
		if len(out) > 0 {
			out[len(out)-1].rhs = operand
		}
		out = append(out, tcpiAssert{lhs: operand, op: op, text: text})
		lhs, rest = operand, rest[at+len(op):]
	}
}

// tcpiOperand reports whether s is an operand a block may use.
func tcpiOperand(s string) bool {
	_, ok := tcpiResolve(s, nil)
	return ok
}

// tcpiValue returns operand s's value for info.
func tcpiValue(s string, info *TCPInfo) int64 {
	v, _ := tcpiResolve(s, info)
	return v
}

// tcpiResolve returns the value of operand s for info and whether s is
// an operand: a tcp_info field, a TCPI_OPT_* bit, a state name, an
// integer, or "(A & B)" of two of them. With info nil it only checks s.
func tcpiResolve(s string, info *TCPInfo) (int64, bool) {
	if a, b, ok := bitAnd(s); ok {
		x, okx := tcpiResolve(a, info)
		y, oky := tcpiResolve(b, info)
		return x & y, okx && oky
	}
	if f, ok := tcpiFields[s]; ok {
		if info == nil {
			return 0, true
		}
		return f(info), true
	}
	for _, names := range [...]map[string]int64{tcpiOptBits, linuxStates, linuxCAStates} {
		if v, ok := names[s]; ok {
			return v, true
		}
	}
	v, err := strconv.ParseInt(s, 0, 64)
	return v, err == nil
}

// bitAnd splits a parenthesized "(A & B)", the form scripts test
// tcpi_options bits with ("(tcpi_options & TCPI_OPT_SYN_DATA) != 0").
func bitAnd(s string) (a, b string, ok bool) {
	inner, found := strings.CutPrefix(s, "(")
	if !found {
		return "", "", false
	}
	inner, found = strings.CutSuffix(inner, ")")
	if !found {
		return "", "", false
	}
	a, b, found = strings.Cut(inner, "&")
	if !found {
		return "", "", false
	}
	return strings.TrimSpace(a), strings.TrimSpace(b), true
}

// Evaluable reports whether the runner evaluates code line l on a stack
// that reports TCPInfo: a timed block of assertions on TCPInfoFields.
func Evaluable(l *Line) bool {
	if l.Kind != LineCode || l.Time.Kind == TimeNone {
		return false
	}
	_, ok := parseTCPInfoCode(l.Code)
	return ok
}

// code plays a %{ }% line at its time: on a TCPInfoStack a block of
// assertions on tcp_info fields is checked, anything else is skipped.
func (r *runner) code(l *Line) error {
	is, isInfo := r.st.(TCPInfoStack)
	if !isInfo || !Evaluable(l) {
		// Skipped, but its time still passes: packetdrill waits for every
		// timed event, and the next relative time counts from it.
		return r.arrive(l)
	}
	asserts, _ := parseTCPInfoCode(l.Code)
	if err := r.arrive(l); err != nil {
		return err
	}
	// The stack's clock moves only at its own deadlines; tcp_info's
	// times (tcpi_busy_time ...) are read at the line's time.
	r.st.Tick(r.now)
	info, have := is.TCPInfo()
	if !have {
		return r.fail(l, "tcp_info: no connection to describe")
	}
	for _, a := range asserts {
		lv, rv := tcpiValue(a.lhs, &info), tcpiValue(a.rhs, &info)
		var holds bool
		switch a.op {
		case "==":
			holds = lv == rv
		case "!=":
			holds = lv != rv
		case "<=":
			holds = lv <= rv
		case ">=":
			holds = lv >= rv
		case "<":
			holds = lv < rv
		case ">":
			holds = lv > rv
		}
		if !holds {
			return r.fail(l, "tcp_info: assert %s failed: %s is %d, %s is %d", a.text, a.lhs, lv, a.rhs, rv)
		}
	}
	return nil
}
