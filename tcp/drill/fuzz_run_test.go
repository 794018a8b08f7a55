package drill_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netsimlab/netsim/nodes/drillstack"
	"github.com/netsimlab/netsim/tcp/drill"
)

// FuzzRun plays arbitrary scripts through the host: whatever the calls,
// arguments and segments, the system calls, the stack and the runner
// return an error or nil and never panic.
func FuzzRun(f *testing.F) {
	for _, dir := range []string{suiteDir, failDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pkt"))
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
		o := drillstack.DefaultOptions()
		o.Run.MaxWait = 10 * time.Second
		_ = drillstack.Run(s, o)
	})
}
