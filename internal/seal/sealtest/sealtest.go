// Package sealtest gives tests a seal.Box.
//
// Only tests import it.
package sealtest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/seal"
)

// Box returns a box with the all-zero master key.
func Box(t testing.TB) *seal.Box {
	t.Helper()
	box, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}
