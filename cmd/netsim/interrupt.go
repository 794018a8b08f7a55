package main

import (
	"os"
	"os/signal"
)

// interruptCh receives an interrupt (Ctrl-C) while a run is going; the run
// checks it between slices of simulated time, never inside an event, so an
// interrupt changes no simulated behaviour: it only ends the run early,
// after which the run's temporary files are removed and nothing is written.
var interruptCh chan os.Signal

// watchInterrupt starts catching interrupts and returns the function that
// stops catching them.
func watchInterrupt() func() {
	interruptCh = make(chan os.Signal, 1)
	signal.Notify(interruptCh, os.Interrupt)
	return func() {
		signal.Stop(interruptCh)
		interruptCh = nil
	}
}

// interrupted reports whether an interrupt arrived since watchInterrupt.
func interrupted() bool {
	if interruptCh == nil {
		return false
	}
	select {
	case <-interruptCh:
		return true
	default:
		return false
	}
}
