package tcp

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the settings of one connection. DefaultConfig gives the
// stock Linux values; a scenario or netsim drill overrides single fields
// through the settings table (Settings, docs/tcp-settings.md), which also
// holds each field's bounds.
type Config struct {
	// MSS is the largest segment payload we accept, sent in our SYN's MSS
	// option (RFC 9293 §3.7.1). Zero, the default, is Linux's: the MTU of
	// the route toward the peer less 40 bytes of IPv4 and TCP headers
	// (tcp_advertise_mss, ipv4_default_advmss), raised or lowered by
	// ValidConfig.WithMSS when the connection opens, DefaultMSS until then.
	// A size is an upper bound, as setsockopt(TCP_MAXSEG) (user_mss,
	// tcp_mss_clamp).
	MSS int
	// InitialCwnd is the initial congestion window in segments (RFC 6928).
	InitialCwnd int
	// RTOInitial, RTOMin and RTOMax bound the retransmission timeout
	// (RFC 6298 §2; Linux uses 1 s, 200 ms and 120 s).
	RTOInitial, RTOMin, RTOMax time.Duration
	// DelayedAck is the delayed-ACK timeout (RFC 9293 §3.8.6.3) at first
	// and at least: the floor of the ACK timeout estimate, which adapts
	// to the gaps between the peer's segments as Linux's icsk_ack.ato
	// (TCP_ATO_MIN is 40 ms); 0 turns delayed ACKs off so every segment
	// is acknowledged at once.
	DelayedAck time.Duration
	// Nagle holds back small segments while data is unacknowledged
	// (RFC 9293 §3.7.4); off is TCP_NODELAY.
	Nagle bool
	// SACK offers selective acknowledgments (RFC 2018, RFC 6675).
	SACK bool
	// WindowScale offers the window scale option (RFC 7323 §2).
	WindowScale bool
	// Timestamps offers the timestamps option (RFC 7323 §3).
	Timestamps bool
	// SendBuffer and RecvBuffer fix the bytes of data the socket buffers
	// hold, as setsockopt(SO_SNDBUF, SO_RCVBUF) with half these sizes
	// does on Linux (which doubles the value for its bookkeeping). Zero,
	// the default, is Linux's automatic sizing: the send buffer grows with
	// the congestion window (tcp_sndbuf_expand), the receive buffer with
	// what the application reads per round trip (tcp_rcv_space_adjust,
	// tcp_moderate_rcvbuf=1).
	SendBuffer, RecvBuffer int
	// SendBufferInitial and SendBufferMax are the buffer memory an
	// automatic send buffer starts with and grows to (Linux tcp_wmem[1],
	// tcp_wmem[2]); half of it holds data, as Linux's tcp_adv_win_scale=1
	// counts the rest as overhead.
	SendBufferInitial, SendBufferMax int
	// RecvBufferInitial and RecvBufferMax are the same for the receive
	// buffer (Linux tcp_rmem[1], tcp_rmem[2]): half is window. The window
	// scale offered is chosen from RecvBufferMax (or a larger fixed
	// RecvBuffer), as Linux's tcp_select_initial_window does.
	RecvBufferInitial, RecvBufferMax int
	// Congestion names the congestion control algorithm: "cubic", the
	// default as Linux's net.ipv4.tcp_congestion_control, or "newreno".
	Congestion string
	// SynRetries is how many times a SYN is retransmitted before connect
	// fails with ETIMEDOUT (Linux tcp_syn_retries).
	SynRetries int
	// SynAckRetries is how many times a SYN-ACK is retransmitted before the
	// embryonic connection is dropped (Linux tcp_synack_retries).
	SynAckRetries int
	// DataRetries is Linux's tcp_retries2: an established connection
	// fails with ETIMEDOUT at the first RTO expiry once the time that
	// many retransmissions would take, from a 200 ms timeout doubling to
	// RTOMax, has passed since its first retransmission
	// (tcp_write_timeout with tcp_model_timeout), or after that many
	// zero-window probes left unanswered in a row (tcp_probe_timer).
	DataRetries int
	// UserTimeout, when not zero, is how long data may stay
	// unacknowledged after its first retransmission before the connection
	// fails with ETIMEDOUT, in place of DataRetries (RFC 5482; Linux's
	// TCP_USER_TIMEOUT in tcp_write_timeout); zero-window probes are
	// given up after it too, besides after DataRetries (tcp_probe_timer).
	UserTimeout time.Duration
	// Keepalive turns keepalive probes on (the SO_KEEPALIVE socket
	// option, off by default as on Linux): after KeepaliveTime without
	// a segment from the peer, nothing in flight, a probe every
	// KeepaliveIntvl; KeepaliveProbes unanswered end the connection with
	// ETIMEDOUT and a reset (RFC 9293 §3.8.4; Linux's
	// tcp_keepalive_timer). With a UserTimeout, that ends it instead,
	// once a probe is out.
	Keepalive bool
	// KeepaliveTime is the idle time before the first probe (Linux
	// tcp_keepalive_time, 7200 s; TCP_KEEPIDLE).
	KeepaliveTime time.Duration
	// KeepaliveIntvl is the time between probes (Linux
	// tcp_keepalive_intvl, 75 s; TCP_KEEPINTVL).
	KeepaliveIntvl time.Duration
	// KeepaliveProbes is how many probes go unanswered before the
	// connection ends (Linux tcp_keepalive_probes, 9; TCP_KEEPCNT).
	KeepaliveProbes int
	// NotsentLowat, when not zero, limits the bytes written and not yet
	// sent: Write takes no more than brings them to it, and the socket
	// is writable (SockWritable, POLLOUT) only while twice them are
	// below it (Linux's tcp_stream_memory_free, net.ipv4.tcp_notsent_lowat
	// and the TCP_NOTSENT_LOWAT socket option). Zero is no limit, Linux's
	// default (4294967295).
	NotsentLowat int
	// TimeWait is how long TIME-WAIT lasts: 2×MSL (RFC 9293 §3.3.2; Linux
	// uses 60 s).
	TimeWait time.Duration
	// MaxTimeWait is how many connections a host keeps in TIME-WAIT at
	// once (Linux tcp_max_tw_buckets): a connection that would be one
	// more skips TIME-WAIT and closes at once, counted as an overflow.
	// 0 keeps none.
	MaxTimeWait int
	// RFC1337 makes TIME-WAIT ignore RSTs, against the "TIME-WAIT
	// assassination" of RFC 1337 §2 (Linux tcp_rfc1337); off by default,
	// as in Linux, where an in-window RST ends TIME-WAIT.
	RFC1337 bool
	// RescueRetransmit enables RFC 6675 §4 NextSeg rule 4: once per SACK
	// recovery, when nothing else may be sent, resend the segment holding
	// the highest unSACKed byte so a loss at the tail of the window is
	// repaired without the RTO. Off by default, as in Linux, which has no
	// rescue retransmission (its tail loss probe covers the case).
	RescueRetransmit bool
	// RACK turns on RACK loss detection (RFC 8985 §6, rack.go) as Linux
	// runs it: a segment is deemed lost once one sent after it has been
	// delivered and a reordering window has passed (a quarter of the
	// minimum RTT, grown in steps by D-SACKs; zero during recovery, and
	// once three segments are SACKed, until reordering is seen), with a
	// timer for segments still inside the window; a retransmission is
	// lost once data sent after it is delivered. Without it, loss
	// detection follows RFC 6675 (DupThresh, IsLost, NextSeg rule 3). On
	// by default, as Linux (net.ipv4.tcp_recovery=1). Needs SACK.
	RACK bool
	// TLP sends tail loss probes (RFC 8985 §7) as Linux does
	// (net.ipv4.tcp_early_retrans=3): about two round trips after the last
	// transmission with no ACK, one segment goes out so that a loss at the
	// tail of a flight is repaired by fast recovery rather than the RTO.
	// Needs SACK. On by default.
	TLP bool
	// SlowStartAfterIdle restarts the congestion window after the sender
	// was idle for more than an RTO (RFC 5681 §4.1, Linux's
	// tcp_cwnd_restart, net.ipv4.tcp_slow_start_after_idle=1): halved once
	// per RTO of idleness, down to the initial window. On by default.
	SlowStartAfterIdle bool
	// HyStart ends CUBIC's slow start before the first loss when the ACK
	// train or a rise in delay shows the path full (Linux's tcp_cubic
	// hystart=1, hystart_detect=3, hystart_low_window=16). On by default;
	// other congestion controls ignore it.
	HyStart bool
	// ECN is the use of Explicit Congestion Notification (RFC 3168): off,
	// on (ask and accept) or accept (answer a peer that asks; Linux's
	// default, net.ipv4.tcp_ecn=2).
	ECN ECNMode
	// Pacing is when segments are paced (PacingAuto, PacingOn, PacingOff);
	// PacingSSRatio and PacingCARatio are Linux's tcp_pacing_ss_ratio and
	// tcp_pacing_ca_ratio, in percent of cwnd/SRTT.
	Pacing                       PacingMode
	PacingSSRatio, PacingCARatio int
	// FastOpen is Linux's net.ipv4.tcp_fastopen, a bit mask (RFC 7413,
	// fastopen.go): FastOpenClient lets an application send data in its
	// SYN (sendto with MSG_FASTOPEN, TCP_FASTOPEN_CONNECT), FastOpenServer
	// lets a listener with a Fast Open queue accept it, and the other
	// FastOpen* bits. Linux's default, 1, is the client alone, which only
	// an application that asks for Fast Open uses.
	FastOpen int
	// FastOpenKey is the key a server's cookies are made with, as
	// net.ipv4.tcp_fastopen_key writes it (ParseFastOpenKey); the zero
	// key by default (Linux draws a random one at first use: a fixed one
	// keeps runs repeatable).
	FastOpenKey string
}

// DefaultMaxTimeWait is the default of Config.MaxTimeWait: Linux's
// tcp_max_tw_buckets on a machine with a few GB of memory (the kernel
// sizes it to half its established-connection hash table).
const DefaultMaxTimeWait = 262144

// Linux defaults (see docs/tcp.md, Linux defaults followed).
const (
	maxQuickAcks     = 16 // TCP_MAX_QUICKACKS
	defaultDupThresh = 3  // RFC 5681 §3.2, RFC 6675 DupThresh
)

// DefaultMSS is the MSS of a connection whose MSS setting is auto before
// its route is known, and on a 1500-byte Ethernet MTU: 1500 less 20-byte
// IPv4 and TCP headers.
const DefaultMSS = 1460

// DefaultConfig returns the stock Linux settings: MSS auto (the route's MTU
// less 40, DefaultMSS until the route is known), initial window
// 10, RTO 1 s initial / 200 ms min / 120 s max, delayed ACK 40 ms, Nagle on,
// SACK, window scaling and timestamps on, buffers autotuned from Linux's
// tcp_rmem (4096 131072 6291456) and tcp_wmem (4096 16384 4194304), CUBIC, 6 SYN
// retries, 5 SYN-ACK retries, 15 data retries, TIME-WAIT 60 s for at most
// 262,144 connections per host, keepalive off (7200 s, 75 s, 9 probes once
// on), ECN
// accepted when the peer asks (tcp_ecn=2).
func DefaultConfig() Config {
	return Config{
		MSS:         0, // auto
		InitialCwnd: 10,
		RTOInitial:  time.Second,
		RTOMin:      200 * time.Millisecond,
		RTOMax:      120 * time.Second,
		DelayedAck:  40 * time.Millisecond,
		Nagle:       true,
		SACK:        true,
		WindowScale: true,
		Timestamps:  true,
		// Linux tcp_wmem and tcp_rmem; SendBuffer and RecvBuffer 0: auto.
		SendBufferInitial: 16384,
		SendBufferMax:     4 << 20,
		RecvBufferInitial: 128 << 10,
		RecvBufferMax:     6 << 20,
		Congestion:        CongestionCubic,
		SynRetries:        6,
		SynAckRetries:     5,
		DataRetries:       15,
		TimeWait:          60 * time.Second,
		MaxTimeWait:       DefaultMaxTimeWait,
		// Linux tcp_keepalive_time, tcp_keepalive_intvl and
		// tcp_keepalive_probes (keepalive itself is off until asked).
		KeepaliveTime:   7200 * time.Second,
		KeepaliveIntvl:  75 * time.Second,
		KeepaliveProbes: 9,
		// Linux net.ipv4.tcp_recovery=1.
		RACK: true,
		// Linux net.ipv4.tcp_early_retrans=3, tcp_slow_start_after_idle=1.
		TLP:                true,
		SlowStartAfterIdle: true,
		// tcp_cubic's hystart=1.
		HyStart: true,
		// Linux net.ipv4.tcp_ecn=2.
		ECN: ECNAccept,
		// Linux's defaults: paced when the congestion control asks (BBR),
		// 200% in slow start, 120% after.
		Pacing:        PacingAuto,
		PacingSSRatio: 200,
		PacingCARatio: 120,
		// Linux net.ipv4.tcp_fastopen=1: the client side, used only
		// when an application asks.
		FastOpen:    FastOpenClient,
		FastOpenKey: "00000000-00000000-00000000-00000000",
	}
}

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("tcp: invalid config")

// Validate reports the first setting that cannot work: one out of the
// bounds the settings table gives (a *SettingError, see Settings), or
// settings that do not work together. Every error wraps ErrConfig and
// names the settings as the table does.
func (c Config) Validate() error {
	for i := range settings {
		if err := settings[i].checkIn(&c); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v: %s", ErrConfig, field, v, want)
	}
	c = c.resolveMSS()
	switch {
	case c.RTOMax < c.RTOMin:
		return bad("rto_max", c.RTOMax, fmt.Sprintf("want at least rto_min (%v)", c.RTOMin))
	case c.RTOInitial < c.RTOMin || c.RTOInitial > c.RTOMax:
		return bad("rto_initial", c.RTOInitial, fmt.Sprintf("want between rto_min (%v) and rto_max (%v)", c.RTOMin, c.RTOMax))
	case c.SendBuffer != 0 && c.SendBuffer < c.MSS:
		return bad("send_buffer", c.SendBuffer, fmt.Sprintf("want at least one mss (%d)", c.MSS))
	case c.RecvBuffer != 0 && c.RecvBuffer < c.MSS:
		return bad("recv_buffer", c.RecvBuffer, fmt.Sprintf("want at least one mss (%d)", c.MSS))
	case c.SendBufferMax < c.SendBufferInitial:
		return bad("send_buffer_max", c.SendBufferMax, fmt.Sprintf("want at least send_buffer_initial (%d)", c.SendBufferInitial))
	case c.RecvBufferMax < c.RecvBufferInitial:
		return bad("recv_buffer_max", c.RecvBufferMax, fmt.Sprintf("want at least recv_buffer_initial (%d)", c.RecvBufferInitial))
	case c.RecvBuffer == 0 && c.RecvBufferInitial < 2*c.MSS:
		return bad("recv_buffer_initial", c.RecvBufferInitial, fmt.Sprintf("want at least 2 × mss (%d), so that the window holds a segment", 2*c.MSS))
	}
	cc, err := NewCongestion(c.Congestion, c.MSS, c.InitialCwnd)
	if err != nil {
		return fmt.Errorf("%w: congestion = %q: %w", ErrConfig, c.Congestion, err)
	}
	if needsECN(cc) && c.ECN == ECNOff {
		return bad("ecn", c.ECN, fmt.Sprintf("congestion %s needs ECN: set ecn to on or accept (it is then negotiated on every connection)", c.Congestion))
	}
	return nil
}

// InitialSendBuffer is the bytes of data the send buffer holds before the
// connection is established: SendBuffer when fixed, else half of
// SendBufferInitial.
func (c Config) InitialSendBuffer() int {
	if c.SendBuffer != 0 {
		return c.SendBuffer
	}
	return winFromSpace(c.SendBufferInitial)
}

// InitialRecvBuffer is the receive window's limit when the connection
// starts: RecvBuffer when fixed, else half of RecvBufferInitial.
func (c Config) InitialRecvBuffer() int {
	if c.RecvBuffer != 0 {
		return c.RecvBuffer
	}
	return winFromSpace(c.RecvBufferInitial)
}

// wscaleShift is the window scale we offer: like Linux's
// tcp_select_initial_window, the smallest shift that lets the largest
// receive space (the buffer or tcp_rmem[2]) fit in 16 bits.
func (c Config) wscaleShift() int {
	space := max(c.RecvBuffer, c.RecvBufferMax)
	shift := 0
	for space > 0xffff && shift < MaxWScale {
		space >>= 1
		shift++
	}
	return shift
}

// ValidConfig is a Config that Validate accepted (Config.Valid). A host
// validates its settings once, when they are set, and opens every
// connection with NewConnValid, which does not walk the settings table
// again: validating per connection cost more than the rest of opening
// one. A ValidConfig refers to one immutable copy of the settings, which
// every connection opened with it shares (a Conn keeps the pointer, not
// a copy: 184 bytes less per connection); a connection that changes a
// setting for itself (SetNagle, SetSendBuffer) gets a copy of its own.
//
// An auto MSS (Config.MSS 0) is held as DefaultMSS, so that every reader
// of the settings (the buffers, the initial window) works with a real
// segment size, and remembered as auto (mssAuto), so that WithMSS may
// raise it to the route's and Config gives 0 again.
type ValidConfig struct {
	cfg     *Config
	mssAuto bool
}

// Valid returns c as a ValidConfig, or Validate's error.
func (c Config) Valid() (ValidConfig, error) {
	if err := c.Validate(); err != nil {
		return ValidConfig{}, err
	}
	auto := c.MSS == 0
	c = c.resolveMSS()
	return ValidConfig{cfg: &c, mssAuto: auto}, nil
}

// resolveMSS returns c with an auto MSS (0) replaced by DefaultMSS, the
// size the settings work with until the route is known.
func (c Config) resolveMSS() Config {
	if c.MSS == 0 {
		c.MSS = DefaultMSS
	}
	return c
}

// Config returns the settings (the zero Config for the zero ValidConfig),
// as they were given: an auto MSS reads 0 again, so that a caller that
// changes another setting and validates the result keeps it auto. MSS
// gives the working value.
func (v ValidConfig) Config() Config {
	if v.cfg == nil {
		return Config{}
	}
	c := *v.cfg
	if v.mssAuto {
		c.MSS = 0
	}
	return c
}

// MSS returns the MSS the settings work with: the configured one, or
// DefaultMSS when it is auto and no route has set it yet (WithMSS); 0 for
// the zero ValidConfig. getsockopt(TCP_MAXSEG) on a socket that is not
// connected answers it.
func (v ValidConfig) MSS() int {
	if v.cfg == nil {
		return 0
	}
	return v.cfg.MSS
}

// WithCongestion returns v with the congestion control name, one of
// CongestionNames, as setsockopt(TCP_CONGESTION) gives one socket its own
// (Linux's tcp_set_congestion_control). An algorithm that needs ECN
// (DCTCP) turns ECN on for the connection whatever the ecn setting, as
// Linux's tcp_ca_needs_ecn makes tcp_ecn_send_syn and
// tcp_ecn_create_request use it. An unknown name gets an error wrapping
// ErrConfig. The zero ValidConfig stays as it is.
func (v ValidConfig) WithCongestion(name string) (ValidConfig, error) {
	if v.cfg == nil || name == v.cfg.Congestion {
		return v, nil
	}
	cc, err := NewCongestion(name, v.cfg.MSS, v.cfg.InitialCwnd)
	if err != nil {
		return v, fmt.Errorf("%w: congestion = %q: %w", ErrConfig, name, err)
	}
	cfg := *v.cfg
	cfg.Congestion = name
	if needsECN(cc) {
		cfg.ECN = ECNOn
	}
	return ValidConfig{cfg: &cfg, mssAuto: v.mssAuto}, nil
}

// WithMSS returns v with the MSS a connection uses on a route whose
// MTU less 40 bytes of headers is mss, which keeps it valid. An auto MSS
// becomes mss, raised or lowered, as Linux's tcp_advertise_mss announces
// the route's advmss (ipv4_default_advmss: MTU - 40, at most MaxMSS); a
// configured one, like TCP_MAXSEG's user_mss, is only lowered to it
// (tcp_mss_clamp). Either way it is never below MinMSS. A raise stops
// where the buffers still hold it: at a fixed buffer's size, and at half
// of recv_buffer_initial, so that an automatic receive window holds two
// segments, as Validate requires; a smaller MSS always fits, since the
// buffers hold at least the configured one. When the MSS stays as it is,
// the result shares v's settings; else it holds a copy of its own.
func (v ValidConfig) WithMSS(mss int) ValidConfig {
	if v.cfg == nil {
		return v
	}
	m := min(v.cfg.MSS, mss)
	if v.mssAuto {
		m = min(mss, MaxMSS)
		if v.cfg.SendBuffer != 0 {
			m = min(m, v.cfg.SendBuffer)
		}
		if v.cfg.RecvBuffer != 0 {
			m = min(m, v.cfg.RecvBuffer)
		} else {
			m = min(m, v.cfg.RecvBufferInitial/2)
		}
	}
	m = max(m, MinMSS)
	if m == v.cfg.MSS {
		return v
	}
	cfg := *v.cfg
	cfg.MSS = m
	return ValidConfig{cfg: &cfg, mssAuto: v.mssAuto}
}
