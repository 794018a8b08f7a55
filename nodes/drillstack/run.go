package drillstack

import (
	"fmt"

	"github.com/netsimlab/netsim/tcp/drill"
)

// Run plays script s against a fresh host built from o, with the script's
// own options applied to o.Config (see drill.ConfigFromScript) and o.Run
// as the runner's configuration. It returns the runner's error (a
// *drill.RunError for a mismatch), or an error the world reported: a
// capture that failed to write, a datagram that did not decode.
func Run(s *drill.Script, o Options) error {
	cfg, err := drill.ConfigFromScript(s, o.Config)
	if err != nil {
		return err
	}
	o.Config = cfg
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
