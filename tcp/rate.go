package tcp

import (
	"sort"
	"time"
)

// RateSample is the delivery-rate sample of one ACK, as Linux's struct
// rate_sample (tcp_rate.c) and draft-cheng-iccrg-delivery-rate-estimation
// §3 define it: how much data was delivered over how long, measured from
// the most recently sent segment the ACK newly acknowledged or SACKed.
// Counts are in bytes of payload (Linux counts segments).
type RateSample struct {
	// Delivered is the data delivered over Interval, in bytes; -1 when
	// the ACK gives no sample (no timing information).
	Delivered int64
	// Interval is the longer of the send and ACK phases of the sample
	// (Linux's interval_us); -1 when invalid, among others when shorter
	// than the minimum RTT, which only ACK compression or a spurious
	// retransmission produce.
	Interval time.Duration
	// SendInterval and AckInterval are the two phases: from the first to
	// the last send of the flight the sample covers, and between the ACKs
	// that delivered its first and last byte.
	SendInterval, AckInterval time.Duration
	// AppLimited: the flight was sent while the application, not the
	// windows, limited sending (draft §3.4), so the rate is a lower bound.
	AppLimited bool
	// RTT is the round-trip time of the most recently sent segment newly
	// delivered, -1 when none was sent only once (Karn's rule; Linux's
	// rtt_us from ca_rtt_us).
	RTT time.Duration
	// AckedSacked is the data newly acknowledged or SACKed by this ACK.
	AckedSacked int
	// Losses is the data newly deemed lost since the previous sample
	// (counted when it is retransmitted).
	Losses int
	// PriorInflight is what was in flight before this ACK (Linux's
	// prior_in_flight: sent, not acknowledged nor SACKed).
	PriorInflight int
	// PriorDelivered is the connection's delivered count when the sample's
	// segment was sent; DeliveredTotal the count now (Linux's
	// tp->delivered), in bytes. A segment sent after the count was n is
	// delivered by the sample whose PriorDelivered >= n: this is how BBR
	// and Vegas tell round trips apart.
	PriorDelivered, DeliveredTotal int64
	// ECE: the ACK carried ECN-Echo (RFC 3168 §6.1.2).
	ECE bool
	// Retransmitted: the segment the sample is taken from had been
	// retransmitted.
	Retransmitted bool
}

// Valid reports whether the sample has a rate.
func (rs *RateSample) Valid() bool { return rs.Delivered > 0 && rs.Interval > 0 }

// BytesPerSecond is the sample's delivery rate, 0 when it has none.
func (rs *RateSample) BytesPerSecond() int64 {
	if !rs.Valid() {
		return 0
	}
	return rs.Delivered * int64(time.Second) / int64(rs.Interval)
}

// RateSampler is implemented by congestion controls that read every ACK's
// rate sample (Linux's pkts_acked hook and the rate sample it passes to
// cong_control). The sender calls OnRateSample once per acceptable ACK
// that acknowledges or SACKs data, before OnAck and before the ACK's loss
// recovery decisions, so that RTT-based algorithms see the ACK's RTT before
// they grow the window.
type RateSampler interface {
	OnRateSample(now time.Duration, rs *RateSample)
}

// rateState is the connection's delivery-rate estimator: Linux's
// tp->delivered, delivered_mstamp, first_tx_mstamp, app_limited and the
// last sample kept for tcp_info (tcp_rate.c).
type rateState struct {
	delivered     int64 // bytes delivered (acknowledged or SACKed), ever
	deliveredSegs int64 // the same in segments (tcpi_delivered)
	deliveredAt   time.Duration
	firstTxAt     time.Duration
	// appLimited is the delivered count at which the current
	// application-limited period ends (Linux's tp->app_limited); 0 when
	// none.
	appLimited int64
	// lost counts bytes deemed lost (retransmitted) since the previous
	// sample.
	lost int
	// The latest non-application-limited sample, or a faster limited one
	// (tcpi_delivery_rate).
	keptDelivered  int64
	keptInterval   time.Duration
	keptAppLimited bool
}

// ackSample is the rate sample of the ACK in hand and what building it
// needs.
type ackSample struct {
	rs RateSample
	// st is what control hands a WindowController with rs: kept here,
	// as a local passed to the interface method would be moved to the
	// heap on every ACK.
	st         ControlState
	priorSet   bool
	priorAt    time.Duration
	lastEndSeq Seq
}

// rateSent records the transmission of [seq, end) at now (Linux
// tcp_rate_skb_sent). New data gets a fresh record in c.sent (done by the
// caller); a retransmission refreshes the records it covers, whose next
// delivery measures from this send.
func (c *Conn) rateSent(seq, end Seq, now time.Duration) {
	r := &c.rate
	if c.sndMax == c.sndUna {
		// Nothing in flight: a sample measures from now, the start of
		// this flight (the ACK clock restarts).
		r.firstTxAt, r.deliveredAt = now, now
	}
	if !seq.LessThan(c.sndMax) {
		s := &c.sent[len(c.sent)-1]
		s.stampTx(r, now)
		return
	}
	i := c.sentIndex(seq)
	for ; i < len(c.sent) && c.sent[i].start.LessThan(end); i++ {
		c.sent[i].stampTx(r, now)
	}
}

// stampTx copies the connection's delivery state into a record sent now.
func (s *sentRec) stampTx(r *rateState, now time.Duration) {
	s.txAt = now
	s.delivered = r.delivered
	s.deliveredAt = r.deliveredAt
	s.firstTxAt = r.firstTxAt
	s.appLimited = r.appLimited != 0
	s.stamped = true
}

// sentIndex is the index of the first live record that ends after seq.
func (c *Conn) sentIndex(seq Seq) int {
	live := c.sent[c.sentHead:]
	return c.sentHead + sort.Search(len(live), func(k int) bool { return live[k].end.GreaterThan(seq) })
}

// rateLost counts n bytes deemed lost.
func (c *Conn) rateLost(n int) { c.rate.lost += n }

// rateCheckAppLimited marks the connection application-limited when the
// writer leaves a gap: less than a segment waits, the window is not full
// and no loss waits to be repaired (Linux tcp_rate_check_app_limited, run
// when the application writes).
func (c *Conn) rateCheckAppLimited() {
	if c.unsent() >= c.sndMss || c.inRecovery {
		return
	}
	inflight := c.flightSize() - c.board.sackedBelow(c.sndMax)
	if inflight >= c.cc.Cwnd() {
		return
	}
	c.rate.appLimited = max(c.rate.delivered+int64(inflight), 1)
}

// rateOnAck marks what the ACK h newly delivers, cumulatively up to ack or
// by its SACK blocks, and builds its rate sample (Linux
// tcp_rate_skb_delivered for each segment, then tcp_rate_gen). It runs
// after the scoreboard took the ACK's blocks and before SND.UNA moves.
// blocks are the ACK's SACK blocks (none without SACK). It reports
// whether the ACK delivered anything.
func (c *Conn) rateOnAck(now time.Duration, h *Header, ack Seq, priorInflight int, blocks []SACKBlock) bool {
	if c.ackRate == nil {
		c.ackRate = &c.busy().ack
	}
	r := c.ackRate
	*r = ackSample{rs: RateSample{Delivered: -1, Interval: -1, RTT: -1, PriorInflight: priorInflight,
		ECE: h.Flags.Has(FlagECE), DeliveredTotal: c.rate.delivered}}
	acked, rttAt, rttOK, retxAcked := 0, time.Duration(0), false, false
	if ack.GreaterThan(c.sndUna) {
		for i := c.sentHead; i < len(c.sent) && c.sent[i].end.LessEq(ack); i++ {
			s := &c.sent[i]
			if s.sacked {
				continue
			}
			acked += c.rateDelivered(s)
			if c.rackOn() {
				c.rackDelivered(now, s)
			}
			if s.retx {
				retxAcked = true
			} else {
				rttAt, rttOK = s.at, true
			}
		}
	}
	if retxAcked {
		rttOK = false // Linux: FLAG_RETRANS_DATA_ACKED voids seq_rtt
	}
	una := Max(ack, c.sndUna)
	if c.sackOK {
		for _, b := range blocks {
			if !b.Start.LessThan(b.End) || b.End.LessEq(una) || b.End.GreaterThan(c.sndMax) {
				continue
			}
			for i := c.sentIndex(b.Start); i < len(c.sent) && c.sent[i].end.LessEq(b.End); i++ {
				s := &c.sent[i]
				if s.sacked || s.start.LessThan(b.Start) || s.end.LessEq(una) {
					continue
				}
				s.sacked = true
				acked += c.rateDelivered(s)
				if c.rackOn() {
					c.rackDelivered(now, s)
				}
				if !s.retx && !retxAcked && (!rttOK || s.at > rttAt) {
					rttAt, rttOK = s.at, true
				}
			}
		}
	}
	if acked == 0 {
		return false
	}
	if rttOK {
		r.rs.RTT = now - rttAt
	}
	c.rateGen(now, acked)
	return true
}

// rateDelivered counts one record as delivered and makes it the sample's
// reference when it is the most recently sent so far (Linux
// tcp_rate_skb_delivered). It returns its payload bytes.
func (c *Conn) rateDelivered(s *sentRec) int {
	r := c.ackRate
	n := s.payload()
	c.rate.delivered += int64(n)
	c.rate.deliveredSegs++
	if !s.stamped {
		return n
	}
	// tcp_skb_sent_after: later send time, or the same and a later end.
	if !r.priorSet || s.txAt > c.rate.firstTxAt || s.txAt == c.rate.firstTxAt && s.end.GreaterThan(r.lastEndSeq) {
		r.priorSet = true
		r.rs.PriorDelivered = s.delivered
		r.priorAt = s.deliveredAt
		r.rs.AppLimited = s.appLimited
		r.rs.Retransmitted = s.retx
		r.lastEndSeq = s.end
		c.rate.firstTxAt = s.txAt
		r.rs.SendInterval = s.txAt - s.firstTxAt
	}
	// A SACKed record is not a reference again when cumulatively
	// acknowledged.
	s.stamped = false
	return n
}

// rateGen completes the ACK's sample once acked bytes were newly
// delivered (Linux tcp_rate_gen).
func (c *Conn) rateGen(now time.Duration, acked int) {
	r, a := &c.rate, c.ackRate
	rs := &a.rs
	if r.appLimited != 0 && r.delivered > r.appLimited {
		r.appLimited = 0 // the bubble was acknowledged
	}
	r.deliveredAt = now
	rs.AckedSacked = acked
	rs.DeliveredTotal = r.delivered
	rs.Losses, r.lost = r.lost, 0
	if !a.priorSet {
		return
	}
	rs.Delivered = r.delivered - rs.PriorDelivered
	rs.AckInterval = now - a.priorAt
	// Sending and acknowledging a flight are two pipeline phases; the
	// longer one bounds the rate (ACK compression shortens the ACK phase,
	// a burst the send phase).
	rs.Interval = max(rs.SendInterval, rs.AckInterval)
	minRTT := c.rtt.sampleMin
	if rs.RTT >= 0 && (minRTT == 0 || rs.RTT < minRTT) {
		minRTT = rs.RTT
	}
	if rs.Interval < minRTT || rs.Interval <= 0 {
		rs.Interval = -1
		return
	}
	if !rs.AppLimited || rs.Delivered*int64(r.keptInterval) >= r.keptDelivered*int64(rs.Interval) {
		r.keptDelivered, r.keptInterval, r.keptAppLimited = rs.Delivered, rs.Interval, rs.AppLimited
	}
}

// DeliveryRate is the latest delivery rate in bytes per second that was
// not application-limited (or a faster limited one), and whether it was
// application-limited: Linux's tcpi_delivery_rate and
// tcpi_delivery_rate_app_limited.
func (c *Conn) DeliveryRate() (bytesPerSecond int64, appLimited bool) {
	r := &c.rate
	if r.keptInterval <= 0 {
		return 0, false
	}
	return r.keptDelivered * int64(time.Second) / int64(r.keptInterval), r.keptAppLimited
}

// onRateSample hands the ACK's sample to the congestion control and
// reports it.
func (c *Conn) onRateSample(now time.Duration) {
	rs := &c.ackRate.rs
	if s, ok := c.cc.(RateSampler); ok {
		s.OnRateSample(now, rs)
	}
	if rs.Valid() && c.reports(EvRate) {
		c.emit(Event{Kind: EvRate, Rate: *rs})
	}
}

// control runs a WindowController on the ACK just processed (Linux's
// tcp_cong_control calls cong_control on every ACK) and reports what it
// changed.
func (c *Conn) control(now time.Duration) {
	if !c.windowCtl || c.ackRate == nil {
		return // only BBR pays for the assertion below, once per ACK
	}
	wc := c.cc.(WindowController) // windowCtl says it is one
	if c.inLoss && !c.lossHolds(c.sndUna) {
		c.inLoss = false // what was in flight at the RTO is acknowledged
	}
	st := &c.ackRate.st
	*st = ControlState{State: CAOpen}
	switch {
	case c.inRecovery:
		st.State = CARecovery
	case c.inLoss:
		st.State = CALoss
	}
	st.Inflight = c.flightSize() - c.board.sackedBelow(c.sndMax)
	if c.inRecovery && c.sackOK {
		st.Inflight = c.pipe()
	}
	wc.Control(now, &c.ackRate.rs, st)
	if st.MarkAppLimited {
		c.rate.appLimited = max(c.rate.delivered+int64(st.Inflight), 1)
	}
	c.noteCwnd("ack")
	if r, ok := c.cc.(bbrReporter); ok {
		if info, ok := r.takeReport(); ok {
			c.emit(Event{Kind: EvBBR, BBR: info})
		}
	}
}
