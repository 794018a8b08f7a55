package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// TCP Fast Open (RFC 7413) as Linux has it (net/ipv4/tcp_fastopen.c).

// Option kinds of Fast Open: the option RFC 7413 §4.1.1 assigns, and the
// experimental one (RFC 6994) Linux still sends when the peer used it.
const (
	OptFastOpen uint8 = 34  // RFC 7413 §4.1.1
	OptExp      uint8 = 254 // RFC 6994 experimental option, with a 16-bit magic
	// FastOpenMagic is the experimental Fast Open option's magic (RFC
	// 7413 §4.1.1, Linux TCPOPT_FASTOPEN_MAGIC).
	FastOpenMagic = 0xF989
)

// Cookie lengths a Fast Open option may carry (RFC 7413 §4.1.1; Linux
// TCP_FASTOPEN_COOKIE_MIN and _MAX); Linux's own cookies are 8 bytes.
const (
	FastOpenCookieMin  = 4
	FastOpenCookieMax  = 16
	FastOpenCookieSize = 8
)

// The bits of Config.FastOpen, Linux's net.ipv4.tcp_fastopen (see
// Documentation/networking/ip-sysctl.rst).
const (
	// FastOpenClient lets a client send data in its SYN (TFO_CLIENT_ENABLE).
	FastOpenClient = 0x1
	// FastOpenServer lets a listener accept data in a SYN (TFO_SERVER_ENABLE).
	FastOpenServer = 0x2
	// FastOpenClientNoCookie sends SYN data without a cookie
	// (TFO_CLIENT_NO_COOKIE).
	FastOpenClientNoCookie = 0x4
	// FastOpenServerNoCookie accepts SYN data without a cookie
	// (TFO_SERVER_COOKIE_NOT_REQD).
	FastOpenServerNoCookie = 0x200
	// FastOpenServerAnyListener enables Fast Open on every listener, its
	// queue as long as its backlog, without the TCP_FASTOPEN socket option
	// (TFO_SERVER_WO_SOCKOPT1).
	FastOpenServerAnyListener = 0x400
)

// FastOpenKey is the 128-bit key a server makes its cookies with (Linux's
// siphash_key_t, TCP_FASTOPEN_KEY_LENGTH bytes).
type FastOpenKey [16]byte

// ErrFastOpenKey is wrapped by ParseFastOpenKey's errors.
var ErrFastOpenKey = errors.New("tcp: bad Fast Open key")

// ParseFastOpenKey reads a key as Linux's net.ipv4.tcp_fastopen_key writes
// it: four 32-bit words in hex separated by dashes
// ("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4"), each stored little-endian
// (proc_tcp_fastopen_key's cpu_to_le32). A backup key after a comma is
// accepted and ignored. The empty string is the zero key.
func ParseFastOpenKey(s string) (FastOpenKey, error) {
	var k FastOpenKey
	s = strings.TrimSpace(s)
	if s == "" {
		return k, nil
	}
	rest, _, _ := strings.Cut(s, ",")
	// Word by word, without a slice of them: a listener reads the key
	// at every Fast Open SYN.
	for i := range 4 {
		w, tail, more := strings.Cut(rest, "-")
		if more != (i < 3) {
			return k, fmt.Errorf("%w: %q: want four 32-bit hex words joined by dashes", ErrFastOpenKey, s)
		}
		rest = tail
		n, err := strconv.ParseUint(w, 16, 32)
		if err != nil {
			return k, fmt.Errorf("%w: %q: word %q is not 32-bit hex", ErrFastOpenKey, s, w)
		}
		binary.LittleEndian.PutUint32(k[4*i:], uint32(n))
	}
	return k, nil
}

// String writes the key as Linux's sysctl reads it back.
func (k FastOpenKey) String() string {
	var b strings.Builder
	for i := range 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		fmt.Fprintf(&b, "%08x", binary.LittleEndian.Uint32(k[4*i:]))
	}
	return b.String()
}

// FastOpenCookie is the cookie a server with key gives the client at
// client, itself being at server: Linux's __tcp_fastopen_cookie_gen_cipher,
// SipHash-2-4 of the SYN's source and destination addresses, written
// little-endian (RFC 7413 §4.1.2 leaves the function to the server).
func FastOpenCookie(key FastOpenKey, client, server netip.Addr) [FastOpenCookieSize]byte {
	var msg [32]byte
	n := 0
	if client.Is4() && server.Is4() {
		c, s := client.As4(), server.As4()
		n = copy(msg[:], c[:])
		n += copy(msg[n:], s[:])
	} else {
		c, s := client.As16(), server.As16()
		n = copy(msg[:], c[:])
		n += copy(msg[n:], s[:])
	}
	var out [FastOpenCookieSize]byte
	binary.LittleEndian.PutUint64(out[:], sipHash24(key, msg[:n]))
	return out
}

// sipHash24 is SipHash-2-4 (Aumasson and Bernstein, 2012) of msg, as
// Linux's siphash() computes it for a key stored little-endian.
func sipHash24(key FastOpenKey, msg []byte) uint64 {
	k0 := binary.LittleEndian.Uint64(key[:8])
	k1 := binary.LittleEndian.Uint64(key[8:])
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13) ^ v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16) ^ v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21) ^ v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17) ^ v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(msg)
	for len(msg) >= 8 {
		m := binary.LittleEndian.Uint64(msg)
		v3 ^= m
		round()
		round()
		v0 ^= m
		msg = msg[8:]
	}
	last := uint64(n) << 56
	for i, c := range msg {
		last |= uint64(c) << (8 * i)
	}
	v3 ^= last
	round()
	round()
	v0 ^= last
	v2 ^= 0xff
	for range 4 {
		round()
	}
	return v0 ^ v1 ^ v2 ^ v3
}

// FastOpenOption is a Fast Open option read from a SYN or SYN-ACK.
type FastOpenOption struct {
	// Len is the cookie's length: 0 for a cookie request, -1 when the
	// option's length is not a valid cookie's (Linux's
	// tcp_parse_fastopen_option sets foc->len to -1).
	Len int
	// Cookie holds the cookie's Len bytes.
	Cookie [FastOpenCookieMax]byte
	// Exp says the option was the experimental one (kind 254, magic
	// 0xF989).
	Exp bool
}

// Bytes returns the cookie.
func (f *FastOpenOption) Bytes() []byte { return f.Cookie[:max(f.Len, 0)] }

// FastOpen returns the segment's Fast Open option, as Linux's
// tcp_parse_options reads it: every option of kind 34, or kind 254 with
// the magic, is read in turn and the last wins, but for one of odd length
// (RFC 7413 §4.1.1 cookies are whole 16-bit words), which
// tcp_parse_fastopen_option skips; ok is false when none is left.
func (o *Options) FastOpen() (f FastOpenOption, ok bool) {
	// A plain walk, not All: its iterator would make every Header that
	// reaches Input escape to the heap.
	for off := 0; ; {
		opt, nxt, more, _ := o.next(off)
		if !more || opt.Kind == OptEOL {
			return f, ok
		}
		off = nxt
		var data []byte
		exp := false
		switch {
		case opt.Kind == OptFastOpen:
			data = opt.Data
		case opt.Kind == OptExp && len(opt.Data) >= 2 && get16(opt.Data) == FastOpenMagic:
			data, exp = opt.Data[2:], true
		default:
			continue
		}
		if len(data)%2 != 0 {
			continue
		}
		f, ok = FastOpenOption{Len: len(data), Exp: exp}, true
		switch {
		case f.Len >= FastOpenCookieMin && f.Len <= FastOpenCookieMax:
			copy(f.Cookie[:], data)
		case f.Len != 0:
			f.Len = -1
		}
	}
}

// AppendFastOpen appends a Fast Open option carrying cookie (none: a
// cookie request), the experimental form when exp, padded with NOPs to a
// 32-bit boundary as Linux's tcp_options_write does.
func (o *Options) AppendFastOpen(cookie []byte, exp bool) error {
	if len(cookie) > FastOpenCookieMax || len(cookie)%2 != 0 ||
		len(cookie) != 0 && len(cookie) < FastOpenCookieMin {
		return fmt.Errorf("tcp: append fast open option: cookie of %d bytes: %w", len(cookie), ErrBadOption)
	}
	n := 2 + len(cookie)
	if exp {
		n += 2
	}
	pad := (4 - n%4) % 4
	b, err := o.grow("fast open", n+pad)
	if err != nil {
		return err
	}
	if exp {
		b[0], b[1] = OptExp, uint8(n)
		put16(b[2:], FastOpenMagic)
		copy(b[4:], cookie)
	} else {
		b[0], b[1] = OptFastOpen, uint8(n)
		copy(b[2:], cookie)
	}
	for i := n; i < n+pad; i++ {
		b[i] = OptNOP
	}
	return nil
}

// FastOpenListener is what the listener a SYN arrives at lets Fast Open do
// for the connection it starts (Linux's tcp_try_fastopen reads it from the
// listener): the host sets it with SetFastOpenListener before the SYN.
type FastOpenListener struct {
	// On: the server side is enabled (FastOpenServer) and the listener's
	// Fast Open queue has room (tcp_fastopen_queue_check).
	On bool
	// NoCookie accepts data in a SYN without a valid cookie
	// (FastOpenServerNoCookie; Linux's TCP_FASTOPEN_NO_COOKIE socket
	// option, which would set it for one listener, netsim has not).
	NoCookie bool
	// Key makes and checks the cookies: the listener's TCP_FASTOPEN_KEY,
	// else the host's fastopen_key.
	Key FastOpenKey
}

// fastOpen is a connection's Fast Open state, from the first time it has
// any (nil before).
type fastOpen struct {
	listener FastOpenListener
	// passive: the connection was accepted from a SYN with a valid cookie
	// (or none needed) and its handshake is not complete (Linux's
	// tp->fastopen_rsk): it may send and is in its listener's accept
	// queue already.
	passive bool
	// synData: the SYN's data was taken (Linux's syn_data_acked,
	// TCPI_OPT_SYN_DATA).
	synData bool
	// synAckData: data came on the SYN-ACK of an active Fast Open, which
	// tcp_rcv_fastopen_synack queues with tcp_fastopen_add_skb: Linux's
	// syn_data_acked too (after the count of delivered segments was
	// taken, which it does not change).
	synAckData bool
	// synDataEnd ends the data an active open's SYN carried, when
	// synDataSent: Linux's skb of it carries PSH (tcp_send_syn_data),
	// and so does every retransmission of it.
	synDataEnd  Seq
	synDataSent bool
	// reply is the Fast Open option our next SYN or SYN-ACK carries
	// (Len -1: none).
	reply FastOpenOption
	// active is an active Fast Open's state until the host took what
	// its SYN-ACK taught (nil otherwise).
	active *fastOpenActive
}

// fo returns the Fast Open state, made on first use.
func (c *Conn) fo() *fastOpen {
	if c.rare == nil {
		c.rare = &rareState{}
	}
	if c.rare.tfo == nil {
		c.rare.tfo = &fastOpen{reply: FastOpenOption{Len: -1}}
	}
	return c.rare.tfo
}

// foState returns the Fast Open state, nil when there is none.
func (c *Conn) foState() *fastOpen {
	if c.rare == nil {
		return nil
	}
	return c.rare.tfo
}

// SetFastOpenListener tells a connection made for a SYN at a listener
// (in LISTEN, before Input) what Fast Open its listener allows.
func (c *Conn) SetFastOpenListener(l FastOpenListener) { c.fo().listener = l }

// FastOpenPassive reports that the connection was accepted from a Fast
// Open SYN and its handshake is still incomplete: it counts in its
// listener's Fast Open queue (Linux's fastopenq.qlen).
func (c *Conn) FastOpenPassive() bool { f := c.foState(); return f != nil && f.passive }

// FastOpenSynData reports that data in the SYN was accepted (passive) or
// acknowledged (active): tcp_info's TCPI_OPT_SYN_DATA.
func (c *Conn) FastOpenSynData() bool { f := c.foState(); return f != nil && f.synData }

// Linux's tcpi_options bits (include/uapi/linux/tcp.h) that InfoOptions
// reports.
const (
	TCPIOptTimestamps = 1  // TCPI_OPT_TIMESTAMPS
	TCPIOptSACK       = 2  // TCPI_OPT_SACK
	TCPIOptWScale     = 4  // TCPI_OPT_WSCALE
	TCPIOptECN        = 8  // TCPI_OPT_ECN
	TCPIOptSynData    = 32 // TCPI_OPT_SYN_DATA
)

// InfoOptions returns the options the connection negotiated as Linux's
// tcp_get_info reports them in tcpi_options: timestamps, SACK, window
// scaling, ECN, and TCPI_OPT_SYN_DATA once data came with the SYN (a
// Fast Open server's) or our SYN's data was acknowledged by the SYN-ACK
// or data came on it (a Fast Open client's): Linux's syn_data_acked,
// set by tcp_rcv_fastopen_synack and tcp_fastopen_add_skb. (Linux's
// TCPI_OPT_ECN_SEEN and TCPI_OPT_USEC_TS are not reported.)
func (c *Conn) InfoOptions() uint8 {
	var o uint8
	if c.tsOK {
		o |= TCPIOptTimestamps
	}
	if c.sackOK {
		o |= TCPIOptSACK
	}
	if c.wsOK {
		o |= TCPIOptWScale
	}
	if c.ecnOK {
		o |= TCPIOptECN
	}
	if f := c.foState(); f != nil && (f.synData || f.synAckData) {
		o |= TCPIOptSynData
	}
	return o
}

// fastOpenSyn decides what a SYN arriving in LISTEN with payload bytes of
// data gets, as Linux's tcp_try_fastopen: true when the connection is
// accepted at once with its data; the cookie the SYN-ACK returns is set
// in the state's reply either way.
func (c *Conn) fastOpenSyn(h *Header, payload int) bool {
	f := c.foState()
	if f == nil {
		return false
	}
	f.reply.Len = -1
	req, has := h.Options.FastOpen()
	if !has {
		req.Len = -1
	}
	// RFC 7413 §4.2.2: no Fast Open without the server side, a SYN that
	// asks for it (a cookie, a cookie request, or data) and room in the
	// listener's queue.
	if !f.listener.On || payload == 0 && req.Len < 0 {
		return false
	}
	if f.listener.NoCookie {
		return true
	}
	valid := FastOpenCookie(f.listener.Key, c.remoteAddr, c.localAddr)
	if req.Len == len(valid) && [FastOpenCookieSize]byte(req.Cookie[:FastOpenCookieSize]) == valid {
		// Linux's tcp_fastopen_cookie_gen_check: a cookie of the
		// primary key. A SYN without data with a valid cookie is
		// accepted too: the server may send first.
		return true
	}
	if req.Len >= 0 {
		// A cookie request, or a cookie that does not check: the
		// SYN-ACK carries the valid cookie, in the option form the SYN
		// used (RFC 7413 §4.2.1), and the data is not acknowledged.
		f.reply = FastOpenOption{Len: len(valid), Exp: req.Exp}
		copy(f.reply.Cookie[:], valid[:])
	}
	return false
}

// delackMax is Linux's TCP_DELACK_MAX, the longest an ACK is held.
const delackMax = 200 * time.Millisecond

// maxTCPOptionSpace is Linux's MAX_TCP_OPTION_SPACE: what a SYN's data
// leaves for the options of the SYN, whatever they take.
const maxTCPOptionSpace = 40

// FastOpenRequest is what an active Fast Open's SYN carries (Linux's
// tcp_fastopen_cookie_check with the host's cookie cache): the host builds
// it for ConnectFastOpen.
type FastOpenRequest struct {
	// Cookie is the option the SYN carries: Len -1 none (data without a
	// cookie, FastOpenClientNoCookie), 0 a cookie request, more the
	// cached cookie.
	Cookie FastOpenOption
	// Data: the SYN may carry data (a cookie is cached, or none is
	// needed); without, it asks for a cookie and the data waits for the
	// handshake.
	Data bool
	// MSS is the peer's MSS cached with the cookie (0: none): the SYN's
	// data fits it (tcp_send_syn_data's mss_clamp).
	MSS int
	// WritePending: the caller waits for the handshake to write what
	// the SYN does not carry (a blocking sendto; Linux's
	// sk_write_pending), so the ACK of the SYN-ACK waits to ride on it.
	WritePending bool
}

// FastOpenResult is what a SYN-ACK taught an active Fast Open, for the
// host's cache (Linux's tcp_fastopen_cache_set from
// tcp_rcv_fastopen_synack).
type FastOpenResult struct {
	// Cookie is the cookie the SYN-ACK gave (Len -1: none, or ignored).
	Cookie FastOpenOption
	// MSS is the SYN-ACK's MSS option (0: none).
	MSS int
	// TryExp: a cookie request got none; 1 asks in the experimental
	// form next time, 2 in the RFC's again (Linux's try_exp).
	TryExp int
}

// fastOpenActive is the state of an active Fast Open until its SYN-ACK.
type fastOpenActive struct {
	// syn: the SYN carried a Fast Open option (Linux's syn_fastopen);
	// exp, in its experimental form.
	syn, exp bool
	// data is how many bytes the SYN carried (Linux's syn_data).
	data int
	// writePending is FastOpenRequest.WritePending.
	writePending bool
	// result is ready once the SYN-ACK came (done).
	result FastOpenResult
	done   bool
}

// ConnectFastOpen starts an active open as Connect does, with a SYN that
// carries req's Fast Open option and as much of p as one segment takes
// (RFC 7413 §4.1, Linux's tcp_send_syn_data): with req.Data, at most the
// MSS (the cached one, bounded by ours and the path's) less 40 bytes of
// option space, and no more than the send buffer takes. It returns how
// many bytes of p the SYN carries; the rest is the caller's to write
// once the connection is established. Retransmitted SYNs carry neither
// data nor the option; a SYN-ACK that acknowledges only the SYN has the
// data sent again at once (tcp_rcv_fastopen_synack).
func (c *Conn) ConnectFastOpen(now time.Duration, req FastOpenRequest, p []byte) (int, error) {
	if c.state != Closed || c.sndMax != c.iss {
		return 0, fmt.Errorf("tcp: connect in %s: %w (%w)", c.state, ErrState, EISCONN)
	}
	f := c.fo()
	a := &fastOpenActive{syn: req.Cookie.Len >= 0, exp: req.Cookie.Exp, writePending: req.WritePending}
	f.active = a
	f.reply = req.Cookie
	n := 0
	if req.Data {
		mss := c.cfg.MSS
		if req.MSS > 0 {
			mss = min(mss, req.MSS)
		}
		n = max(0, min(len(p), c.pmtuMSS(mss)-maxTCPOptionSpace))
		n = c.sb.write(p[:n], c.sb.limit)
	}
	a.data = n
	if n > 0 {
		f.synDataEnd, f.synDataSent = c.iss.Add(uint32(1+n)), true
	}
	// tcp_send_syn_data: once the SYN carries all of it, no data is
	// pending for the writer (fo->data = NULL).
	a.writePending = a.writePending && n < len(p)
	c.passive = false
	c.setState(SynSent)
	c.sendSyn(now, false)
	c.sndNxt = c.iss.Add(uint32(1 + n))
	c.sndMax = c.sndNxt
	c.synSentAt = now
	if n > 0 {
		c.noteDataSent(now)
		c.sent = append(c.sent, sentRec{start: c.iss.Add(1), end: c.sndMax, at: now})
		c.rateSent(c.iss.Add(1), c.sndMax, now)
		c.chronoStart(now, chronoBusy)
	}
	c.arm(timerRtx, now+c.rtt.current())
	return n, nil
}

// FastOpenResult returns what the SYN-ACK taught an active Fast Open;
// ok is false before it came, and after the first call (the host
// caches it once).
func (c *Conn) FastOpenResult() (r FastOpenResult, ok bool) {
	f := c.foState()
	if f == nil || f.active == nil || !f.active.done {
		return FastOpenResult{}, false
	}
	r = f.active.result
	f.active = nil
	return r, true
}

// synDataPush reports whether a segment ending at end is the end of the
// data an active Fast Open's SYN carried, which is pushed (PSH) whenever
// it is sent.
func (c *Conn) synDataPush(end Seq) bool {
	f := c.foState()
	return f != nil && f.synDataSent && end == f.synDataEnd
}

// fastOpenWritePending reports that a writer waits for the handshake of
// an active Fast Open to send more.
func (c *Conn) fastOpenWritePending() bool {
	f := c.foState()
	return f != nil && f.active != nil && f.active.writePending
}

// FastOpenActive reports that the connection is an active Fast Open
// whose SYN-ACK the host has not yet taken the result of.
func (c *Conn) FastOpenActive() bool { f := c.foState(); return f != nil && f.active != nil }

// fastOpenSynAck is Linux's tcp_rcv_fastopen_synack for the SYN-ACK h of
// an active Fast Open (its SYN sent more than once when
// synRetransmitted), once its ACK was taken: it records what the host
// caches, and reports whether data the SYN carried is still
// unacknowledged, to be sent again at once.
func (c *Conn) fastOpenSynAck(h *Header, synRetransmitted bool) bool {
	f := c.foState()
	if f == nil || f.active == nil || f.active.done {
		return false
	}
	a := f.active
	a.done = true
	cookie, has := h.Options.FastOpen()
	if !has || !a.syn {
		// No cookie, or one we did not ask for (unsolicited).
		cookie.Len = -1
	}
	pending := a.data > 0 && c.sndUna.LessThan(c.sndMax)
	r := FastOpenResult{Cookie: cookie}
	if m, ok := h.Options.MSS(); ok {
		r.MSS = int(m)
	}
	switch {
	case synRetransmitted:
		// Linux also counts a probable loss of the SYN's data here
		// (tcp_fastopen_cache_set's syn_lost), which netsim does not
		// model; nor is the cookie request's form changed.
	case cookie.Len < 0 && a.syn && a.data == 0:
		r.TryExp = 1
		if a.exp {
			r.TryExp = 2
		}
	}
	a.result = r
	if !pending {
		f.synData = a.data > 0
	}
	return pending
}
