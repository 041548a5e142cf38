package localmta

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"facteur/internal/sieve"
	"facteur/internal/sieve/ext"
	"facteur/localmta/mda"
	"facteur/localmta/queue"
	"facteur/mailstore"

	"github.com/emersion/go-smtp"
)

// FilterAccount is the account whose script the MDA runs: local mail goes
// into its mailboxes.
const FilterAccount = "Local"

// ErrRejected is the reply to a message that the recipient's filter
// rejects (RFC 5429): at DATA when the filter decides it there, else in
// the delivery status notification.
var ErrRejected = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Rejected by the recipient's filter"}

// rejectError is ErrRejected with the script's reason, on one line of
// printable ASCII.
func rejectError(reason string) *smtp.SMTPError {
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, reason)
	reason = strings.Join(strings.Fields(reason), " ")
	if len(reason) > 200 {
		reason = reason[:200]
	}
	e := *ErrRejected
	if reason != "" {
		e.Message += ": " + reason
	}
	return &e
}

// localFilter is what the Local account's script decided for the
// recipients of one delivery.
type localFilter struct {
	results []queue.Result        // recipients done: rejected, discarded, redirected only
	deliver []string              // recipients that get copies
	copies  map[string][]mda.Copy // their copies
}

// filterScript returns the Local account's script at delivery, or nil:
// no filters directory, no script, a target that has no folders (mbox).
// A script that does not compile is logged and not run: mail goes to
// INBOX as without a script.
func (m *MTA) filterScript() *sieve.Script {
	if m.cfg.Filters == nil {
		return nil
	}
	if _, ok := m.cfg.MDA.(*mda.Store); !ok {
		return nil
	}
	s, err := m.cfg.Filters.Load(FilterAccount, sieve.Delivery)
	if err != nil {
		m.log.Warn("sieve: the Local script does not compile; mail goes to INBOX", "err", err)
		return nil
	}
	return s
}

// filterLocal runs the Local account's script for each local recipient
// of a delivery and carries out what does not store the message
// (redirect, vacation, reject, discard); nil when there is no script.
func (m *MTA) filterLocal(ctx context.Context, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) *localFilter {
	s := m.filterScript()
	if s == nil {
		return nil
	}
	raw, err := readAll(body)
	if err != nil {
		m.log.Warn("sieve: cannot read the message; mail goes to INBOX", "id", msg.ID, "err", err)
		return nil
	}
	f := &localFilter{copies: map[string][]mda.Copy{}}
	for _, r := range rcpts {
		sm := sieve.Message{Raw: raw, Envelope: sieve.Envelope{From: msg.From, To: r}}
		res := s.Run(ctx, sm, sieve.RunOptions{})
		if res.Err != nil {
			m.log.Warn("sieve: the Local script failed; the message goes to INBOX", "id", msg.ID, "rcpt", r, "err", res.Err)
		}
		m.applyFilter(ctx, f, r, sm, res.Actions)
	}
	return f
}

// applyFilter carries out the actions for one recipient.
func (m *MTA) applyFilter(ctx context.Context, f *localFilter, rcpt string, sm sieve.Message, actions []sieve.Action) {
	var copies []mda.Copy
	done := "discarded by the recipient's filter"
	for _, a := range actions {
		switch a.Kind {
		case sieve.Keep, sieve.FileInto:
			copies = append(copies, mda.Copy{Folder: mailstore.FolderRef{Account: FilterAccount, Name: a.Mailbox}, Flags: mda.FlagsOf(a.Flags)})
		case sieve.Redirect:
			if err := m.redirect(ctx, sm, rcpt, a.Addr); err != nil {
				m.log.Warn("sieve: redirect failed; the message goes to INBOX", "rcpt", rcpt, "to", a.Addr, "err", err)
				copies = append(copies, mda.Copy{Folder: mda.LocalInbox})
			}
			done = "redirected by the recipient's filter"
		case sieve.Vacation:
			m.vacation(ctx, sm, rcpt, *a.Vacation)
		case sieve.Reject, sieve.EReject:
			f.results = append(f.results, queue.Result{Rcpt: rcpt, Err: rejectError(a.Reject.Reason), Remote: m.cfg.Hostname})
			return
		}
	}
	if len(copies) == 0 {
		f.results = append(f.results, queue.Result{Rcpt: rcpt, Remote: m.cfg.Hostname, Reply: done})
		return
	}
	f.deliver = append(f.deliver, rcpt)
	f.copies[rcpt] = copies
}

// redirect queues the message for addr, marked against loops, with the
// original reverse path (RFC 5228 §4.2).
func (m *MTA) redirect(ctx context.Context, sm sieve.Message, rcpt, addr string) error {
	data, err := sieve.PrepareRedirect(sm.Raw, rcpt)
	if err != nil {
		return err
	}
	to, err := canonical(addr)
	if err != nil {
		return err
	}
	_, err = m.queue.Enqueue(ctx, queue.Message{From: sm.Envelope.From, Rcpts: []queue.Rcpt{{Addr: to}}}, bytes.NewReader(data))
	if err == nil {
		m.log.Info("sieve: redirected", "rcpt", rcpt, "to", to)
	}
	return err
}

// vacation sends the vacation reply, if one is due, with the null reverse
// path; the decision is logged either way.
func (m *MTA) vacation(ctx context.Context, sm sieve.Message, rcpt string, v ext.Vacation) {
	reply, err := sieve.VacationReply(ctx, v, sm, sieve.VacationOptions{
		Addresses: []string{rcpt}, Account: FilterAccount + "/" + strings.ToLower(rcpt),
		Hostname: m.cfg.Hostname, Memory: m.cfg.Filters.Memory(),
	})
	var no *sieve.NoReply
	switch {
	case errors.As(err, &no):
		m.log.Info("sieve: no vacation reply", "rcpt", rcpt, "why", no.Why)
		return
	case err != nil:
		m.log.Warn("sieve: vacation failed", "rcpt", rcpt, "err", err)
		return
	}
	if _, err := m.queue.Enqueue(ctx, queue.Message{From: "", Rcpts: []queue.Rcpt{{Addr: reply.To}}}, bytes.NewReader(reply.Data)); err != nil {
		m.log.Warn("sieve: vacation reply not queued", "rcpt", rcpt, "err", err)
		return
	}
	m.log.Info("sieve: vacation reply queued", "rcpt", rcpt, "to", reply.To)
}

func readAll(body func() (io.ReadCloser, error)) ([]byte, error) {
	rc, err := body()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// dataFilter returns the check that decides at DATA whether the only
// recipient's filter rejects the message, so that the client gets the 550
// itself (RFC 5429 §2.1 prefers it to a rejection message); nil when it
// does not apply: several recipients, a remote one, no script, or one
// that cannot reject.
func (m *MTA) dataFilter(from string, rcpts []queue.Rcpt) func(ctx context.Context, raw []byte) error {
	if len(rcpts) != 1 || m.Route(rcpts[0].Addr).Kind != RouteLocal {
		return nil
	}
	s := m.filterScript()
	if s == nil || !(s.Requires(sieve.Reject) || s.Requires(sieve.EReject)) {
		return nil
	}
	rcpt := rcpts[0].Addr
	return func(ctx context.Context, raw []byte) error {
		res := s.Run(ctx, sieve.Message{Raw: raw, Envelope: sieve.Envelope{From: from, To: rcpt}}, sieve.RunOptions{})
		for _, a := range res.Actions {
			if a.Kind == sieve.Reject || a.Kind == sieve.EReject {
				m.log.Info("sieve: rejected at DATA", "rcpt", rcpt, "from", from, "reason", a.Reject.Reason)
				return rejectError(a.Reject.Reason)
			}
		}
		return nil
	}
}
