package sieve

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"facteur/internal/sieve/ext"

	"github.com/foxcpp/go-sieve/interp"
)

// Kinds of actions.
const (
	Keep     = interp.ActionKeep
	FileInto = interp.ActionFileInto
	Redirect = interp.ActionRedirect
	Discard  = interp.ActionDiscard
	Vacation = ext.ActionVacation
	Reject   = ext.ActionReject
	EReject  = ext.ActionEReject
)

// Inbox is where keep puts a message.
const Inbox = "INBOX"

// Action is one thing to do with the message.
type Action struct {
	Kind      string
	Mailbox   string   // FileInto (Keep: Inbox)
	Flags     []string // Keep, FileInto: the message's flags (RFC 5232)
	Addr      string   // Redirect
	Copy      bool     // FileInto, Redirect: :copy
	Implicit  bool     // the implicit keep (RFC 5228 §2.10.2)
	Vacation  *ext.Vacation
	Reject    *ext.Reject
	Line, Col int // the command; 0 for the implicit keep
}

// String says what the action does, as the dry run prints it.
func (a Action) String() string {
	var s string
	switch a.Kind {
	case Keep:
		s = "keep in " + Inbox
		if a.Implicit {
			s = "keep in " + Inbox + " (implicit keep)"
		}
	case FileInto:
		s = fmt.Sprintf("file into %q", a.Mailbox)
	case Redirect:
		s = "redirect to " + a.Addr
	case Discard:
		s = "discard"
	case Vacation:
		s = fmt.Sprintf("vacation reply (at most once every %d days)", a.Vacation.Days)
	case Reject, EReject:
		s = fmt.Sprintf("%s: %q", a.Kind, a.Reject.Reason)
	default:
		s = a.Kind
	}
	if a.Copy {
		s += " (copy)"
	}
	if len(a.Flags) > 0 {
		s += " with flags " + strings.Join(a.Flags, " ")
	}
	return s
}

// Stores reports whether the action puts a copy of the message in a
// mailbox.
func (a Action) Stores() bool { return a.Kind == Keep || a.Kind == FileInto }

// RunOptions tune a run.
type RunOptions struct {
	// Explain records what each test matched (Result.Explain).
	Explain bool
	// Now is the time of currentdate; zero means time.Now().
	Now time.Time
}

// Result is what a run decided.
type Result struct {
	// Actions are the resolved actions, in order: never empty (a message
	// is kept unless the script discarded, redirected, filed or rejected
	// it).
	Actions []Action
	// Err is why the script failed: then Actions keep the message in
	// INBOX, and the host logs Err (a failing rule never loses mail).
	Err error
	// Explain is the explanation of a run with RunOptions.Explain.
	Explain *Explanation
}

// ErrRuntime wraps the errors of a script that failed while it ran.
var ErrRuntime = errors.New("sieve: the script failed")

// Run runs the script on a message.
func (s *Script) Run(ctx context.Context, m Message, opt RunOptions) (res Result) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	d := interp.NewRuntimeData(s.s, policy{}, envelope{Envelope: m.Envelope, now: opt.Now}, newMessage(m.Raw))
	var ex *explainer
	if opt.Explain {
		ex = newExplainer(s, d)
		d.Tracer = ex
	}
	defer func() {
		if r := recover(); r != nil { // go-sieve panics on some bad variable uses
			res = failed(fmt.Errorf("%w: panic: %v\n%s", ErrRuntime, r, debug.Stack()), ex)
		}
	}()
	if err := s.s.Execute(ctx, d); err != nil {
		return failed(fmt.Errorf("%w: %w", ErrRuntime, scriptError(s.Name, err)), ex)
	}
	actions, err := resolve(d)
	if err != nil {
		return failed(fmt.Errorf("%w: %s: %w", ErrRuntime, s.Name, err), ex)
	}
	res = Result{Actions: actions}
	if ex != nil {
		res.Explain = ex.finish(actions)
	}
	return res
}

// failed is the result of a failed run: the message stays in INBOX.
func failed(err error, ex *explainer) Result {
	res := Result{Actions: []Action{{Kind: Keep, Mailbox: Inbox, Implicit: true}}, Err: err}
	if ex != nil {
		res.Explain = ex.finish(res.Actions)
		res.Explain.Err = err
	}
	return res
}

// policy lets every redirect through: the host guards against loops.
type policy struct{}

func (policy) RedirectAllowed(context.Context, *interp.RuntimeData, string) (bool, error) {
	return true, nil
}

// resolve turns the actions of a run into the list a host carries out:
// keeps merged into one, the implicit keep added when nothing cancelled
// it (RFC 5228 §2.10.2), a rejection alone with its redirects (RFC 5429
// §2.1).
func resolve(d *interp.RuntimeData) ([]Action, error) {
	var out []Action
	kept, rejected := false, false
	for _, a := range d.Actions {
		act := convert(a)
		if act.Kind == FileInto && strings.EqualFold(act.Mailbox, Inbox) {
			act.Kind, act.Mailbox = Keep, Inbox // fileinto "INBOX" is a keep
		}
		switch act.Kind {
		case Keep:
			if kept {
				continue
			}
			kept = true
		case Reject, EReject:
			rejected = true
		}
		out = append(out, act)
	}
	if d.ImplicitKeep && !kept {
		out = append(out, Action{Kind: Keep, Mailbox: Inbox, Flags: append([]string(nil), d.Flags...), Implicit: true})
	}
	if rejected {
		for _, a := range out {
			if a.Stores() || a.Kind == Vacation {
				return nil, &ext.ErrIncompatible{Action: Reject, With: a.Kind}
			}
		}
	}
	return out, nil
}

func convert(a interp.Action) Action {
	act := Action{Kind: a.Kind, Mailbox: a.Mailbox, Flags: a.Flags, Addr: a.Addr, Copy: a.Copy, Line: a.Pos.Line, Col: a.Pos.Col}
	if act.Kind == Keep {
		act.Mailbox = Inbox
	}
	switch v := a.Ext.(type) {
	case ext.Vacation:
		act.Vacation = &v
	case ext.Reject:
		act.Reject = &v
	}
	return act
}
