// Package layers pins the package boundaries that docs/architecture.md
// describes: which internal packages may depend on which. It has no code;
// layers_test.go reads the module's import graph with `go list`.
package layers
