package minheap

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/netsimlab/netsim/internal/testflags"
)

type num int

func (a num) Less(b num) bool { return a < b }

// TestSorted: pushing random numbers and popping them all gives them
// sorted, with pops interleaved.
func TestSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h []num
	var model []int
	for i := 0; i < 5000; i++ {
		if len(h) > 0 && r.IntN(3) == 0 {
			sort.Ints(model)
			assert.Equal(t, model[0], int(Pop(&h)))
			model = model[1:]
			continue
		}
		x := r.IntN(1000)
		Push(&h, num(x))
		model = append(model, x)
	}
	sort.Ints(model)
	for _, want := range model {
		assert.Equal(t, want, int(Pop(&h)))
	}
	assert.Empty(t, h)
}
