package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Override is one PATH=VALUE that replaces a key of a scenario before it
// is decoded, as netsim run --set gives it: links.bottleneck.bandwidth=20Mbps,
// defaults.tcp.congestion=bbr. The value is YAML, so a mapping
// ({kind: codel}) or a list may replace a whole block.
type Override struct {
	Path  Path
	Value string
	// Arg is the override as given, which names it in errors, the
	// manifest and the replay command.
	Arg string
}

// ParseOverride parses "PATH=VALUE". The value may hold spaces and slashes
// ("10 ms", "1 Gbit/s"); it is checked when the scenario is decoded.
func ParseOverride(arg string) (Override, error) {
	path, value, ok := strings.Cut(arg, "=")
	if !ok {
		return Override{}, errors.New("want PATH=VALUE, like links.bottleneck.bandwidth=20Mbps")
	}
	p, err := ParsePath(strings.TrimSpace(path))
	if err != nil {
		return Override{}, err
	}
	return Override{Path: p, Value: value, Arg: arg}, nil
}

// override applies the overrides to root, marking each one's nodes with
// line -(k+1) so that decoding errors name it; it reports a value that is
// not YAML or a path that addresses nothing, and decoding goes on, so that
// every problem is reported at once.
func (d *decoder) override(root *yaml.Node, overrides []Override) {
	d.overrides = overrides
	for k, o := range overrides {
		fail := func(format string, args ...any) {
			d.errs = append(d.errs, d.overrideError(k, fmt.Sprintf(format, args...), ""))
		}
		var doc yaml.Node
		err := safeDecode(yaml.NewDecoder(bytes.NewReader([]byte(o.Value))), &doc)
		if err != nil && err != io.EOF {
			fail("the value is not YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
		if err == nil && len(doc.Content) > 0 {
			v = doc.Content[0]
		}
		markOverride(v, -(k + 1))
		if err := o.Path.Apply(root, v); err != nil {
			fail("%v", err)
		}
	}
}

// markOverride gives n and the nodes under it the line that names the
// override. Aliases are not followed: the value's own anchors are marked
// where they are defined.
func markOverride(n *yaml.Node, line int) {
	n.Line, n.Column = line, 0
	for _, c := range n.Content {
		markOverride(c, line)
	}
}

// overrideError is a problem with override k. Its Pos only orders it: the
// overrides' problems come first, in the order of the command line.
func (d *decoder) overrideError(k int, msg, allowed string) *Error {
	return &Error{File: d.file, Override: d.overrides[k].Arg, Pos: Pos{Line: k - len(d.overrides)}, Msg: msg, Allowed: allowed}
}
