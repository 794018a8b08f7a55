package nodes

import (
	"strconv"

	"github.com/netsimlab/netsim/tcp"
)

// Errno is a socket call's error, numbered and named as on Linux
// (errno(3), asm-generic/errno.h) so that packetdrill scripts and users
// recognise it. It implements error; callers branch with == or errors.Is.
type Errno uint16

// The errors the socket API returns, with their Linux numbers.
const (
	EBADF         Errno = 9   // not an open descriptor
	EAGAIN        Errno = 11  // would block: no data to read, no room to write, no connection to accept
	EINVAL        Errno = 22  // an argument or a call order that makes no sense
	EMFILE        Errno = 24  // no descriptor left
	EPIPE         Errno = 32  // write after shutdown(SHUT_WR) or after the connection failed
	ENOTSOCK      Errno = 88  // the descriptor is not a socket
	ENOPROTOOPT   Errno = 92  // unknown socket option
	EOPNOTSUPP    Errno = 95  // the operation is not supported on this socket
	EAFNOSUPPORT  Errno = 97  // not an IPv4 address
	EADDRINUSE    Errno = 98  // the local address and port are taken
	EADDRNOTAVAIL Errno = 99  // the address is not one of the host's, or no ephemeral port is free
	ENETUNREACH   Errno = 101 // no route to the destination network
	ECONNABORTED  Errno = 103 // the connection was aborted locally
	ECONNRESET    Errno = 104 // the peer reset the connection
	EISCONN       Errno = 106 // the socket is already connected
	ENOTCONN      Errno = 107 // the socket is not connected
	ETIMEDOUT     Errno = 110 // retransmissions ran out
	ECONNREFUSED  Errno = 111 // the peer answered the SYN with a RST
	EALREADY      Errno = 114 // a connect is already in progress
	EINPROGRESS   Errno = 115 // the connect started; completion is reported later
)

var errnoInfo = map[Errno][2]string{
	EBADF:         {"EBADF", "Bad file descriptor"},
	EAGAIN:        {"EAGAIN", "Resource temporarily unavailable"},
	EINVAL:        {"EINVAL", "Invalid argument"},
	EMFILE:        {"EMFILE", "Too many open files"},
	EPIPE:         {"EPIPE", "Broken pipe"},
	ENOTSOCK:      {"ENOTSOCK", "Socket operation on non-socket"},
	ENOPROTOOPT:   {"ENOPROTOOPT", "Protocol not available"},
	EOPNOTSUPP:    {"EOPNOTSUPP", "Operation not supported"},
	EAFNOSUPPORT:  {"EAFNOSUPPORT", "Address family not supported by protocol"},
	EADDRINUSE:    {"EADDRINUSE", "Address already in use"},
	EADDRNOTAVAIL: {"EADDRNOTAVAIL", "Cannot assign requested address"},
	ENETUNREACH:   {"ENETUNREACH", "Network is unreachable"},
	ECONNABORTED:  {"ECONNABORTED", "Software caused connection abort"},
	ECONNRESET:    {"ECONNRESET", "Connection reset by peer"},
	EISCONN:       {"EISCONN", "Transport endpoint is already connected"},
	ENOTCONN:      {"ENOTCONN", "Transport endpoint is not connected"},
	ETIMEDOUT:     {"ETIMEDOUT", "Connection timed out"},
	ECONNREFUSED:  {"ECONNREFUSED", "Connection refused"},
	EALREADY:      {"EALREADY", "Operation already in progress"},
	EINPROGRESS:   {"EINPROGRESS", "Operation now in progress"},
}

// String returns the symbolic name ("ECONNREFUSED").
func (e Errno) String() string {
	if i, ok := errnoInfo[e]; ok {
		return i[0]
	}
	return "ERRNO(" + strconv.Itoa(int(e)) + ")"
}

// Error returns the name and the strerror text, as packetdrill prints
// them: "ECONNREFUSED (Connection refused)".
func (e Errno) Error() string {
	if i, ok := errnoInfo[e]; ok {
		return i[0] + " (" + i[1] + ")"
	}
	return e.String()
}

// fromTCP maps a connection's error to the socket errno.
func fromTCP(e tcp.Errno) Errno {
	switch e {
	case tcp.ECONNREFUSED:
		return ECONNREFUSED
	case tcp.ETIMEDOUT:
		return ETIMEDOUT
	case tcp.ECONNRESET:
		return ECONNRESET
	case tcp.EPIPE:
		return EPIPE
	case tcp.ENOTCONN:
		return ENOTCONN
	case tcp.EISCONN:
		return EISCONN
	case tcp.EAGAIN:
		return EAGAIN
	case tcp.ECONNABORTED:
		return ECONNABORTED
	}
	return EINVAL
}
