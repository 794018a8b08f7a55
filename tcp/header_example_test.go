package tcp_test

import (
	"fmt"
	"net/netip"

	"github.com/netsimlab/netsim/tcp"
)

// A Linux SYN built, put on the wire, decoded with its checksum verified,
// and printed in both text forms, sequence numbers relative to the ISN.
func ExampleDecodeChecked() {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	const isn = 1000
	syn := tcp.Header{SrcPort: 49152, DstPort: 80, Seq: isn, Flags: tcp.FlagSYN, Window: 64240,
		Options: tcp.SYNOptions(1460, true, 1, true, 7)}
	seg := syn.AppendTo(nil, src, dst, nil)

	h, payload, err := tcp.DecodeChecked(seg, src, dst)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Text(src, dst, len(payload), tcp.Bases{Seq: isn}))
	fmt.Println(h.Verbose(len(payload), tcp.Bases{Seq: isn}))
	// Output:
	// 10.0.0.1:49152 > 10.0.0.2:80 [S] seq 0 win 64240 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>
	// TCP header: 40 bytes, payload 0 bytes
	//   source port             16 bits  49152
	//   destination port        16 bits  80
	//   sequence number         32 bits  0 (raw 1000)
	//   acknowledgment number   32 bits  0
	//   data offset              4 bits  10 (40 bytes)
	//   reserved                 3 bits  0
	//   NS                       1 bit   0
	//   CWR                      1 bit   0
	//   ECE                      1 bit   0
	//   URG                      1 bit   0
	//   ACK                      1 bit   0
	//   PSH                      1 bit   0
	//   RST                      1 bit   0
	//   SYN                      1 bit   1
	//   FIN                      1 bit   0
	//   window                  16 bits  64240
	//   checksum                16 bits  0x74d3
	//   urgent pointer          16 bits  0
	//   options                160 bits  mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7
	//     [20] mss              32 bits  kind 2 len 4 mss 1460
	//     [24] sackOK           16 bits  kind 4 len 2
	//     [26] TS               80 bits  kind 8 len 10 TS val 1 ecr 0
	//     [36] nop               8 bits  kind 1
	//     [37] wscale           24 bits  kind 3 len 3 wscale 7
	//   padding                  0 bits  none
}

// A malformed segment is refused with the field and the byte offset.
func ExampleDecode_error() {
	seg := make([]byte, 24)
	seg[12] = 6 << 4 // data offset 6: four option bytes
	seg[13] = byte(tcp.FlagACK)
	copy(seg[20:], []byte{1, 99, 0, 0}) // nop, then kind 99 with length 0
	_, _, err := tcp.Decode(seg)
	fmt.Println(err)
	// Output:
	// tcp: decode option at offset 22: option length 0 below 2
}
