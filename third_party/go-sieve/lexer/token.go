package lexer

import (
	"errors"
	"fmt"
	"strconv"
)

type Position struct {
	File string
	Line int
	Col  int
}

func (l Position) String() string {
	if l.File != "" {
		return l.File + ":" + strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Col)
	}
	return strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Col)
}

func (l Position) LineCol() (int, int) {
	return l.Line, l.Col
}

func LineCol(line, col int) Position {
	return Position{Line: line, Col: col}
}

type Token interface {
	LineCol() (int, int)
	String() string
}

type Identifier struct {
	Position
	Text string
}

func (t Identifier) String() string { return fmt.Sprintf(`Identifiner("%s")`, t.Text) }

type Quantifier byte

const (
	None Quantifier = '\x00'
	Kilo Quantifier = 'K'
	Mega Quantifier = 'M'
	Giga Quantifier = 'G'
)

func (q Quantifier) Multiplier() int {
	switch q {
	case None:
		return 1
	case Kilo:
		return 1024
	case Mega:
		return 1024 * 1024
	case Giga:
		return 1024 * 1024 * 1024
	default:
		panic("unknown quantifier")
	}
}

type Number struct {
	Position
	Value      int
	Quantifier Quantifier
}

func (t Number) String() string {
	if t.Quantifier != None {
		return fmt.Sprintf("Number(%d, %v)", t.Value, string(t.Quantifier))
	}
	return fmt.Sprintf("Number(%d)", t.Value)

}

type String struct {
	Position
	Text string
}

func (t String) String() string { return fmt.Sprintf(`String("%s")`, t.Text) }

type ListStart struct{ Position }

func (ListStart) String() string { return "ListStart()" }

type ListEnd struct{ Position }

func (ListEnd) String() string { return "ListEnd()" }

type BlockStart struct{ Position }

func (BlockStart) String() string { return "BlockStart()" }

type BlockEnd struct{ Position }

func (BlockEnd) String() string { return "BlockEnd()" }

type TestListStart struct{ Position }

func (TestListStart) String() string { return "TestListStart()" }

type TestListEnd struct{ Position }

func (TestListEnd) String() string { return "TestListEnd()" }

type Comma struct{ Position }

func (Comma) String() string { return "Comma()" }

type Semicolon struct{ Position }

func (Semicolon) String() string { return "Semicolon()" }

type Colon struct{ Position }

func (Colon) String() string { return "Colon()" }

type position interface {
	LineCol() (int, int)
}

// Error is an error at a position of the script (Facteur: exported, with
// the position and the cause, for errors.As and errors.Is).
type Error struct {
	Position
	Msg string
	Err error // the cause, when there is one
}

func (e *Error) Error() string {
	if e.Line == 0 || e.Col == 0 {
		return fmt.Sprintf("invalid-position: %s", e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Position.String(), e.Msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Pos returns the position itself: types that embed Position get it, so
// ErrorAt keeps the file name of a token or a command.
func (l Position) Pos() Position { return l }

// wrapAt gives err the position p unless it has one.
func wrapAt(p Position, err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	return &Error{Position: p, Msg: err.Error(), Err: err}
}

// WrapAt gives err the position p unless it already carries one (Facteur).
func WrapAt(p Position, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Position: p, Msg: err.Error(), Err: err}
}

func ErrorAt(t position, format string, args ...interface{}) error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	switch p := t.(type) {
	case nil:
	case interface{ Pos() Position }:
		e.Position = p.Pos()
	default:
		e.Line, e.Col = p.LineCol()
	}
	return e
}
