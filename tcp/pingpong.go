package tcp

import "time"

// Linux's interactive ("pingpong") mode. A connection that sends data
// within the ACK timeout estimate (icsk_ack.ato) of the last data it
// received is taken to be answering requests: it enters pingpong mode
// (tcp_event_data_sent: inet_csk_enter_pingpong_mode, the threshold being
// 1), in which the peer's data is no longer quick-ACKed
// (tcp_in_quickack_mode is false while pingpong) but waits for the
// delayed-ACK timer, or for the reply the application sends before it, on
// which the ACK rides. The mode ends when that timer fires with an ACK
// pending, the reply having been too slow (tcp_delack_timer_handler:
// inet_csk_exit_pingpong_mode), and whenever quick-ACK mode is entered
// (tcp_enter_quickack_mode: duplicate data, a CE mark that asks for
// CWR). A FIN in ESTABLISHED enters it too (tcp_fin). The ACKs that ride
// on replies use up the quick ACKs of the start as quick ACKs do (ackSent;
// tcp_event_ack_sent's tcp_dec_quickack_mode), so that after some sixteen
// exchanges none is left for when the mode ends.
//
// netsim's ACK timeout is the fixed DelayedAck (Linux's TCP_ATO_MIN, 40
// ms, where Linux adapts ato to the gaps between segments), and it is
// "zero" (no pingpong possible) until the first data arrives
// (tcp_event_data_recv), or until a SYN-ACK is delayed for a writer
// waiting on the handshake (tcp_rcv_synsent_state_process enters
// quick-ACK mode, which sets ato; tcp_finish_connect set lrcvtime).

// pingpongOnSend is tcp_event_data_sent for a segment carrying data sent
// (or resent) at now.
func (c *Conn) pingpongOnSend(now time.Duration) {
	if c.dataSeen && now-c.lastDataAt < c.cfg.DelayedAck {
		c.pingpong = true
	}
}

// exitPingpong leaves interactive mode: the delayed-ACK timer fired with
// an ACK pending, or quick-ACK mode was entered.
func (c *Conn) exitPingpong() { c.pingpong = false }
