package drillstack

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netsimlab/netsim/tcp/drill"
)

// FuzzRunHost plays arbitrary scripts through the host: whatever the
// calls, arguments and segments, the stack and runner return an error or
// nil and never panic.
func FuzzRunHost(f *testing.F) {
	for _, dir := range []string{"scripts", "fail"} {
		files, _ := filepath.Glob(filepath.Join("../../tcp/drill/testdata", dir, "*.pkt"))
		for _, p := range files {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := drill.Parse("fuzz.pkt", src)
		if err != nil {
			return
		}
		o := defaultOptions()
		o.Run.MaxWait = 10 * time.Second
		_ = Run(s, o)
	})
}
