package filter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"facteur/internal/mailaddr"
	"facteur/internal/sieve"
	"facteur/localmta/mda"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/submit"
)

// ErrNoFolder: a script filed into a folder that the IMAP account does not
// have; the message stays where it was (create the folder on the server).
var ErrNoFolder = errors.New("filter: no such folder on the account")

// ErrNoSender: a redirect or vacation reply with no way to send it.
var ErrNoSender = errors.New("filter: no sender for redirects and vacation replies")

// job is one run of a script on an account's messages.
type job struct {
	opt    Options
	acct   account.Account
	act    Actions
	script *sieve.Script
	fetch  BodyFetcher // for a dry run, which has no actions
}

// message reads a stored message for the script, its body fetched first
// when the script tests bodies and only the header is here. headerOnly
// says why the body could not be had (the script then sees the header).
func (j *job) message(ctx context.Context, id int64) (sum mailstore.Summary, m sieve.Message, headerOnly, err error) {
	if sum, err = j.opt.Store.Get(ctx, id); err != nil {
		return sum, m, nil, err
	}
	if sum.Partial && j.script.Requires("body") {
		sum, headerOnly = j.body(ctx, sum)
	}
	rc, err := j.opt.Store.Open(ctx, sum.ID)
	if err != nil {
		return sum, m, headerOnly, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return sum, m, headerOnly, err
	}
	return sum, sieve.Message{Raw: raw, Envelope: envelopeOf(sum, raw, j.acct)}, headerOnly, nil
}

// body fetches the body of a message stored header first, through the
// job's fetcher or its actions' (mua/filter.Remote's Syncer); on failure
// it keeps sum and says why.
func (j *job) body(ctx context.Context, sum mailstore.Summary) (mailstore.Summary, error) {
	fetch := j.fetch
	if fb, ok := j.act.(BodyFetcher); ok && fetch == nil {
		fetch = fb
	}
	if fetch == nil {
		return sum, ErrNoFetcher
	}
	s, err := fetch.FetchBody(ctx, sum.ID)
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrNoFetcher, err)
	}
	if s.Partial {
		return s, ErrNoFetcher
	}
	return s, nil
}

// envelopeOf is the envelope a stored message came with: the one Facteur's
// MTA recorded, else its Return-Path and Delivered-To, else the account's
// address as the recipient.
func envelopeOf(sum mailstore.Summary, raw []byte, acct account.Account) sieve.Envelope {
	if e := sum.Envelope; e != nil {
		env := sieve.Envelope{From: e.MailFrom}
		if len(e.RcptTo) > 0 {
			env.To = e.RcptTo[0]
		}
		return env
	}
	env := sieve.Envelope{To: acct.Identity.Address}
	if m, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		env.From = strings.Trim(strings.TrimSpace(m.Header.Get("Return-Path")), "<>")
		if to := strings.TrimSpace(m.Header.Get("Delivered-To")); to != "" {
			env.To = strings.Trim(to, "<>")
		}
	}
	return env
}

// apply carries out the actions of a run on message sum, which is in
// folder here: keep leaves it there, fileinto moves it (the last one) or
// copies it, discard sends it to the Trash. Reject (a Local script run
// on stored mail) keeps it: the message was accepted long ago.
func (j *job) apply(ctx context.Context, sum mailstore.Summary, m sieve.Message, actions []sieve.Action) (Stats, error) {
	var st Stats
	here := sum.Folder.Name
	var keepFlags []string
	kept := false
	var targets []sieve.Action
	for _, a := range actions {
		switch a.Kind {
		case sieve.Keep:
			kept, keepFlags = true, a.Flags
		case sieve.Reject, sieve.EReject: // accepted long ago: kept
			kept = true
		case sieve.FileInto:
			if a.Mailbox == here {
				kept, keepFlags = true, a.Flags
				continue
			}
			targets = append(targets, a)
		case sieve.Redirect, sieve.Vacation:
			sent, err := j.send(ctx, m, a)
			if err != nil {
				return st, err
			}
			if sent {
				st.Sent++
			}
		}
	}
	for _, a := range targets {
		if err := j.checkFolder(ctx, a.Mailbox); err != nil {
			return st, err
		}
	}
	return j.file(ctx, sum, st, kept, keepFlags, targets)
}

// file does the storing part of apply.
func (j *job) file(ctx context.Context, sum mailstore.Summary, st Stats, kept bool, keepFlags []string, targets []sieve.Action) (Stats, error) {
	ids := []int64{sum.ID}
	for i, a := range targets {
		if !kept && i == len(targets)-1 {
			if err := j.setFlags(ctx, ids, sum.Flags, a.Flags, &st); err != nil {
				return st, err
			}
			st.Moved++
			return st, j.act.Move(ctx, ids, a.Mailbox)
		}
		cp, err := j.act.Copy(ctx, ids, a.Mailbox)
		if err != nil {
			return st, err
		}
		st.Copied++
		if err := j.setFlags(ctx, cp, sum.Flags, a.Flags, &st); err != nil {
			return st, err
		}
	}
	if !kept && len(targets) == 0 {
		st.Deleted++
		return st, j.act.Delete(ctx, ids) // discard, or only redirected
	}
	return st, j.setFlags(ctx, ids, sum.Flags, keepFlags, &st)
}

// setFlags adds the flags a script gave, which the message lacks.
func (j *job) setFlags(ctx context.Context, ids []int64, have mailstore.Flags, flags []string, st *Stats) error {
	add := mda.FlagsOf(flags) &^ have
	if add == 0 || len(ids) == 0 {
		return nil
	}
	st.Flagged++
	return j.act.SetFlags(ctx, ids, add, 0)
}

// checkFolder refuses to file into a folder that an IMAP account lacks:
// the move would fail on the server.
func (j *job) checkFolder(ctx context.Context, name string) error {
	if _, local := j.act.(localActions); local {
		return nil
	}
	folders, err := j.opt.Store.Folders(ctx)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.Ref.Account == j.acct.Name && f.Ref.Name == name {
			return nil
		}
	}
	return fmt.Errorf("%w: %s has no folder %q", ErrNoFolder, j.acct.Name, name)
}

// send sends a redirect, or a vacation reply when one is due, from the
// account's address; it reports whether it sent something.
func (j *job) send(ctx context.Context, m sieve.Message, a sieve.Action) (bool, error) {
	if j.opt.Sender == nil {
		return false, ErrNoSender
	}
	from := j.acct.Identity.Address
	var to string
	var data []byte
	switch a.Kind {
	case sieve.Redirect:
		d, err := sieve.PrepareRedirect(m.Raw, from)
		if err != nil {
			return false, err
		}
		to, data = a.Addr, d
	case sieve.Vacation:
		r, err := sieve.VacationReply(ctx, *a.Vacation, m, sieve.VacationOptions{
			Addresses: append([]string{from, m.Envelope.To}, j.acct.Identity.Aliases...),
			Account:   j.acct.Name, Hostname: hostnameOf(from), Memory: j.opt.Scripts.Memory(),
		})
		var no *sieve.NoReply
		if errors.As(err, &no) {
			j.opt.log().Info("filter: no vacation reply", "account", j.acct.Name, "why", no.Why)
			return false, nil
		}
		if err != nil {
			return false, err
		}
		to, data = r.To, r.Data
	}
	err := j.opt.Sender.Submit(ctx, j.acct, submit.Envelope{From: from, Rcpts: []string{to}, EightBit: true}, data)
	return err == nil, err
}

// hostnameOf is the name a vacation reply's Message-ID is made under: the
// sender's domain, else localhost.
func hostnameOf(addr string) string {
	if d := mailaddr.Domain(addr); d != "" {
		return d
	}
	return "localhost"
}
