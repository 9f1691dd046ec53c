package store

import "time"

// Migration is one versioned schema change of a SQL backend, as reported
// by `linkpool migrate status`.
type Migration struct {
	Version   int
	Name      string
	AppliedAt time.Time // zero when pending
}
