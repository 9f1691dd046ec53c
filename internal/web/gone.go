package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// StatusClientClosedRequest is the status a request is recorded with, in
// the access log and the HTTP metrics, when its client went away before
// the answer was written (nginx's 499). It is never sent: nobody is
// listening.
const StatusClientClosedRequest = 499

// ClientGone reports whether err is the cancellation of r's context by
// the client going away (it closed the connection, or the HTTP/2 stream
// was reset) rather than a failure of the server: errors.Is(err,
// context.Canceled) while r's context is done. A deadline of the server's
// own (context.DeadlineExceeded) is a failure, not this.
func ClientGone(r *http.Request, err error) bool {
	return err != nil && errors.Is(err, context.Canceled) && r.Context().Err() != nil
}

// ClientClosed records that r's client went away while its answer was
// being prepared, in place of rendering the error that the cancellation
// caused: a debug line (what names the work that was cut short) and,
// through Edge, status StatusClientClosedRequest in the access log and
// the metrics. The work itself was cancelled through r's context. Nothing
// is written to the client.
func ClientClosed(r *http.Request, log *slog.Logger, what string) {
	ctx := r.Context()
	if log != nil {
		log.LogAttrs(ctx, slog.LevelDebug, "client went away",
			slog.String("path", r.URL.Path), slog.String("during", what))
	}
	if e := edgeOf(ctx); e != nil {
		e.gone.Store(true)
	}
}

// Gone is the check every renderer of internal failures makes first:
// when err is the client going away (ClientGone) it records that
// (ClientClosed) and returns true, and the caller writes nothing more;
// otherwise it returns false and the caller logs and answers the failure.
func Gone(r *http.Request, log *slog.Logger, what string, err error) bool {
	if !ClientGone(r, err) {
		return false
	}
	ClientClosed(r, log, what)
	return true
}
