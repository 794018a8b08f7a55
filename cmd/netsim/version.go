package main

import "runtime/debug"

// netsimVersion is the release this source tree is. The trace of a
// scenario is byte-identical for the same scenario, seed and version.
const netsimVersion = "0.1.0"

// version returns netsimVersion, followed by the VCS revision the binary
// was built from when Go recorded one.
func version() string {
	v := netsimVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			v += " (" + rev + dirty + ")"
		}
	}
	return v
}
