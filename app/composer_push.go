package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2/lang"

	"facteur/mua/account"
)

// The server copies of the IMAP accounts' drafts (see composer_draft.go):
// one push per account at a time, planned pushWait after a save (a save
// made meanwhile does not postpone it, so a long typing session still
// reaches the server), at once when a composer closes or its message is
// sent. A push that fails is tried again, after a delay that doubles up to
// maxPushWait, as long as the window is open; the drafts stay in the
// account's local Drafts meanwhile.

// Delays of the pushes.
const (
	pushAfter   = 30 * time.Second // after a save, before the APPEND
	maxPushWait = 5 * time.Minute  // between the tries of a failing server
)

// pushState is the push of one account's drafts (UI goroutine only).
type pushState struct {
	acct    account.Account
	stop    func() // the planned push; nil when none is planned
	running bool
	again   bool          // a save came while it ran: another push follows
	wait    time.Duration // before the next try after a failure
	err     error         // of the last push
}

// pushOf is the push of account a, made on first use.
func (c *controller) pushOf(a account.Account) *pushState {
	if c.compose.pushes == nil {
		c.compose.pushes = map[string]*pushState{}
	}
	p := c.compose.pushes[a.Name]
	if p == nil {
		p = &pushState{}
		c.compose.pushes[a.Name] = p
	}
	p.acct = a
	return p
}

// queuePush plans a push of a's drafts in d; d == 0 runs it now, or as
// soon as the running one ends.
func (c *controller) queuePush(a account.Account, d time.Duration) {
	p := c.pushOf(a)
	switch {
	case p.running:
		p.again = true
	case d == 0:
		if p.stop != nil {
			p.stop()
			p.stop = nil
		}
		c.runPush(p)
	case p.stop == nil:
		p.stop = c.after(d, func() {
			p.stop = nil
			c.runPush(p)
		})
	}
}

// after runs fn on the UI goroutine in d; stop cancels it. Unlike
// worker.later it does not keep the window from settling: a server that
// stays down keeps a retry planned for as long as the window is open.
func (c *controller) after(d time.Duration, fn func()) (stop func()) {
	t := time.AfterFunc(d, func() { c.work.post(fn) })
	return func() { t.Stop() }
}

// runPush APPENDs the waiting drafts of the account in the background.
func (c *controller) runPush(p *pushState) {
	if p.running || c.ctx.Err() != nil {
		return
	}
	p.running = true
	a := p.acct
	ids := c.draftsOf(a.Name)
	m, err := c.mailer()
	c.work.bg(func(ctx context.Context) func() {
		if err == nil { // the drafts that wait, as the account's syncs send them
			_, err = m.PushDrafts(ctx, a.Name)
		}
		return func() { c.pushed(p, ids, err) }
	})
}

// draftsOf is the saved copy of every open composer whose draft is in the
// account's Drafts.
func (c *controller) draftsOf(name string) map[*composer]int64 {
	ids := map[*composer]int64{}
	for _, cm := range c.compose.open {
		if cm.draft.acct != nil && cm.draft.acct.Name == name && cm.draft.id != 0 {
			ids[cm] = cm.draft.id
		}
	}
	return ids
}

// pushed takes the outcome of a push: the composers say where their draft
// is, and a failure or a save made meanwhile plans the next push.
func (c *controller) pushed(p *pushState, ids map[*composer]int64, err error) {
	p.running, p.err = false, err
	for cm, id := range ids {
		cm.draft.pushed = err == nil && cm.draft.id == id
		cm.showPushed(err)
	}
	switch {
	case err != nil:
		p.again = false
		p.wait = min(max(2*p.wait, c.compose.pushWait), maxPushWait)
		c.queuePush(p.acct, p.wait)
	case p.again:
		p.again, p.wait = false, 0
		c.queuePush(p.acct, c.compose.pushWait)
	default:
		p.wait = 0
	}
}

// showPushed says that the server did not take the draft, or clears that.
func (cm *composer) showPushed(err error) {
	if cm.closed || cm.draft.acct == nil {
		return
	}
	switch {
	case err != nil:
		cm.showStatus(lang.L("{{.Account}} has not taken the draft yet ({{.Error}}): it is kept on this computer and sent to the server later.",
			map[string]any{"Account": cm.draft.acct.Name, "Error": err.Error()}), false)
	case cm.draft.problem:
		cm.showStatus("", false)
	}
	cm.draft.problem = err != nil
	cm.updateDraftNote()
}

// updateDraftNote shows, beside the buttons, where the draft is saved.
func (cm *composer) updateDraftNote() {
	d := cm.draft
	at := d.savedAt.Format("15:04")
	var text string
	switch {
	case d.id == 0:
	case d.acct == nil:
		text = lang.L("Draft saved at {{.Time}}", map[string]any{"Time": at})
	case d.pushed:
		text = lang.L("Draft saved at {{.Time}}, on {{.Account}} too", map[string]any{"Time": at, "Account": d.acct.Name})
	default:
		text = lang.L("Draft saved at {{.Time}} on this computer, not yet on {{.Account}}", map[string]any{"Time": at, "Account": d.acct.Name})
	}
	cm.draftNote.SetText(text)
}
