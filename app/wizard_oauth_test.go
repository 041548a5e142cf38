package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"facteur/mua/account"
	"facteur/mua/autoconfig"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"
)

func TestWizardSignsInWithOAuth2(t *testing.T) {
	h := newHarness(t)
	auth := oauthtest.NewServer(t, "facteur-test", "")
	srv := oauthtest.NewIMAPServer(t, "marc@machin.test", auth.Check, "OAUTHBEARER")
	h.c.oauthDetect = func(address string, hosts ...string) (oauth.Provider, bool) {
		return oauth.Provider{Name: account.ProviderCustom, AuthURL: auth.AuthURL(), TokenURL: auth.TokenURL(), Scopes: []string{"mail"}},
			strings.HasSuffix(address, "@machin.test")
	}
	opened := make(chan string, 1)
	h.c.openURL = func(u *url.URL) error {
		opened <- u.String()
		(&oauthtest.Browser{}).OpenAsync(context.Background(), u.String())
		return nil
	}
	w := h.c.showWizard()
	test.Type(w.address, "marc@machin.test")
	if !w.oauth.check.Checked || !w.oauth.box.Visible() || !w.password.Disabled() {
		t.Fatal("the OAuth2 box is not ticked for a provider that wants it")
	}
	inc := srv.Incoming()
	in := autoconfig.Server{Protocol: autoconfig.IMAP, Source: autoconfig.SourceGuess, Origin: inc.Host, Server: inc}

	w.discovered("marc@machin.test", in, autoconfig.Server{}, nil) // no client ID yet
	if !strings.Contains(w.problem.Text, "client ID") || !w.saveBtn.Disabled() {
		t.Fatalf("without a client ID: problem %q", w.problem.Text)
	}
	test.Type(w.oauth.clientID, "facteur-test")
	w.discovered("marc@machin.test", in, autoconfig.Server{}, nil)
	h.waitFor("the sign-in and the login test", func() bool { return !w.findBtn.Disabled() })
	if w.saveBtn.Disabled() {
		t.Fatalf("not signed in: problem %q", w.problem.Text)
	}
	if u := <-opened; !strings.HasPrefix(u, auth.AuthURL()) || !strings.Contains(w.note.Text, u) {
		t.Errorf("opened %q, note %q", u, w.note.Text)
	}
	test.Tap(w.saveBtn)
	h.settle()
	a, err := h.accountBook().Get("marc@machin.test")
	if err != nil || !a.UsesOAuth2() || a.OAuth2.ClientID != "facteur-test" || a.OAuth2.TokenURL != auth.TokenURL() {
		t.Fatalf("saved %+v, %v", a, err)
	}
	creds := h.c.accts.mailer.Credentials()
	if _, err := creds.Get(account.PasswordKey(a.Name, false)); err == nil {
		t.Error("a password was stored for an OAuth2 account")
	}
	w.win.Close()
	if _, err := creds.Get(account.TokenKey(a.Name)); err != nil {
		t.Errorf("the token of the saved account was dropped: %v", err)
	}
	if got := srv.Mechanisms(); len(got) == 0 || got[0] != "OAUTHBEARER" {
		t.Errorf("the login test used %v", got)
	}
}
