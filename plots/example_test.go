package plots

import (
	"fmt"
	"os"
)

// ExampleASCII prints the terminal diagram of a handshake, a 100-byte
// request, a 300-byte answer and the close, with the hosts in the order
// given.
func ExampleASCII() {
	recs := handshakeTrace() // in a real program: the records of a run, or sim.ReadJSONL of trace.jsonl
	err := ASCII(os.Stdout, recs, []HostLabel{{Name: "client", Addr: "10.0.0.1"}, {Name: "server", Addr: "10.0.0.2"}}, ASCIIOptions{Width: 72})
	fmt.Println(err)
	// Output:
	// client 10.0.0.1                                        server 10.0.0.2
	//    |---- SYN seq=0 win=64240 <mss 1460,...> ----------->|   0.100000000s
	//    |<--- SYN,ACK seq=0 ack=1 win=64240 <...> -----------|   0.105067200s
	//    |---- ACK seq=1 ack=1 win=501 ---------------------->|   0.110134400s
	//    |---- seq=1:101 ack=1 win=501 ---------------------->|   0.110166400s
	//    |<--- seq=1:301 ack=1 win=501 -----------------------|   0.115166400s
	//    |<--- ACK seq=301 ack=101 win=501 -------------------|   0.115438400s
	//    |---- ACK seq=101 ack=301 win=501 ------------------>|   0.120438400s
	//    |---- FIN,ACK seq=101 ack=301 win=501 -------------->|   0.120470400s
	//    |<--- ACK seq=301 ack=102 win=501 -------------------|   0.125502400s
	//    |<--- FIN,ACK seq=301 ack=102 win=501 ---------------|   0.126502400s
	//    |---- ACK seq=102 ack=302 win=501 ------------------>|   0.131534400s
	// <nil>
}
