package addrcache

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSlot: a slot holds the string it kept, not an equal copy of it, and
// never the empty string.
func TestSlot(t *testing.T) {
	var slots [8]Slot[int]
	s := "client>r1"
	copyOfS := strings.Clone(s)
	sl := &slots[Index(s, len(slots))]
	assert.False(t, sl.Holds(s))
	sl.Keep(s, 7)
	assert.True(t, sl.Holds(s))
	assert.Equal(t, 7, sl.V)
	assert.False(t, sl.Holds(copyOfS), "an equal string elsewhere is not the one kept")
	assert.Less(t, Index(copyOfS, len(slots)), len(slots))

	var empty Slot[int]
	empty.Keep("", 1)
	assert.False(t, empty.Holds(""))
}
