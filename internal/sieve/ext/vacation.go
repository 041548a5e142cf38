package ext

import (
	"context"
	"fmt"

	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/parser"
)

// ActionVacation is the kind of the action vacation takes.
const ActionVacation = "vacation"

// Vacation is what the vacation action asks for (RFC 5230 §4): a reply,
// at most once per Days to each sender for the same Handle. The host
// decides whether it goes out (not to lists, bounces nor automatic
// mail, only when one of the user's addresses is a recipient) and sends
// it.
type Vacation struct {
	Days      int      // :days, 7 by default, at least 1 (RFC 5230 §4.1)
	Subject   string   // :subject; "" means "Auto: " and the original's
	From      string   // :from; "" means the recipient
	Addresses []string // :addresses, the user's other addresses
	MIME      bool     // :mime: Reason is a MIME entity
	Handle    string   // :handle; "" means one made of the arguments
	Reason    string
}

// DefaultVacationDays is :days when the script does not say.
const DefaultVacationDays = 7

func init() {
	interp.RegisterExtension("vacation")
	interp.RegisterCommand("vacation", loadVacation)
}

// VacationCmd is the vacation command.
type VacationCmd struct {
	Vacation
}

func loadVacation(s *interp.Script, pcmd parser.Cmd) (interp.Cmd, error) {
	if !s.RequiresExtension("vacation") {
		return nil, parser.ErrorAt(pcmd.Position, "missing require 'vacation'")
	}
	c := VacationCmd{Vacation{Days: DefaultVacationDays}}
	one := func(dst *string) interp.SpecTag {
		return interp.SpecTag{NeedsValue: true, MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { *dst = v[0] }}
	}
	err := interp.LoadSpec(s, &interp.Spec{
		Tags: map[string]interp.SpecTag{
			"days":      {NeedsValue: true, MatchNum: func(n int) { c.Days = n }},
			"subject":   one(&c.Subject),
			"from":      one(&c.From),
			"handle":    one(&c.Handle),
			"addresses": {NeedsValue: true, MinStrCount: 1, MatchStr: func(v []string) { c.Addresses = v }},
			"mime":      {MatchBool: func() { c.MIME = true }},
		},
		Pos: []interp.SpecPosArg{{MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { c.Reason = v[0] }}},
	}, pcmd.Position, pcmd.Args, pcmd.Tests, pcmd.Block)
	if err != nil {
		return nil, err
	}
	if c.Days < 1 {
		c.Days = 1 // RFC 5230 §4.1: a smaller value is raised to the minimum
	}
	return c, nil
}

// Execute records the vacation action; a second one is an error (RFC 5230
// §4.7).
func (c VacationCmd) Execute(_ context.Context, d *interp.RuntimeData) error {
	if err := checkNoAction(d, ActionVacation, ActionVacation, ActionReject, ActionEReject); err != nil {
		return err
	}
	v := c.Vacation
	v.Subject = interp.ExpandVars(d, v.Subject)
	v.From = interp.ExpandVars(d, v.From)
	v.Reason = interp.ExpandVars(d, v.Reason)
	v.Addresses = interp.ExpandVarsList(d, v.Addresses)
	if v.Handle == "" {
		v.Handle = fmt.Sprintf("%q %q %q %t", v.Subject, v.From, v.Reason, v.MIME) // RFC 5230 §4.2
	} else {
		v.Handle = interp.ExpandVars(d, v.Handle)
	}
	d.AddAction(interp.Action{Kind: ActionVacation, Ext: v})
	return nil
}

// ErrIncompatible is a run-time error: two actions that cannot go
// together (RFC 5230 §4.7, RFC 5429 §2.1).
type ErrIncompatible struct {
	Action, With string
}

func (e *ErrIncompatible) Error() string {
	return fmt.Sprintf("%s cannot be used with %s", e.Action, e.With)
}

// checkNoAction fails when the run already took one of kinds.
func checkNoAction(d *interp.RuntimeData, action string, kinds ...string) error {
	for _, a := range d.Actions {
		for _, k := range kinds {
			if a.Kind == k {
				return &ErrIncompatible{Action: action, With: k}
			}
		}
	}
	return nil
}
