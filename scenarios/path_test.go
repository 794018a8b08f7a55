package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const pathBase = `hosts:
  client: {}
  server: {tcp: {mss: 1200}}
links:
  - {between: [client, r1], bandwidth: 1Mbps}
  - name: uplink
    between: [r1, server]
    queue: {kind: droptail, limit: 10}
defaults: ~
apps:
  - {type: sink, host: server, port: 80}
faults: []
`

func TestPathApply(t *testing.T) {
	for _, tc := range []struct {
		path, value string
		want        string // a line of the result
	}{
		{"links[uplink].loss", "1%", "loss: 1%"},
		{"links[1].queue.limit", "500", "limit: 500"},
		{"links[client-r1].bandwidth", "5Mbps", "between: [client, r1], bandwidth: 5Mbps"},
		{"hosts.client.tcp.mss", "536", "client: {tcp: {mss: 536}}"},
		{"hosts.server.tcp.mss", "9000", "server: {tcp: {mss: 9000}}"},
		{"defaults.tcp.congestion", "cubic", "congestion: cubic"},
		{"links[uplink]", "{between: [r1, server]}", "- {between: [r1, server]}"},
		{"duration", "3s", "duration: 3s"},
		// A key after a list's selects its element, as --set writes it.
		{"links.uplink.loss", "2%", "loss: 2%"},
		{"links.1.queue.kind", "codel", "kind: codel"},
		{"links.client-r1.bandwidth", "20Mbps", "between: [client, r1], bandwidth: 20Mbps"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var doc, val yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(pathBase), &doc))
			require.NoError(t, yaml.Unmarshal([]byte(tc.value), &val))
			p, err := ParsePath(tc.path)
			require.NoError(t, err)
			require.NoError(t, p.Apply(doc.Content[0], val.Content[0]))
			out, err := yaml.Marshal(&doc)
			require.NoError(t, err)
			assert.Contains(t, string(out), tc.want)
		})
	}
}

func TestPathErrors(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"links[downlink].loss", `links[downlink]: no element is named "downlink" (names: client-r1, uplink)`},
		{"links[7].loss", "index 7 is out of range (the list has 2 elements: 0 to 1)"},
		{"apps[1].bytes", "index 1 is out of range (the list has 1 element: 0)"},
		{"faults[0].at", "index 0 is out of range (the list is empty)"},
		{"hosts[0].tcp", "hosts is not a list"},
		{"routers[r1].x", "the scenario has no routers list"},
		{"links.loss", `links[loss]: no element is named "loss"`},
		{"links.uplink[0].x", "links is a list: write links[uplink]"},
		{"hosts.server.tcp.mss.x", "hosts.server.tcp.mss is not a mapping"},
		{"links[uplink].between.x", `links[uplink].between[x]: no element is named "x"`},
		{"links[uplink].queue.kind.x", "links[uplink].queue.kind is not a mapping"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(pathBase), &doc))
			p, err := ParsePath(tc.path)
			require.NoError(t, err)
			err = p.Apply(doc.Content[0], &yaml.Node{Kind: yaml.ScalarNode, Value: "1"})
			require.ErrorIs(t, err, ErrPath)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	for _, bad := range []string{"", "a..b", "links[", "links[a]b", "links[a b].x", "1abc", "links[].x"} {
		_, err := ParsePath(bad)
		assert.ErrorIs(t, err, ErrPath, bad)
		if bad != "" {
			assert.True(t, strings.Contains(err.Error(), bad), "the error repeats the input: %v", err)
		}
	}
}
