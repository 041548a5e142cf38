package interp

// Facteur: the ordered list of actions of a run, each with the flags it
// gives the message and the position of the command that took it, for
// hosts that apply them one by one and for the explanation of a dry run
// (upstream keeps only Mailboxes, RedirectAddr and one set of Flags).

import "github.com/foxcpp/go-sieve/lexer"

// Kinds of the actions of RFC 5228; extensions add their own
// ("vacation", "reject", "ereject").
const (
	ActionKeep     = "keep"
	ActionFileInto = "fileinto"
	ActionRedirect = "redirect"
	ActionDiscard  = "discard"
)

// Action is one action a script took.
type Action struct {
	Kind    string
	Mailbox string   // fileinto
	Addr    string   // redirect
	Flags   []string // keep, fileinto: the flags the stored message gets (RFC 5232)
	Copy    bool     // fileinto, redirect: :copy (RFC 3894), the implicit keep stays
	Pos     lexer.Position
	Ext     any // what an extension's action carries
}

// AddAction records an action at the position of the running command.
func (d *RuntimeData) AddAction(a Action) {
	a.Pos = d.curPos
	d.Actions = append(d.Actions, a)
}

// Position returns the position of the running command.
func (d *RuntimeData) Position() lexer.Position { return d.curPos }
