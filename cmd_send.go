package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"facteur/internal/ascii"
	"facteur/internal/profile"
	"facteur/internal/sendmail"
	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/mailer"
	"facteur/mua/submit"
)

const sendUsage = "send [--account NAME] [--from ADDR] [--to ADDR]... [--cc ADDR]... [--bcc ADDR]... [--subject S] [--attach FILE]... [--later] [--timeout 5m]"

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type sendOptions struct {
	account, subject string
	from             string
	to, cc, bcc      listFlag
	attach           listFlag
	later            bool
	timeout          time.Duration
}

func parseSendArgs(e *env) (sendOptions, error) {
	var o sendOptions
	fs := newFlags(e, "send")
	fs.StringVar(&o.account, "account", "", "account to send from (default: the first account with an SMTP server, else Local)")
	fs.StringVar(&o.from, "from", "", "address to send from: any identity of the account (default: its main identity; without --account, the account that has it)")
	fs.Var(&o.to, "to", "recipient (repeatable)")
	fs.Var(&o.cc, "cc", "copy recipient (repeatable)")
	fs.Var(&o.bcc, "bcc", "blind copy recipient (repeatable)")
	fs.StringVar(&o.subject, "subject", "", "subject")
	fs.Var(&o.attach, "attach", "file to attach (repeatable)")
	fs.BoolVar(&o.later, "later", false, "put the message in the outbox instead of sending it now")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on the server after this long (the outcome is then uncertain if the whole message was sent)")
	rest, err := parseFlags(fs, e.args)
	if err == nil && len(rest) > 0 {
		err = usageError{"send: unexpected argument " + rest[0] + "\nusage: facteur " + sendUsage}
	}
	return o, err
}

// cmdSend sends a message from the command line: the body on stdin with
// --to (and --cc, --bcc, --subject, --attach), or without --to a whole
// RFC 5322 message whose To, Cc and Bcc give the recipients. It goes
// through the account's SMTP server, or into the outbox (the local MTA's
// queue with that server as smarthost) when the server cannot be reached
// or --later is given; from the Local account, into the local MTA.
func cmdSend(e *env) error {
	o, err := parseSendArgs(e)
	if err != nil {
		return err
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	a, id, err := sendIdentity(account.OpenBook(p.ConfigFile()), o)
	if err != nil {
		return err
	}
	msg, err := sendMessage(e, o, id)
	if err != nil {
		return err
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		out, err := m.Send(e.ctx, a, msg, mailer.SendOptions{Later: o.later, Timeout: o.timeout, Program: "send"})
		if out.SentErr != nil {
			fmt.Fprintf(e.stderr, "facteur send: warning: no copy in Sent: %v\n", out.SentErr)
		}
		if out.MarkErr != nil {
			fmt.Fprintf(e.stderr, "facteur send: warning: what it answers or forwards is not marked so: %v\n", out.MarkErr)
		}
		if a == nil {
			err = sentLocal(e, out, err)
		} else {
			err = sentRemote(e, a, out, err)
		}
		if len(out.Journaled) > 0 { // the copy in Sent, APPENDed to the IMAP server now
			pushed(e, m, out.Change)
		}
		return err
	})
}

// sentLocal says where the local MTA took the Local account's message.
func sentLocal(e *env, out mailer.Sending, err error) error {
	var re *mailer.RefusedError
	if err != nil && !errors.As(err, &re) {
		var refused []*localmta.RcptError
		if out.Local != nil {
			refused = out.Local.Refused
		}
		return fmt.Errorf("send: %w", sendmailFailed(err, refused))
	}
	fmt.Fprintln(e.stdout, "handed to the local MTA: "+out.Local.String())
	if re != nil {
		return &refusedError{refused: re.Refused}
	}
	return nil
}

// sendAccount picks the account: by name, else the first one with an SMTP
// server; nil means the Local account.
func sendAccount(book *account.Book, name string) (*account.Account, error) {
	if strings.EqualFold(name, submit.LocalAccount) {
		return nil, nil
	}
	if name != "" {
		a, err := book.Get(name)
		if err != nil {
			return nil, fmt.Errorf("send: account %q: %w", name, err)
		}
		if a.Outgoing.Host == "" {
			return nil, fmt.Errorf("send: account %q has no SMTP server", name)
		}
		return &a, nil
	}
	list, err := book.List()
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		if a.Outgoing.Host != "" {
			return &a, nil
		}
	}
	return nil, nil
}

// sendIdentity picks the account and who sends: --from may name any
// identity of the account (the rule is account.SenderIdentity's, the
// composer's too); without --account, the account that has it.
func sendIdentity(book *account.Book, o sendOptions) (*account.Account, account.Identity, error) {
	if o.from != "" && o.account == "" {
		list, err := book.List()
		if err != nil {
			return nil, account.Identity{}, err
		}
		if a, id, err := account.FindIdentity(list, o.from); err == nil {
			return &a, id, nil
		}
	}
	a, err := sendAccount(book, o.account)
	if err != nil {
		return nil, account.Identity{}, err
	}
	if a == nil { // the Local account has one address
		local := account.Identity{Address: localAddress()}
		if o.from != "" && !strings.EqualFold(o.from, local.Address) {
			return nil, account.Identity{}, fmt.Errorf("send: %w: %q is not the Local account's address %s", account.ErrNoIdentity, o.from, local.Address)
		}
		return nil, local, nil
	}
	id, err := a.SenderIdentity(o.from)
	if err != nil {
		return nil, id, fmt.Errorf("send: %w", err)
	}
	return a, id, nil
}

// sendMessage builds the message from the options and stdin.
func sendMessage(e *env, o sendOptions, id account.Identity) (*compose.Message, error) {
	if len(o.to) == 0 && len(o.cc) == 0 && len(o.bcc) == 0 {
		return wholeMessage(e, id)
	}
	raw, err := sendmail.ReadInput(e.stdin, true)
	if err != nil {
		return nil, err
	}
	d := compose.New(id)
	d.To, d.Cc, d.Bcc = strings.Join(o.to, ", "), strings.Join(o.cc, ", "), strings.Join(o.bcc, ", ")
	d.Subject, d.Body = o.subject, string(raw)
	for _, path := range o.attach {
		att, err := compose.AttachFile(path)
		if err != nil {
			return nil, err
		}
		d.Attachments = append(d.Attachments, att)
	}
	m, err := compose.Build(d, time.Now())
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	return m, nil
}

// wholeMessage reads a complete message: recipients from To, Cc and Bcc,
// the Bcc fields removed, From, Date and Message-ID added when missing
// (sendmail -t's rules, shared with `facteur sendmail`).
func wholeMessage(e *env, id account.Identity) (*compose.Message, error) {
	raw, err := sendmail.ReadInput(e.stdin, true)
	if err != nil {
		return nil, err
	}
	fields, body := sendmail.SplitHeader(raw)
	rcpts, err := sendmail.HeaderRecipients(fields)
	if err != nil {
		return nil, err
	}
	if len(rcpts) == 0 {
		return nil, usageError{"send: no recipient: give --to, or a message with To, Cc or Bcc fields on stdin\nusage: facteur " + sendUsage}
	}
	out := sendmail.Prepare(fields, body, id.Address, id.Name, time.Now())
	m := &compose.Message{Raw: out, From: id.Address, Rcpts: dedupeFold(rcpts), EightBit: !ascii.Is(out)}
	m.SMTPUTF8 = !ascii.Is(id.Address + strings.Join(m.Rcpts, ""))
	return m, nil
}

// sentRemote says where the message of a remote account went: its
// server, or the outbox (the running MTA's queue, else the spool).
func sentRemote(e *env, a *account.Account, out mailer.Sending, err error) error {
	switch {
	case out.Uncertain:
		fmt.Fprintf(e.stdout, "not confirmed by %s (%s): %s\n", a.Outgoing.Address("smtp"), a.Name, out.Outcome)
	case out.Sent:
		fmt.Fprintf(e.stdout, "sent through %s (%s)\n", a.Outgoing.Address("smtp"), a.Name)
	}
	if out.Queued {
		fmt.Fprintf(e.stdout, "%s\n%s\n", out.Outcome, queuedNote(out.Where))
	}
	if err != nil && !out.Sent && !out.Queued && !out.Uncertain {
		return fmt.Errorf("send: not sent: %w", err)
	}
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// queuedNote says when a message of the outbox goes out.
func queuedNote(w handoff.Where) string {
	if w.Running() {
		return fmt.Sprintf("handed to the running MTA (PID %d), which tries at once and then with backoff; see `facteur mailq`", w.PID)
	}
	return fmt.Sprintf("no MTA running: it waits in %s and goes out, retried with backoff, once `facteur mta` or the app runs", w.QueueDir)
}
