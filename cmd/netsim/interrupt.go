package main

import (
	"os"
	"os/signal"
	"syscall"
)

// runStopSignals are the signals that stop a run early: Ctrl-C (SIGINT),
// kill's default (SIGTERM) and a closed terminal (SIGHUP).
var runStopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptCh receives a stop signal while a run is going; the run checks
// it between slices of simulated time, never inside an event, so a signal
// changes no simulated behaviour: it only ends the run early, after which
// the outputs so far are committed, marked "complete": false.
var interruptCh chan os.Signal

// caught is the first stop signal received, nil before one arrives.
var caught os.Signal

// watchInterrupt starts catching the stop signals and returns the function
// that stops catching them.
func watchInterrupt() func() {
	interruptCh = make(chan os.Signal, 1)
	caught = nil
	signal.Notify(interruptCh, runStopSignals...)
	return func() {
		if interruptCh != nil {
			signal.Stop(interruptCh)
		}
		interruptCh = nil
	}
}

// interrupted reports whether a stop signal arrived since watchInterrupt.
// After the first, netsim stops catching them, so that a second one
// (Ctrl-C twice) ends the process at once; the temporary folder it leaves
// is removed by the next run into the same --out.
func interrupted() bool {
	if testBeforeCheck != nil {
		testBeforeCheck()
	}
	if caught != nil {
		return true
	}
	if interruptCh == nil {
		return false
	}
	select {
	case caught = <-interruptCh:
		signal.Stop(interruptCh)
		return true
	default:
		return false
	}
}

// testBeforeCheck, when a test sets it, runs each time a run checks for
// a stop signal (between slices of simulated time), so that a test can
// send one, or break an output file, in the middle of a run.
var testBeforeCheck func()

// interruptSignal names the signal that stopped the run.
func interruptSignal() string {
	if caught == nil {
		return "stopped"
	}
	return caught.String()
}

// interruptCode is the exit code of a run stopped by a signal, the
// shell's convention 128+N: 130 for SIGINT, 143 for SIGTERM, 129 for
// SIGHUP.
func interruptCode() int {
	if s, ok := caught.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitInterrupted
}
