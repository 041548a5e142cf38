package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/profile"
	"facteur/localmta/mtatls"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/oauth"
	"facteur/mua/oauth/oauthtest"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// acctCert is a certificate for 127.0.0.1 and localhost, and its PEM file
// for FACTEUR_AUTOCONFIG_TEST_CA.
func acctCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	dir := t.TempDir()
	cert, err := mtatls.LoadOrCreate(dir, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, path
}

// acctIMAP runs imapmemserver with marc@example.test / secret over
// implicit TLS on 127.0.0.1:0.
func acctIMAP(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	opt := imaptest.Options(imaptest.Sessions(imapmemserver.NewUser("marc@example.test", "secret")))
	opt.Caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	opt.InsecureAuth = false // LOGIN under TLS only
	ln := tls.NewListener(imaptest.Listen(t), &tls.Config{Certificates: []tls.Certificate{cert}})
	return imaptest.Serve(t, ln, opt).Addr
}

// acctAutoconfig serves body as the autoconfig XML over HTTPS on loopback
// and points the test hooks at it.
func acctAutoconfig(t *testing.T, cert tls.Certificate, caPath, body string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/mail/config-v1.1.xml" || r.URL.Query().Get("emailaddress") == "" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Setenv(envAutoconfigBase, srv.URL)
	t.Setenv(envAutoconfigCA, caPath)
	return srv.URL
}

func acctXML(imapAddr, smtpAddr, socket string) string {
	ih, ip, _ := net.SplitHostPort(imapAddr)
	sh, sp, _ := net.SplitHostPort(smtpAddr)
	return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="example.test"><domain>example.test</domain>
<incomingServer type="imap"><hostname>` + ih + `</hostname><port>` + ip + `</port><socketType>` + socket + `</socketType>
<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>` + sh + `</hostname><port>` + sp + `</port><socketType>STARTTLS</socketType>
<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>`
}

func TestAccountAddAutoconfig(t *testing.T) {
	cert, caPath := acctCert(t)
	imapAddr := acctIMAP(t, cert)
	sink := startSinkCert(t, "", true, cert)
	base := acctAutoconfig(t, cert, caPath, acctXML(imapAddr, sink.addr, "SSL"))
	dnsAddr := serveZone(t, "example.test. 60 IN MX 10 mx.example.test.")
	dir := t.TempDir()

	code, out, errOut := facteurIn(t, dir, "wrong\n", "account", "add", "--name", "bad", "--address", "marc@example.test",
		"--password-stdin", "--dns", dnsAddr)
	if code != 1 || !strings.Contains(errOut, "refused the user name or the password") {
		t.Fatalf("wrong password: code %d, stdout %q, stderr %q", code, out, errOut)
	}

	code, out, errOut = facteurIn(t, dir, "secret\n", "account", "add", "--name", "ex", "--address", "marc@example.test",
		"--password-stdin", "--dns", dnsAddr)
	if code != 0 {
		t.Fatalf("add: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, want := range []string{
		"found by autoconfig (" + base + "/mail/config-v1.1.xml?emailaddress=marc%40example.test): imap " + imapAddr + " (tls)",
		"found by autoconfig", "smtp " + sink.addr + " (starttls)", "ex: logged in to " + imapAddr,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
	code, out, _ = facteur(t, dir, "account", "list")
	if code != 0 || out != "ex\tmarc@example.test\timap "+imapAddr+" (tls)\n" {
		t.Fatalf("list: code %d, %q (the failed account must not be saved)", code, out)
	}
}

// TestAccountAddSRVPinning: the servers come from SRV records through
// --dns; the certificate does not verify, the user pins it.
func TestAccountAddSRVPinning(t *testing.T) {
	cert, _ := acctCert(t)
	imapAddr := acctIMAP(t, cert)
	_, port, _ := net.SplitHostPort(imapAddr)
	dnsAddr := serveZone(t,
		"example.test. 60 IN MX 10 mx.example.test.",
		"_imaps._tcp.example.test. 60 IN SRV 0 1 "+port+" mail.example.test.",
		"_pop3s._tcp.example.test. 60 IN SRV 0 0 0 .",
		"mail.example.test. 60 IN A 127.0.0.1",
	)
	dir := t.TempDir()
	args := []string{"account", "add", "--name", "srv", "--address", "marc@example.test", "--password-stdin", "--dns", dnsAddr}
	code, out, errOut := facteurIn(t, dir, "secret\n", args...)
	fp := account.Fingerprint(cert.Certificate[0])
	if code != 1 || !strings.Contains(out, "found by SRV (_imaps._tcp.example.test): imap mail.example.test:"+port+" (tls)") ||
		!strings.Contains(errOut, "is not trusted") || !strings.Contains(errOut, "--fingerprint "+fp) {
		t.Fatalf("untrusted: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = facteurIn(t, dir, "secret\n", append(args, "--fingerprint", fp)...)
	if code != 0 || !strings.Contains(out, "srv: logged in to mail.example.test:"+port) {
		t.Fatalf("pinned: code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestAccountAddAutoconfigErrors(t *testing.T) {
	cert, caPath := acctCert(t)
	imapAddr := acctIMAP(t, cert)
	acctAutoconfig(t, cert, caPath, acctXML(imapAddr, imapAddr, "plain"))
	dnsAddr := serveZone(t, "example.test. 60 IN MX 10 mx.example.test.")
	dir := t.TempDir()
	add := func(stdin string, extra ...string) (int, string, string) {
		args := append([]string{"account", "add", "--name", "x", "--password-stdin", "--dns", dnsAddr}, extra...)
		return facteurIn(t, dir, stdin, args...)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		inErr string
	}{
		{"no address", nil, 2, "needs --address"},
		{"plaintext only", []string{"--address", "marc@example.test"}, 1, "add --allow-plaintext"},
		{"plaintext refused by the server", []string{"--address", "marc@example.test", "--allow-plaintext", "--no-test"}, 0, "is plaintext"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := add("secret\n", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inErr) {
				t.Fatalf("code %d, stdout %q, stderr %q; want %d and %q", code, out, errOut, tt.code, tt.inErr)
			}
		})
	}
	t.Setenv(envAutoconfigBase, "")
	code, _, errOut := facteurIn(t, dir, "secret\n", "account", "add", "--name", "y", "--address", "marc@nowhere.test",
		"--password-stdin", "--dns", dnsAddr)
	if code != 1 || !strings.Contains(errOut, "The name nowhere.test does not exist in the DNS") {
		t.Fatalf("no such domain: code %d, stderr %q", code, errOut)
	}
}

// browserStderr is the standard error of a facteur run that opens, as the
// user would, the authorization URL that the OAuth2 flow prints there.
type browserStderr struct {
	ctx   context.Context
	buf   bytes.Buffer
	pages []<-chan oauthtest.Result
}

func (b *browserStderr) Write(p []byte) (int, error) {
	b.buf.Write(p)
	for _, f := range strings.Fields(string(p)) {
		if strings.HasPrefix(f, "http://127.0.0.1:") && strings.Contains(f, "/authorize?") {
			b.pages = append(b.pages, (&oauthtest.Browser{}).OpenAsync(b.ctx, f))
		}
	}
	return len(p), nil
}

// facteurBrowser runs facteur with a browser on its standard error and
// returns the pages the browser ended on.
func facteurBrowser(t *testing.T, dir string, args ...string) (int, string, string, []oauthtest.Page) {
	t.Helper()
	var out bytes.Buffer
	errOut := &browserStderr{ctx: context.Background()}
	code := run(context.Background(), append([]string{"--profile", dir}, args...), strings.NewReader(""), &out, errOut)
	var pages []oauthtest.Page
	for _, ch := range errOut.pages {
		r := <-ch
		if r.Err != nil {
			t.Fatalf("browser: %v", r.Err)
		}
		pages = append(pages, r.Page)
	}
	return code, out.String(), errOut.buf.String(), pages
}

// TestAccountOAuth2: add an account with OAuth2 against a real
// authorization server on loopback and an IMAP server that takes only
// tokens; test, sync, revoke, authorize again, remove.
func TestAccountOAuth2(t *testing.T) {
	auth := oauthtest.NewServer(t, "facteur-cli", "cli-secret")
	imapSrv := oauthtest.NewIMAPServer(t, "marc@example.test", auth.Check, "XOAUTH2", "OAUTHBEARER")
	dir := t.TempDir()
	add := []string{"account", "add", "--name", "ex", "--address", "marc@example.test", "--imap", imapSrv.Addr,
		"--security", "none", "--oauth2", "--client-id", "facteur-cli", "--client-secret", "cli-secret",
		"--oauth-provider", "custom", "--auth-url", auth.AuthURL(), "--token-url", auth.TokenURL(),
		"--scope", "mail", "--scope", "offline", "--no-browser"}
	code, out, errOut, pages := facteurBrowser(t, dir, add...)
	if code != 0 || !strings.Contains(out, "ex: logged in to "+imapSrv.Addr+" with OAuth2") {
		t.Fatalf("add: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if len(pages) != 1 || pages[0].Status != 200 || auth.LastAuthorize().Get("login_hint") != "marc@example.test" {
		t.Fatalf("browser pages %+v", pages)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	token, _ := (&oauth.Tokens{Secrets: account.OpenCredentials(dir, account.BackendAuto)}).Load("ex")
	if !strings.Contains(string(cfg), `"auth": "oauth2"`) || token == nil || strings.Contains(string(cfg), token.AccessToken) {
		t.Fatalf("config %s (token %v)", cfg, token)
	}

	if code, out, errOut := facteur(t, dir, "account", "test", "ex"); code != 0 || !strings.Contains(out, "ex: logged in") {
		t.Fatalf("test: code %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := facteur(t, dir, "sync", "ex"); code != 0 || !strings.Contains(out, "ex: 1 folders") {
		t.Fatalf("sync: code %d, %q %q", code, out, errOut)
	}

	auth.RevokeAll() // the stored access token is refused by the IMAP server
	if code, _, errOut := facteur(t, dir, "account", "test", "ex"); code != 1 || !strings.Contains(errOut, "refused the OAuth2 access token") {
		t.Fatalf("revoked: code %d, stderr %q", code, errOut)
	}
	code, out, errOut, pages = facteurBrowser(t, dir, "account", "authorize", "ex", "--no-browser")
	if code != 0 || !strings.Contains(out, "ex: authorized") || len(pages) != 1 {
		t.Fatalf("authorize: code %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := facteur(t, dir, "account", "test", "ex"); code != 0 {
		t.Fatalf("test after authorize: code %d, %q", code, errOut)
	}
	if got := imapSrv.Mechanisms(); len(got) < 3 || got[0] != "OAUTHBEARER" {
		t.Errorf("mechanisms %q", got)
	}

	if code, _, _ := facteur(t, dir, "account", "remove", "ex"); code != 0 {
		t.Fatal("remove")
	}
	for _, key := range account.SecretKeys("ex") { // passwords, token, client secret
		if _, err := account.OpenCredentials(dir, account.BackendAuto).Get(key); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("%s after remove: %v", key, err)
		}
	}
}

func TestAccountOAuth2Errors(t *testing.T) {
	auth := oauthtest.NewServer(t, "facteur-cli", "")
	imapSrv := oauthtest.NewIMAPServer(t, "marc@example.test", auth.Check, "PLAIN")
	dir := t.TempDir()
	base := []string{"account", "add", "--name", "x", "--address", "marc@example.test", "--imap", imapSrv.Addr, "--security", "none"}
	custom := []string{"--oauth-provider", "custom", "--auth-url", auth.AuthURL(), "--token-url", auth.TokenURL(), "--scope", "mail", "--no-browser"}
	tests := []struct {
		name  string
		args  []string
		code  int
		inErr string
	}{
		{"no client id", []string{"--oauth2"}, 2, "needs --client-id"},
		{"client id alone", []string{"--client-id", "c"}, 2, "goes with --oauth2"},
		{"unknown provider", []string{"--oauth2", "--client-id", "c"}, 2, "cannot tell the OAuth2 provider"},
		{"no OAuth2 mechanism", append([]string{"--oauth2", "--client-id", "facteur-cli"}, custom...), 1, "does not offer OAuth2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut, _ := facteurBrowser(t, dir, append(base, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.inErr) {
				t.Fatalf("code %d, stdout %q, stderr %q; want %d and %q", code, out, errOut, tt.code, tt.inErr)
			}
		})
	}
	if code, out, _ := facteur(t, dir, "account", "list"); code != 0 || out != "" {
		t.Fatalf("a failed add saved something: %q", out)
	}
	if _, err := account.OpenCredentials(dir, account.BackendAuto).Get(account.TokenKey("x")); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("the token of a failed add stays: %v", err)
	}
}

// TestAccountAddAutoconfigOAuth2Note: autoconfig lists OAuth2 for the
// server; an add with a password says that OAuth2 is possible.
func TestAccountAddAutoconfigOAuth2Note(t *testing.T) {
	cert, caPath := acctCert(t)
	imapAddr := acctIMAP(t, cert)
	xml := strings.Replace(acctXML(imapAddr, imapAddr, "SSL"), "<authentication>password-cleartext</authentication></incomingServer>",
		"<authentication>password-cleartext</authentication><authentication>OAuth2</authentication></incomingServer>", 1)
	acctAutoconfig(t, cert, caPath, xml)
	dnsAddr := serveZone(t, "example.test. 60 IN MX 10 mx.example.test.")
	code, out, errOut := facteurIn(t, t.TempDir(), "secret\n", "account", "add", "--name", "ex", "--address", "marc@example.test",
		"--password-stdin", "--dns", dnsAddr, "--no-test")
	if code != 0 || !strings.Contains(errOut, "note: 127.0.0.1 also accepts OAuth2") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestAccountAddPinsTheSMTPServerToo(t *testing.T) {
	fp, other := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	tests := []struct {
		name string
		args []string
		want string // the outgoing server's pin
	}{
		{"same host", []string{"--smtp", "127.0.0.1:2587", "--fingerprint", fp}, fp},
		{"its own pin", []string{"--smtp", "127.0.0.1:2587", "--fingerprint", fp, "--smtp-fingerprint", other}, other},
		{"another host", []string{"--smtp", "localhost:2587", "--fingerprint", fp}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"account", "add", "--name", "pin", "--address", "marc@example.test",
				"--imap", "127.0.0.1:1993", "--no-test", "--password-stdin"}, tt.args...)
			if code, out, errOut := facteurIn(t, dir, "secret\n", args...); code != 0 {
				t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
			}
			p, err := profile.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			a, err := account.OpenBook(p.ConfigFile()).Get("pin")
			if err != nil || a.Incoming.Fingerprint != fp || a.Outgoing.Fingerprint != tt.want {
				t.Fatalf("saved %+v, %v; want incoming %q, outgoing %q", a, err, fp, tt.want)
			}
		})
	}
}

// TestAccountTestBothServers: `account test` logs in to the outgoing
// server too, through the mailer's TestAccount as the window does: an SMTP
// server out of reach fails the test, and one that answers is named.
func TestAccountTestBothServers(t *testing.T) {
	srv := imaptest.Start(t, imaptest.NewUser(t))
	for _, tc := range []struct {
		name, smtp string
		code       int
		want       string
	}{
		{"smtp out of reach", closedTCPAddr(t), 1, "Cannot connect to the SMTP server 127.0.0.1 on port "},
		{"smtp answers", startSink(t, "", false).addr, 0, "ex: logged in to "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := facteurIn(t, dir, imaptest.Password+"\n", "account", "add", "--name", "ex",
				"--address", "marc@machin.test", "--user", imaptest.User, "--imap", srv.Addr, "--smtp", tc.smtp,
				"--security", "none", "--password-stdin", "--no-test")
			if code != 0 {
				t.Fatalf("account add: code %d, %q %q", code, out, errOut)
			}
			code, out, errOut = facteur(t, dir, "account", "test", "ex")
			if code != tc.code || !strings.Contains(out+errOut, tc.want) || !strings.Contains(out+errOut, tc.smtp[strings.LastIndexByte(tc.smtp, ':')+1:]) {
				t.Errorf("account test: code %d, stdout %q, stderr %q; want code %d, %q and %s", code, out, errOut, tc.code, tc.want, tc.smtp)
			}
		})
	}
}
