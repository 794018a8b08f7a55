package tcp

// Errno is an error a connection or a socket call reports, numbered and
// named as on Linux (errno(3), asm-generic/errno.h) so that packetdrill
// scripts and users recognise it. It is the one errno type of netsim: the
// socket layer (package nodes) returns the same values. It implements
// error; callers branch with == or errors.Is.
type Errno uint16

// The errors connections and the socket API report, with their Linux
// numbers.
const (
	ENOENT        Errno = 2   // epoll_ctl names a descriptor the epoll instance does not watch
	EBADF         Errno = 9   // not an open descriptor
	EAGAIN        Errno = 11  // would block: no data to read, no room to write, no connection to accept
	EFAULT        Errno = 14  // a buffer the call must read or write is not the application's memory
	EEXIST        Errno = 17  // epoll_ctl adds a descriptor the epoll instance already watches
	EINVAL        Errno = 22  // an argument or a call order that makes no sense
	EMFILE        Errno = 24  // no descriptor left
	ENOTTY        Errno = 25  // an ioctl request the descriptor does not know
	EPIPE         Errno = 32  // write after shutdown of the write side or after the connection failed
	ENOMSG        Errno = 42  // the errno of a transmit timestamp on the error queue (no error)
	ENOTSOCK      Errno = 88  // the descriptor is not a socket
	EDESTADDRREQ  Errno = 89  // a send on an unconnected datagram socket names no destination
	EMSGSIZE      Errno = 90  // a datagram larger than the path MTU with Don't Fragment, or than 65507 bytes
	ENOPROTOOPT   Errno = 92  // unknown socket option
	EOPNOTSUPP    Errno = 95  // the operation is not supported on this socket
	EAFNOSUPPORT  Errno = 97  // not an IPv4 address
	EADDRINUSE    Errno = 98  // the local address and port are taken
	EADDRNOTAVAIL Errno = 99  // the address is not one of the host's, or no ephemeral port is free
	ENETUNREACH   Errno = 101 // no route to the destination network
	ECONNABORTED  Errno = 103 // the connection was aborted locally
	ECONNRESET    Errno = 104 // the peer reset a synchronized connection
	EISCONN       Errno = 106 // connect or listen on a connection already in use
	ENOTCONN      Errno = 107 // the call needs a connection that is not there
	ETIMEDOUT     Errno = 110 // SYN retries or data retransmissions ran out
	ECONNREFUSED  Errno = 111 // the peer answered our SYN with a RST (RFC 9293 §3.10.7.3)
	EHOSTUNREACH  Errno = 113 // an ICMP host unreachable or time exceeded came back
	EALREADY      Errno = 114 // a connect is already in progress
	EINPROGRESS   Errno = 115 // the connect started; completion is reported later
)

// errnoInfo holds each errno's name and strerror text, by number.
var errnoInfo = [...][2]string{
	ENOENT:        {"ENOENT", "No such file or directory"},
	EBADF:         {"EBADF", "Bad file descriptor"},
	EAGAIN:        {"EAGAIN", "Resource temporarily unavailable"},
	EFAULT:        {"EFAULT", "Bad address"},
	EEXIST:        {"EEXIST", "File exists"},
	EINVAL:        {"EINVAL", "Invalid argument"},
	EMFILE:        {"EMFILE", "Too many open files"},
	ENOTTY:        {"ENOTTY", "Inappropriate ioctl for device"},
	EPIPE:         {"EPIPE", "Broken pipe"},
	ENOMSG:        {"ENOMSG", "No message of desired type"},
	ENOTSOCK:      {"ENOTSOCK", "Socket operation on non-socket"},
	EDESTADDRREQ:  {"EDESTADDRREQ", "Destination address required"},
	EMSGSIZE:      {"EMSGSIZE", "Message too long"},
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
	EHOSTUNREACH:  {"EHOSTUNREACH", "No route to host"},
	EALREADY:      {"EALREADY", "Operation already in progress"},
	EINPROGRESS:   {"EINPROGRESS", "Operation now in progress"},
}

// Errnos returns every errno netsim reports, in numeric order (for tools
// that map names to numbers, such as the packetdrill runner).
func Errnos() []Errno {
	var out []Errno
	for i, info := range errnoInfo {
		if info[0] != "" {
			out = append(out, Errno(i))
		}
	}
	return out
}

func (e Errno) info() ([2]string, bool) {
	if int(e) < len(errnoInfo) && errnoInfo[e][0] != "" {
		return errnoInfo[e], true
	}
	return [2]string{}, false
}

// String returns the errno's symbolic name ("ECONNREFUSED").
func (e Errno) String() string {
	if i, ok := e.info(); ok {
		return i[0]
	}
	return "ERRNO(" + itoa(int(e)) + ")"
}

// Error returns the name and the strerror text, as packetdrill prints
// them: "ECONNREFUSED (Connection refused)".
func (e Errno) Error() string {
	if i, ok := e.info(); ok {
		return i[0] + " (" + i[1] + ")"
	}
	return e.String()
}
