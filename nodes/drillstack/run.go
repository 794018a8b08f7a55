package drillstack

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/netsimlab/netsim/tcp"
	"github.com/netsimlab/netsim/tcp/drill"
)

// DefaultOptions returns the options scripts run with unless told
// otherwise: Linux's default TCP settings (tcp.DefaultConfig),
// packetdrill's addresses, ports and tolerance (drill.DefaultRunConfig),
// seed 1, no trace and no capture.
func DefaultOptions() Options {
	return Options{Config: tcp.DefaultConfig(), Run: drill.DefaultRunConfig(), Seed: 1}
}

// Run plays script s against a fresh host built from o, with the script's
// own options applied to o.Config (see drill.ConfigFromScript) and o.Run
// (drill.RunConfigFromScript) as the runner's configuration. It returns the runner's error (a
// *drill.RunError for a mismatch), or an error the world reported: a
// capture that failed to write, a datagram that did not decode.
func Run(s *drill.Script, o Options) error {
	cfg, err := drill.ConfigFromScript(s, o.Config)
	if err != nil {
		return err
	}
	o.Config = cfg
	if o.Run, err = drill.RunConfigFromScript(s, o.Run); err != nil {
		return err
	}
	st, err := New(o)
	if err != nil {
		return err
	}
	if err := drill.Run(s, st, o.Run); err != nil {
		return err
	}
	if err := st.DecodeErr(); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	if err := st.CaptureErr(); err != nil {
		return fmt.Errorf("%s: capture: %w", s.Name, err)
	}
	return nil
}

// RunFile parses the script at path (named by its base name in errors)
// and plays it as Run does.
func RunFile(path string, o Options) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("drillstack: %w", err)
	}
	s, err := drill.Parse(filepath.Base(path), src)
	if err != nil {
		return err
	}
	return Run(s, o)
}
