// Package testflags holds the switches netsim's tests share: -long turns on
// the slow checks (the tshark matrix over every scenario, more seeds, longer
// runs) that `go test ./...` leaves out, -update has the golden-file tests
// rewrite their files from what the code does now, and -short (Go's own
// flag) trims every test that takes more than about a second.
//
// Every test package of the module imports this package, at least blank, so
// that `go test ./... -args -long` (or -update) defines the flag in every
// test binary: a binary that does not define a flag passed to it fails with
// "flag provided but not defined". NETSIM_LONG=1 in the environment does the
// same as -long.
package testflags

import (
	"flag"
	"os"
	"os/exec"
	"testing"
)

// long is -long. It is registered on the default flag set when the test
// binary starts, before the testing package parses the command line.
var long = flag.Bool("long", false, "run the long checks too (tshark over every scenario, more seeds, longer runs); NETSIM_LONG=1 does the same")

// Long reports whether the long checks were asked for, with -long or
// NETSIM_LONG=1.
func Long() bool { return *long || os.Getenv("NETSIM_LONG") == "1" }

// update is -update, registered as long is.
var update = flag.Bool("update", false, "rewrite the golden files and expected outputs under testdata (and docs/tcp-settings.md) from what the code does now")

// Update reports whether the golden files are to be rewritten (-update)
// rather than compared with.
func Update() bool { return *update }

// SkipUnlessLong skips t, saying why, unless the long checks were asked for.
func SkipUnlessLong(t testing.TB, what string) {
	t.Helper()
	if !Long() {
		t.Skipf("long check (%s): run with -long or NETSIM_LONG=1", what)
	}
}

// SkipIfShort skips t, saying why, when the run is -short.
func SkipIfShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("slow check (%s) skipped in -short mode", what)
	}
}

// Program returns the path of the program name (tshark, say) on PATH, and
// skips t when it is not there, saying what goes unchecked.
func Program(t testing.TB, name, unchecked string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not on PATH: %s", name, unchecked)
	}
	return path
}
