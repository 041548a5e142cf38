package mailer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"facteur/internal/message"
	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/submit"
)

// SendOptions tune Send.
type SendOptions struct {
	// Later puts the message into the outbox without trying the server.
	Later bool
	// Draft is the draft the message was written in (0: none); it is
	// removed once the message went (sent or queued), on its server too.
	Draft int64
	// Timeout bounds the submission; 0 means Options.SubmitTimeout.
	Timeout time.Duration
	// Program names the front door in the Received field of the Local
	// account's mail ("send", "facteur"); "" means "facteur".
	Program string
	// Forwards are the messages this one forwards: once it went, they are
	// marked forwarded (Maildir's P, as mutt and Thunderbird mark them).
	// What it answers needs no option: its In-Reply-To names it.
	Forwards []int64
}

// Sending is what Send did.
type Sending struct {
	// Outcome is what the account's server, or the outbox, did with the
	// message (submit.Outbox.Send): Sent, Queued (QueueID, Reason,
	// QueuedFor), Uncertain. The Local account's mail is Queued, Reason
	// nil.
	submit.Outcome
	// Where tells where the local mail system took a queued message: the
	// running MTA, or its queue on disk until one starts.
	Where handoff.Where
	// Local is the local MTA's receipt for the Local account's mail
	// (refused recipients in Local.Refused); nil for a remote account.
	Local *handoff.Receipt
	// SentErr is why the copy in Sent failed (the message went all the
	// same); DraftErr why the draft stayed; MarkErr why the messages it
	// answers or forwards were not marked so.
	SentErr, DraftErr, MarkErr error
	// Change names the IMAP accounts whose servers get the copy in Sent
	// and the draft's removal from their journals.
	Change
}

// Send sends msg from account a (nil: the Local account, through the local
// MTA, with the SMTP server's checks). A remote account submits through
// its SMTP server, or queues in the outbox when the server cannot take it
// now or Later is set (mua/submit). Once the message went, its copy goes
// into the account's Sent folder (for an IMAP account also to the server's,
// by APPEND, unless the server files it itself), and the draft goes, on its
// server too. The error is a submission or hand-off that failed (see
// submit.Outbox.Send for those that leave the message sent or queued).
func (m *Mailer) Send(ctx context.Context, a *account.Account, msg *compose.Message, o SendOptions) (Sending, error) {
	var out Sending
	var err error
	sent := &sentCopy{m: m, ch: &out.Change}
	if a == nil {
		err = m.sendLocal(ctx, msg, o, &out)
		if out.Queued {
			sent.SaveSent(ctx, account.Account{Name: LocalAccount}, msg.Raw)
		}
	} else {
		sp := &spool{hand: m.hand}
		ob := &submit.Outbox{
			Client:   m.submitter(o.Timeout),
			Accounts: m.book, Spool: sp, Sent: sent, Logger: m.logger(), User: m.login(),
		}
		out.Outcome, err = ob.Send(ctx, a, msg, o.Later)
		out.Where = sp.where
	}
	out.SentErr = sent.err
	if o.Draft != 0 && (out.Sent || out.Queued || out.Uncertain) {
		out.DraftErr = m.removeDraft(ctx, o.Draft, &out.Change)
	}
	if out.Sent || out.Queued || out.Uncertain {
		out.MarkErr = m.markOriginals(ctx, msg.Raw, o.Forwards, &out.Change)
	}
	m.push(out.Change)
	return out, err
}

// sendLocal hands the Local account's message to the local MTA.
func (m *Mailer) sendLocal(ctx context.Context, msg *compose.Message, o SendOptions, out *Sending) error {
	r, err := m.hand.Submit(ctx, handoff.Submission{From: msg.From, Rcpts: msg.Rcpts, Body: msg.Raw,
		Program: cmpStr(o.Program, "facteur"), User: m.login()})
	out.Local, out.Where = &r, r.Where // on a failure too: the recipients refused
	if err != nil {
		return err
	}
	out.Queued, out.QueueID = true, r.QueueID
	if len(r.Refused) > 0 {
		return &RefusedError{Refused: r.Refused}
	}
	return nil
}

// removeDraft removes the draft of a message that went: on its IMAP
// server through the journal, else from the store.
func (m *Mailer) removeDraft(ctx context.Context, id int64, ch *Change) error {
	sum, err := m.opt.Store.Get(ctx, id)
	if errors.Is(err, mailstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	a, ok, err := m.imapAccount(sum.Folder.Account)
	if err != nil {
		return err
	}
	if !ok {
		return m.opt.Store.Purge(ctx, []int64{id})
	}
	ch.journaled(a.Name)
	return m.journal(a).DiscardDraft(ctx, id)
}

// SentFolder is the folder of an account's copies of sent mail: the one
// with the Sent role in the store (an IMAP server's special-use Sent),
// else "Sent".
func (m *Mailer) SentFolder(ctx context.Context, name string) (string, error) {
	folders, err := m.opt.Store.Folders(ctx)
	if err != nil {
		return "", err
	}
	for _, f := range folders {
		if f.Ref.Account == name && f.Role == mailstore.RoleSent {
			return f.Ref.Name, nil
		}
	}
	return "Sent", nil
}

// sentCopy is the outbox's SentSaver: it keeps the failure for Sending,
// and the IMAP accounts whose journals got an APPEND.
type sentCopy struct {
	m   *Mailer
	ch  *Change
	mu  sync.Mutex
	err error
}

func (s *sentCopy) SaveSent(ctx context.Context, a account.Account, raw []byte) error {
	err := s.m.SaveSent(ctx, a, raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return err
	}
	if a.Protocol == account.IMAP && !a.Options.ServerSavesSent {
		s.ch.journaled(a.Name)
	}
	return nil
}

// SaveSent files raw, seen, in the Sent folder of account a: in the store
// at once, and for an IMAP account on its server too, by an APPEND
// journaled (it goes with the next replay or sync), unless the server
// files sent mail itself (account.Options.ServerSavesSent). It is the
// outbox's copy in Sent (submit.SentSaver) for the MTA's deliveries.
func (m *Mailer) SaveSent(ctx context.Context, a account.Account, raw []byte) error {
	imapAcct := a.Protocol == account.IMAP && a.Name != LocalAccount
	if imapAcct && a.Options.ServerSavesSent {
		return nil
	}
	folder, err := m.SentFolder(ctx, a.Name)
	if err != nil {
		return err
	}
	ref := mailstore.FolderRef{Account: a.Name, Name: folder}
	if err := m.opt.Store.CreateFolder(ctx, ref, mailstore.RoleSent); err != nil {
		return err
	}
	if imapAcct {
		_, err = m.journal(a).Add(ctx, folder, raw, mailstore.FlagSeen)
		return err
	}
	_, err = m.opt.Store.Add(ctx, ref, bytes.NewReader(raw), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	return err
}

// spool is the outbox's queue: the profile's local mail system, through
// its hand-off client; it keeps where the message went.
type spool struct {
	hand  *handoff.Client
	where handoff.Where
}

func (s *spool) Enqueue(ctx context.Context, qm queue.Message, body io.Reader) (queue.Message, error) {
	got, where, err := s.hand.Enqueue(ctx, qm, body)
	s.where = where
	return got, err
}

// RefusedError is the local MTA's refusal of some recipients of the Local
// account's message; the others got it.
type RefusedError struct {
	Refused []*localmta.RcptError
}

func (e *RefusedError) Error() string {
	var s []string
	for _, r := range e.Refused {
		s = append(s, r.Error())
	}
	return "mailer: recipients refused: " + strings.Join(s, "; ")
}

func (e *RefusedError) Unwrap() []error {
	out := make([]error, len(e.Refused))
	for i, r := range e.Refused {
		out[i] = r
	}
	return out
}

func cmpDur(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	if b > 0 {
		return b
	}
	return 5 * time.Minute
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// markOriginals marks, once a message went, what it answers: \Answered on
// every copy of the message its In-Reply-To names (in any account, Drafts
// left out), and what it forwards: Maildir's P. An IMAP account's
// \Answered reaches its server through the journal, as a flag set in the
// window does; P stays in the offline store (no IMAP system flag).
func (m *Mailer) markOriginals(ctx context.Context, raw []byte, forwards []int64, ch *Change) error {
	var errs []error
	mark := func(ids []int64, f mailstore.Flags) {
		if len(ids) == 0 {
			return
		}
		c, err := m.setFlags(ctx, ids, f, 0)
		ch.merge(c)
		errs = append(errs, err)
	}
	if irt := inReplyTo(raw); irt != "" {
		ids, err := m.opt.Store.ByMessageID(ctx, irt)
		errs = append(errs, err)
		mark(ids, mailstore.FlagAnswered)
	}
	mark(forwards, mailstore.FlagPassed)
	return errors.Join(errs...)
}

// inReplyTo is the first message id of the In-Reply-To field of raw's
// header, without <>; "" when there is none.
func inReplyTo(raw []byte) string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	m, err := message.Parse(bytes.NewReader(raw[:end]), message.Options{MaxText: 1, NoLinks: true})
	if err != nil || len(m.InReplyTo) == 0 {
		return ""
	}
	return m.InReplyTo[0]
}
