package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// starScenario is n clients (one group) around one router, each making
// one request-response exchange with the server.
func starScenario(n int) string {
	return fmt.Sprintf(`version: 1
name: star
duration: 10s
hosts:
  client: {count: %d}
  server: {}
routers: {hub: {}}
links:
  - {between: [client, hub], bandwidth: 1Gbps, delay: 1ms}
  - {between: [hub, server], bandwidth: 10Gbps, delay: 1ms}
apps:
  - {type: request-response, host: server, port: 80, request: 100, response: 1KB}
  - {type: request-response, host: client, to: server:80, request: 100, response: 1KB, start: {uniform: [0s, 1s]}}
`, n)
}

func benchBuild(b *testing.B, text string) {
	b.ReportAllocs()
	for range b.N {
		s, err := Parse("bench.yaml", []byte(text))
		require.NoError(b, err)
		_, err = Build(s, BuildOptions{Seed: 1})
		require.NoError(b, err)
	}
}

// BenchmarkBuildStar10000 parses and builds a 10,000-host star with an
// app per client.
func BenchmarkBuildStar10000(b *testing.B) { benchBuild(b, starScenario(10000)) }

// BenchmarkBuildStar1000 is the same at 1,000 hosts, for the ratio.
func BenchmarkBuildStar1000(b *testing.B) { benchBuild(b, starScenario(1000)) }

// BenchmarkBuildFatTree16 parses and builds a k=16 fat-tree (1,024
// hosts, 320 switches) with ECMP routes.
func BenchmarkBuildFatTree16(b *testing.B) {
	benchBuild(b, `version: 1
name: ft
duration: 1s
topology:
  - {kind: fat-tree, k: 16, bandwidth: 10Gbps, delay: 1us}
routing: {ecmp: true}
`)
}

// BenchmarkBuildDumbbell1000 parses and builds a 1,000-pair dumbbell with
// a bulk transfer per pair.
func BenchmarkBuildDumbbell1000(b *testing.B) {
	text := `version: 1
name: db
duration: 1s
topology:
  - {kind: dumbbell, pairs: 1000, prefix: db, access: {bandwidth: 10Gbps, delay: 100us},
     bottleneck: {bandwidth: 1Gbps, delay: 1ms, queue: {limit: 1000}}}
apps:
`
	for i := 1; i <= 1000; i++ {
		text += fmt.Sprintf("  - {type: sink, host: db-right-%d, port: 80}\n  - {type: bulk-send, host: db-left-%d, to: db-right-%d:80, bytes: 1MB}\n", i, i, i)
	}
	benchBuild(b, text)
}

// Build asks BuildOptions.Stop between its steps and gives up with
// ErrStopped at the first true, naming the step; a stop that never says
// true builds the world as without one. The star has 1,102 hosts, one
// router, 1,101 links, 1,101 routes at the hub and 1,101 apps: checks
// every 256 items and every 1,024 routes.
func TestBuildStops(t *testing.T) {
	s, err := Parse("star.yaml", []byte(starScenario(1100)))
	require.NoError(t, err)
	calls := 0
	_, err = Build(s, BuildOptions{Seed: 1, Stop: func() bool { calls++; return false }})
	require.NoError(t, err)
	require.Equal(t, 5+1+5+1+5, calls)
	for k, step := range map[int]string{1: "hosts", 5: "hosts", 6: "routers", 7: "links", 12: "routes", 13: "apps", 17: "apps"} {
		calls := 0
		w, err := Build(s, BuildOptions{Seed: 1, Stop: func() bool { calls++; return calls == k }})
		require.ErrorIs(t, err, ErrStopped)
		require.EqualError(t, err, "stopped while building the "+step, "stop at check %d", k)
		require.Nil(t, w)
	}
}
