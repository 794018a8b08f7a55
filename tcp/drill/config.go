package drill

import (
	"fmt"

	"github.com/netsimlab/netsim/tcp"
)

// ConfigFromScript applies a script's netsim options to base. They stand in
// for the sysctls and socket options a Linux script would set. An option
// is a TCP setting when its name is a setting's name or alias in the
// settings table (tcp.Settings, docs/tcp-settings.md), read as --set reads
// it (a bare number of a duration is ms); other options (--tolerance_usecs)
// are the runner's. For example:
//
//	--congestion=cubic  --nagle=0  --sack=0  --timestamps=0  --wscale=0
//	--delack_ms=0  --init_cwnd=4  --mss=1000  --rcvbuf=8192  --sndbuf=8192
//	--rto_min_ms=200  --rto_initial_ms=1000  --syn_retries=6
//	--synack_retries=5  --timewait_ms=60000  --rack=0
func ConfigFromScript(s *Script, base tcp.Config) (tcp.Config, error) {
	cfg := base
	for _, l := range s.Lines {
		if l.Kind != LineOption {
			continue
		}
		o := l.Option
		st, ok := tcp.LookupSetting(o.Name)
		if !ok {
			continue
		}
		v, err := st.Parse(o.Value)
		if err == nil {
			err = st.Set(&cfg, v)
		}
		if err != nil {
			return cfg, fmt.Errorf("drill: %s:%d: --%s=%q: %s", s.Name, l.Num, o.Name, o.Value, problem(err))
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("drill: %s: %w", s.Name, err)
	}
	return cfg, nil
}
