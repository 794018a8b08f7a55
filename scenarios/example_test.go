package scenarios_test

import (
	"fmt"
	"io"

	"github.com/netsimlab/netsim/scenarios"
	"github.com/netsimlab/netsim/sim"
)

// Every problem of a scenario is reported at once, each with its position
// and what is allowed; nothing is built.
func ExampleParse_errors() {
	_, err := scenarios.Parse("lab.yaml", []byte(`version: 1
name: lab
duration: 1s
hosts:
  pc: {address: 10.0.0.1}
  srv: {address: 10.0.0.1}
links:
  - {between: [pc, svr], bandwidth: 10Mbs}
`))
	fmt.Println(err)
	// Output:
	// lab.yaml:6:18: hosts.srv.address: 10.0.0.1 is already the address of "pc" (line 5) (a unique address per host)
	// lab.yaml:8:20: links[0].between[1]: unknown node "svr" (a host or router defined in hosts or routers; did you mean "srv"?)
	// lab.yaml:8:37: links[0].bandwidth: rate "10Mbs": unknown unit "Mbs" (a rate like 100Mbps: bps, kbps, Mbps or Gbps)
}

// A scenario is loaded, built into a network, run, and checked against its
// expectations from the trace records.
func ExampleBuild() {
	s, err := scenarios.Parse("pair.yaml", []byte(`version: 1
name: pair
duration: 1s
hosts:
  a: {}
  b: {}
links:
  - {between: [a, b], bandwidth: 10Mbps, delay: 10ms}
apps:
  - {type: sink, host: b, port: 80}
  - {type: bulk-send, host: a, to: b:80, bytes: 100KB}
expect:
  - delivered: {to: b:80, bytes: 100KB}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	checker := scenarios.NewChecker(s)
	w, err := scenarios.Build(s, scenarios.BuildOptions{Seed: s.Seed, Trace: sim.Tee{checker, sim.NewJSONLWriter(io.Discard)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	end, err := w.Run(0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range checker.Results(end) {
		fmt.Println(r.Expect.Kind, r.OK)
	}
	fmt.Println(s.Hosts[0].Address, s.Hosts[1].Address)
	// Output:
	// delivered true
	// 10.0.0.1 10.0.0.2
}
