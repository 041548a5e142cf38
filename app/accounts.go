package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"facteur/internal/message"
	"facteur/localmta/handoff"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
	"facteur/mua/watch"
)

// The remote accounts while the window is open: package watch checks them
// in the background (IMAP IDLE, POP3 polling), "Check mail" wakes them,
// their status shows under the folders and in the Accounts window, and new
// mail in an inbox gives a desktop notification.

// prefNotify is the preference that turns new-mail notifications off.
const prefNotify = "notifyNewMail"

// accountsState belongs to the UI goroutine.
type accountsState struct {
	watcher *watch.Watcher // nil without a profile, or before start
	// mailer carries out every message action, sending, the drafts and
	// the account lifecycle of the window (mua/mailer, as the CLI); nil
	// only when it could not open (noMailer says why): those actions
	// then fail with that reason, never act on the store alone
	mailer    *mailer.Mailer
	noMailer  error
	ownMailer bool // opened by the window (not Options.Mailer): closed with it
	status    map[string]watch.Status
	win       *accountsWindow // the Accounts window, nil when closed
	lastNote  *fyne.Notification
	// muted counts the new-mail notifications not sent, turned off
	muted int
}

// errNoProfile: a window opened on a store without a profile has no
// mailer (no accounts, secrets or sync state to act with).
var errNoProfile = errors.New("this window has no profile")

// MailerError says why the window has no mailer: the actions that need
// one fail with it, and the window shows it.
type MailerError struct{ Err error }

func (e *MailerError) Error() string {
	cause := e.Err.Error()
	if errors.Is(e.Err, errNoProfile) {
		cause = lang.L("this window has no profile")
	}
	return lang.L("The mail service of this window is not open ({{.Error}}): nothing was changed.",
		map[string]any{"Error": cause})
}
func (e *MailerError) Unwrap() error { return e.Err }

// mailer is the window's mailer, or the error that says why there is none.
func (c *controller) mailer() (*mailer.Mailer, error) {
	if m := c.accts.mailer; m != nil {
		return m, nil
	}
	cause := c.accts.noMailer
	if cause == nil {
		cause = errNoProfile
	}
	return nil, &MailerError{Err: cause}
}

// openMailer gives the window the profile's mailer (mua/mailer):
// Options.Mailer, else one it opens over the profile and its store (the
// store given in Options, which a test may wrap for the window's reads).
// Screenshot's read-only window has one too: it never acts, but draws what
// the mailer reads (a filter's dry run).
func (c *controller) openMailer() {
	if c.opts.Mailer != nil {
		c.accts.mailer = c.opts.Mailer
		return
	}
	store := c.opts.Store
	switch {
	case c.opts.Profile == "":
		c.accts.noMailer = errNoProfile
		return
	case store == nil:
		c.accts.noMailer = errors.New(lang.L("the store is not a profile's store"))
		return
	}
	opt := mailer.Options{Profile: c.opts.Profile, Store: store, Backend: c.credsBackend, LocalAddress: c.localAddress()}
	if c.opts.MTA != nil && c.opts.MTA.Dir != "" {
		opt.Handoff = &handoff.Client{Dir: c.opts.MTA.Dir}
	}
	m, err := mailer.Open(c.ctx, opt)
	if err != nil {
		c.accts.noMailer = err
		c.showError(&MailerError{Err: err})
		c.setCheckStatus((&MailerError{Err: err}).Error(), true) // stays under the folders
		return
	}
	c.accts.mailer, c.accts.ownMailer = m, true
}

// startAccounts starts checking the accounts of the profile and following
// new mail, through the window's mailer, which the message actions, the
// composer and the Accounts window use too. The window's context stops
// both.
func (c *controller) startAccounts() {
	c.openMailer()
	m := c.accts.mailer
	if m == nil || c.readOnly {
		return
	}
	c.accts.status = map[string]watch.Status{}
	// Without its checks (Watch failed: the settings file is broken) the
	// window still acts through the mailer, which routes each action by
	// the account holding the message or says why it cannot: never the
	// store alone for an account's mail.
	w, err := m.Watch(c.ctx, mailer.WatchOptions{
		OnChange:       func(s watch.Status) { c.work.post(func() { c.accountChanged(s) }) },
		TranscriptSize: 64 << 10, // drawn whole in the Accounts window
	})
	if err != nil {
		c.setCheckStatus(err.Error(), true)
		return
	}
	c.accts.watcher = w
	c.reloadAccounts()
	changes := c.store.Subscribe(c.ctx) // mail stored from now on is told
	go watch.NotifyChanges(c.ctx, c.store, changes, watch.NotifyOptions{}, func(m watch.NewMail) {
		c.work.post(func() { c.notifyNewMail(m) })
	})
}

// stopAccounts waits for the account goroutines, once the context ended,
// and closes the mailer if the window opened it.
func (c *controller) stopAccounts() {
	if c.accts.watcher != nil {
		c.accts.watcher.Wait()
	}
	if c.accts.mailer != nil && c.accts.ownMailer {
		c.accts.mailer.Close()
	}
}

// reloadAccounts reads the settings file in the background and gives the
// watcher its accounts (after the wizard, the settings, or the CLI changed
// them). done, when set, runs on the UI goroutine afterwards.
func (c *controller) reloadAccounts(done ...func()) {
	w, b := c.accts.watcher, c.book()
	if w == nil || b == nil {
		return
	}
	c.work.bg(func(context.Context) func() {
		list, err := b.List()
		if err == nil {
			w.Update(list)
		}
		return func() {
			if err != nil {
				c.setCheckStatus(err.Error(), true)
			} else {
				c.forgetRemoved(list)
			}
			for _, fn := range done {
				fn()
			}
		}
	})
}

// forgetRemoved drops the status of the accounts that are no longer in
// list: the tree shows an account without folders by its status.
func (c *controller) forgetRemoved(list []account.Account) {
	dropped := false
	for name := range c.accts.status {
		if !slices.ContainsFunc(list, func(a account.Account) bool { return a.Name == name }) {
			delete(c.accts.status, name)
			dropped = true
		}
	}
	if dropped {
		c.ui.tree.Refresh()
	}
}

// accountChanged takes a new status of an account.
func (c *controller) accountChanged(s watch.Status) {
	if c.accts.status == nil {
		return
	}
	if w := c.accts.watcher; w != nil && !slices.ContainsFunc(w.Status(), func(x watch.Status) bool { return x.Account == s.Account }) {
		return // the last word of an account removed meanwhile
	}
	prev, known := c.accts.status[s.Account]
	c.accts.status[s.Account] = s
	if !known || (prev.State == watch.Failed) != (s.State == watch.Failed) {
		c.ui.tree.Refresh() // the account's node shows, and whether it fails
	}
	if c.check.cancel != nil && s.State == watch.Checking {
		c.showCheckProgress(checkProgress{account: s.Account, done: s.Done, total: s.Total})
	}
	if c.check.cancel == nil && s.State == watch.Failed && prev.State != watch.Failed {
		c.setCheckStatus(lang.L("{{.Account}}: {{.Error}} (Facteur tries again by itself)",
			map[string]any{"Account": s.Account, "Error": checkErrorText(s.LastError)}), true)
	}
	if c.check.cancel == nil && s.State == watch.Waiting && prev.State == watch.Failed {
		c.setCheckStatus(lang.L("{{.Account}}: connected again", map[string]any{"Account": s.Account}), false)
	}
	if s.Refused != nil && !s.RefusedAt.Equal(prev.RefusedAt) && s.State != watch.Failed {
		c.setCheckStatus(lang.L("{{.Account}}: the server does not keep the keywords {{.Keywords}}; they stay on this computer only",
			map[string]any{"Account": s.Account, "Keywords": refusedKeywords(s.Refused)}), false)
	}
	if aw := c.accts.win; aw != nil {
		aw.statusChanged(s)
	}
}

// refusedKeywords lists the keywords of a watch.Status.Refused with the
// server folders that refused them: "Work (in INBOX, Archive)".
func refusedKeywords(err error) string {
	var kr *imapsync.KeywordsRefusedError
	if !errors.As(err, &kr) {
		return err.Error()
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kr.Keywords)) {
		parts = append(parts, lang.L("{{.Keyword}} (in {{.Folders}})",
			map[string]any{"Keyword": k, "Folders": strings.Join(kr.Keywords[k], ", ")}))
	}
	return strings.Join(parts, ", ")
}

// notifyNewMail sends a desktop notification, unless the user turned them off.
func (c *controller) notifyNewMail(m watch.NewMail) {
	if !c.settings.Bool(prefNotify, true) {
		c.accts.muted++
		return
	}
	n := newMailNotification(m)
	c.accts.lastNote = n
	c.app.SendNotification(n)
}

// newMailNotification is the title and text shown for new mail.
func newMailNotification(m watch.NewMail) *fyne.Notification {
	from := lang.L("(unknown sender)")
	if len(m.Latest.From) > 0 {
		from = senderName(m.Latest.From[0])
	}
	subject := m.Latest.Subject
	if subject == "" {
		subject = lang.L("(no subject)")
	}
	title := lang.L("New mail")
	if m.Count > 1 {
		title = lang.L("{{.N}} new messages", map[string]any{"N": m.Count})
	}
	return fyne.NewNotification(title, fmt.Sprintf("%s — %s", from, subject))
}

// senderName is the display name of an address, or the address.
func senderName(a message.Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Addr
}

// ago says how long ago t was, for the status lines.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return lang.L("never")
	}
	d := now.Sub(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return lang.L("just now")
	case d < time.Hour:
		return lang.L("{{.N}} min ago", map[string]any{"N": int(d.Minutes())})
	}
	return t.Local().Format("2006-01-02 15:04")
}
