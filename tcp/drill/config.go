package drill

import (
	"fmt"
	"strconv"
	"time"

	"github.com/netsimlab/netsim/tcp"
)

// ConfigFromScript applies a script's netsim options to base. They stand in
// for the sysctls and socket options a Linux script would set:
//
//	--congestion=cubic  --nagle=0  --sack=0  --timestamps=0  --wscale=0
//	--delack_ms=0  --init_cwnd=4  --mss=1000  --rcvbuf=8192  --sndbuf=8192
//	--rto_min_ms=200  --rto_initial_ms=1000  --syn_retries=6
//	--synack_retries=5  --timewait_ms=60000
func ConfigFromScript(s *Script, base tcp.Config) (tcp.Config, error) {
	cfg := base
	for _, l := range s.Lines {
		if l.Kind != LineOption {
			continue
		}
		o := l.Option
		v := o.Value
		num := func() (int, error) {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, fmt.Errorf("drill: %s:%d: --%s=%q: want an integer", s.Name, l.Num, o.Name, v)
			}
			return n, nil
		}
		var err error
		var n int
		switch o.Name {
		case "congestion":
			cfg.Congestion = v
		case "nagle", "sack", "timestamps", "wscale", "delack_ms", "init_cwnd", "mss", "rcvbuf", "sndbuf",
			"rto_min_ms", "rto_initial_ms", "syn_retries", "synack_retries", "timewait_ms":
			n, err = num()
			if err != nil {
				return cfg, err
			}
			ms := time.Duration(n) * time.Millisecond
			switch o.Name {
			case "nagle":
				cfg.Nagle = n != 0
			case "sack":
				cfg.SACK = n != 0
			case "timestamps":
				cfg.Timestamps = n != 0
			case "wscale":
				cfg.WindowScale = n != 0
			case "delack_ms":
				cfg.DelayedAck = ms
			case "init_cwnd":
				cfg.InitialCwnd = n
			case "mss":
				cfg.MSS = n
			case "rcvbuf":
				cfg.RecvBuffer = n
			case "sndbuf":
				cfg.SendBuffer = n
			case "rto_min_ms":
				cfg.RTOMin = ms
			case "rto_initial_ms":
				cfg.RTOInitial = ms
			case "syn_retries":
				cfg.SynRetries = n
			case "synack_retries":
				cfg.SynAckRetries = n
			case "timewait_ms":
				cfg.TimeWait = ms
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("drill: %s: %w", s.Name, err)
	}
	return cfg, nil
}
