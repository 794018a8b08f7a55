package tcp

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewCongestion(t *testing.T) {
	tests := []struct {
		name      string
		algo      string
		mss, iw   int
		wantErr   error
		wantMsg   string
		wantCwnd  int
		wantAlgor string
	}{
		{name: "newreno", algo: "newreno", mss: 1460, iw: 10, wantCwnd: 14600, wantAlgor: "newreno"},
		{name: "cubic", algo: "cubic", mss: 1448, iw: 4, wantCwnd: 5792, wantAlgor: "cubic"},
		{name: "zero initial window means RFC 6928's ten", algo: "cubic", mss: 1000, iw: 0, wantCwnd: 10000, wantAlgor: "cubic"},
		{name: "unknown name lists the allowed ones", algo: "westwood", mss: 1460, iw: 10,
			wantErr: ErrUnknownCongestion, wantMsg: `congestion control "westwood" (allowed: bbr, cubic, dctcp, newreno, reno, vegas)`},
		{name: "names are case sensitive", algo: "Cubic", mss: 1460, iw: 10, wantErr: ErrUnknownCongestion},
		{name: "zero mss", algo: "newreno", mss: 0, iw: 10, wantErr: ErrCongestionParam, wantMsg: "mss 0"},
		{name: "negative initial window", algo: "newreno", mss: 1460, iw: -1, wantErr: ErrCongestionParam, wantMsg: "initial window -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, err := NewCongestion(tt.algo, tt.mss, tt.iw)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), tt.wantMsg)
				assert.Nil(t, cc)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantAlgor, cc.Name())
			assert.Equal(t, tt.wantCwnd, cc.Cwnd())
			assert.Equal(t, InfiniteSsthresh, cc.Ssthresh(), "RFC 5681 §3.1: initial ssthresh is arbitrarily high")
		})
	}
}

func TestCongestionNamesAreAccepted(t *testing.T) {
	names := CongestionNames()
	require.Equal(t, []string{"bbr", "cubic", "dctcp", "newreno", "reno", "vegas"}, names)
	for _, n := range names {
		cc, err := NewCongestion(n, 1460, 10)
		require.NoError(t, err)
		assert.Equal(t, n, cc.Name())
	}
}

// congestionEvent is one step of a table test: an input to a Congestion and
// the window it must leave, in segments of mss bytes (ssthresh -1 means
// InfiniteSsthresh).
type congestionEvent struct {
	what                 string
	ack, inflight        int // in segments; ack > 0 calls OnAck
	enter, exit, rto     bool
	setMSS               int
	wantCwnd, wantThresh int // bytes
}

func runCongestionEvents(t *testing.T, cc Congestion, mss int, events []congestionEvent) {
	t.Helper()
	now := time.Duration(0)
	for i, ev := range events {
		now += 10 * time.Millisecond
		switch {
		case ev.enter:
			cc.OnEnterRecovery(now, ev.inflight*mss)
		case ev.exit:
			cc.OnExitRecovery(now)
		case ev.rto:
			cc.OnRTO(now, ev.inflight*mss)
		case ev.setMSS > 0:
			cc.SetMSS(ev.setMSS)
			mss = ev.setMSS
		default:
			cc.OnAck(now, ev.ack*mss, ev.inflight*mss, 100*time.Millisecond)
		}
		assert.Equal(t, ev.wantCwnd, cc.Cwnd(), "step %d (%s): cwnd", i, ev.what)
		want := ev.wantThresh
		if want < 0 {
			want = InfiniteSsthresh
		}
		assert.Equal(t, want, cc.Ssthresh(), "step %d (%s): ssthresh", i, ev.what)
	}
}

// BenchmarkCongestionOnAck measures one ACK in congestion avoidance, the
// per-segment cost a bulk transfer pays; NewReno is the baseline CUBIC is
// compared with.
func BenchmarkCongestionOnAck(b *testing.B) {
	for _, name := range CongestionNames() {
		b.Run(name, func(b *testing.B) {
			cc, err := NewCongestion(name, 1448, 10)
			if err != nil {
				b.Fatal(err)
			}
			cc.OnEnterRecovery(0, 1000*1448)
			cc.OnExitRecovery(0)
			now := time.Duration(0)
			b.ReportAllocs()
			for b.Loop() {
				now += 100 * time.Microsecond
				cc.OnAck(now, 1448, cc.Cwnd(), 50*time.Millisecond)
				if cc.Cwnd() > 4000*1448 {
					cc.OnEnterRecovery(now, cc.Cwnd())
					cc.OnExitRecovery(now)
				}
			}
		})
	}
}

func ExampleNewCongestion() {
	cc, err := NewCongestion("cubic", 1448, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cc.Name(), cc.Cwnd(), cc.Ssthresh() == InfiniteSsthresh)
	// Three duplicate ACKs with the initial window of 10 segments:
	// ssthresh = 0.7 cwnd (RFC 9438 §4.6, Linux bictcp_recalc_ssthresh).
	cc.OnEnterRecovery(0, 20*1448)
	fmt.Println(cc.Cwnd(), cc.Ssthresh())

	_, err = NewCongestion("westwood", 1448, 10)
	fmt.Println(err)
	// Output:
	// cubic 14480 true
	// 10136 10136
	// congestion control "westwood" (allowed: bbr, cubic, dctcp, newreno, reno, vegas): unknown congestion control
}
