package tcp

// Errno is a connection error with the name a socket user knows from
// errno(3). It implements error; callers branch with errors.Is or ==.
type Errno uint8

// The errors a Conn reports to its user.
const (
	// ECONNREFUSED: the peer answered our SYN with a RST (RFC 9293 §3.10.7.3).
	ECONNREFUSED Errno = iota + 1
	// ETIMEDOUT: SYN retries or data retransmissions ran out.
	ETIMEDOUT
	// ECONNRESET: the peer reset a synchronized connection.
	ECONNRESET
	// EPIPE: a write after shutdown of the write side or after an error.
	EPIPE
	// ENOTCONN: the call needs a connection that is not there.
	ENOTCONN
	// EISCONN: connect or listen on a connection already in use.
	EISCONN
	// EAGAIN: no data to read or no room to write right now.
	EAGAIN
	// EINVAL: an argument or a call order makes no sense.
	EINVAL
	// ECONNABORTED: the connection was aborted locally.
	ECONNABORTED
)

var errnoNames = [...]string{
	ECONNREFUSED: "ECONNREFUSED",
	ETIMEDOUT:    "ETIMEDOUT",
	ECONNRESET:   "ECONNRESET",
	EPIPE:        "EPIPE",
	ENOTCONN:     "ENOTCONN",
	EISCONN:      "EISCONN",
	EAGAIN:       "EAGAIN",
	EINVAL:       "EINVAL",
	ECONNABORTED: "ECONNABORTED",
}

var errnoText = [...]string{
	ECONNREFUSED: "Connection refused",
	ETIMEDOUT:    "Connection timed out",
	ECONNRESET:   "Connection reset by peer",
	EPIPE:        "Broken pipe",
	ENOTCONN:     "Transport endpoint is not connected",
	EISCONN:      "Transport endpoint is already connected",
	EAGAIN:       "Resource temporarily unavailable",
	EINVAL:       "Invalid argument",
	ECONNABORTED: "Software caused connection abort",
}

// String returns the errno's symbolic name ("ECONNREFUSED").
func (e Errno) String() string {
	if e > 0 && int(e) < len(errnoNames) {
		return errnoNames[e]
	}
	return "ERRNO(" + itoa(int(e)) + ")"
}

// Error returns the name and the strerror text, as the C library prints it.
func (e Errno) Error() string {
	if e > 0 && int(e) < len(errnoText) {
		return errnoNames[e] + " (" + errnoText[e] + ")"
	}
	return e.String()
}
