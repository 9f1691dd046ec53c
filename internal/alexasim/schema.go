package alexasim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaFile is the schema's file name in Amazon's alexa-smarthome
// repository (validation_schemas/).
const SchemaFile = "alexa_smart_home_message_schema.json"

// SchemaEnv names the environment variable with the schema's path.
const SchemaEnv = "LINKPOOL_ALEXA_SCHEMA"

// ErrSchemaNotFound: no schema file at the given or usual places.
var ErrSchemaNotFound = errors.New("alexasim: Alexa Smart Home schema not found")

// Schema validates skill replies and events against Amazon's "Alexa Smart
// Home message schema" (JSON Schema draft-04; it covers only what skills
// send, not directives). Amazon licenses the file for reference, so it is
// loaded from disk, never embedded. A nil *Schema validates nothing and
// says so: results are "skipped (schema not found)", never passed.
type Schema struct {
	path string
	s    *jsonschema.Schema
}

// LoadSchema compiles the schema file at path.
func LoadSchema(path string) (*Schema, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrSchemaNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("alexasim: read schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("alexasim: schema %s is not JSON: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	const id = "https://schemas.linkpool.invalid/" + SchemaFile
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("alexasim: schema %s: %w", path, err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("alexasim: compile schema %s: %w", path, err)
	}
	return &Schema{path: path, s: s}, nil
}

// FindSchema loads the schema from explicit (a flag) when set, else from
// $LINKPOOL_ALEXA_SCHEMA, else from ../shared/alexa/schema/ relative to
// dir (the working directory). It returns (nil, nil) when nothing was
// configured and the usual place has no schema; an explicitly named file
// that is missing or broken is an error.
func FindSchema(explicit string, getenv func(string) string, dir string) (*Schema, error) {
	path := explicit
	if path == "" && getenv != nil {
		path = getenv(SchemaEnv)
	}
	if path != "" {
		return LoadSchema(path)
	}
	guess := filepath.Join(dir, "..", "shared", "alexa", "schema", SchemaFile)
	if _, err := os.Stat(guess); err != nil {
		return nil, nil
	}
	return LoadSchema(guess)
}

// Path is the schema file's path ("" for a nil Schema).
func (s *Schema) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}

// Validate validates one JSON document. It returns ErrSchemaNotFound for a
// nil Schema.
func (s *Schema) Validate(doc []byte) error {
	if s == nil {
		return ErrSchemaNotFound
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.s.Validate(inst)
}

// SchemaStatus is the outcome of a schema check.
type SchemaStatus string

// Schema check outcomes.
const (
	SchemaValid   SchemaStatus = "valid"
	SchemaInvalid SchemaStatus = "invalid"
	SchemaSkipped SchemaStatus = "skipped (schema not found)"
)

// Check validates doc and returns the status and, when invalid, a short
// description of the first violations.
func (s *Schema) Check(doc []byte) (SchemaStatus, string) {
	if s == nil {
		return SchemaSkipped, ""
	}
	err := s.Validate(doc)
	if err == nil {
		return SchemaValid, ""
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return SchemaInvalid, summarizeValidation(ve)
	}
	return SchemaInvalid, err.Error()
}

// summarizeValidation lists the innermost causes of a validation error,
// at most five, as "at <pointer>: <message>".
func summarizeValidation(ve *jsonschema.ValidationError) string {
	printer := message.NewPrinter(language.English)
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + joinPointer(e.InstanceLocation)
			leaves = append(leaves, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(leaves) > 5 {
		leaves = append(leaves[:5], fmt.Sprintf("and %d more", len(leaves)-5))
	}
	var b bytes.Buffer
	for i, l := range leaves {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(l)
	}
	return b.String()
}

func joinPointer(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.String()
}
