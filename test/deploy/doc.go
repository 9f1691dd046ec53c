// Package deploy checks the deployment files of the repository's deploy
// directory; it has no code besides its tests:
//
//	systemd_test.go  deploy/linkpool.service passes `systemd-analyze verify`
//	                 without a warning, holds the hardening the operations
//	                 guide promises, and rates at most 2.0 in
//	                 `systemd-analyze security` (Debian package systemd)
//	compose_test.go  deploy/compose.yaml: PostgreSQL with a health check that
//	                 linkpool waits for, secrets as files, and only
//	                 LINKPOOL_* variables that are flags of `linkpool serve`
//
// The tests build linkpool with `go build` and point the unit's copy at it,
// since systemd-analyze checks that the command it starts exists.
package deploy
