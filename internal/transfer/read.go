package transfer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds one line of an export. The largest records are pools
// with custom CSS and key sets, far below it.
const maxLine = 16 << 20

// lineReader reads an export one line at a time and counts lines.
type lineReader struct {
	br   *bufio.Reader
	line int64
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line without its newline, or io.EOF after the
// last one. The slice is valid until the following call.
func (r *lineReader) next() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		if len(r.buf) > maxLine {
			return nil, &FormatError{Line: r.line + 1, Reason: fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		switch {
		case err == nil:
			r.line++
			return r.buf[:len(r.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			r.line++
			return r.buf, nil
		default:
			return nil, fmt.Errorf("transfer: read: %w", err)
		}
	}
}

// decodeStrict decodes one JSON value into v, refusing unknown fields
// (data this version would drop) and trailing data.
func decodeStrict(line int64, what string, raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &FormatError{Line: line, Reason: fmt.Sprintf("bad %s: %s", what, describe(err))}
	}
	if dec.More() {
		return &FormatError{Line: line, Reason: fmt.Sprintf("bad %s: trailing data", what)}
	}
	return nil
}

// describe explains a decoding error without quoting input: JSON syntax
// errors carry only an offset and a character class, type errors a field
// name.
func describe(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s, want %s)", typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "incomplete JSON"
	}
	// DisallowUnknownFields: `json: unknown field "name"` names the
	// field only.
	return err.Error()
}

// readHeader reads and checks the header line.
func readHeader(r *lineReader) error {
	raw, err := r.next()
	if errors.Is(err, io.EOF) {
		return &FormatError{Reason: "empty input: not a linkpool export"}
	}
	if err != nil {
		return err
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil || h.Format != FormatName {
		return &FormatError{Line: 1, Reason: fmt.Sprintf("not a linkpool export: the first line must be the header {\"format\":%q,...}", FormatName)}
	}
	if h.Version != Version {
		return &FormatError{Line: 1, Reason: fmt.Sprintf("export format version %d; this linkpool reads version %d", h.Version, Version)}
	}
	return nil
}
