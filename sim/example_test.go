package sim_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/netsimlab/netsim/sim"
)

func ExampleScheduler() {
	s := sim.NewScheduler()
	say := func(what string) func() {
		return func() { fmt.Println(s.Now(), what) }
	}
	// Events at the same instant run in the order they were scheduled.
	s.At(sim.FromDuration(2*time.Millisecond), say("second"))
	s.At(sim.FromDuration(1*time.Millisecond), say("first"))
	s.At(sim.FromDuration(2*time.Millisecond), say("third"))
	lost, _ := s.After(5*time.Millisecond, say("never: cancelled"))
	s.Cancel(lost)

	// An event may schedule more events.
	s.At(sim.FromDuration(3*time.Millisecond), func() {
		s.After(time.Millisecond, say("scheduled by an event"))
	})
	s.Run()

	// Misuse is an error, never a panic.
	_, err := s.At(0, say("in the past"))
	fmt.Println(errors.Is(err, sim.ErrPast), err)
	fmt.Println("processed", s.Processed(), "pending", s.Pending())
	// Output:
	// 0.001000000s first
	// 0.002000000s second
	// 0.002000000s third
	// 0.004000000s scheduled by an event
	// true schedule at 0.000000000s, now 0.004000000s: sim: time is in the past
	// processed 5 pending 0
}

func ExampleScheduler_RunUntil() {
	s := sim.NewScheduler()
	for _, ms := range []int{10, 20, 30} {
		s.At(sim.FromDuration(time.Duration(ms)*time.Millisecond), func() {
			fmt.Println("tick", s.Now())
		})
	}
	// An event exactly at the limit runs; the clock stops at the limit.
	s.RunUntil(sim.FromDuration(20 * time.Millisecond))
	fmt.Println("paused at", s.Now(), "with", s.Pending(), "pending")
	s.Run()
	// Output:
	// tick 0.010000000s
	// tick 0.020000000s
	// paused at 0.020000000s with 1 pending
	// tick 0.030000000s
}

func ExampleTimer() {
	s := sim.NewScheduler()
	rto := s.NewTimer(func() { fmt.Println("retransmission timeout at", s.Now()) })

	// Each ACK re-arms the timer; only the last expiry fires.
	for _, ack := range []time.Duration{10, 30, 45} {
		s.At(sim.FromDuration(ack*time.Millisecond), func() {
			rto.ResetAfter(200 * time.Millisecond)
		})
	}
	s.RunUntil(sim.FromDuration(100 * time.Millisecond))
	when, armed := rto.When()
	fmt.Println("armed:", armed, "for", when)
	s.Run()
	fmt.Println("armed:", rto.Armed())
	// Output:
	// armed: true for 0.245000000s
	// retransmission timeout at 0.245000000s
	// armed: false
}

func ExampleStreams() {
	streams := sim.NewStreams(42)
	loss := streams.Rand("link/uplink/loss")
	jitter := streams.Rand("link/uplink/jitter")
	for i := 0; i < 3; i++ {
		fmt.Println(loss.Bernoulli(0.5), jitter.UniformDuration(0, time.Millisecond))
	}
	// The same seed and name give the same draws, whatever other streams
	// exist or draw in between.
	again := sim.NewStreams(42).Rand("link/uplink/loss")
	fmt.Println(again.Bernoulli(0.5), again.Bernoulli(0.5), again.Bernoulli(0.5))
	// Output:
	// true 907.48µs
	// false 81.294µs
	// false 642.688µs
	// true false false
}

func ExampleJSONLWriter() {
	w := sim.NewJSONLWriter(os.Stdout)
	// A producer keeps its record and event and fills them anew each time:
	// emitting allocates nothing.
	var drop sim.PacketDrop
	r := &sim.Record{Subject: "link/uplink/a>b", Event: &drop}
	r.T = sim.FromDuration(1200 * time.Microsecond)
	drop = sim.PacketDrop{ID: 7, Len: 1500, Reason: sim.DropQueue}
	w.Emit(r)
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(w.Records(), "record,", w.Bytes(), "bytes, sha256", w.Sum()[:16]+"…")
	// Output:
	// {"t":1200000,"kind":"pkt.drop","subject":"link/uplink/a>b","id":7,"len":1500,"reason":"queue"}
	// 1 record, 95 bytes, sha256 48e71a7ee4d3c8ae…
}

func ExampleReadJSONL() {
	trace := `{"t":1000,"kind":"tcp.cwnd","subject":"host/client","conn":1,"cwnd":14600,"ssthresh":65535,"reason":"ack"}
{"t":2500,"kind":"tcp.rtt","subject":"host/client","conn":1,"sample":1500000,"srtt":1500000}
`
	err := sim.ReadJSONL(strings.NewReader(trace), func(r *sim.Record) error {
		switch e := r.Event.(type) {
		case *sim.TCPCwnd:
			fmt.Println(r.T, r.Kind(), e.Cwnd, e.Reason)
		case *sim.TCPRTT:
			fmt.Println(r.T, r.Kind(), e.Sample, e.SRTT)
		}
		return nil
	})
	fmt.Println(err)

	err = sim.ReadJSONL(strings.NewReader(trace+`{"t":3000,"kind":"tcp.rtt","subject":"host/client","srtt":1.5e6}`), func(*sim.Record) error { return nil })
	fmt.Println(errors.Is(err, sim.ErrMalformedTrace), err)
	// Output:
	// 0.000001000s tcp.cwnd 14600 ack
	// 0.000002500s tcp.rtt 1.5ms 1.5ms
	// <nil>
	// true trace line 3, column 59: tcp.rtt field "srtt": want an integer
}
