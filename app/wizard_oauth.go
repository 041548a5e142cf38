package app

import (
	"context"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/account"
	"facteur/mua/mailer"
	"facteur/mua/oauth"
)

// OAuth2 in the wizard: for providers that want it (Google, Microsoft), the
// user ticks "Sign in with the provider's page", types the client ID they
// registered, and Facteur opens the provider's page in the browser (RFC 8252
// loopback redirect, package mua/oauth); the token is stored, the login
// tested with it, and the account saved without a password.

// oauthWizard is the OAuth2 part of the wizard (UI goroutine only).
type oauthWizard struct {
	check    *widget.Check
	clientID *escEntry
	box      *fyne.Container
	touched  bool   // the user ticked or unticked it: no more automatic choice
	pending  string // account whose token is stored but not saved yet
}

func (w *wizard) buildOAuth() fyne.CanvasObject {
	o := &w.oauth
	o.clientID = newEscEntry(false, w.win.Close)
	o.clientID.SetPlaceHolder(lang.L("the client ID you registered with the provider"))
	o.clientID.OnChanged = func(string) { w.reset() }
	o.box = container.New(layout.NewFormLayout(), keyLabel(lang.L("Client ID")), o.clientID)
	o.box.Hide()
	o.check = widget.NewCheck(lang.L("Sign in on the provider's page (OAuth2) instead of a password"), func(on bool) {
		o.touched = true
		w.oauthChanged(on)
	})
	return container.NewVBox(o.check, o.box)
}

func (w *wizard) oauthChanged(on bool) {
	showIf(on, w.oauth.box)
	if on {
		w.password.Disable()
	} else {
		w.password.Enable()
	}
	w.reset()
}

// suggestOAuth ticks the box for an address of a provider that wants OAuth2,
// until the user chooses.
func (w *wizard) suggestOAuth(addr string) {
	if w.oauth.touched {
		return
	}
	_, known := w.c.detectOAuth(addr)
	if known != w.oauth.check.Checked {
		w.oauth.check.Checked = known
		w.oauth.check.Refresh()
		w.oauthChanged(known)
	}
}

// useOAuth turns the account found into an OAuth2 one and signs in, or
// says why it cannot.
func (w *wizard) useOAuth(addr string) {
	id := strings.TrimSpace(w.oauth.clientID.Text)
	p, known := w.c.detectOAuth(addr, w.acct.Incoming.Host, w.acct.Outgoing.Host)
	switch {
	case id == "":
		w.idle()
		setText(w.problem, lang.L("Type the client ID: OAuth2 providers only let registered applications in."))
		return
	case !known:
		w.idle()
		setText(w.problem, lang.L("Facteur knows the OAuth2 pages of Google and Microsoft only. For another provider, use the command line: facteur account add --oauth2 --oauth-provider custom --auth-url … --token-url … --scope …"))
		return
	}
	w.acct.Auth = account.AuthOAuth2
	w.acct.OAuth2 = &account.OAuth2{Provider: p.Name, ClientID: id}
	if p.Name == account.ProviderCustom {
		w.acct.OAuth2.AuthURL, w.acct.OAuth2.TokenURL, w.acct.OAuth2.Scopes = p.AuthURL, p.TokenURL, p.Scopes
	}
	w.authorize()
}

// authorize runs the flow in the background: the browser is opened on the
// provider's page, the redirect awaited, the token stored and tried.
func (w *wizard) authorize() {
	a, c := w.acct, w.c
	m, err := c.mailer() // whose secrets keep the token
	if err != nil {
		w.checked(err)
		return
	}
	w.busy(lang.L("Sign in on the page opened in your browser, then come back here…"))
	ctx, cancel := context.WithCancel(c.ctx)
	w.cancel = cancel
	tokens := &oauth.Tokens{Secrets: m.Credentials()}
	d := c.discoverer().Dialer()
	w.oauth.pending = a.Name
	c.work.stream(ctx, func(ctx context.Context, send func(func())) func() {
		err := tokens.Authorize(ctx, a, "", func(u string) error {
			send(func() { w.openBrowser(u) })
			return nil
		})
		if err == nil {
			err = m.TestAccount(ctx, a, mailer.TestOptions{Dialer: d})
		}
		return func() { w.checked(err) }
	})
}

// openBrowser shows the provider's page, and its address in case no
// browser opens.
func (w *wizard) openBrowser(u string) {
	setText(w.note, lang.L("If no browser opened, open this address: {{.URL}}", map[string]any{"URL": u}))
	parsed, err := url.Parse(u)
	if err != nil {
		return
	}
	if w.c.openURL != nil {
		w.c.openURL(parsed)
		return
	}
	w.c.app.OpenURL(parsed)
}

// detectOAuth is the OAuth2 provider of an address or its servers.
func (c *controller) detectOAuth(address string, hosts ...string) (oauth.Provider, bool) {
	if c.oauthDetect != nil {
		return c.oauthDetect(address, hosts...)
	}
	return oauth.Detect(address, hosts...)
}

// forgetUnsaved drops the token of an account authorized but never saved
// (account.Credentials.ForgetOAuth2, as `facteur account add --oauth2`).
func (w *wizard) forgetUnsaved() {
	if name := w.oauth.pending; name != "" {
		if m, err := w.c.mailer(); err == nil { // pending only with a mailer
			m.Credentials().ForgetOAuth2(name)
		}
		w.oauth.pending = ""
	}
}
