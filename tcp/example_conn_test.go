package tcp_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// Example shows the shape of every use of a Conn: calls with the time as a
// value, then draining the segments it queued and the events it reported.
// Here two Conns are wired back to back, with 10 ms between them.
func Example() {
	client := tcp.Endpoint{Addr: netip.MustParseAddr("10.0.0.1"), Port: 40000}
	server := tcp.Endpoint{Addr: netip.MustParseAddr("10.0.0.2"), Port: 80}
	cfg := tcp.DefaultConfig()
	cfg.Timestamps = false // shorter lines
	a, _ := tcp.NewConn(cfg, client, server, 1000, 0)
	b, _ := tcp.NewConn(cfg, server, client, 5000, 0)

	now := time.Duration(0)
	_ = b.Listen(now)
	_ = a.Connect(now)
	_, _ = a.Write(now, []byte("hello"))

	// Move segments until both sides are quiet, printing each one with
	// sequence numbers relative to the ISNs, as tcpdump does.
	for range 4 {
		now += 10 * time.Millisecond
		a.Segments(func(h *tcp.Header, p []byte) {
			fmt.Println("a>b", h.Text(netip.Addr{}, netip.Addr{}, len(p), tcp.Bases{Seq: a.ISS(), Ack: b.ISS()}))
			b.Input(now, h, p)
		})
		b.Segments(func(h *tcp.Header, p []byte) {
			fmt.Println("b>a", h.Text(netip.Addr{}, netip.Addr{}, len(p), tcp.Bases{Seq: b.ISS(), Ack: a.ISS()}))
			a.Input(now, h, p)
		})
	}
	buf := make([]byte, 100)
	n, _ := b.Read(now, buf)
	fmt.Printf("b read %q; a is %s, b is %s\n", buf[:n], a.State(), b.State())
	// Output:
	// a>b 40000 > 80 [S] seq 0 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
	// b>a 80 > 40000 [S.] seq 0 ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 7>
	// a>b 40000 > 80 [P.] seq 1:6 ack 1 win 502 length 5
	// b>a 80 > 40000 [.] seq 1 ack 6 win 502
	// b read "hello"; a is ESTABLISHED, b is ESTABLISHED
}
