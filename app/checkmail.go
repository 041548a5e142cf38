package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/imapsync"
	"facteur/mua/mailer"
	"facteur/mua/watch"
)

// Check mail (F5): every configured account in turn, IMAP synced and POP3
// collected in the background, with a progress bar and Cancel under the
// folders; the outcome, errors included, stays there until the next check.

// checkProgressEvery bounds the progress updates sent to the UI.
const checkProgressEvery = 100 * time.Millisecond

// checkState is the Check mail action of the window (UI goroutine only).
type checkState struct {
	cancel    context.CancelFunc // nil when no check runs
	button    *widget.Button
	bar       *widget.ProgressBar
	stopBtn   *widget.Button
	status    *widget.Label
	box       *fyne.Container
	lastError string
}

// checkProgress is one update of a running check.
type checkProgress struct {
	account     string
	done, total int
}

// buildCheckMail is the Check mail button, with the bar and the status
// under it, above the folder tree.
func (c *controller) buildCheckMail() fyne.CanvasObject {
	k := &c.check
	k.button = widget.NewButtonWithIcon(lang.L("Check mail"), theme.DownloadIcon(), c.checkMail)
	k.button.Alignment = widget.ButtonAlignLeading
	k.button.Importance = widget.LowImportance
	k.bar = widget.NewProgressBar()
	k.stopBtn = widget.NewButtonWithIcon("", theme.CancelIcon(), c.cancelCheck)
	k.stopBtn.Importance = widget.LowImportance
	k.status = widget.NewLabel("")
	k.status.Wrapping = fyne.TextWrapWord
	k.status.Hide()
	k.box = container.NewBorder(nil, nil, nil, k.stopBtn, k.bar)
	k.box.Hide()
	newMsg := widget.NewButtonWithIcon(lang.L("New message"), theme.MailComposeIcon(), c.newMessage)
	newMsg.Alignment = widget.ButtonAlignLeading
	newMsg.Importance = widget.LowImportance
	bar := newFoldBar(c.win.Canvas, newMsg, k.button)
	c.ui.bars = append(c.ui.bars, bar)
	return container.NewVBox(bar.row, k.box, k.status, widget.NewSeparator())
}

// checkMail syncs or collects every account in the background.
func (c *controller) checkMail() {
	c.checkMailOf(nil)
}

// checkMailOf checks the accounts named (all when names is nil).
func (c *controller) checkMailOf(names []string) {
	k := &c.check
	if k.cancel != nil {
		return
	}
	m, err := c.mailer()
	if err != nil { // no profile, or its mailer could not open: no account to check
		c.setCheckStatus(problemText(err), true)
		return
	}
	ctx, cancel := context.WithCancel(c.ctx)
	k.cancel = cancel
	k.button.Disable()
	k.bar.SetValue(0)
	k.box.Show()
	c.setCheckStatus(lang.L("Checking mail…"), false)
	c.work.stream(ctx, func(ctx context.Context, send func(func())) func() {
		summary, errs := checkWith(ctx, m, names, throttle(func(p checkProgress) {
			send(func() { c.showCheckProgress(p) })
		}))
		return func() { c.checkDone(summary, errs) }
	})
}

func (c *controller) cancelCheck() {
	if c.check.cancel != nil {
		c.check.cancel()
	}
}

// checkWith runs in the background: the mailer checks the accounts named
// (all when names is nil), as `facteur sync` does: through the watcher
// when it runs (its status updates show the progress), else one after
// the other, with progress.
func checkWith(ctx context.Context, m *mailer.Mailer, names []string, progress func(imapsync.Progress)) ([]string, []error) {
	checked, err := m.Check(ctx, names, progress)
	if err != nil {
		return nil, []error{err}
	}
	var summary []string
	var errs []error
	for _, r := range checked {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Account, r.Err))
			continue
		}
		summary = append(summary, lang.L("{{.Account}}: {{.New}} new", map[string]any{"Account": r.Account, "New": r.New}))
	}
	return summary, errs
}

// throttle passes at most one progress update per checkProgressEvery, and
// the last of each folder.
func throttle(progress func(checkProgress)) func(imapsync.Progress) {
	var last time.Time
	return func(p imapsync.Progress) {
		if now := time.Now(); now.Sub(last) >= checkProgressEvery || p.Done == p.Total {
			last = now
			progress(checkProgress{account: p.Folder.Account, done: p.Done, total: p.Total})
		}
	}
}

func (c *controller) showCheckProgress(p checkProgress) {
	k := &c.check
	if k.cancel == nil {
		return
	}
	if p.total > 0 {
		k.bar.SetValue(float64(p.done) / float64(p.total))
	}
	text := lang.L("{{.Account}}: checking…", map[string]any{"Account": p.account})
	if p.total > 0 {
		text = lang.L("{{.Account}}: {{.Done}} of {{.Total}} messages", map[string]any{"Account": p.account, "Done": p.done, "Total": p.total})
	}
	c.setCheckStatus(text, false)
}

// checkDone shows what the check did, errors first.
func (c *controller) checkDone(summary []string, errs []error) {
	k := &c.check
	k.cancel = nil
	k.button.Enable()
	k.box.Hide()
	var lines []string
	cancelled := false
	for _, err := range errs {
		if errors.Is(err, context.Canceled) || errors.Is(err, watch.ErrCancelled) {
			cancelled = true
			continue
		}
		lines = append(lines, checkErrorText(err))
	}
	if cancelled {
		lines = append(lines, lang.L("Check mail was cancelled."))
	}
	k.lastError = strings.Join(lines, "\n")
	if len(summary) == 0 && len(errs) == 0 {
		summary = []string{lang.L("No account to check: add one with File > Add account…")}
	}
	c.setCheckStatus(strings.Join(append(lines, summary...), "\n"), len(lines) > 0)
	c.loadFolders(false)
}

// checkErrorText is the sentence of an account's failure.
func checkErrorText(err error) string {
	return problemText(err)
}

func (c *controller) setCheckStatus(text string, danger bool) {
	l := c.check.status
	l.Importance = widget.MediumImportance
	if danger {
		l.Importance = widget.DangerImportance
	}
	shown := l.Visible()
	setText(l, text)
	if l.Visible() != shown { // the column above the folders grows or shrinks
		relayout(c.win)
	}
}
