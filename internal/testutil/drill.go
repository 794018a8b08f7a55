package testutil

// PassiveOpenScript is the packetdrill prologue that the drill tests of
// several packages start from: a listener on fd 3 accepts a connection
// whose peer offered MSS 1000, SACK and window scale 7, so that fd 4 is
// established at 0.1 s.
const PassiveOpenScript = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,sackOK,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 500
+0 accept(3, ..., ...) = 4
`
