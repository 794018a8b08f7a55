package drill

import (
	"strconv"

	"github.com/netsimlab/netsim/tcp"
)

// The socket option levels and names Sockets.SetSockOpt and GetSockOpt
// take: Linux's numbers (asm-generic/socket.h, netinet/tcp.h).
const (
	solSocket      = 1
	ipprotoTCP     = 6
	soReuseAddr    = 2
	soError        = 4
	soSndBuf       = 7
	soRcvBuf       = 8
	soZerocopy     = 60
	soMark         = 36 // SO_MARK
	soTimestamping = 37
	tcpNoDelay     = 1
	tcpMaxSeg      = 2
	tcpCork        = 3
	tcpUserTO      = 18 // TCP_USER_TIMEOUT
	tcpNotsent     = 25 // TCP_NOTSENT_LOWAT
	tcpInq         = 36 // TCP_INQ, and TCP_CM_INQ its control message
	tcpFastOpen    = 23 // TCP_FASTOPEN
	tcpFastOpenCon = 30 // TCP_FASTOPEN_CONNECT
	tcpSynCnt      = 7  // TCP_SYNCNT
	soKeepalive    = 9  // SO_KEEPALIVE
	tcpKeepIdle    = 4  // TCP_KEEPIDLE
	tcpKeepIntvl   = 5  // TCP_KEEPINTVL
	tcpKeepCnt     = 6  // TCP_KEEPCNT
	solIP          = 0
	ipTOS          = 1
	ipMTUDisc      = 10
	siocInq        = 0x541B // SIOCINQ (FIONREAD), which a read with a NULL buffer asks too
)

// Linux's values of the symbols scripts write in system-call arguments
// (x86_64 uapi headers), so that "O_RDWR|O_NONBLOCK" and "[ECONNREFUSED]"
// evaluate as the kernel would see them.
var symbols = map[string]int64{
	"AF_INET": 2, "PF_INET": 2, "AF_INET6": 10, "PF_INET6": 10,
	"SOCK_STREAM": 1, "SOCK_DGRAM": 2, "SOCK_NONBLOCK": 0x800,
	"IPPROTO_IP": 0, "IPPROTO_TCP": ipprotoTCP, "IPPROTO_UDP": 17, "SOL_SOCKET": solSocket, "SOL_TCP": ipprotoTCP,
	"SO_REUSEADDR": soReuseAddr, "SO_ERROR": soError, "SO_SNDBUF": soSndBuf, "SO_RCVBUF": soRcvBuf, "SO_LINGER": 13,
	"TCP_NODELAY": tcpNoDelay, "TCP_MAXSEG": tcpMaxSeg, "TCP_CORK": tcpCork, "TCP_USER_TIMEOUT": tcpUserTO, "TCP_NOTSENT_LOWAT": tcpNotsent, "TCP_INQ": tcpInq, "TCP_CM_INQ": tcpInq, "TCP_FASTOPEN": tcpFastOpen, "TCP_FASTOPEN_CONNECT": tcpFastOpenCon, "TCP_SYNCNT": tcpSynCnt, "SO_KEEPALIVE": soKeepalive, "TCP_KEEPIDLE": tcpKeepIdle, "TCP_KEEPINTVL": tcpKeepIntvl, "TCP_KEEPCNT": tcpKeepCnt, "MSG_FASTOPEN": 0x20000000, "SOL_IP": solIP, "IP_TOS": ipTOS, "IP_MTU_DISCOVER": ipMTUDisc,
	"IP_PMTUDISC_DONT": 0, "IP_PMTUDISC_WANT": 1, "IP_PMTUDISC_DO": 2, "IP_PMTUDISC_PROBE": 3, "IP_PMTUDISC_INTERFACE": 4, "IP_PMTUDISC_OMIT": 5,
	"F_GETFL": 3, "F_SETFL": 4, "O_RDONLY": 0, "O_WRONLY": 1, "O_RDWR": 2, "O_NONBLOCK": 0x800,
	"SHUT_RD": 0, "SHUT_WR": 1, "SHUT_RDWR": 2,
	"POLLIN": 0x1, "POLLPRI": 0x2, "POLLOUT": 0x4, "POLLERR": 0x8, "POLLHUP": 0x10,
	"POLLNVAL": 0x20, "POLLRDNORM": 0x40, "POLLWRNORM": 0x100, "POLLRDHUP": 0x2000,
	"MSG_DONTWAIT": 0x40, "MSG_NOSIGNAL": 0x4000, "MSG_MORE": 0x8000, "MSG_EOR": 0x80,
	"SIOCINQ": siocInq, "FIONREAD": siocInq, "SIOCOUTQ": 0x5411, "TIOCOUTQ": 0x5411, "SIOCOUTQNSD": 0x894B,
	"NULL": 0, "SO_ZEROCOPY": soZerocopy, "SO_MARK": soMark, "MSG_ZEROCOPY": 0x4000000, "MSG_ERRQUEUE": 0x2000,
	"CMSG_LEVEL_IP": solIP, "CMSG_TYPE_RECVERR": 11, "SO_EE_ORIGIN_ZEROCOPY": 5, "SO_EE_CODE_ZEROCOPY_COPIED": 1,
	"EPOLLEXCLUSIVE": 1 << 28, "SO_TIMESTAMPING": soTimestamping, "SCM_TIMESTAMPING": soTimestamping,
	"SOF_TIMESTAMPING_TX_SOFTWARE": 1 << 1, "SOF_TIMESTAMPING_SOFTWARE": 1 << 4, "SOF_TIMESTAMPING_OPT_ID": 1 << 7,
	"SOF_TIMESTAMPING_TX_SCHED": 1 << 8, "SOF_TIMESTAMPING_TX_ACK": 1 << 9, "SO_EE_ORIGIN_TIMESTAMPING": 4,
	"SCM_TSTAMP_SND": 0, "SCM_TSTAMP_SCHED": 1, "SCM_TSTAMP_ACK": 2, "MSG_TRUNC": 0x20,
	"EPOLLIN": 0x1, "EPOLLPRI": 0x2, "EPOLLOUT": 0x4, "EPOLLERR": 0x8, "EPOLLHUP": 0x10, "EPOLLRDNORM": 0x40,
	"EPOLLWRNORM": 0x100, "EPOLLRDHUP": 0x2000, "EPOLLONESHOT": 1 << 30, "EPOLLET": 1 << 31,
	"EPOLL_CTL_ADD": 1, "EPOLL_CTL_DEL": 2, "EPOLL_CTL_MOD": 3,
}

func init() {
	for _, e := range tcp.Errnos() {
		symbols[e.String()] = int64(e)
	}
}

// evalInt evaluates an integer argument: a number, a known symbol, an OR
// of them, or a one-element array ("[1]", as setsockopt values are
// written). ok is false for anything else ("...", a string, an unknown
// symbol).
func evalInt(e *Expr) (v int64, ok bool) {
	if e == nil {
		return 0, false
	}
	switch e.Kind {
	case ExprInt:
		return e.Int, true
	case ExprWord:
		v, ok := symbols[e.Str]
		return v, ok
	case ExprOr:
		for _, x := range e.Elems {
			xv, ok := evalInt(x)
			if !ok {
				return 0, false
			}
			v |= xv
		}
		return v, true
	case ExprList:
		if len(e.Elems) == 1 {
			return evalInt(e.Elems[0])
		}
	}
	return 0, false
}

// structField returns the value of name=value in a struct expression
// ("{fd=3, events=POLLIN}"), also accepting a prefixed name ("l_onoff" for
// "onoff").
func structField(e *Expr, names ...string) (*Expr, bool) {
	if e == nil || e.Kind != ExprStruct {
		return nil, false
	}
	for _, a := range e.Elems {
		if a.Kind != ExprAssign || len(a.Elems) != 2 || a.Elems[0].Kind != ExprWord {
			continue
		}
		for _, n := range names {
			if a.Elems[0].Str == n {
				return a.Elems[1], true
			}
		}
	}
	return nil, false
}

// pollNames writes poll bits as the symbols scripts use.
func pollNames(v int64) string {
	names := []string{"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL", "POLLRDNORM", "POLLWRNORM", "POLLRDHUP"}
	s := ""
	for _, n := range names {
		if b := symbols[n]; v&b != 0 {
			if s != "" {
				s += "|"
			}
			s += n
			v &^= b
		}
	}
	if v != 0 || s == "" {
		if s != "" {
			s += "|"
		}
		s += "0x" + strconv.FormatInt(v, 16)
	}
	return s
}
