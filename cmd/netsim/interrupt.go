package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/netsimlab/netsim/internal/capped"
	"github.com/netsimlab/netsim/scenarios"
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

// loaded is what loading a scenario gave: the scenario or its errors,
// and the file's bytes for the manifest's sha256.
type loaded struct {
	s       *scenarios.Scenario
	err     error // the scenario's errors (exit 2)
	data    []byte
	readErr error // the file could not be read again for its sha256
}

// loadScenario loads and validates a scenario; tests replace it to stand
// for a file that takes long to load.
var loadScenario = scenarios.LoadWith

// loadOrStop loads the scenario at path, or gives up on it when a stop
// signal arrives first (stopped true). Parsing and validating a file of
// tens of megabytes takes seconds (a 13 MB, 400,000-host file about ten),
// and reading a FIFO can block for ever: Ctrl-C must not wait for either.
// So the load runs on a goroutine of its own while this one waits for it
// or for a signal; on a signal netsim exits and the load's work goes with
// the process. Loading is no part of a simulation: nothing a run computes
// depends on this goroutine but the loaded scenario itself.
func loadOrStop(path string, sets []scenarios.Override) (l loaded, stopped bool) {
	load := func() loaded {
		var l loaded
		l.data, l.readErr = capped.ReadFile(path, maxInputBytes)
		l.s, l.err = loadScenario(path, sets)
		return l
	}
	if interruptCh == nil {
		return load(), false
	}
	done := make(chan loaded, 1) // buffered: an abandoned load does not block
	go func() { done <- load() }()
	select {
	case l := <-done:
		return l, false
	case caught = <-interruptCh:
		signal.Stop(interruptCh)
		return loaded{}, true
	}
}

// largeLoad is the file size from which netsim run says it is loading,
// so that a user waiting seconds knows what for and that Ctrl-C works.
const largeLoad = 4 << 20 // bytes

// announceLoad tells the user a large scenario file is being loaded.
func announceLoad(stderr io.Writer, path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() >= largeLoad {
		fmt.Fprintf(stderr, "netsim run: loading %s (%.0f MB; Ctrl-C stops)\n", path, float64(fi.Size())/1e6)
	}
}
