package ext

import (
	"context"
	"strings"

	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/lexer"
	"github.com/foxcpp/go-sieve/parser"
)

// imap4flags in full (RFC 5232): the hasflag test, and setflag, addflag
// and removeflag with their optional variable name (the interpreter has
// only the forms on the internal variable).
func init() {
	interp.RegisterCommand("setflag", loadFlagCmd(flagSet))
	interp.RegisterCommand("addflag", loadFlagCmd(flagAdd))
	interp.RegisterCommand("removeflag", loadFlagCmd(flagRemove))
	interp.RegisterTest("hasflag", loadHasFlag)
}

type flagOp int

const (
	flagSet flagOp = iota
	flagAdd
	flagRemove
)

// FlagCmd is setflag, addflag or removeflag (RFC 5232 §4).
type FlagCmd struct {
	Op       flagOp
	Variable string // "" for the internal variable
	Flags    []string
}

// twoLists loads "[<first: string>] <second: string-list>" and returns
// the first when both were given.
func twoLists(s *interp.Script, pos lexer.Position, args []parser.Arg, tests []parser.Test, spec *interp.Spec) (first []string, second []string, err error) {
	spec.Pos = []interp.SpecPosArg{
		{MinStrCount: 1, MatchStr: func(v []string) { first = v }},
		{MinStrCount: 1, Optional: true, MatchStr: func(v []string) { second = v }},
	}
	if err := interp.LoadSpec(s, spec, pos, args, tests, nil); err != nil {
		return nil, nil, err
	}
	if second == nil {
		return nil, first, nil
	}
	return first, second, nil
}

func loadFlagCmd(op flagOp) interp.CmdLoader {
	return func(s *interp.Script, pcmd parser.Cmd) (interp.Cmd, error) {
		if !s.RequiresExtension("imap4flags") {
			return nil, parser.ErrorAt(pcmd.Position, "missing require 'imap4flags'")
		}
		if pcmd.Block != nil {
			return nil, parser.ErrorAt(pcmd.Position, "no block allowed")
		}
		vars, flags, err := twoLists(s, pcmd.Position, pcmd.Args, pcmd.Tests, &interp.Spec{})
		if err != nil {
			return nil, err
		}
		c := FlagCmd{Op: op, Flags: flags}
		if vars != nil {
			if len(vars) != 1 {
				return nil, parser.ErrorAt(pcmd.Position, "one variable name expected")
			}
			if settable, _ := s.IsVarUsable(vars[0]); !settable {
				return nil, parser.ErrorAt(pcmd.Position, "invalid variable name %q", vars[0])
			}
			c.Variable = vars[0]
		}
		return c, nil
	}
}

// Execute changes the flag list of the variable.
func (c FlagCmd) Execute(_ context.Context, d *interp.RuntimeData) error {
	flags := interp.ExpandVarsList(d, c.Flags)
	cur, err := currentFlags(d, c.Variable)
	if err != nil {
		return err
	}
	var next []string
	switch c.Op {
	case flagSet:
		next = flagList(flags, nil)
	case flagAdd:
		next = flagList(append(cur, flags...), nil)
	case flagRemove:
		next = flagList(cur, flags)
	}
	if c.Variable == "" {
		d.Flags = next
		return nil
	}
	return d.SetVar(c.Variable, strings.Join(next, " "))
}

// currentFlags returns the flags of a variable, or of the internal one.
func currentFlags(d *interp.RuntimeData, variable string) ([]string, error) {
	if variable == "" {
		return flagList(d.Flags, nil), nil
	}
	v, err := d.Var(variable)
	if err != nil {
		return nil, err
	}
	return flagList([]string{v}, nil), nil
}

// flagList splits space-separated flags, keeps the first of each (flags
// are case-insensitive, RFC 3501 §2.3.2) in order, and drops those of
// remove (RFC 5232 §3).
func flagList(lists []string, remove []string) []string {
	gone := map[string]bool{}
	for _, r := range remove {
		for _, f := range strings.Fields(r) {
			gone[strings.ToLower(f)] = true
		}
	}
	var out []string
	for _, l := range lists {
		for _, f := range strings.Fields(l) {
			if k := strings.ToLower(f); !gone[k] {
				gone[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// HasFlagTest is hasflag (RFC 5232 §4.3).
type HasFlagTest struct {
	interp.MatcherTest
	Variables []string // nil for the internal variable
}

func loadHasFlag(s *interp.Script, t parser.Test) (interp.Test, error) {
	if !s.RequiresExtension("imap4flags") {
		return nil, parser.ErrorAt(t.Position, "missing require 'imap4flags'")
	}
	h := &HasFlagTest{MatcherTest: interp.NewMatcherTest()}
	vars, keys, err := twoLists(s, t.Position, t.Args, t.Tests, h.AddSpecTags(&interp.Spec{}))
	if err != nil {
		return nil, err
	}
	for _, v := range vars {
		if _, gettable := s.IsVarUsable(v); !gettable {
			return nil, parser.ErrorAt(t.Position, "invalid variable name %q", v)
		}
	}
	h.Variables = vars
	if err := h.SetKey(s, flagList(keys, nil)); err != nil { // "b A" is two flags
		return nil, err
	}
	return h, nil
}

// Check compares each flag of the variables with the keys.
func (h *HasFlagTest) Check(_ context.Context, d *interp.RuntimeData) (bool, error) {
	vars := h.Variables
	if vars == nil {
		vars = []string{""}
	}
	var all []string
	for _, v := range vars {
		f, err := currentFlags(d, v)
		if err != nil {
			return false, err
		}
		all = append(all, f...)
	}
	d.NoteField("flags")
	if h.IsCount() {
		return h.CountMatches(d, uint64(len(all))), nil
	}
	for _, f := range all {
		if ok, err := h.TryMatch(d, f); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}
