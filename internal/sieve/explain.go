package sieve

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/lexer"
)

// Explanation says why a message got its actions: the rules that matched,
// in order, each with what its test matched on and the actions it took.
type Explanation struct {
	Rules   []Rule
	Actions []Action // the resolved actions (Result.Actions)
	Err     error    // the run failed: the message stays in INBOX
}

// Rule is an if or elsif whose test was true, or the commands outside any
// condition (Test empty).
type Rule struct {
	Line, Col int
	Source    string // the rule's first line, as written
	Test      string // the test's name ("header", "allof"...)
	Matched   []Match
	Actions   []Action
}

// Match is a value that a test found matching: the field it came from
// ("Subject", "envelope from", "body"), the value and the key.
type Match struct {
	Field, Value, Key string
}

// String is the rule as the dry run prints it.
func (r Rule) String() string {
	if r.Test == "" {
		return "(no condition)"
	}
	return fmt.Sprintf("line %d: %s", r.Line, r.Source)
}

// String says what a match was: `Subject "[list] hello" (key "[list]")`.
func (m Match) String() string {
	s := fmt.Sprintf("%s %q", m.Field, clip(m.Value, 120))
	if m.Key != "" {
		s += fmt.Sprintf(" (key %q)", clip(m.Key, 60))
	}
	return s
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// explainer is the interp.Tracer of a dry run: it keeps a frame per if
// and elsif, records the test that decided it, and gives each action to
// the innermost rule that was running.
type explainer struct {
	s      *Script
	d      *interp.RuntimeData
	lines  [][]byte
	frames []*frame
	rules  []*Rule
	top    *Rule // actions outside any rule
	seen   int   // actions already given to a rule
}

type frame struct {
	pos     lexer.Position
	test    string
	matched []interp.Matched
	result  bool
	tested  bool
	rule    *Rule
}

func newExplainer(s *Script, d *interp.RuntimeData) *explainer {
	return &explainer{s: s, d: d, lines: bytes.Split(s.Source, []byte("\n"))}
}

func isRuleCmd(name string) bool { return name == "if" || name == "elsif" }

func (e *explainer) Enter(pos lexer.Position, name string) {
	e.blockStarts()
	if isRuleCmd(name) {
		e.frames = append(e.frames, &frame{pos: pos})
	}
}

// blockStarts marks the running rule's test as decided when a command of
// its block starts: the rule is recorded then, in the order rules run.
func (e *explainer) blockStarts() {
	if f := e.current(); f != nil && !f.tested {
		f.tested = true
		if f.result {
			e.ruleFor()
		}
	}
}

func (e *explainer) Leave(pos lexer.Position, name string, err error) {
	if isRuleCmd(name) {
		if f := e.current(); f != nil && f.result && !f.tested {
			e.ruleFor() // a true test with an empty block
		}
		e.frames = e.frames[:len(e.frames)-1]
		return
	}
	if len(e.d.Actions) > e.seen {
		r := e.ruleFor()
		for _, a := range e.d.Actions[e.seen:] {
			r.Actions = append(r.Actions, convert(a))
		}
		e.seen = len(e.d.Actions)
	}
}

func (e *explainer) Test(pos lexer.Position, name string, result bool, matched []interp.Matched) {
	f := e.current()
	if f == nil || f.tested {
		return
	}
	// sub-tests report before their parent: the last report before the
	// block runs is the rule's own test
	f.test, f.result, f.matched = name, result, matched
}

func (e *explainer) current() *frame {
	if len(e.frames) == 0 {
		return nil
	}
	return e.frames[len(e.frames)-1]
}

// ruleFor returns the rule of the innermost running if or elsif.
func (e *explainer) ruleFor() *Rule {
	f := e.current()
	if f == nil {
		if e.top == nil {
			e.top = &Rule{}
			e.rules = append(e.rules, e.top)
		}
		return e.top
	}
	if f.rule == nil {
		f.rule = &Rule{Line: f.pos.Line, Col: f.pos.Col, Source: e.line(f.pos.Line), Test: f.test}
		for _, m := range f.matched {
			f.rule.Matched = append(f.rule.Matched, Match(m))
		}
		e.rules = append(e.rules, f.rule)
	}
	return f.rule
}

// line returns a line of the script, trimmed.
func (e *explainer) line(n int) string {
	if n < 1 || n > len(e.lines) {
		return ""
	}
	return strings.TrimSpace(string(e.lines[n-1]))
}

func (e *explainer) finish(actions []Action) *Explanation {
	ex := &Explanation{Actions: actions}
	for _, r := range e.rules {
		ex.Rules = append(ex.Rules, *r)
	}
	return ex
}
