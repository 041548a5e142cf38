package interp

// Facteur: tracing, for a dry run that explains what a script did: which
// test matched on which header or body text, which commands ran. A run
// with RuntimeData.Tracer nil costs one nil check per command and test.

import (
	"context"
	"strconv"

	"github.com/foxcpp/go-sieve/lexer"
)

// Matched is one value a test compared and found matching: the field it
// came from ("Subject", "envelope from", "body"), the value and the key.
type Matched struct {
	Field string
	Value string
	Key   string
}

// Tracer follows a run (RuntimeData.Tracer).
type Tracer interface {
	// Enter is called before a command runs, Leave after it.
	Enter(pos lexer.Position, name string)
	Leave(pos lexer.Position, name string, err error)
	// Test is called after a test ran, with what it matched on when it
	// was true (the matches of its sub-tests for allof, anyof and not).
	Test(pos lexer.Position, name string, result bool, matched []Matched)
}

// NoteField records the field whose values a test is about to compare,
// for the trace.
func (d *RuntimeData) NoteField(field string) {
	if d.Tracer != nil {
		d.traceField = field
	}
}

// NoteMatch records a value that matched, for the trace.
func (d *RuntimeData) NoteMatch(value, key string) {
	if d.Tracer != nil {
		d.traceMatched = append(d.traceMatched, Matched{Field: d.traceField, Value: value, Key: key})
	}
}

// noteCount records the result of a :count comparison.
func (d *RuntimeData) noteCount(n uint64) {
	d.NoteMatch(strconv.FormatUint(n, 10), "")
}

type tracedCmd struct {
	Cmd
	pos  lexer.Position
	name string
}

func (c tracedCmd) Execute(ctx context.Context, d *RuntimeData) error {
	d.curPos = c.pos
	if d.Tracer == nil {
		return c.Cmd.Execute(ctx, d)
	}
	d.Tracer.Enter(c.pos, c.name)
	err := c.Cmd.Execute(ctx, d)
	d.Tracer.Leave(c.pos, c.name, err)
	return err
}

type tracedTest struct {
	Test
	pos  lexer.Position
	name string
}

func (t tracedTest) Check(ctx context.Context, d *RuntimeData) (bool, error) {
	if d.Tracer == nil {
		return t.Test.Check(ctx, d)
	}
	outer, field := d.traceMatched, d.traceField
	d.traceMatched, d.traceField = nil, ""
	ok, err := t.Test.Check(ctx, d)
	mine := d.traceMatched
	if !ok {
		mine = nil
	}
	d.Tracer.Test(t.pos, t.name, ok, mine)
	d.traceMatched, d.traceField = append(outer, mine...), field
	return ok, err
}

// Unwrap returns the command under its trace (Facteur).
func UnwrapCmd(c Cmd) Cmd {
	if t, ok := c.(tracedCmd); ok {
		return t.Cmd
	}
	return c
}

// UnwrapTest returns the test under its trace (Facteur).
func UnwrapTest(t Test) Test {
	if tt, ok := t.(tracedTest); ok {
		return tt.Test
	}
	return t
}
