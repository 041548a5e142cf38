package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx"
	"facteur/mua/account"
	"facteur/mua/autoconfig"
	"facteur/mua/mailer"
)

// The account wizard: address and password, then autoconfig in the
// background (what was found and where from), then a login test, then the
// account saved in the profile's Book with its password in Credentials. A
// certificate that does not verify shows its fingerprint and a button that
// pins it into the account.

// wizard is the Add account window. Its fields belong to the UI goroutine.
type wizard struct {
	c        *controller
	win      fyne.Window
	name     *escEntry
	person   *escEntry
	address  *escEntry
	password *escEntry
	findBtn  *widget.Button
	saveBtn  *widget.Button
	trustBtn *widget.Button
	progress *widget.ProgressBarInfinite
	step     *widget.Label
	found    *widget.Label
	problem  *widget.Label
	finger   *widget.Label
	note     *widget.Label

	oauth  oauthWizard
	manual manualForm

	acct    account.Account // the account found, to test and save
	pinHost string          // the host whose certificate the user may pin
	pinFP   string
	tested  bool
	cancel  context.CancelFunc
}

// discoverer is the autoconfig of the window: the DNS server of the
// options; tests replace it.
func (c *controller) discoverer() *autoconfig.Discoverer {
	if c.newDiscoverer != nil {
		return c.newDiscoverer()
	}
	return &autoconfig.Discoverer{Resolver: dnsmx.New(dnsmx.Config{Server: c.opts.DNSServer, Timeout: 5 * time.Second})}
}

// showWizard opens the Add account window.
func (c *controller) showWizard() *wizard {
	w := &wizard{c: c}
	w.win = c.app.NewWindow(lang.L("Add a mail account"))
	w.win.SetContent(w.build())
	w.win.SetOnClosed(func() {
		if w.cancel != nil {
			w.cancel()
		}
		w.forgetUnsaved()
		if c.wiz == w {
			c.wiz = nil
		}
	})
	w.win.Resize(fyne.NewSize(640, 520))
	closeOnEscape(w.win)
	c.wiz = w
	w.win.Show()
	w.win.Canvas().Focus(w.address)
	return w
}

func (w *wizard) build() fyne.CanvasObject {
	w.name = newEscEntry(false, w.win.Close)
	w.name.SetPlaceHolder(lang.L("e.g. Work (default: the address)"))
	w.person = newEscEntry(false, w.win.Close)
	w.person.SetPlaceHolder(lang.L("Marc Machin"))
	w.address = newEscEntry(false, w.win.Close)
	w.address.SetPlaceHolder("marc@machin.com")
	w.password = newEscEntry(true, w.win.Close)
	for _, e := range []*escEntry{w.name, w.person, w.address, w.password} {
		e.OnChanged = func(string) { w.reset() }
	}
	w.password.OnSubmitted = func(string) { w.find() }
	w.address.OnChanged = func(s string) {
		w.reset()
		w.suggestOAuth(strings.TrimSpace(s))
	}
	form := container.New(layout.NewFormLayout(),
		keyLabel(lang.L("Your name")), w.person,
		keyLabel(lang.L("Address")), w.address,
		keyLabel(lang.L("Password")), w.password,
		keyLabel(lang.L("Account name")), w.name,
	)
	w.findBtn = widget.NewButtonWithIcon(lang.L("Find the servers"), theme.SearchIcon(), w.find)
	w.findBtn.Importance = widget.HighImportance
	w.saveBtn = widget.NewButtonWithIcon(lang.L("Save the account"), theme.DocumentSaveIcon(), w.save)
	w.saveBtn.Disable()
	w.trustBtn = widget.NewButtonWithIcon(lang.L("Trust this certificate"), theme.ConfirmIcon(), w.trust)
	w.trustBtn.Importance = widget.WarningImportance
	w.trustBtn.Hide()
	w.progress = widget.NewProgressBarInfinite()
	w.progress.Stop()
	w.progress.Hide()
	w.step = hiddenLabel()
	w.found = hiddenLabel()
	w.found.TextStyle.Monospace = true
	w.problem = hiddenLabel()
	w.problem.Importance = widget.DangerImportance
	w.finger = hiddenLabel()
	w.finger.TextStyle.Monospace = true
	w.note = hiddenLabel()
	w.note.Importance = widget.WarningImportance
	status := container.NewVBox(w.progress, w.step, w.found, w.problem, w.finger, w.note)
	buttons := container.NewHBox(w.trustBtn, layout.NewSpacer(), w.findBtn, w.saveBtn)
	intro := wrapLabel()
	intro.SetText(lang.L("Facteur looks up the servers of your address (autoconfig, DNS SRV records, common names), then tests the login."))
	top := container.NewVBox(intro, form, w.buildOAuth(), w.buildManual())
	return container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(container.NewVBox(top, status)))
}

// hiddenLabel is a wrapped label shown once it has text (setText).
func hiddenLabel() *widget.Label {
	l := wrapLabel()
	l.Hide()
	return l
}

// setText shows text in l, or hides l when text is empty.
func setText(l *widget.Label, text string) {
	l.SetText(text)
	setVisible(l, text != "")
}

// reset forgets the login test: the fields changed.
func (w *wizard) reset() {
	w.tested = false
	w.updateSave()
}

// busy shows the step in progress.
func (w *wizard) busy(step string) {
	setText(w.step, step)
	setText(w.problem, "")
	setText(w.finger, "")
	w.trustBtn.Hide()
	w.progress.Show()
	w.progress.Start()
	w.findBtn.Disable()
}

func (w *wizard) idle() {
	w.progress.Stop()
	w.progress.Hide()
	w.findBtn.Enable()
}

// find runs the discovery, then the login test.
func (w *wizard) find() {
	addr := strings.TrimSpace(w.address.Text)
	if addr == "" {
		setText(w.problem, lang.L("Type your e-mail address."))
		return
	}
	w.busy(lang.L("Looking up the mail servers of {{.Address}}…", map[string]any{"Address": addr}))
	setText(w.found, "")
	ctx, cancel := context.WithCancel(w.c.ctx)
	w.cancel = cancel
	c := w.c
	c.work.bg(func(context.Context) func() {
		f, err := c.discoverer().Find(ctx, addr, addr, autoconfig.FindOptions{})
		return func() { w.discovered(addr, f.Incoming, f.Outgoing, err) }
	})
}

// discovered shows the servers found and tests them.
func (w *wizard) discovered(addr string, in, out autoconfig.Server, err error) {
	if err != nil {
		w.idle()
		w.showProblem(err)
		if !w.manual.box.Visible() {
			w.toggleManual() // nothing found: the servers by hand, guessed from the domain
		}
		return
	}
	lines := []string{serverLine(lang.L("Incoming"), in)}
	if out.Host != "" {
		lines = append(lines, serverLine(lang.L("Outgoing"), out))
	} else {
		lines = append(lines, lang.L("No outgoing (SMTP) server was found: this account will only receive."))
	}
	setText(w.found, strings.Join(lines, "\n"))
	name := strings.TrimSpace(w.name.Text)
	if name == "" {
		name = addr
	}
	w.acct = autoconfig.Account(name, addr, in, out)
	w.acct.Identity.Name = strings.TrimSpace(w.person.Text)
	w.fillManual(w.acct) // what was found, to change by hand
	if w.oauth.check.Checked {
		w.useOAuth(addr)
		return
	}
	w.test()
}

func serverLine(side string, s autoconfig.Server) string {
	return fmt.Sprintf("%s: %s\n    %s", side, s.String(), lang.L("found by {{.Source}} ({{.Origin}})", map[string]any{"Source": string(s.Source), "Origin": s.Origin}))
}

// test logs in on the servers found, in the background.
func (w *wizard) test() {
	w.busy(lang.L("Testing the login…"))
	a, pw := w.acct, w.password.Text
	c := w.c
	d := c.discoverer()
	m, err := c.mailer()
	c.work.bg(func(ctx context.Context) func() {
		if err == nil {
			err = m.TestAccount(ctx, a, mailer.TestOptions{Secrets: mailer.Secrets{Password: pw}, Dialer: d.Dialer()})
		}
		return func() { w.checked(err) }
	})
}

func (w *wizard) checked(err error) {
	w.idle()
	if err != nil {
		w.showProblem(err)
		w.updateSave()
		return
	}
	w.tested = true
	setText(w.step, lang.L("The login works. Save the account to use it."))
	w.saveBtn.Enable()
}

// showProblem shows the sentence of a failure, and the fingerprint of a
// certificate that does not verify with the button that pins it.
func (w *wizard) showProblem(err error) {
	setText(w.step, "")
	var ae *autoconfig.Error
	var ie *autoconfig.InsecureError
	switch {
	case errors.As(err, &ae):
		setText(w.problem, problemText(ae))
		if ce := ae.Certificate(); ce != nil {
			w.pinHost, w.pinFP = ce.Host, ce.Fingerprint
			setText(w.finger, lang.L("Certificate of {{.Host}} (SHA-256):", map[string]any{"Host": ce.Host})+"\n"+ce.Fingerprint)
			w.trustBtn.Show()
		}
	case errors.As(err, &ie):
		setText(w.problem, lang.L("Only a server without encryption was found ({{.Server}}): the password would travel in clear. Facteur does not use it.", map[string]any{"Server": ie.Server.String()}))
	case errors.Is(err, context.Canceled):
	default:
		setText(w.problem, err.Error())
	}
	relayout(w.win)
}

// relayout lays a window out again once its wrapped labels know their width:
// their height, taken before, may have been one line short.
func relayout(win fyne.Window) {
	if c := win.Content(); c != nil {
		c.Resize(c.Size().SubtractWidthHeight(1, 0))
		c.Resize(c.Size().AddWidthHeight(1, 0))
	}
}

// trust pins the certificate shown into the server of that host, and tests
// again.
func (w *wizard) trust() {
	pinned := false
	for _, s := range []*account.Server{&w.acct.Incoming, &w.acct.Outgoing} {
		if s.Host != "" && strings.EqualFold(hostOnly(w.pinHost), s.Host) {
			s.Fingerprint, pinned = w.pinFP, true
		}
	}
	if !pinned {
		w.acct.Incoming.Fingerprint = w.pinFP
	}
	w.trustBtn.Hide()
	if w.acct.UsesOAuth2() {
		w.authorize()
		return
	}
	w.test()
}

// hostOnly drops the port of "host:port".
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[i+1:], "]") && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return h
}

// save writes the account and its password in the background: the one
// whose login worked, or the one set by hand.
func (w *wizard) save() {
	if !w.tested {
		a, err := w.manualAccount()
		if !w.manual.box.Visible() || err != nil {
			return
		}
		w.acct = a
	}
	a, pw := w.acct, w.password.Text
	c := w.c
	w.busy(lang.L("Saving…"))
	c.work.bg(func(context.Context) func() {
		warn, err := c.saveAccount(a, pw)
		return func() { w.saved(a, warn, err) }
	})
}

// saveAccount adds a, with its password, through the mailer (as `facteur
// account add`); the watcher starts checking it.
func (c *controller) saveAccount(a account.Account, pw string) (*account.Warning, error) {
	m, err := c.mailer()
	if err != nil {
		return nil, err
	}
	return m.AddAccount(c.ctx, a, mailer.Secrets{Password: pw})
}

func (w *wizard) saved(a account.Account, warn *account.Warning, err error) {
	w.idle()
	if err != nil {
		w.showProblem(err)
		return
	}
	w.saveBtn.Disable()
	w.oauth.pending = "" // saved: its token stays
	setText(w.step, lang.L("The account {{.Name}} is saved. Facteur now fetches its messages, and keeps checking it.", map[string]any{"Name": a.Name}))
	if warn != nil {
		setText(w.note, warn.Text)
	}
	w.c.compose.senders = nil // read again by the next composer
	w.c.loadFolders(false)
	w.c.reloadAccounts() // the watcher starts checking it
	if aw := w.c.accts.win; aw != nil {
		aw.reload()
	}
}

// stageWizard shows the wizard on a fixed state for Screenshot: the
// servers found for marc@machin.com, the incoming one with a self-signed
// certificate.
func (c *controller) stageWizard() {
	w := c.showWizard()
	w.person.SetText("Marc Machin")
	w.address.SetText("marc@machin.com")
	w.password.SetText("secret")
	in := autoconfig.Server{Protocol: autoconfig.IMAP, Source: autoconfig.SourceSRV, Origin: "_imaps._tcp.machin.com",
		Server: account.Server{Host: "imap.machin.com", Port: 993, Security: account.SecurityTLS}}
	out := autoconfig.Server{Protocol: autoconfig.SMTP, Source: autoconfig.SourceSRV, Origin: "_submissions._tcp.machin.com",
		Server: account.Server{Host: "smtp.machin.com", Port: 465, Security: account.SecurityTLS}}
	setText(w.found, serverLine(lang.L("Incoming"), in)+"\n"+serverLine(lang.L("Outgoing"), out))
	w.acct = autoconfig.Account("marc@machin.com", "marc@machin.com", in, out)
	ce := &account.CertificateError{Host: "imap.machin.com", SelfSigned: true, Err: x509.UnknownAuthorityError{},
		Fingerprint: "3f:a1:5c:09:7e:d2:44:b8:19:c0:6a:e5:2d:90:f3:7b:48:0e:c1:aa:65:d3:9f:12:b7:04:e8:5a:c6:21:9d:70"}
	w.showProblem(&autoconfig.Error{Kind: autoconfig.KindTLS, Protocol: autoconfig.IMAP, Host: "imap.machin.com", Port: 993, Err: ce})
}
