package nodes

import "github.com/netsimlab/netsim/tcp"

// Errno is a socket call's error: tcp.Errno, netsim's one errno type
// (Linux's numbers and names), so that a connection's error reaches the
// socket user unchanged. It implements error; callers branch with == or
// errors.Is.
type Errno = tcp.Errno

// The errors the socket API returns: tcp's, named here so that socket
// users need not import tcp.
const (
	EBADF         = tcp.EBADF
	EAGAIN        = tcp.EAGAIN
	EINVAL        = tcp.EINVAL
	EFAULT        = tcp.EFAULT
	ENOENT        = tcp.ENOENT
	EEXIST        = tcp.EEXIST
	ENOMSG        = tcp.ENOMSG
	ENOTTY        = tcp.ENOTTY
	EMFILE        = tcp.EMFILE
	EPIPE         = tcp.EPIPE
	ENOTSOCK      = tcp.ENOTSOCK
	EDESTADDRREQ  = tcp.EDESTADDRREQ
	EMSGSIZE      = tcp.EMSGSIZE
	EHOSTUNREACH  = tcp.EHOSTUNREACH
	ENOPROTOOPT   = tcp.ENOPROTOOPT
	EOPNOTSUPP    = tcp.EOPNOTSUPP
	EAFNOSUPPORT  = tcp.EAFNOSUPPORT
	EADDRINUSE    = tcp.EADDRINUSE
	EADDRNOTAVAIL = tcp.EADDRNOTAVAIL
	ENETUNREACH   = tcp.ENETUNREACH
	ECONNABORTED  = tcp.ECONNABORTED
	ECONNRESET    = tcp.ECONNRESET
	EISCONN       = tcp.EISCONN
	ENOTCONN      = tcp.ENOTCONN
	ETIMEDOUT     = tcp.ETIMEDOUT
	ECONNREFUSED  = tcp.ECONNREFUSED
	EALREADY      = tcp.EALREADY
	EINPROGRESS   = tcp.EINPROGRESS
)
