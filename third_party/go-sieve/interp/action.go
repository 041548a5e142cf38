package interp

import (
	"context"
	"fmt"
)

type CmdStop struct{}

func (c CmdStop) Execute(_ context.Context, _ *RuntimeData) error {
	return ErrStop
}

type CmdFileInto struct {
	Mailbox string
	Flags   Flags
	Copy    bool // Facteur: :copy (RFC 3894)
}

func (c CmdFileInto) Execute(_ context.Context, d *RuntimeData) error {
	mailbox := expandVars(d, c.Mailbox)
	found := false
	for _, m := range d.Mailboxes {
		if m == mailbox {
			found = true
		}
	}
	if found {
		return nil
	}
	d.Mailboxes = append(d.Mailboxes, mailbox)
	if !c.Copy {
		d.ImplicitKeep = false
	}
	// Facteur: :flags applies to this copy only and leaves the internal
	// variable alone (RFC 5232 §5); without it the copy gets the flags of
	// the moment.
	d.AddAction(Action{Kind: ActionFileInto, Mailbox: mailbox, Flags: d.actionFlags(c.Flags), Copy: c.Copy})
	return nil
}

// actionFlags returns the flags of a keep or fileinto (Facteur).
func (d *RuntimeData) actionFlags(tagged Flags) []string {
	if tagged != nil {
		return canonicalFlags(expandVarsList(d, tagged), nil, d.FlagAliases)
	}
	return append([]string(nil), d.Flags...)
}

type CmdRedirect struct {
	Addr string
	Copy bool // Facteur: :copy (RFC 3894)
}

func (c CmdRedirect) Execute(ctx context.Context, d *RuntimeData) error {
	addr := expandVars(d, c.Addr)

	ok, err := d.Policy.RedirectAllowed(ctx, d, addr)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	d.RedirectAddr = append(d.RedirectAddr, addr)
	if !c.Copy {
		d.ImplicitKeep = false
	}
	d.AddAction(Action{Kind: ActionRedirect, Addr: addr, Copy: c.Copy})

	if len(d.RedirectAddr) > d.Script.opts.MaxRedirects {
		return fmt.Errorf("too many actions")
	}
	return nil
}

type CmdKeep struct {
	Flags Flags
}

func (c CmdKeep) Execute(_ context.Context, d *RuntimeData) error {
	d.Keep = true
	d.AddAction(Action{Kind: ActionKeep, Flags: d.actionFlags(c.Flags)}) // Facteur: as fileinto
	return nil
}

type CmdDiscard struct{}

func (c CmdDiscard) Execute(_ context.Context, d *RuntimeData) error {
	d.ImplicitKeep = false
	d.Flags = make([]string, 0)
	d.AddAction(Action{Kind: ActionDiscard})
	return nil
}

type CmdSetFlag struct {
	Flags Flags
}

func (c CmdSetFlag) Execute(_ context.Context, d *RuntimeData) error {
	if c.Flags != nil {
		d.Flags = canonicalFlags(expandVarsList(d, c.Flags), nil, d.FlagAliases)
	}
	return nil
}

type CmdAddFlag struct {
	Flags Flags
}

func (c CmdAddFlag) Execute(_ context.Context, d *RuntimeData) error {
	if c.Flags != nil {
		flags := expandVarsList(d, c.Flags)

		if d.Flags == nil {
			d.Flags = make([]string, len(flags))
			copy(d.Flags, flags)
		} else {
			// Use canonicalFlags to remove duplicates
			d.Flags = canonicalFlags(append(d.Flags, flags...), nil, d.FlagAliases)
		}
	}
	return nil
}

type CmdRemoveFlag struct {
	Flags Flags
}

func (c CmdRemoveFlag) Execute(_ context.Context, d *RuntimeData) error {
	if c.Flags != nil {
		// Use canonicalFlags to remove duplicates
		d.Flags = canonicalFlags(d.Flags, expandVarsList(d, c.Flags), d.FlagAliases)
	}
	return nil
}
