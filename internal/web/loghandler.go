package web

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// ContextHandler wraps h so that every record logged with a request's
// context carries that request's id as request_id and, when the context
// holds a valid span, its trace id as trace_id. Records logged with
// another context pass through unchanged. The attributes are added at the
// top level even under WithGroup. Wrapping a handler ContextHandler made
// returns it as it is.
func ContextHandler(h slog.Handler) slog.Handler {
	if c, ok := h.(*contextHandler); ok {
		return c
	}
	return &contextHandler{next: h}
}

// contextHandler adds the request id and trace id before next handles the
// record. Under groups, next is the ungrouped handler and groups/attrs
// replay the WithGroup/WithAttrs calls after the context attributes so the
// ids stay at the top level.
type contextHandler struct {
	next slog.Handler
	ops  []handlerOp
}

type handlerOp struct {
	group string
	attrs []slog.Attr
}

func (c *contextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return c.next.Enabled(ctx, l)
}

func (c *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	var buf [2]slog.Attr
	ids := buf[:0]
	if id := RequestID(ctx); id != "" {
		ids = append(ids, slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		ids = append(ids, slog.String("trace_id", sc.TraceID().String()))
	}
	switch {
	case len(ids) == 0:
		return c.replay(c.next).Handle(ctx, r)
	case len(c.ops) == 0:
		// No group to keep the ids out of: they go on the record itself,
		// which costs no derived handler.
		r = r.Clone()
		r.AddAttrs(ids...)
		return c.next.Handle(ctx, r)
	default:
		return c.replay(c.next.WithAttrs(ids)).Handle(ctx, r)
	}
}

// replay applies the recorded WithGroup and WithAttrs calls to h.
func (c *contextHandler) replay(h slog.Handler) slog.Handler {
	for _, op := range c.ops {
		if op.group != "" {
			h = h.WithGroup(op.group)
		} else {
			h = h.WithAttrs(op.attrs)
		}
	}
	return h
}

func (c *contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return c
	}
	if len(c.ops) == 0 {
		return &contextHandler{next: c.next.WithAttrs(attrs)}
	}
	return c.with(handlerOp{attrs: attrs})
}

func (c *contextHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return c
	}
	return c.with(handlerOp{group: name})
}

func (c *contextHandler) with(op handlerOp) *contextHandler {
	ops := make([]handlerOp, len(c.ops), len(c.ops)+1)
	copy(ops, c.ops)
	return &contextHandler{next: c.next, ops: append(ops, op)}
}
