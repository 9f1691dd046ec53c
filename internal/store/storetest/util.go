package storetest

import (
	"errors"
	"slices"

	"github.com/linkpool/linkpool/internal/store"
)

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }

// sameSet reports whether a and b hold the same strings, each once.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y) && len(slices.Compact(x)) == len(a)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
