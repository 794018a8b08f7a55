package tcp

import (
	"math"
	"math/bits"
	"time"
)

// BBR v1 parameters of Linux's tcp_bbr.c. Gains are fixed point with
// bbrUnit = 1.0.
const (
	bbrScale = 8
	// bbrBWScale is Linux's BW_SCALE: bandwidth in segments per µs is
	// kept scaled by 2^24 (BW_UNIT).
	bbrBWScale = 24
	bbrUnit    = 1 << bbrScale
	// bbrHighGain is 2/ln(2), the smallest gain that doubles the sending
	// rate each round in STARTUP; bbrDrainGain its inverse.
	bbrHighGain  = bbrUnit*2885/1000 + 1
	bbrDrainGain = bbrUnit * 1000 / 2885
	bbrCwndGain  = bbrUnit * 2
	bbrCycleLen  = 8
	// bbrBWRounds is the window of the max-bandwidth filter, in rounds.
	bbrBWRounds = bbrCycleLen + 2
	// bbrMinRTTWindow: min_rtt expires after 10 s (PROBE_RTT follows).
	bbrMinRTTWindow = 10 * time.Second
	// bbrProbeRTTTime: PROBE_RTT holds the window at bbrMinCwndSegs for
	// at least 200 ms and a round.
	bbrProbeRTTTime = 200 * time.Millisecond
	bbrMinCwndSegs  = 4
	// STARTUP ends after bbrFullBWRounds rounds without the bandwidth
	// growing by bbrFullBWThresh (25%).
	bbrFullBWThresh = bbrUnit * 5 / 4
	bbrFullBWRounds = 3
	bbrCycleRand    = 7
	// Long-term (policer) detection: intervals of 4 to 16 rounds with at
	// least 20% loss; two consecutive rates within 1/8 or 4 kbit/s of each
	// other are used for 48 rounds.
	bbrLTIntervalMinRounds = 4
	bbrLTLossThresh        = 50 // of bbrUnit: 19.5%
	bbrLTBWRatio           = bbrUnit / 8
	bbrLTBWDiff            = 4000 / 8 // bytes per second
	bbrLTBWMaxRounds       = 48
	// Ack aggregation: the extra data acknowledged beyond what the
	// bandwidth explains, the max over 5-10 rounds, at most 100 ms of it.
	bbrExtraAckedGain      = bbrUnit
	bbrExtraAckedWinRounds = 5
	bbrExtraAckedMax       = 100 * time.Millisecond
	bbrAckEpochResetThresh = 1 << 20 // segments in Linux; bytes here are scaled by mss
	// bbrPacingMarginPercent: pace 1% below the estimate to drain queues.
	bbrPacingMarginPercent = 1
	// bbrMinTSORate: below 1.2 Mbit/s the TSO goal is one segment.
	bbrMinTSORate = 1200000 / 8
)

// bbrPacingGain is the PROBE_BW gain cycle: probe at 5/4, drain at 3/4,
// cruise at 1 for six phases.
var bbrPacingGain = [bbrCycleLen]int64{bbrUnit * 5 / 4, bbrUnit * 3 / 4, bbrUnit, bbrUnit, bbrUnit, bbrUnit, bbrUnit, bbrUnit}

// BBRMode is the state of BBR's state machine.
type BBRMode uint8

// The BBR modes.
const (
	BBRStartup BBRMode = iota
	BBRDrain
	BBRProbeBW
	BBRProbeRTT
)

var bbrModeNames = [...]string{BBRStartup: "startup", BBRDrain: "drain", BBRProbeBW: "probe_bw", BBRProbeRTT: "probe_rtt"}

// String returns "startup", "drain", "probe_bw" or "probe_rtt".
func (m BBRMode) String() string {
	return enumName(bbrModeNames[:], m, "BBRMode")
}

// CAState is the sender's loss-recovery state (Linux's icsk_ca_state, in
// its order and with its numbers, which tcpi_ca_state reports). A
// WindowController is told Open, Recovery or Loss only.
type CAState uint8

// The states.
const (
	CAOpen     CAState = iota // no loss being repaired
	CADisorder                // SACKed data or duplicate ACKs outstanding, no recovery yet
	CACWR                     // the window coming down after an ECN-Echo (TCP_CA_CWR)
	CARecovery                // fast recovery
	CALoss                    // after an RTO, until what was sent then is acknowledged
)

// ControlState is what the sender tells a WindowController on each ACK,
// and what the controller may ask of it.
type ControlState struct {
	// Inflight is what is in flight after the ACK (Linux's
	// tcp_packets_in_flight), in bytes.
	Inflight int
	// State is the recovery state after the ACK.
	State CAState
	// MarkAppLimited, set by the controller, marks the connection
	// application-limited until what is in flight now is delivered, so
	// that the samples of a deliberately small window do not lower the
	// bandwidth estimate (BBR's PROBE_RTT).
	MarkAppLimited bool
}

// WindowController is implemented by congestion controls that set the
// window themselves on every ACK, in recovery too, from the rate sample
// (Linux's cong_control hook, which replaces cong_avoid and PRR's
// reduction). The sender then lets cwnd - pipe go during recovery.
type WindowController interface {
	Control(now time.Duration, rs *RateSample, st *ControlState)
}

// BBRInfo is a snapshot of BBR's model, traced as a tcp.bbr record.
type BBRInfo struct {
	Mode BBRMode
	// BW is the bandwidth in use in bytes per second: the windowed maximum
	// delivery rate, or the long-term rate when LongTerm.
	BW int64
	// MinRTT is the windowed minimum RTT (0 before any sample).
	MinRTT time.Duration
	// PacingGain and CwndGain are in percent.
	PacingGain, CwndGain int
	// Cycle is the PROBE_BW gain-cycle phase.
	Cycle    int
	LongTerm bool
	// Reason says what changed: mode, cycle, bw, min_rtt or lt.
	Reason string
}

// bbrReporter is implemented by congestion controls with a model to trace.
type bbrReporter interface {
	// takeReport returns the model and true once after it changed.
	takeReport() (BBRInfo, bool)
}

// BBR is BBR version 1 as Linux mainline's tcp_bbr.c (Cardwell et al.,
// "BBR: Congestion-Based Congestion Control", ACM Queue 2016). It models
// the path by the maximum delivery rate over the last 10 rounds and the
// minimum RTT over the last 10 s, paces at pacing_gain times that rate and
// caps the flight at cwnd_gain times the bandwidth-delay product:
//
//   - STARTUP doubles the rate each round (gain 2/ln 2) until three rounds
//     pass without the bandwidth growing by 25%;
//   - DRAIN paces at the inverse gain until the flight is down to one BDP;
//   - PROBE_BW cycles eight phases of one min-RTT each: 5/4 to probe for
//     more bandwidth, 3/4 to drain what that queued, six at 1;
//   - PROBE_RTT, when the min-RTT estimate is 10 s old, holds the flight at
//     4 segments for 200 ms and a round to measure the RTT afresh.
//
// A long-term rate is detected when two intervals of 4 to 16 rounds each
// lose 20% or more at about the same rate (a token-bucket policer); BBR
// then paces at it for 48 rounds. Loss recovery keeps packet conservation
// for its first round and restores the window after. Byte counts replace
// Linux's segment counts.
type BBR struct {
	mss  int
	cwnd int
	// priorCwnd is the window saved on entering recovery or PROBE_RTT.
	priorCwnd   int
	ssthresh    int
	pacingRate  int64 // bytes per second
	hasSeenRTT  bool
	mode        BBRMode
	prevState   CAState
	conserve    bool // packet conservation in the first round of recovery
	roundStart  bool
	rounds      int64 // Linux's rtt_cnt
	nextRoundAt int64 // delivered count that ends the round
	bw          maxFilter
	minRTT      time.Duration // math.MaxInt64 before a sample
	minRTTAt    time.Duration
	probeRTTEnd time.Duration
	probeRTTSet bool
	probeRound  bool
	// idleRestart: sending resumed after an application-limited idle
	// spell, and no data has been delivered since (Linux's idle_restart).
	idleRestart bool
	fullBW      int64
	fullBWCnt   int
	fullBWDone  bool
	pacingGain  int64
	cwndGain    int64
	cycle       int
	cycleAt     time.Duration
	// lastDeliveredAt is when data was last delivered (delivered_mstamp).
	lastDeliveredAt time.Duration
	delivered       int64 // the connection's delivered bytes
	lost            int64 // bytes deemed lost, ever (tp->lost)
	// Long-term bandwidth sampling.
	ltSampling      bool
	ltUse           bool
	ltBW            int64
	ltRounds        int
	ltLastAt        time.Duration
	ltLastDelivered int64
	ltLastLost      int64
	// Ack aggregation.
	ackEpochAt     time.Duration
	ackEpochAcked  int64
	extraAcked     [2]int64
	extraWinRounds int
	extraWinIdx    int
	// rng draws the PROBE_BW starting phase (Linux's prandom_u32_max).
	rng uint64
	// report is the model last traced, changed whether it moved since.
	report  BBRInfo
	changed bool
}

// NewBBR returns BBR for a sender with SMSS mss and an initial window of
// initialCwndSegments segments. Prefer NewCongestion.
func NewBBR(mss, initialCwndSegments int) *BBR {
	b := &BBR{mss: mss, cwnd: initialCwndSegments * mss, ssthresh: InfiniteSsthresh,
		minRTT: math.MaxInt64, rng: 0x9E3779B97F4A7C15}
	b.initPacingRate(0)
	b.resetStartup()
	b.snapshot("mode")
	return b
}

// seed sets the stream that picks the PROBE_BW starting phase; NewConn
// seeds it from the connection's random ISN.
func (b *BBR) seed(s uint64) {
	if s == 0 {
		s = 1
	}
	b.rng = s
}

// rand returns a number in [0, n) (xorshift64*).
func (b *BBR) rand(n int) int {
	b.rng ^= b.rng >> 12
	b.rng ^= b.rng << 25
	b.rng ^= b.rng >> 27
	return int((b.rng * 2685821657736338717 >> 33) % uint64(n))
}

// Name returns "bbr".
func (b *BBR) Name() string { return CongestionBBR }

// Cwnd returns the congestion window in bytes.
func (b *BBR) Cwnd() int { return b.cwnd }

// Ssthresh returns the slow-start threshold: infinite until DRAIN sets it
// to one BDP (Linux reports it; BBR does not use it).
func (b *BBR) Ssthresh() int { return b.ssthresh }

// PacingRate is the rate BBR paces at, in bytes per second.
func (b *BBR) PacingRate() int64 { return b.pacingRate }

// Mode returns the state machine's mode.
func (b *BBR) Mode() BBRMode { return b.mode }

// BW returns the bandwidth estimate in use, in bytes per second.
func (b *BBR) BW() int64 {
	if b.ltUse {
		return b.ltBW
	}
	return b.bw.get()
}

// MinRTT returns the windowed minimum RTT, 0 before a sample.
func (b *BBR) MinRTT() time.Duration {
	if b.minRTT == math.MaxInt64 {
		return 0
	}
	return b.minRTT
}

// OnAck does nothing: BBR sets the window in Control.
func (b *BBR) OnAck(time.Duration, int, int, time.Duration) {}

// OnEnterRecovery saves the window to restore after recovery
// (bbr_ssthresh); Control sets packet conservation.
func (b *BBR) OnEnterRecovery(time.Duration, int) { b.saveCwnd() }

// OnExitRecovery does nothing: Control restores the window when it sees
// the sender back in the Open state.
func (b *BBR) OnExitRecovery(time.Duration) {}

// OnRTO enters the Loss state (bbr_set_state): the window is one segment
// (tcp_enter_loss), the full-bandwidth search restarts and the timeout
// counts as a loss for long-term sampling.
func (b *BBR) OnRTO(now time.Duration, _ int) {
	b.saveCwnd()
	b.cwnd = b.mss
	b.prevState = CALoss
	b.fullBW = 0
	b.roundStart = true
	b.ltBWSampling(now, &RateSample{Losses: 1, Delivered: -1, Interval: -1})
}

// SetMSS changes SMSS, keeping the window's size in segments.
func (b *BBR) SetMSS(mss int) {
	if mss <= 0 || mss == b.mss {
		return
	}
	b.cwnd = max(rescale(b.cwnd, b.mss, mss), mss)
	b.priorCwnd = rescale(b.priorCwnd, b.mss, mss)
	b.mss = mss
}

func (b *BBR) saveCwnd() {
	if b.prevState < CARecovery && b.mode != BBRProbeRTT {
		b.priorCwnd = b.cwnd
	} else {
		b.priorCwnd = max(b.priorCwnd, b.cwnd)
	}
}

// Control is bbr_main: update the model from the ACK's sample, then set
// the pacing rate and the window.
func (b *BBR) Control(now time.Duration, rs *RateSample, st *ControlState) {
	b.delivered = max(b.delivered, rs.DeliveredTotal)
	b.lost += int64(rs.Losses)
	if rs.AckedSacked > 0 {
		b.lastDeliveredAt = now
	}
	b.updateBW(now, rs)
	b.updateAckAggregation(rs)
	b.updateCyclePhase(rs)
	b.checkFullBW(rs)
	b.checkDrain(st)
	b.updateMinRTT(now, rs, st)
	b.updateGains()
	bw := b.BW()
	b.setPacingRate(bw, b.pacingGain)
	b.setCwnd(rs, st, bw)
	b.snapshot("")
}

// updateBW is bbr_update_bw: round counting and the max filter.
func (b *BBR) updateBW(now time.Duration, rs *RateSample) {
	b.roundStart = false
	if rs.Delivered < 0 || rs.Interval <= 0 {
		return
	}
	if rs.PriorDelivered >= b.nextRoundAt {
		b.nextRoundAt = b.delivered
		b.rounds++
		b.roundStart = true
		b.conserve = false
	}
	b.ltBWSampling(now, rs)
	bw := rs.BytesPerSecond()
	if !rs.AppLimited || bw >= b.bw.get() {
		b.bw.update(bbrBWRounds, b.rounds, bw)
	}
}

// updateAckAggregation is bbr_update_ack_aggregation: how much more than
// the bandwidth explains arrives in ACK bursts.
func (b *BBR) updateAckAggregation(rs *RateSample) {
	if rs.AckedSacked <= 0 || rs.Delivered < 0 || rs.Interval <= 0 {
		return
	}
	if b.roundStart {
		b.extraWinRounds = min(0x1f, b.extraWinRounds+1)
		if b.extraWinRounds >= bbrExtraAckedWinRounds {
			b.extraWinRounds = 0
			b.extraWinIdx ^= 1
			b.extraAcked[b.extraWinIdx] = 0
		}
	}
	epoch := b.lastDeliveredAt - b.ackEpochAt
	expected := b.BW() * int64(epoch/time.Microsecond) / 1e6
	if b.ackEpochAcked <= expected || b.ackEpochAcked+int64(rs.AckedSacked) >= int64(bbrAckEpochResetThresh)*int64(b.mss) {
		b.ackEpochAcked = 0
		b.ackEpochAt = b.lastDeliveredAt
		expected = 0
	}
	b.ackEpochAcked += int64(rs.AckedSacked)
	extra := min(b.ackEpochAcked-expected, int64(b.cwnd))
	b.extraAcked[b.extraWinIdx] = max(b.extraAcked[b.extraWinIdx], extra)
}

// updateCyclePhase is bbr_update_cycle_phase.
func (b *BBR) updateCyclePhase(rs *RateSample) {
	if b.mode != BBRProbeBW || !b.nextCyclePhase(rs) {
		return
	}
	b.advanceCycle()
}

func (b *BBR) nextCyclePhase(rs *RateSample) bool {
	full := b.minRTT != math.MaxInt64 && b.lastDeliveredAt-b.cycleAt > b.minRTT
	if b.pacingGain == bbrUnit {
		return full
	}
	inflight := int64(rs.PriorInflight)
	bw := b.bw.get()
	if b.pacingGain > bbrUnit {
		return full && (rs.Losses > 0 || inflight >= int64(b.inflight(bw, b.pacingGain)))
	}
	return full || inflight <= int64(b.inflight(bw, bbrUnit))
}

func (b *BBR) advanceCycle() {
	b.cycle = (b.cycle + 1) % bbrCycleLen
	b.cycleAt = b.lastDeliveredAt
}

// checkFullBW is bbr_check_full_bw_reached: the pipe is full after three
// rounds without 25% growth.
func (b *BBR) checkFullBW(rs *RateSample) {
	if b.fullBWDone || !b.roundStart || rs.AppLimited {
		return
	}
	if b.bw.get() >= b.fullBW*bbrFullBWThresh>>bbrScale {
		b.fullBW = b.bw.get()
		b.fullBWCnt = 0
		return
	}
	b.fullBWCnt++
	b.fullBWDone = b.fullBWCnt >= bbrFullBWRounds
}

// checkDrain is bbr_check_drain.
func (b *BBR) checkDrain(st *ControlState) {
	if b.mode == BBRStartup && b.fullBWDone {
		b.mode = BBRDrain
		b.ssthresh = b.inflight(b.bw.get(), bbrUnit)
	}
	if b.mode == BBRDrain && st.Inflight <= b.inflight(b.bw.get(), bbrUnit) {
		b.resetProbeBW()
	}
}

func (b *BBR) resetStartup() { b.mode = BBRStartup }

func (b *BBR) resetProbeBW() {
	b.mode = BBRProbeBW
	b.cycle = bbrCycleLen - 1 - b.rand(bbrCycleRand)
	b.advanceCycle()
}

func (b *BBR) resetMode() {
	if !b.fullBWDone {
		b.resetStartup()
	} else {
		b.resetProbeBW()
	}
}

// updateMinRTT is bbr_update_min_rtt, with PROBE_RTT.
func (b *BBR) updateMinRTT(now time.Duration, rs *RateSample, st *ControlState) {
	expired := b.minRTT != math.MaxInt64 && now > b.minRTTAt+bbrMinRTTWindow
	if rs.RTT >= 0 && (rs.RTT < b.minRTT || expired) {
		b.minRTT = rs.RTT
		b.minRTTAt = now
	}
	// A sender back from idle has drained the queue already: no PROBE_RTT
	// until it delivers again.
	if expired && !b.idleRestart && b.mode != BBRProbeRTT {
		b.mode = BBRProbeRTT
		b.saveCwnd()
		b.probeRTTSet = false
	}
	if rs.Delivered > 0 {
		b.idleRestart = false // Linux: only once a new ACK delivers data
	}
	if b.mode != BBRProbeRTT {
		return
	}
	// Samples of the small window say nothing of the bandwidth.
	st.MarkAppLimited = true
	switch {
	case !b.probeRTTSet && st.Inflight <= bbrMinCwndSegs*b.mss:
		b.probeRTTEnd = now + bbrProbeRTTTime
		b.probeRTTSet = true
		b.probeRound = false
		b.nextRoundAt = b.delivered
	case b.probeRTTSet:
		if b.roundStart {
			b.probeRound = true
		}
		if b.probeRound {
			b.checkProbeRTTDone(now)
		}
	}
}

// checkProbeRTTDone is bbr_check_probe_rtt_done: once PROBE_RTT has held
// its small flight for 200 ms, the min-RTT estimate is fresh; the window
// comes back and the next mode follows.
func (b *BBR) checkProbeRTTDone(now time.Duration) {
	if !b.probeRTTSet || now <= b.probeRTTEnd {
		return
	}
	b.minRTTAt = now
	b.cwnd = max(b.cwnd, b.priorCwnd)
	b.resetMode()
}

// restartFromIdle is bbr_cwnd_event's CA_EVENT_TX_START for an
// application-limited sender: data goes out again after an idle spell.
// In PROBE_BW it paces at the estimated bandwidth, not at the current
// phase's gain, as there is no need for more speed and a probing burst
// would only fill a queue; a PROBE_RTT that lasted its 200 ms through the
// idle spell ends. The ACK-aggregation epoch restarts.
func (b *BBR) restartFromIdle(now time.Duration) {
	b.idleRestart = true
	b.ackEpochAt, b.ackEpochAcked = now, 0
	switch b.mode {
	case BBRProbeBW:
		b.setPacingRate(b.BW(), bbrUnit)
	case BBRProbeRTT:
		b.checkProbeRTTDone(now)
	}
	b.snapshot("")
}

// updateGains is bbr_update_gains.
func (b *BBR) updateGains() {
	switch b.mode {
	case BBRStartup:
		b.pacingGain, b.cwndGain = bbrHighGain, bbrHighGain
	case BBRDrain:
		b.pacingGain, b.cwndGain = bbrDrainGain, bbrHighGain
	case BBRProbeBW:
		b.pacingGain, b.cwndGain = bbrPacingGain[b.cycle], bbrCwndGain
		if b.ltUse {
			b.pacingGain = bbrUnit
		}
	case BBRProbeRTT:
		b.pacingGain, b.cwndGain = bbrUnit, bbrUnit
	}
}

// rateFor is bbr_bw_to_pacing_rate: bw times gain, 1% below.
func rateFor(bw, gain int64) int64 {
	return bw * gain >> bbrScale * (100 - bbrPacingMarginPercent) / 100
}

// initPacingRate is bbr_init_pacing_rate_from_rtt: the initial window
// over the SRTT (1 ms before any) at the high gain. It keeps Linux's fixed
// point (bandwidth in segments per µs scaled by 2^24, rounded down, then
// bbr_rate_bytes_per_sec), so that tcpi_pacing_rate is Linux's to the
// byte: a window of 10 segments of 1000 bytes over 100 ms gives 285662
// bytes/s, where exact arithmetic would give 285784.
func (b *BBR) initPacingRate(srtt time.Duration) {
	rttUs := uint64(time.Millisecond / time.Microsecond)
	if srtt > 0 {
		rttUs = max(uint64(srtt/time.Microsecond), 1)
		b.hasSeenRTT = true
	}
	bw := uint64(b.cwnd/b.mss) << bbrBWScale / rttUs
	// At most 1000 segments of 65495 bytes over 1 µs: the product fits
	// in 64 bits, its scaling by the margin may not.
	v := bw * uint64(b.mss) * bbrHighGain >> bbrScale
	hi, lo := bits.Mul64(v, 1e6/100*(100-bbrPacingMarginPercent))
	if hi>>bbrBWScale != 0 {
		b.pacingRate = maxPacingRate
		return
	}
	b.pacingRate = min(int64(hi<<(64-bbrBWScale)|lo>>bbrBWScale), maxPacingRate)
}

// onEstablished is bbr_init's bbr_init_pacing_rate_from_rtt once the
// handshake is over: the first flight is paced at the high gain over the
// handshake's RTT, not over the 1 ms default.
func (b *BBR) onEstablished(srtt time.Duration) {
	if !b.hasSeenRTT {
		b.initPacingRate(srtt)
	}
}

// setPacingRate is bbr_set_pacing_rate: never lower the rate before the
// pipe is full.
func (b *BBR) setPacingRate(bw, gain int64) {
	if !b.hasSeenRTT && b.minRTT != math.MaxInt64 {
		b.initPacingRate(b.minRTT) // Linux: the SRTT, its first sample here
	}
	r := rateFor(bw, gain)
	if r > 0 && (b.fullBWDone || r > b.pacingRate) {
		b.pacingRate = r
	}
}

// inflight is bbr_inflight: gain times the BDP, rounded up to whole
// segments; the initial window before any RTT sample.
func (b *BBR) inflight(bw, gain int64) int {
	if b.minRTT == math.MaxInt64 {
		return DefaultInitialCwndSegments * b.mss
	}
	bdp := bw * int64(b.minRTT/time.Microsecond) / 1e6 * gain >> bbrScale
	mss := int64(b.mss)
	return int((bdp + mss - 1) / mss * mss)
}

// tsoSegsGoal is bbr_tso_segs_goal: the segments Linux would put in one
// TSO burst at the pacing rate (a millisecond's worth, at least two above
// 1.2 Mbit/s), which its window allows for.
func (b *BBR) tsoSegsGoal() int {
	minSegs := 2
	if b.pacingRate < bbrMinTSORate {
		minSegs = 1
	}
	segs := int(min(b.pacingRate>>10, 64<<10) / int64(b.mss))
	return min(max(segs, minSegs), 0x7f)
}

// quantizationBudget is bbr_quantization_budget.
func (b *BBR) quantizationBudget(cwnd int) int {
	cwnd += 3 * b.tsoSegsGoal() * b.mss
	// Round up to an even number of segments.
	segs := (cwnd + b.mss - 1) / b.mss
	segs = (segs + 1) &^ 1
	if b.mode == BBRProbeBW && b.cycle == 0 {
		segs += 2 // probing: let the flight grow
	}
	return segs * b.mss
}

// ackAggregationCwnd is bbr_ack_aggregation_cwnd.
func (b *BBR) ackAggregationCwnd() int {
	if !b.fullBWDone {
		return 0
	}
	maxAggr := b.BW() * int64(bbrExtraAckedMax/time.Microsecond) / 1e6
	aggr := bbrExtraAckedGain * max(b.extraAcked[0], b.extraAcked[1]) >> bbrScale
	return int(min(aggr, maxAggr))
}

// setCwnd is bbr_set_cwnd with bbr_set_cwnd_to_recover_or_restore.
func (b *BBR) setCwnd(rs *RateSample, st *ControlState, bw int64) {
	acked := rs.AckedSacked
	cwnd := b.cwnd
	if acked > 0 {
		conserved := false
		if rs.Losses > 0 {
			cwnd = max(cwnd-rs.Losses, b.mss)
		}
		switch {
		case st.State == CARecovery && b.prevState != CARecovery:
			// The first round of recovery: packet conservation.
			b.conserve = true
			b.nextRoundAt = b.delivered
			cwnd = st.Inflight + acked
		case b.prevState >= CARecovery && st.State < CARecovery:
			cwnd = max(cwnd, b.priorCwnd)
			b.conserve = false
		}
		b.prevState = st.State
		if b.conserve {
			cwnd = max(cwnd, st.Inflight+acked)
			conserved = true
		}
		if !conserved {
			target := b.inflight(bw, b.cwndGain) + b.ackAggregationCwnd()
			target = b.quantizationBudget(target)
			switch {
			case b.fullBWDone:
				cwnd = min(cwnd+acked, target)
			case cwnd < target || b.delivered < int64(DefaultInitialCwndSegments*b.mss):
				cwnd += acked
			}
			cwnd = max(cwnd, bbrMinCwndSegs*b.mss)
		}
	}
	b.cwnd = cwnd
	if b.mode == BBRProbeRTT {
		b.cwnd = min(b.cwnd, bbrMinCwndSegs*b.mss)
	}
}

// ltBWSampling is bbr_lt_bw_sampling: detect a token-bucket policer.
func (b *BBR) ltBWSampling(now time.Duration, rs *RateSample) {
	if b.ltUse {
		if b.mode == BBRProbeBW && b.roundStart {
			b.ltRounds++
			if b.ltRounds >= bbrLTBWMaxRounds {
				b.resetLTSampling()
				b.resetProbeBW()
			}
		}
		return
	}
	if !b.ltSampling {
		if rs.Losses == 0 {
			return
		}
		b.resetLTInterval()
		b.ltSampling = true
	}
	if rs.AppLimited {
		b.resetLTSampling()
		return
	}
	if b.roundStart {
		b.ltRounds++
	}
	if b.ltRounds < bbrLTIntervalMinRounds {
		return
	}
	if b.ltRounds > 4*bbrLTIntervalMinRounds {
		b.resetLTSampling()
		return
	}
	if rs.Losses == 0 {
		return
	}
	lost, delivered := b.lost-b.ltLastLost, b.delivered-b.ltLastDelivered
	if delivered == 0 || lost<<bbrScale < bbrLTLossThresh*delivered {
		return
	}
	t := b.lastDeliveredAt - b.ltLastAt
	if t < time.Millisecond {
		return
	}
	b.ltIntervalDone(delivered * int64(time.Second) / int64(t))
}

func (b *BBR) resetLTInterval() {
	b.ltLastAt = b.lastDeliveredAt
	b.ltLastDelivered = b.delivered
	b.ltLastLost = b.lost
	b.ltRounds = 0
}

func (b *BBR) resetLTSampling() {
	b.ltBW = 0
	b.ltUse = false
	b.ltSampling = false
	b.resetLTInterval()
}

// ltIntervalDone is bbr_lt_bw_interval_done: two intervals at about the
// same rate mean a policer.
func (b *BBR) ltIntervalDone(bw int64) {
	if b.ltBW > 0 {
		diff := bw - b.ltBW
		if diff < 0 {
			diff = -diff
		}
		if diff*bbrUnit <= bbrLTBWRatio*b.ltBW || diff <= bbrLTBWDiff {
			b.ltBW = (bw + b.ltBW) / 2
			b.ltUse = true
			b.pacingGain = bbrUnit
			b.ltRounds = 0
			return
		}
	}
	b.ltBW = bw
	b.resetLTInterval()
}

// snapshot notes the model for the trace when it changed; reason names
// the change when the caller knows it.
func (b *BBR) snapshot(reason string) {
	cur := BBRInfo{Mode: b.mode, BW: b.BW(), MinRTT: b.MinRTT(),
		PacingGain: int(b.pacingGain * 100 / bbrUnit), CwndGain: int(b.cwndGain * 100 / bbrUnit),
		Cycle: b.cycle, LongTerm: b.ltUse}
	prev := b.report
	switch {
	case reason != "":
	case cur.Mode != prev.Mode:
		reason = "mode"
	case cur.LongTerm != prev.LongTerm:
		reason = "lt"
	case cur.Mode == BBRProbeBW && cur.Cycle != prev.Cycle:
		reason = "cycle"
	case cur.MinRTT != prev.MinRTT:
		reason = "min_rtt"
	case cur.BW != prev.BW:
		reason = "bw"
	default:
		return
	}
	cur.Reason = reason
	b.report, b.changed = cur, true
}

func (b *BBR) takeReport() (BBRInfo, bool) {
	if !b.changed {
		return BBRInfo{}, false
	}
	b.changed = false
	return b.report, true
}

// maxFilter is Linux's windowed running maximum (lib/minmax.c, Kathleen
// Nichols' algorithm): the best, second and third best samples of the
// window, by time (here rounds).
type maxFilter struct {
	s [3]struct{ t, v int64 }
}

func (m *maxFilter) get() int64 { return m.s[0].v }

func (m *maxFilter) reset(t, v int64) {
	for i := range m.s {
		m.s[i].t, m.s[i].v = t, v
	}
}

// update is minmax_running_max.
func (m *maxFilter) update(win, t, v int64) {
	if v >= m.s[0].v || t-m.s[2].t > win {
		m.reset(t, v)
		return
	}
	val := struct{ t, v int64 }{t, v}
	if v >= m.s[1].v {
		m.s[2], m.s[1] = val, val
	} else if v >= m.s[2].v {
		m.s[2] = val
	}
	// minmax_subwin_update
	dt := t - m.s[0].t
	switch {
	case dt > win:
		m.s[0], m.s[1], m.s[2] = m.s[1], m.s[2], val
		if t-m.s[0].t > win {
			m.s[0], m.s[1], m.s[2] = m.s[1], m.s[2], val
		}
	case m.s[1].t == m.s[0].t && dt > win/4:
		m.s[2], m.s[1] = val, val
	case m.s[2].t == m.s[1].t && dt > win/2:
		m.s[2] = val
	}
}
