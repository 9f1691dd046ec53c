package loadtest

import (
	"fmt"
	"strings"
)

// Block reads a generated Markdown block (the text between a doc's
// markers) line by line for the checkers of what the generators print
// (CheckScalingMarkdown, benchreport.CheckMarkdown), and names the first
// mismatch by its line number within the block.
type Block struct {
	name  string // "scaling tables", "bench report": the errors' prefix
	lines []string
	n     int // lines read
}

// NewBlock returns a reader of block; an empty block is an error.
func NewBlock(name, block string) (*Block, error) {
	if strings.TrimSpace(block) == "" {
		return nil, fmt.Errorf("%s: the block is empty", name)
	}
	return &Block{name: name, lines: strings.Split(block, "\n")}, nil
}

// Line is the line read last.
func (b *Block) Line() string { return b.lines[b.n-1] }

// Fail is the error of a block whose line read last is not want.
func (b *Block) Fail(want string) error {
	if b.n > len(b.lines) || b.n == 0 {
		return fmt.Errorf("%s: the block ends before %s", b.name, want)
	}
	return fmt.Errorf("%s: line %d %q: want %s", b.name, b.n, b.Line(), want)
}

// Match reads the next line and fails, naming want, unless ok accepts it.
func (b *Block) Match(want string, ok func(string) bool) error {
	b.n++
	if b.n > len(b.lines) || !ok(b.Line()) {
		return b.Fail(want)
	}
	return nil
}

// Exact reads one line for each line of want, which must be equal.
func (b *Block) Exact(want string) error {
	for _, w := range strings.Split(want, "\n") {
		if err := b.Match(fmt.Sprintf("%q", w), func(l string) bool { return l == w }); err != nil {
			return err
		}
	}
	return nil
}

// End fails unless every line was read.
func (b *Block) End() error {
	if b.n < len(b.lines) {
		b.n++
		return b.Fail("the end of the block")
	}
	return nil
}

// Between returns what lies between the lines begin and end in doc (a
// generated block of a doc), without the newlines next to the markers.
func Between(doc, begin, end string) (string, error) {
	_, rest, ok := strings.Cut(doc, begin+"\n")
	if !ok {
		return "", fmt.Errorf("no line %q", begin)
	}
	block, _, ok := strings.Cut(rest, end)
	if !ok {
		return "", fmt.Errorf("no %q after %q", end, begin)
	}
	if strings.Contains(rest, begin) {
		return "", fmt.Errorf("%q appears more than once", begin)
	}
	return strings.TrimSuffix(block, "\n"), nil
}
