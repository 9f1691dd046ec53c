package store

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/tracing"
)

// TraceQuery opens the client span of one statement of backend system
// ("sqlite", "postgres"): named "<system>.query", with the statement's
// operation (its first keyword) and table, never its arguments or any
// other part of its text. While tracing is off it returns ctx and a no-op
// span without allocating.
func TraceQuery(ctx context.Context, system, query string) (context.Context, trace.Span) {
	if !tracing.On() {
		return tracing.Start(ctx, "")
	}
	op, table := Summarize(query)
	return tracing.StartKind(ctx, trace.SpanKindClient, system+".query",
		attribute.String("db.system.name", dbSystem(system)),
		attribute.String("db.operation.name", op),
		attribute.String("db.collection.name", table))
}

// TraceWrite opens the span of one write of backend system named by the
// store operation op (such as "create user"): "<system>.write".
func TraceWrite(ctx context.Context, system, op string) (context.Context, trace.Span) {
	if !tracing.On() {
		return tracing.Start(ctx, "")
	}
	return tracing.StartKind(ctx, trace.SpanKindClient, system+".write",
		attribute.String("db.system.name", dbSystem(system)),
		attribute.String("db.operation.name", op))
}

// Summarize returns the operation of a SQL statement, its first keyword in
// upper case, and the table it reads or writes first (after FROM, INTO or
// UPDATE), or "" when there is no plain table name. Nothing else of the
// statement is returned, so no literal can leak through it.
func Summarize(query string) (op, table string) {
	words := strings.Fields(query)
	if len(words) == 0 {
		return "", ""
	}
	op = strings.ToUpper(words[0])
	if !isIdent(op) {
		return "", ""
	}
	after := ""
	switch op {
	case "SELECT", "DELETE", "WITH":
		after = "FROM"
	case "INSERT", "REPLACE":
		after = "INTO"
	case "UPDATE":
		after = "UPDATE"
	default:
		return op, ""
	}
	for i, w := range words[:len(words)-1] {
		if strings.EqualFold(w, after) {
			if t := strings.ToLower(words[i+1]); isIdent(t) {
				return op, t
			}
			return op, ""
		}
	}
	return op, ""
}

// isIdent reports whether s is a plain SQL identifier.
func isIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// dbSystem is the semantic-convention name of a backend.
func dbSystem(system string) string {
	if system == "postgres" {
		return "postgresql"
	}
	return system
}
