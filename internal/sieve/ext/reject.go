package ext

import (
	"context"

	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/parser"
)

// The kinds of the actions of RFC 5429.
const (
	ActionReject  = "reject"
	ActionEReject = "ereject"
)

// Reject is what reject and ereject ask for (RFC 5429): refuse the
// message with Reason, at the SMTP level when the host still can (ereject
// prefers it, RFC 5429 §2.1), else with a rejection message. Only a host
// that receives mail (an MDA) offers them: others leave them out of
// interp.Options.Extensions.
type Reject struct {
	Reason string
	SMTP   bool // ereject
}

func init() {
	interp.RegisterExtension(ActionReject)
	interp.RegisterExtension(ActionEReject)
	interp.RegisterCommand(ActionReject, loadReject(ActionReject))
	interp.RegisterCommand(ActionEReject, loadReject(ActionEReject))
}

// RejectCmd is reject or ereject.
type RejectCmd struct {
	Kind   string
	Reason string
}

func loadReject(kind string) interp.CmdLoader {
	return func(s *interp.Script, pcmd parser.Cmd) (interp.Cmd, error) {
		if !s.RequiresExtension(kind) {
			return nil, parser.ErrorAt(pcmd.Position, "missing require '%s'", kind)
		}
		c := RejectCmd{Kind: kind}
		err := interp.LoadSpec(s, &interp.Spec{
			Pos: []interp.SpecPosArg{{MinStrCount: 1, MaxStrCount: 1, MatchStr: func(v []string) { c.Reason = v[0] }}},
		}, pcmd.Position, pcmd.Args, pcmd.Tests, pcmd.Block)
		return c, err
	}
}

// Execute records the rejection, which cancels the implicit keep; it
// cannot follow a keep, a fileinto, a vacation or another rejection (RFC
// 5429 §2.1).
func (c RejectCmd) Execute(_ context.Context, d *interp.RuntimeData) error {
	if err := checkNoAction(d, c.Kind, ActionReject, ActionEReject, ActionVacation, interp.ActionKeep, interp.ActionFileInto); err != nil {
		return err
	}
	d.ImplicitKeep = false
	d.AddAction(interp.Action{Kind: c.Kind, Ext: Reject{Reason: interp.ExpandVars(d, c.Reason), SMTP: c.Kind == ActionEReject}})
	return nil
}
