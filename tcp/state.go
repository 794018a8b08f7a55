package tcp

// State is a connection state of RFC 9293 §3.3.2. The zero value is Closed.
type State uint8

// The eleven states of RFC 9293 §3.3.2.
const (
	Closed State = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
)

var stateNames = [...]string{
	Closed:      "CLOSED",
	Listen:      "LISTEN",
	SynSent:     "SYN-SENT",
	SynReceived: "SYN-RECEIVED",
	Established: "ESTABLISHED",
	FinWait1:    "FIN-WAIT-1",
	FinWait2:    "FIN-WAIT-2",
	CloseWait:   "CLOSE-WAIT",
	Closing:     "CLOSING",
	LastAck:     "LAST-ACK",
	TimeWait:    "TIME-WAIT",
}

// String returns the state's name as RFC 9293 writes it ("SYN-SENT").
func (s State) String() string {
	return enumName(stateNames[:], s, "STATE")
}

// Synchronized reports whether the state is one of the synchronized states
// of RFC 9293 §3.5.2 (ESTABLISHED and after).
func (s State) Synchronized() bool { return s >= Established }

// canSend reports whether the user may still queue data (the FIN is not yet
// queued): RFC 9293 §3.10.2.
func (s State) canSend() bool { return s == Established || s == CloseWait }

// canReceive reports whether the peer may still send data (no FIN from it
// yet): RFC 9293 §3.10.7.4 eighth step.
func (s State) canReceive() bool {
	return s == Established || s == FinWait1 || s == FinWait2 || s == SynReceived
}

// enumName returns the name names gives v, or typ(v) for a value it has
// no name for: the String method of each of the package's enums.
func enumName[T ~uint8](names []string, v T, typ string) string {
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return typ + "(" + itoa(int(v)) + ")"
}

// itoa formats a small integer without strconv's allocation for common
// values; used in String methods only.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
