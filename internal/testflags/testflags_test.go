package testflags

import (
	"flag"
	"testing"
)

// TestLongFlag: -long is registered on the default flag set, so that a
// test binary importing this package accepts it.
func TestLongFlag(t *testing.T) {
	f := flag.Lookup("long")
	if f == nil {
		t.Fatal("-long not registered")
	}
	t.Setenv("NETSIM_LONG", "1")
	if !Long() {
		t.Error("NETSIM_LONG=1 does not turn on the long checks")
	}
	t.Setenv("NETSIM_LONG", "")
	if Long() != (f.Value.String() == "true") {
		t.Errorf("Long() = %v with -long=%s", Long(), f.Value)
	}
}

// TestUpdateFlag: -update is registered on the default flag set too, off
// by default, and Update reports it.
func TestUpdateFlag(t *testing.T) {
	f := flag.Lookup("update")
	if f == nil {
		t.Fatal("-update not registered")
	}
	if f.DefValue != "false" {
		t.Errorf("-update defaults to %s", f.DefValue)
	}
	if Update() != (f.Value.String() == "true") {
		t.Errorf("Update() = %v with -update=%s", Update(), f.Value)
	}
}
