package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/mailaddr"
	"facteur/mua/account"
)

// The wizard's manual settings: one click away at every step ("Set the
// servers by hand"), prefilled with what autoconfiguration found, or with
// the usual names of the address's domain when it found nothing (offline,
// an unknown domain). An account set by hand can be tested, and saved even
// when the test cannot reach its servers.

// manualForm is the wizard's form of the servers.
type manualForm struct {
	box                       *fyne.Container
	toggle                    *widget.Button
	protocol                  *widget.Select
	inHost, inPort, inUser    *escEntry
	outHost, outPort, outUser *escEntry
	inSec, outSec             *widget.Select
	testBtn                   *widget.Button
	filled                    bool // the fields hold values (found or typed)
}

func (w *wizard) buildManual() fyne.CanvasObject {
	m := &w.manual
	for _, e := range []**escEntry{&m.inHost, &m.inPort, &m.inUser, &m.outHost, &m.outPort, &m.outUser} {
		*e = newEscEntry(false, w.win.Close)
		(*e).OnChanged = func(string) { w.manualEdited() }
	}
	secs := []string{string(account.SecurityTLS), string(account.SecurityStartTLS), string(account.SecurityNone)}
	m.inSec = widget.NewSelect(secs, func(string) { w.manualEdited() })
	m.outSec = widget.NewSelect(secs, func(string) { w.manualEdited() })
	m.protocol = widget.NewSelect([]string{"IMAP", "POP3"}, func(string) { w.manualEdited() })
	m.testBtn = widget.NewButtonWithIcon(lang.L("Test these settings"), theme.ConfirmIcon(), w.testManual)
	form := container.New(layout.NewFormLayout(),
		keyLabel(lang.L("Incoming mail")), m.protocol,
		keyLabel(lang.L("Server")), m.inHost,
		keyLabel(lang.L("Port")), m.inPort,
		keyLabel(lang.L("Security")), m.inSec,
		keyLabel(lang.L("User name")), m.inUser,
		keyLabel(lang.L("Outgoing mail (SMTP)")), layout.NewSpacer(),
		keyLabel(lang.L("Server")), m.outHost,
		keyLabel(lang.L("Port")), m.outPort,
		keyLabel(lang.L("Security")), m.outSec,
		keyLabel(lang.L("User name")), m.outUser,
	)
	m.box = container.NewVBox(form, container.NewHBox(layout.NewSpacer(), m.testBtn))
	m.box.Hide()
	m.toggle = widget.NewButtonWithIcon(lang.L("Set the servers by hand"), theme.SettingsIcon(), w.toggleManual)
	m.toggle.Importance = widget.LowImportance
	return container.NewVBox(container.NewHBox(m.toggle), m.box)
}

// toggleManual shows or hides the manual settings, filled first.
func (w *wizard) toggleManual() {
	m := &w.manual
	if m.box.Visible() {
		m.box.Hide()
	} else {
		if !m.filled {
			w.fillManual(w.acct)
		}
		m.box.Show()
	}
	w.updateSave()
	relayout(w.win)
}

// fillManual shows a in the manual form; an account without servers gets
// the usual names of the address's domain.
func (w *wizard) fillManual(a account.Account) {
	m := &w.manual
	if a.Incoming.Host == "" {
		domain := addressDomain(w.address.Text)
		a.Protocol = account.IMAP
		a.Incoming = account.Server{Host: "imap." + domain, Port: 993, Security: account.SecurityTLS}
		a.Outgoing = account.Server{Host: "smtp." + domain, Port: 465, Security: account.SecurityTLS}
		if domain == "" {
			a.Incoming.Host, a.Outgoing.Host = "", ""
		}
	}
	m.protocol.SetSelected(strings.ToUpper(string(a.Protocol)))
	setServer(a.Incoming, &m.inHost.Entry, &m.inPort.Entry, &m.inUser.Entry, m.inSec)
	setServer(a.Outgoing, &m.outHost.Entry, &m.outPort.Entry, &m.outUser.Entry, m.outSec)
	m.filled = true
}

// addressDomain is the domain of an address (internal/mailaddr: after its
// last "@", lower-cased), "" when it has none.
func addressDomain(addr string) string { return mailaddr.Domain(strings.TrimSpace(addr)) }

// manualEdited: the servers typed replace what was found.
func (w *wizard) manualEdited() {
	w.tested = false
	w.updateSave()
}

// manualAccount is the account of the manual form, or an error that
// names the field to correct.
func (w *wizard) manualAccount() (account.Account, error) {
	m := &w.manual
	addr := strings.TrimSpace(w.address.Text)
	name := strings.TrimSpace(w.name.Text)
	if name == "" {
		name = addr
	}
	a := account.Account{Name: name, Protocol: account.IMAP,
		Identity: account.Identity{Name: strings.TrimSpace(w.person.Text), Address: addr}}
	if m.protocol.Selected == "POP3" {
		a.Protocol = account.POP3
	}
	var err error
	if a.Incoming, err = readServer(w.acct.Incoming, &m.inHost.Entry, &m.inPort.Entry, &m.inUser.Entry, m.inSec, "incoming"); err != nil {
		return a, err
	}
	if a.Outgoing, err = readServer(w.acct.Outgoing, &m.outHost.Entry, &m.outPort.Entry, &m.outUser.Entry, m.outSec, "outgoing"); err != nil {
		return a, err
	}
	return a, a.Validate()
}

// testManual logs in with the servers typed.
func (w *wizard) testManual() {
	a, err := w.manualAccount()
	if err != nil {
		setText(w.problem, err.Error())
		relayout(w.win)
		return
	}
	w.acct = a
	w.test()
}

// updateSave enables Save once the login worked, or when the manual form
// holds a whole account (its servers may be out of reach now).
func (w *wizard) updateSave() {
	_, err := w.manualAccount()
	if w.tested || (w.manual.box.Visible() && err == nil) {
		w.saveBtn.Enable()
	} else {
		w.saveBtn.Disable()
	}
}
