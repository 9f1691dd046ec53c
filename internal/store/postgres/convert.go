package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// ts converts t for a nullable TIMESTAMPTZ column: the zero time becomes
// NULL, anything else is truncated to PostgreSQL's microsecond precision
// (store package documentation).
func ts(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t.Truncate(time.Microsecond), Valid: true}
}

// utcTime scans a nullable TIMESTAMPTZ column into a time.Time: NULL
// becomes the zero time, anything else is returned in UTC. Scan into
// (*utcTime)(&v.Field).
type utcTime time.Time

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (t *utcTime) ScanTimestamptz(v pgtype.Timestamptz) error {
	switch {
	case !v.Valid:
		*t = utcTime{}
	case v.InfinityModifier != pgtype.Finite:
		return fmt.Errorf("timestamp is %v, not a finite time", v.InfinityModifier)
	default:
		*t = utcTime(v.Time.UTC())
	}
	return nil
}

// encodeJSON marshals v for a JSONB column. A value that marshals to JSON
// null (a nil map, slice or pointer) is stored as SQL NULL, so that it
// comes back nil rather than empty.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return b, nil
}

// decodeJSON unmarshals a JSONB column into v, leaving v untouched when
// the column is NULL.
func decodeJSON(b []byte, v any) error {
	if b == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}

// utc normalises t the way a TIMESTAMPTZ column would: UTC, microsecond
// precision, the zero time unchanged. It applies to times kept inside
// JSONB documents.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// blob returns b, never nil, for NOT NULL BYTEA columns.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
