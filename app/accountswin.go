package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/account"
	"facteur/mua/mailer"
	"facteur/mua/watch"
)

// The Accounts window (File > Accounts…): the accounts on the left; on the
// right, for the one selected, its status (what it is doing, the last
// check, the last error), its settings (editable, saved into the profile),
// and the transcript of its latest sessions, passwords masked.

// accountsWindow belongs to the UI goroutine.
type accountsWindow struct {
	c        *controller
	win      fyne.Window
	list     *widget.List
	accounts []account.Account
	sel      int // index in accounts, -1 for none
	tabs     *container.AppTabs
	empty    *emptyState

	state, server, last, lastErr *widget.Label
	stored                       *widget.Label // what the store holds of the account
	status                       *fyne.Container
	checkBtn                     *widget.Button
	finger                       *widget.Label  // the certificate the last error refused
	trustBtn                     *widget.Button // pins it into the account
	pin                          *account.CertificateError

	form *accountForm

	transcript  *widget.TextGrid
	transScroll *container.Scroll
	staged      map[string]string // transcripts of Screenshot, which runs no watcher
}

// showAccounts opens (or raises) the Accounts window.
func (c *controller) showAccounts() *accountsWindow {
	if aw := c.accts.win; aw != nil {
		aw.win.RequestFocus()
		return aw
	}
	aw := &accountsWindow{c: c, sel: -1}
	aw.win = c.app.NewWindow(lang.L("Accounts"))
	aw.win.SetContent(aw.build())
	aw.win.SetOnClosed(func() { c.accts.win = nil })
	aw.win.Resize(fyne.NewSize(900, 620))
	closeOnEscape(aw.win)
	c.accts.win = aw
	aw.win.Show()
	aw.reload()
	return aw
}

func (aw *accountsWindow) build() fyne.CanvasObject {
	aw.list = widget.NewList(func() int { return len(aw.accounts) }, aw.newRow, aw.updateRow)
	aw.list.OnSelected = aw.selected
	add := widget.NewButtonWithIcon(lang.L("Add account…"), theme.ContentAddIcon(), func() { aw.c.showWizard() })
	left := container.NewBorder(nil, add, nil, nil, aw.list)

	aw.state, aw.server, aw.last, aw.lastErr = wrapLabel(), wrapLabel(), wrapLabel(), hiddenLabel()
	aw.stored = wrapLabel()
	aw.lastErr.Importance = widget.DangerImportance
	aw.checkBtn = widget.NewButtonWithIcon(lang.L("Check this account"), theme.DownloadIcon(), func() {
		if a, ok := aw.current(); ok {
			aw.c.checkMailOf([]string{a.Name})
		}
	})
	aw.finger = hiddenLabel()
	aw.finger.TextStyle.Monospace = true
	aw.trustBtn = widget.NewButtonWithIcon(lang.L("Trust this certificate"), theme.ConfirmIcon(), aw.trust)
	aw.trustBtn.Importance = widget.WarningImportance
	aw.trustBtn.Hide()
	aw.status = container.NewVBox(container.New(layout.NewFormLayout(),
		keyLabel(lang.L("State")), aw.state,
		keyLabel(lang.L("Server")), aw.server,
		keyLabel(lang.L("Last check")), aw.last,
		keyLabel(lang.L("Messages")), aw.stored,
	), aw.lastErr, aw.finger, container.NewHBox(aw.checkBtn, aw.trustBtn))

	aw.form = newAccountForm()
	save := widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), aw.save)
	save.Importance = widget.HighImportance
	remove := widget.NewButtonWithIcon(lang.L("Remove account…"), theme.DeleteIcon(), aw.remove)
	remove.Importance = widget.DangerImportance
	settings := container.NewBorder(nil, container.NewHBox(remove, layout.NewSpacer(), save), nil, nil,
		container.NewVScroll(aw.form.build()))

	aw.transcript = widget.NewTextGrid()
	aw.transcript.Scroll = fyne.ScrollNone // in transScroll, which scrolls to the end
	aw.transScroll = container.NewScroll(aw.transcript)
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), aw.showTranscript)
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		aw.c.app.Clipboard().SetContent(aw.transcript.Text())
	})
	note := captionLabel()
	note.SetText(lang.L("The protocol dialogue of the latest sessions with the server (C: Facteur, S: the server); passwords are masked."))
	trans := container.NewBorder(note, container.NewHBox(layout.NewSpacer(), copyBtn, refresh), nil, nil, aw.transScroll)

	aw.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Status"), theme.InfoIcon(), container.NewPadded(aw.status)),
		container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), container.NewPadded(settings)),
		container.NewTabItemWithIcon(lang.L("Transcript"), theme.ListIcon(), container.NewPadded(trans)),
	)
	aw.tabs.OnSelected = func(*container.TabItem) { aw.showTranscript() }
	aw.empty = newEmptyState() // wrapped at the pane's width, not one letter a line
	aw.empty.SetText(lang.L("No remote account yet. Add one to read your mail over IMAP or POP3; the Local account is served by Facteur's own mail system."))
	split := container.NewHSplit(left, container.NewStack(aw.tabs, aw.empty.centered()))
	split.Offset = 0.3
	return split
}

func (aw *accountsWindow) newRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.TextStyle.Bold = true
	name.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.Truncation = fyne.TextTruncateEllipsis
	sub.SizeName = theme.SizeNameCaptionText
	texts := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), name, sub)
	return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, texts)
}

func (aw *accountsWindow) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(aw.accounts) {
		return
	}
	a := aw.accounts[i]
	b := o.(*fyne.Container)
	texts := b.Objects[0].(*fyne.Container).Objects
	texts[0].(*widget.Label).SetText(a.Name)
	st, ok := aw.c.accts.status[a.Name]
	texts[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s", strings.ToUpper(string(a.Protocol)), stateText(st, ok)))
	b.Objects[1].(*widget.Icon).SetResource(stateIcon(st, ok))
}

// stateIcon and stateText say what an account does.
func stateIcon(st watch.Status, ok bool) fyne.Resource {
	switch {
	case !ok:
		return theme.AccountIcon()
	case st.State == watch.Failed:
		return theme.ErrorIcon()
	case st.State == watch.Checking:
		return theme.DownloadIcon()
	case st.State == watch.Waiting:
		return theme.ConfirmIcon()
	}
	return theme.AccountIcon()
}

func stateText(st watch.Status, ok bool) string {
	if !ok {
		return lang.L("not checked")
	}
	switch st.State {
	case watch.Checking:
		if st.Total > 0 {
			return lang.L("checking: {{.Done}} of {{.Total}}", map[string]any{"Done": st.Done, "Total": st.Total})
		}
		return lang.L("checking…")
	case watch.Waiting:
		if st.Idle {
			return lang.L("up to date, new mail is pushed (IDLE)")
		}
		return lang.L("up to date, checked again periodically")
	case watch.Failed:
		return lang.L("failed, retrying by itself")
	case watch.Stopped:
		return lang.L("stopped")
	}
	return lang.L("starting…")
}

// reload reads the accounts again and keeps the selection by name.
func (aw *accountsWindow) reload() {
	b := aw.c.book()
	if b == nil {
		aw.show()
		return
	}
	keep := ""
	if aw.sel >= 0 && aw.sel < len(aw.accounts) {
		keep = aw.accounts[aw.sel].Name
	}
	aw.c.work.bg(func(context.Context) func() {
		list, err := b.List()
		return func() {
			if err != nil {
				aw.c.showError(err)
			}
			aw.accounts, aw.sel = list, -1
			aw.list.UnselectAll()
			aw.list.Refresh()
			for i, a := range list {
				if a.Name == keep || keep == "" && i == 0 {
					aw.list.Select(i)
					break
				}
			}
			aw.show()
		}
	})
}

func (aw *accountsWindow) selected(i widget.ListItemID) {
	aw.sel = i
	aw.form.set(aw.accounts[i])
	aw.show()
}

// current is the selected account.
func (aw *accountsWindow) current() (account.Account, bool) {
	if aw.sel < 0 || aw.sel >= len(aw.accounts) {
		return account.Account{}, false
	}
	return aw.accounts[aw.sel], true
}

// show fills the tabs for the selection, or the empty state.
func (aw *accountsWindow) show() {
	a, ok := aw.current()
	if !ok {
		aw.tabs.Hide()
		aw.empty.Show()
		return
	}
	aw.empty.Hide()
	aw.tabs.Show()
	aw.showStatus(a)
	aw.showTranscript()
}

func (aw *accountsWindow) showStatus(a account.Account) {
	st, ok := aw.c.accts.status[a.Name]
	aw.state.SetText(stateText(st, ok))
	proto := "imap"
	if a.Protocol == account.POP3 {
		proto = "pop3"
	}
	aw.server.SetText(fmt.Sprintf("%s %s (%s)", strings.ToUpper(proto), a.Incoming.Address(proto), a.Incoming.Sec()))
	aw.showStored(a.Name)
	last := ago(aw.c.now(), st.LastCheck)
	if !st.LastCheck.IsZero() {
		last = lang.L("{{.When}}, {{.N}} new", map[string]any{"When": last, "N": st.LastNew})
	}
	aw.last.SetText(last)
	text := ""
	if st.LastError != nil {
		text = lang.L("Last error ({{.When}}): {{.Error}}", map[string]any{"When": ago(aw.c.now(), st.LastErrorAt), "Error": checkErrorText(st.LastError)})
	}
	if st.Refused != nil {
		text = joinNonEmpty("\n", text, lang.L("Keywords the server does not keep ({{.When}}): {{.Keywords}}; they stay on this computer only",
			map[string]any{"When": ago(aw.c.now(), st.RefusedAt), "Keywords": refusedKeywords(st.Refused)}))
	}
	setText(aw.lastErr, text)
	aw.pin = nil
	if ce := (*account.CertificateError)(nil); st.State == watch.Failed && errors.As(st.LastError, &ce) {
		aw.pin = ce
	}
	finger := ""
	if aw.pin != nil {
		finger = lang.L("Certificate of {{.Host}} (SHA-256):", map[string]any{"Host": aw.pin.Host}) + "\n" + aw.pin.Fingerprint
	}
	setText(aw.finger, finger)
	showIf(aw.pin != nil, aw.trustBtn)
	relayout(aw.win)
}

// trust pins the certificate that the last check refused into the server
// of the account that has its host, saves, and checks again.
func (aw *accountsWindow) trust() {
	a, ok := aw.current()
	if !ok || aw.pin == nil {
		return
	}
	m, err := aw.c.mailer()
	if err != nil {
		dialog.ShowError(err, aw.win)
		return
	}
	pinned := false
	for _, s := range []*account.Server{&a.Incoming, &a.Outgoing} {
		if s.Host != "" && strings.EqualFold(hostOnly(aw.pin.Host), s.Host) {
			s.Fingerprint, pinned = aw.pin.Fingerprint, true
		}
	}
	if !pinned {
		return
	}
	aw.trustBtn.Hide()
	aw.c.work.bg(func(ctx context.Context) func() {
		_, err := m.UpdateAccount(ctx, a, mailer.Secrets{}) // the certificate pinned, the secrets kept
		return func() {
			if err != nil {
				dialog.ShowError(err, aw.win)
				return
			}
			aw.c.reloadAccounts(aw.c.checkMail)
			aw.reload()
		}
	})
}

// statusChanged redraws what an account's new status changes.
func (aw *accountsWindow) statusChanged(s watch.Status) {
	aw.list.Refresh()
	if a, ok := aw.current(); ok && a.Name == s.Account {
		aw.showStatus(a)
	}
}

// showTranscript shows the selected account's transcript, when its tab is open.
func (aw *accountsWindow) showTranscript() {
	a, ok := aw.current()
	if !ok || aw.tabs.SelectedIndex() != 2 {
		return
	}
	text, err := aw.staged[a.Name], error(nil)
	if w := aw.c.accts.watcher; w != nil {
		text, err = w.Transcript(a.Name)
	}
	if err != nil || text == "" {
		text = lang.L("No session yet.")
	}
	aw.transcript.SetText(strings.TrimRight(text, "\n"))
	aw.transScroll.ScrollToBottom()
}

// save checks the settings and writes them, with the password if one was typed.
func (aw *accountsWindow) save() {
	old, ok := aw.current()
	if !ok {
		return
	}
	a, pw, err := aw.form.account(old)
	if err == nil {
		err = a.Validate()
	}
	if err != nil {
		dialog.ShowError(err, aw.win)
		return
	}
	m, err := aw.c.mailer()
	if err != nil {
		dialog.ShowError(err, aw.win)
		return
	}
	aw.c.work.bg(func(ctx context.Context) func() {
		_, err := m.UpdateAccount(ctx, a, mailer.Secrets{Password: pw}) // as the wizard and the CLI
		return func() {
			if err != nil {
				dialog.ShowError(err, aw.win)
				return
			}
			aw.form.password.SetText("")
			aw.c.reloadAccounts()
			aw.reload()
		}
	})
}

// remove deletes the selected account after a confirmation; its mail stays.
func (aw *accountsWindow) remove() {
	a, ok := aw.current()
	if !ok {
		return
	}
	msg := lang.L("Remove the account {{.Name}}? Its messages stay in Facteur's store; its passwords and sign-in are forgotten.", map[string]any{"Name": a.Name})
	dialog.ShowConfirm(lang.L("Remove account"), msg, func(yes bool) {
		if yes {
			aw.removeAccount(a)
		}
	}, aw.win)
}

// removeAccount deletes a from the profile with every secret it had
// (passwords, OAuth2 token and client secret), through the mailer, which
// also stops the watcher checking it.
func (aw *accountsWindow) removeAccount(a account.Account) {
	m, err := aw.c.mailer()
	if err != nil {
		dialog.ShowError(err, aw.win)
		return
	}
	aw.c.work.bg(func(ctx context.Context) func() {
		err := m.RemoveAccount(ctx, a.Name)
		return func() {
			if err != nil {
				dialog.ShowError(err, aw.win)
			}
			aw.c.reloadAccounts()
			aw.reload()
		}
	})
}

// accountForm edits the settings of an account.
type accountForm struct {
	name, address, signature         *widget.Entry
	inHost, inPort, inUser, password *widget.Entry
	inSec, outSec                    *widget.Select
	outHost, outPort, outUser        *widget.Entry
	offline, leave, serverSavesSent  *widget.Check
	untilDeleted                     *widget.Check // POP3: deleted here, deleted on the server
	deleteDays                       *widget.Entry
	protocol                         *widget.Label
	// the rows shown or hidden with the account (label and content)
	passwordRow, oauthRow, imapOptions, pop3Options []fyne.CanvasObject
	oauthNote                                       *widget.Label
	others                                          *identityList // the other From addresses
}

func newAccountForm() *accountForm {
	f := &accountForm{}
	for _, e := range []**widget.Entry{&f.name, &f.address, &f.inHost, &f.inPort, &f.inUser, &f.outHost, &f.outPort, &f.outUser, &f.deleteDays} {
		*e = widget.NewEntry()
	}
	f.signature = widget.NewMultiLineEntry()
	f.signature.SetMinRowsVisible(3)
	f.password = widget.NewPasswordEntry()
	f.password.SetPlaceHolder(lang.L("unchanged"))
	secs := []string{string(account.SecurityTLS), string(account.SecurityStartTLS), string(account.SecurityNone)}
	f.inSec = widget.NewSelect(secs, nil)
	f.outSec = widget.NewSelect(secs, nil)
	f.offline = widget.NewCheck(lang.L("Available offline: download every message body"), nil)
	f.leave = widget.NewCheck(lang.L("Leave messages on the server"), nil)
	f.untilDeleted = widget.NewCheck(lang.L("Delete from the server what I delete in Facteur"), nil)
	f.serverSavesSent = widget.NewCheck(lang.L("The server files sent messages itself"), nil)
	f.deleteDays.SetPlaceHolder("0")
	f.protocol = widget.NewLabel("")
	f.oauthNote = hiddenLabel()
	f.others = newIdentityList()
	return f
}

func (f *accountForm) build() fyne.CanvasObject {
	var rows []fyne.CanvasObject
	add := func(label string, content fyne.CanvasObject) *widget.Label {
		l := keyLabel(label)
		rows = append(rows, l, content)
		return l
	}
	section := func(s string) {
		l := add(s, layout.NewSpacer())
		l.Importance = widget.HighImportance
	}
	// one form, so that every label column has the same width
	section(lang.L("Identity"))
	add(lang.L("Your name"), f.name)
	add(lang.L("Address"), f.address)
	add(lang.L("Signature"), f.signature)
	add(lang.L("Other addresses"), f.others.box)
	section(lang.L("Incoming mail"))
	add(lang.L("Protocol"), f.protocol)
	add(lang.L("Server"), f.inHost)
	add(lang.L("Port"), f.inPort)
	add(lang.L("Security"), f.inSec)
	add(lang.L("User name"), f.inUser)
	f.passwordRow = []fyne.CanvasObject{add(lang.L("Password"), f.password), f.password}
	f.oauthRow = []fyne.CanvasObject{add("", f.oauthNote), f.oauthNote}
	f.imapOptions = []fyne.CanvasObject{add("", f.offline), f.offline}
	days := container.NewBorder(nil, nil, widget.NewLabel(lang.L("Delete from the server after (days)")), nil, f.deleteDays)
	f.pop3Options = []fyne.CanvasObject{add("", f.leave), f.leave, add("", days), days, add("", f.untilDeleted), f.untilDeleted}
	section(lang.L("Outgoing mail (SMTP)"))
	add(lang.L("Server"), f.outHost)
	add(lang.L("Port"), f.outPort)
	add(lang.L("Security"), f.outSec)
	add(lang.L("User name"), f.outUser)
	add("", f.serverSavesSent)
	return container.NewPadded(container.New(layout.NewFormLayout(), rows...))
}

// set shows an account in the form.
func (f *accountForm) set(a account.Account) {
	f.name.SetText(a.Identity.Name)
	f.address.SetText(a.Identity.Address)
	f.signature.SetText(a.Identity.Signature)
	f.others.set(a.Identities)
	f.protocol.SetText(strings.ToUpper(string(a.Protocol)))
	setServer(a.Incoming, f.inHost, f.inPort, f.inUser, f.inSec)
	setServer(a.Outgoing, f.outHost, f.outPort, f.outUser, f.outSec)
	f.password.SetText("")
	f.offline.SetChecked(a.Options.Offline)
	f.leave.SetChecked(!a.Options.DeleteAfterDownload)
	f.serverSavesSent.SetChecked(a.Options.ServerSavesSent)
	f.untilDeleted.SetChecked(a.Options.DeleteWhenDeleted)
	f.deleteDays.SetText("")
	if a.Options.DeleteAfterDays > 0 {
		f.deleteDays.SetText(strconv.Itoa(a.Options.DeleteAfterDays))
	}
	showIf(a.Protocol == account.IMAP, f.imapOptions...)
	showIf(a.Protocol == account.POP3, f.pop3Options...)
	showIf(!a.UsesOAuth2(), f.passwordRow...)
	showIf(a.UsesOAuth2(), f.oauthRow...)
	note := ""
	if a.UsesOAuth2() {
		note = lang.L("This account signs in with OAuth2: no password is kept, only the token its provider gave.")
	}
	f.oauthNote.SetText(note)
}

func setServer(s account.Server, host, port, user *widget.Entry, sec *widget.Select) {
	host.SetText(s.Host)
	port.SetText("")
	if s.Port != 0 {
		port.SetText(strconv.Itoa(s.Port))
	}
	port.SetPlaceHolder(lang.L("default"))
	user.SetText(s.User)
	user.SetPlaceHolder(lang.L("the address"))
	sec.SetSelected(string(s.Sec()))
}

func showIf(on bool, objs ...fyne.CanvasObject) {
	for _, o := range objs {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

// account returns old with the form's values, and the new password ("" to
// keep it).
func (f *accountForm) account(old account.Account) (account.Account, string, error) {
	a := old
	a.Identity.Name = strings.TrimSpace(f.name.Text)
	a.Identity.Address = strings.TrimSpace(f.address.Text)
	a.Identity.Signature = f.signature.Text
	a.Identities = f.others.identities()
	var err error
	if a.Incoming, err = readServer(old.Incoming, f.inHost, f.inPort, f.inUser, f.inSec, "incoming"); err != nil {
		return a, "", err
	}
	if a.Outgoing, err = readServer(old.Outgoing, f.outHost, f.outPort, f.outUser, f.outSec, "outgoing"); err != nil {
		return a, "", err
	}
	a.Options.Offline = f.offline.Checked
	a.Options.DeleteAfterDownload = !f.leave.Checked
	a.Options.ServerSavesSent = f.serverSavesSent.Checked
	a.Options.DeleteWhenDeleted = f.untilDeleted.Checked
	a.Options.DeleteAfterDays = 0
	if d := strings.TrimSpace(f.deleteDays.Text); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return a, "", &account.FieldError{Field: "options.deleteAfterDays", Reason: lang.L("a number of days")}
		}
		a.Options.DeleteAfterDays = n
	}
	return a, f.password.Text, nil
}

// readServer reads a server's fields; a changed host or port forgets the
// pinned certificate, which belonged to the old server.
func readServer(old account.Server, host, port, user *widget.Entry, sec *widget.Select, field string) (account.Server, error) {
	s := old
	s.Host = strings.TrimSpace(host.Text)
	s.User = strings.TrimSpace(user.Text)
	s.Security = account.Security(sec.Selected)
	s.Port = 0
	if p := strings.TrimSpace(port.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return s, &account.FieldError{Field: field + ".port", Reason: lang.L("a number from 1 to 65535")}
		}
		s.Port = n
	}
	if s.Host != old.Host || s.Port != old.Port {
		s.Fingerprint = ""
	}
	return s, nil
}

// stageAccounts shows the Accounts window on a fixed state for Screenshot.
func (c *controller) stageAccounts(tab int) {
	at := time.Date(2026, 11, 25, 11, 42, 0, 0, time.UTC)
	c.accts.status = map[string]watch.Status{
		"Machin": {Account: "Machin", Protocol: account.IMAP, State: watch.Waiting, Idle: true, LastCheck: at, LastNew: 3},
		"Truc": {Account: "Truc", Protocol: account.POP3, State: watch.Failed, LastCheck: at.Add(-2 * time.Hour),
			LastError: errors.New("pop3: -ERR [AUTH] authentication failed"), LastErrorAt: at.Add(-5 * time.Minute)},
	}
	aw := c.showAccounts()
	aw.accounts = []account.Account{
		{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Name: "Marc Machin", Address: "marc@machin.com", Signature: "Marc"},
			Identities: []account.Identity{{Name: "Postmaster", Address: "postmaster@machin.com", Signature: "Le postmaster de machin.com"}},
			Incoming:   account.Server{Host: "imap.machin.com", Port: 993, Security: account.SecurityTLS},
			Outgoing:   account.Server{Host: "smtp.machin.com", Port: 465, Security: account.SecurityTLS}},
		{Name: "Truc", Protocol: account.POP3, Identity: account.Identity{Name: "Marc Machin", Address: "marc@truc.fr"},
			Incoming: account.Server{Host: "pop.truc.fr", Port: 995, Security: account.SecurityTLS}},
	}
	aw.staged = map[string]string{"Machin": stagedIMAP}
	aw.list.Refresh()
	aw.list.Select(0)
	aw.setStored(lang.L("{{.Total}} in {{.Folders}} folders, {{.Unread}} unread", map[string]any{"Total": 1204, "Folders": 7, "Unread": 12}) + "\n" +
		lang.L("{{.N}} with their body still on the server (downloaded when opened; tick Available offline in Settings to have them all)", map[string]any{"N": 1100}))
	aw.tabs.SelectIndex(tab)
}

// stagedIMAP is the transcript drawn by the accounts-transcript view.
const stagedIMAP = `--- 2026-11-25 11:41:58 imap imap.machin.com:993 ---
S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE CONDSTORE AUTH=PLAIN] Dovecot ready.
C: T1 LOGIN "marc@machin.com" ****
S: T1 OK Logged in
C: T2 LIST "" "*" RETURN (SPECIAL-USE SUBSCRIBED)
S: * LIST (\HasNoChildren \Subscribed) "/" INBOX
S: * LIST (\HasNoChildren \Subscribed \Sent) "/" Sent
S: T2 OK List completed
C: T3 SELECT INBOX (CONDSTORE)
S: * 1204 EXISTS
S: * OK [UIDVALIDITY 1700000000] UIDs valid
S: * OK [HIGHESTMODSEQ 90412] Highest
S: T3 OK [READ-WRITE] Select completed
C: T4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 90398)
S: * 1203 FETCH (UID 5310 FLAGS (\Seen) MODSEQ (90411))
S: T4 OK Fetch completed
C: T5 UID FETCH 5311:5313 (UID FLAGS RFC822.SIZE BODY.PEEK[])
S: T5 OK Fetch completed
C: T6 IDLE
S: + idling`

// showStored counts, in the background, what the store holds of an
// account: messages, unread, and bodies still on the server.
func (aw *accountsWindow) showStored(name string) {
	aw.c.work.bg(func(ctx context.Context) func() {
		folders, err := aw.c.store.Folders(ctx)
		var n, total, unread, partial int
		for _, f := range folders {
			if f.Ref.Account == name {
				n, total, unread, partial = n+1, total+f.Total, unread+f.Unread, partial+f.Partial
			}
		}
		return func() {
			if a, ok := aw.current(); !ok || a.Name != name || err != nil {
				return
			}
			if n == 0 {
				aw.setStored(lang.L("none yet: the first check brings them"))
				return
			}
			text := lang.L("{{.Total}} in {{.Folders}} folders, {{.Unread}} unread", map[string]any{"Total": total, "Folders": n, "Unread": unread})
			if partial > 0 {
				text += "\n" + lang.L("{{.N}} with their body still on the server (downloaded when opened; tick Available offline in Settings to have them all)", map[string]any{"N": partial})
			}
			aw.setStored(text)
		}
	})
}

// setStored says what the store holds, and lays the status tab out again:
// the form sized its rows for the text before, and a longer one, wrapped
// on more lines, was drawn over the button below it.
func (aw *accountsWindow) setStored(text string) {
	aw.stored.SetText(text)
	aw.status.Refresh()
}
