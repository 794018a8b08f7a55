package scenarios

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netsimlab/netsim/tcp"
)

// CongestionControls lists the congestion control names a scenario may use:
// those tcp.NewCongestion knows.
var CongestionControls = tcp.CongestionNames()

// TCP holds the TCP settings a scenario writes, by their names in the
// settings table (tcp.Settings, docs/tcp-settings.md). A setting not
// written falls back to the defaults, then to tcp.DefaultConfig (Linux
// behaviour).
type TCP struct {
	// values maps a setting's name to its checked value, of the Go type
	// tcp.Setting.Check names for its kind.
	values map[string]any
	// path is where the settings were written ("defaults.tcp",
	// "hosts.client.tcp"; a group's members share their group's), so that
	// a conflict can point at the value that makes it.
	path string
}

// Value returns the value written for the named setting, of the Go type
// tcp.Setting.Check names for its kind (int64 bytes for a size), and
// whether it was written.
func (t TCP) Value(name string) (any, bool) {
	v, ok := t.values[name]
	return v, ok
}

// Written returns the names of the settings written, in table order.
func (t TCP) Written() []string {
	var out []string
	for _, name := range tcp.SettingNames() {
		if _, ok := t.values[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// Over returns t with every setting that t leaves unset taken from base: a
// host's settings over the scenario defaults.
func (t TCP) Over(base TCP) TCP {
	out := TCP{values: make(map[string]any, len(t.values)+len(base.values))}
	for k, v := range base.values {
		out.values[k] = v
	}
	for k, v := range t.values {
		out.values[k] = v
	}
	return out
}

// Config returns tcp.DefaultConfig (Linux behaviour) with the settings t
// names.
func (t TCP) Config() tcp.Config {
	c := tcp.DefaultConfig()
	if len(t.values) == 0 {
		// No setting: skip copying the table (a host of a 10,000-host
		// group asks three times).
		return c
	}
	for _, s := range tcp.Settings() {
		if v, ok := t.values[s.Name]; ok {
			// The decoder stored only values that passed s.Check, so Set
			// cannot fail.
			_ = s.Set(&c, v)
		}
	}
	return c
}

// tcp decodes a tcp settings mapping: each key is a name of the settings
// table, its value of the setting's kind and within its bounds.
func (d *decoder) tcp(n *yaml.Node, path string) TCP {
	t := TCP{values: make(map[string]any), path: path}
	names := tcp.SettingNames()
	for _, e := range d.mapping(n, path, nil) {
		s, ok := tcp.LookupSetting(e.key)
		switch {
		case ok && s.Name != e.key:
			// An alias netsim drill accepts (init_cwnd, wscale): a
			// scenario writes each setting one way only.
			d.errNode(e.k, "allowed keys: "+strings.Join(names, ", "),
				"%sunknown key %q, did you mean %q?", prefix(path), e.key, s.Name)
			continue
		case !ok:
			d.known(e.k, e.key, path, names)
			continue
		}
		if v, ok := d.tcpValue(e.v, path+"."+e.key, &s); ok {
			t.values[s.Name] = v
		}
	}
	return t
}

// tcpValue decodes the value of one setting as YAML types it (a bool must
// be true or false, an int a whole number, a duration carries its unit),
// then checks it against the table's bounds.
func (d *decoder) tcpValue(n *yaml.Node, path string, s *tcp.Setting) (any, bool) {
	var v any
	ok := true
	switch s.Kind {
	case tcp.KindBool:
		v, ok = boxed(d.boolean(n, path))
	case tcp.KindInt:
		v, ok = boxed(d.wholeNumber(n, path, "a whole number from "+s.Allowed()))
	case tcp.KindDuration:
		v, ok = boxed(d.duration(n, path))
	case tcp.KindSize:
		if r := d.resolve(n); s.Zero == tcp.Auto && r.Kind == yaml.ScalarNode && r.Value == tcp.Auto {
			// send_buffer: auto, recv_buffer: auto (Linux's autotuning).
			d.pos.set(path, posOf(r))
			v = int64(0)
			break
		}
		size, good := d.size(n, path)
		v, ok = int64(size), good
	case tcp.KindEnum:
		v, ok = boxed(d.enum(n, path, s))
	case tcp.KindText:
		v, ok = boxed(d.str(n, path, s.Allowed()))
	}
	if !ok {
		return nil, false
	}
	if err := s.Check(v); err != nil {
		var se *tcp.SettingError
		if errors.As(err, &se) {
			d.errNode(d.resolve(n), se.Allowed, "%s: %s %s", path, se.Value, se.Problem)
		} else {
			d.errNode(d.resolve(n), s.Allowed(), "%s: %v", path, err)
		}
		return nil, false
	}
	return v, true
}

// boxed passes on a decoder's value and verdict, the value as an any.
func boxed[T any](v T, ok bool) (any, bool) { return v, ok }

// enum decodes one of s.Values, or one of s.ValueAliases as the value it
// stands for.
func (d *decoder) enum(n *yaml.Node, path string, s *tcp.Setting) (string, bool) {
	if r := d.resolve(n); r.Kind == yaml.ScalarNode && r.Tag == "!!str" {
		for _, a := range s.ValueAliases {
			if r.Value == a.Name {
				d.pos.set(path, posOf(r))
				return a.Note, true
			}
		}
	}
	return d.oneOf(n, path, s.Values)
}

// checkTCP reports settings that are each fine but do not work together
// (an initial RTO below the minimum, a buffer smaller than the MSS) once
// per place: at the value written that makes them clash (see blameTCP),
// so that a clash in the defaults is reported at the defaults' line once,
// not again at every host that writes some other setting of its own, and
// a group's clash once, not per member.
func (d *decoder) checkTCP(s *Scenario) {
	reported := make(map[string]bool)
	// Hosts with the same TCP.path have the same settings (a group's
	// members share their group's; "" is the defaults alone): each set is
	// validated once, not once per member of a 10,000-host group.
	checked := make(map[string]bool)
	for _, h := range s.Hosts {
		if checked[h.TCP.path] {
			continue
		}
		checked[h.TCP.path] = true
		err := h.Effective.Config().Validate()
		if err == nil {
			continue
		}
		// The message names the settings' place as before ("defaults.tcp",
		// "hosts.a.tcp"), which sweeps quote; the position is the value's.
		where, name := blameTCP(h, s.Defaults.TCP, err)
		at := where + "." + name
		p, ok := d.pos.lookup(at)
		if name == "" || !ok {
			// No single value written makes the clash (none found): the
			// host's own settings, else the defaults, as a whole.
			where, at, p = "defaults.tcp", "defaults.tcp", d.pos.at("defaults")
			if h.TCP.path != "" {
				where, at, p = h.TCP.path, h.TCP.path, d.pos.at("hosts."+h.Name)
			}
		}
		if reported[at] {
			continue
		}
		reported[at] = true
		d.errAt(p, "settings that work together: rto_min <= rto_initial <= rto_max, buffers >= mss, each *_max >= its *_initial, ecn on or accept with dctcp",
			"%s: %s", where, stripErrPrefix(err))
	}
}

// blameTCP returns where the value that makes h's settings fail with err
// was written ("hosts.a.tcp" or "defaults.tcp") and its setting's name,
// or "", "". The error names the setting it checked, which may be one
// nobody wrote (rto_initial against a raised rto_min), so each setting
// written is taken away in turn: one whose absence clears or changes the
// error is part of the clash. The host's own such value comes first, as
// it is what the host changed over the defaults; else the defaults' first.
func blameTCP(h Host, defaults TCP, err error) (where, name string) {
	for _, n := range h.Effective.Written() {
		rest := TCP{values: make(map[string]any, len(h.Effective.values))}
		for k, v := range h.Effective.values {
			if k != n {
				rest.values[k] = v
			}
		}
		if e := rest.Config().Validate(); e != nil && e.Error() == err.Error() {
			continue // not part of the clash
		}
		if _, own := h.TCP.values[n]; own {
			return h.TCP.path, n
		}
		if _, ok := defaults.values[n]; ok && name == "" {
			where, name = defaults.path, n
		}
	}
	return where, name
}

// stripErrPrefix drops the "tcp: invalid config: " prefix of a tcp error,
// which names the settings as a scenario does, and its "want ".
func stripErrPrefix(err error) string {
	msg := strings.TrimPrefix(err.Error(), tcp.ErrConfig.Error()+": ")
	return strings.ReplaceAll(msg, "want ", "")
}

// String writes the settings written, "mss=1000B congestion=cubic", in
// table order.
func (t TCP) String() string {
	var b strings.Builder
	for _, name := range t.Written() {
		s, _ := tcp.LookupSetting(name)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name + "=" + s.Format(t.values[name]))
	}
	return b.String()
}
