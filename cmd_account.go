package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
	"facteur/mua/oauth"
	"facteur/mua/pop3"
)

// cmdAccount manages remote accounts:
//
//	account add --name NAME --address ADDR [--imap|--pop3 HOST:PORT] [--smtp HOST:PORT]
//	            [--security tls|starttls|none] [--user USER] [--fingerprint SHA256]
//	            [--smtp-fingerprint SHA256] [--password-stdin]
//	            [--dns SERVER] [--allow-plaintext] [--no-test]
//	            [--pop3-delete keep|downloaded|days=N|deleted|days=N,deleted]
//	            [--oauth2 --client-id ID [--client-secret S] [--no-browser]
//	             [--oauth-provider google|microsoft|custom --auth-url URL --token-url URL --scope S...]]
//	account list | remove NAME | test NAME | authorize NAME [--client-secret S] [--no-browser]
//
// Without --imap or --pop3, add autoconfigures from the address (package
// mua/autoconfig: Thunderbird's autoconfig XML, SRV records, a probed guess),
// shows what it found and from where, and asks for the password. With a
// password, it logs in before saving (--no-test skips that).
//
// With --oauth2 the account logs in with OAuth2 (package mua/oauth): the
// provider comes from the address or the servers' names unless given, the
// authorization URL is printed (and opened with the system's browser unless
// --no-browser), and once the browser comes back the token is stored like a
// password and the login tested. authorize runs that again for an account
// whose authorization was revoked or has expired.
func cmdAccount(e *env) error {
	if len(e.args) == 0 {
		return usageError{"account add|list|remove|test|authorize"}
	}
	sub, e2 := e.args[0], *e
	e2.args = e.args[1:]
	var run func(*env, *mailer.Mailer) error
	switch sub {
	case "add":
		run = accountAdd
	case "list":
		run = accountList
	case "remove":
		run = accountRemove
	case "test":
		run = accountTest
	case "authorize":
		run = accountAuthorize
	default:
		return usageError{"account add|list|remove|test|authorize"}
	}
	// the account lifecycle of mua/mailer, as the window's Accounts
	// window and wizard
	return withMailer(e, func(m *mailer.Mailer) error {
		err := run(&e2, m)
		if w := m.Credentials().Warning(); w != nil && err == nil && (sub == "add" || sub == "authorize") {
			fmt.Fprintln(e.stderr, "warning:", w)
		}
		return err
	})
}

func accountAdd(e *env, m *mailer.Mailer) error {
	fs := newFlags(e, "account add")
	name := fs.String("name", "", "account name")
	addr := fs.String("address", "", "e-mail address")
	imapHP := fs.String("imap", "", "IMAP server HOST:PORT (default: autoconfiguration)")
	popHP := fs.String("pop3", "", "POP3 server HOST:PORT (default: autoconfiguration)")
	smtpHP := fs.String("smtp", "", "SMTP submission server HOST:PORT")
	sec := fs.String("security", "tls", "tls, starttls or none")
	user := fs.String("user", "", "login (default: the address)")
	fp := fs.String("fingerprint", "", "SHA-256 of a self-signed server certificate to trust (the SMTP server's too when it is the same host)")
	smtpFP := fs.String("smtp-fingerprint", "", "SHA-256 of the SMTP server's self-signed certificate, when it differs")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input")
	dnsServer := fs.String("dns", "", "DNS server HOST[:PORT] for autoconfiguration (default: the system's)")
	allowPlain := fs.Bool("allow-plaintext", false, "accept a plaintext server found by autoconfiguration")
	noTest := fs.Bool("no-test", false, "save without the login test")
	var pop3Del account.Options
	fs.Func("pop3-delete", "what a POP3 account removes from the server: keep (default), downloaded, days=N,\n"+
		"deleted (once deleted in Facteur), or days=N,deleted", func(v string) (err error) {
		pop3Del, err = parsePOP3Delete(v)
		return err
	})
	of := oauthFlagsOn(fs)
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	s, err := account.ParseSecurity(*sec)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return usageError{"account add needs --name NAME"}
	}
	if _, err := m.Account(*name); err == nil {
		return fmt.Errorf("%w: %s", account.ErrExists, *name)
	}
	d, err := newDiscoverer(*dnsServer)
	if err != nil {
		return err
	}
	a := account.Account{Name: *name, Identity: account.Identity{Address: *addr}, Protocol: account.IMAP}
	var oauthHosts []string // servers whose autoconfig lists OAuth2
	manual := *imapHP != "" || *popHP != ""
	if manual {
		hp := *imapHP
		if *popHP != "" {
			a.Protocol, hp = account.POP3, *popHP
		}
		if a.Incoming, err = serverFlag(hp, s, *user, *fp); err != nil {
			return err
		}
	} else {
		if *addr == "" {
			return usageError{"account add needs --address (and --imap or --pop3 HOST:PORT to skip autoconfiguration)"}
		}
		want := account.Security("")
		if set["security"] {
			want = s
		}
		if oauthHosts, err = autoconfigure(e, d, &a, want, *allowPlain); err != nil {
			return explain(err)
		}
		if *user != "" {
			a.Incoming.User, a.Outgoing.User = *user, *user
		}
		a.Incoming.Fingerprint = *fp
		a.Outgoing.Fingerprint = outgoingFingerprint(a, *fp, *smtpFP)
	}
	if *smtpHP != "" {
		if a.Outgoing, err = serverFlag(*smtpHP, s, *user, ""); err != nil {
			return err
		}
		a.Outgoing.Fingerprint = outgoingFingerprint(a, *fp, *smtpFP)
	}
	if set["pop3-delete"] && a.Protocol != account.POP3 {
		return usageError{"--pop3-delete is for a POP3 account (--pop3 HOST:PORT)"}
	}
	a.Options.DeleteAfterDownload, a.Options.DeleteAfterDays, a.Options.DeleteWhenDeleted =
		pop3Del.DeleteAfterDownload, pop3Del.DeleteAfterDays, pop3Del.DeleteWhenDeleted
	if err := of.apply(e, &a, oauthHosts, *stdin); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.UsesOAuth2() {
		return addOAuth2(e, m, d.Dialer(), a, of, *noTest)
	}
	pw, err := addPassword(e, a, *stdin, !manual)
	if err != nil {
		return err
	}
	if pw != "" && !*noTest {
		if err := m.TestAccount(e.ctx, a, mailer.TestOptions{Secrets: mailer.Secrets{Password: pw}, Dialer: d.Dialer()}); err != nil {
			return explain(err)
		}
		loggedIn(e, a, "")
	}
	_, err = m.AddAccount(e.ctx, a, mailer.Secrets{Password: pw})
	return err
}

// loggedIn tells that the login test passed on the account's servers.
func loggedIn(e *env, a account.Account, with string) {
	fmt.Fprintf(e.stdout, "%s: logged in to %s%s\n", a.Name, a.Incoming.Address(string(a.Protocol)), with)
	if a.Outgoing.Host != "" {
		fmt.Fprintf(e.stdout, "%s: logged in to %s%s\n", a.Name, a.Outgoing.Address("smtp"), with)
	}
}

// parsePOP3Delete reads --pop3-delete: keep, downloaded, days=N, deleted,
// or a comma-separated list of days=N and deleted (Thunderbird's "for at
// most N days" and "until I delete them").
func parsePOP3Delete(v string) (account.Options, error) {
	var o account.Options
	bad := usageError{"--pop3-delete " + v + ": want keep, downloaded, days=N, deleted, or days=N,deleted"}
	for _, part := range strings.Split(v, ",") {
		days, isDays := strings.CutPrefix(strings.TrimSpace(part), "days=")
		switch n, err := strconv.Atoi(days); {
		case isDays && (err != nil || n <= 0):
			return o, bad
		case isDays:
			o.DeleteAfterDays = n
		case part == "keep" && v == "keep":
		case part == "downloaded" && v == "downloaded":
			o.DeleteAfterDownload = true
		case part == "deleted":
			o.DeleteWhenDeleted = true
		default:
			return o, bad
		}
	}
	return o, nil
}

// addPassword reads the password from standard input (--password-stdin), or
// asks for it when prompt is set; "" otherwise (saved without password).
func addPassword(e *env, a account.Account, stdin, prompt bool) (string, error) {
	if !stdin && !prompt {
		return "", nil
	}
	if !stdin {
		fmt.Fprintf(e.stderr, "Password for %s: ", a.Login(a.Incoming))
	}
	return readPassword(e)
}

// outgoingFingerprint is the certificate to pin for the SMTP server:
// --smtp-fingerprint, else --fingerprint when SMTP is on the incoming host.
func outgoingFingerprint(a account.Account, fp, smtpFP string) string {
	if smtpFP != "" {
		return smtpFP
	}
	if a.Outgoing.Host != "" && strings.EqualFold(a.Outgoing.Host, a.Incoming.Host) {
		return fp
	}
	return ""
}

func serverFlag(hp string, sec account.Security, user, fp string) (account.Server, error) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		host, port = hp, "0"
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return account.Server{}, usageError{"bad port in " + hp}
	}
	return account.Server{Host: host, Port: n, Security: sec, User: user, Fingerprint: fp}, nil
}

// readPassword reads one line of standard input: without echo when it is a
// terminal (the prompt), as it comes when it is a pipe (--password-stdin).
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(pw), err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func accountList(e *env, m *mailer.Mailer) error {
	list, err := m.Accounts()
	if err != nil {
		return err
	}
	for _, a := range list {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s %s (%s)\n", a.Name, a.Identity.Address, a.Protocol,
			a.Incoming.Address(string(a.Protocol)), a.Incoming.Sec())
	}
	return nil
}

// accountRemove removes an account with every secret it had, as the
// window's Remove account.
func accountRemove(e *env, m *mailer.Mailer) error {
	if len(e.args) != 1 {
		return usageError{"account remove NAME"}
	}
	return m.RemoveAccount(e.ctx, e.args[0])
}

// accountTest logs in to the account's servers with its stored secrets,
// and explains a failure.
func accountTest(e *env, m *mailer.Mailer) error {
	if len(e.args) != 1 {
		return usageError{"account test NAME"}
	}
	a, err := m.Account(e.args[0])
	if err != nil {
		return err
	}
	if err := m.TestAccount(e.ctx, a, mailer.TestOptions{}); err != nil {
		return explain(err)
	}
	loggedIn(e, a, "")
	return nil
}

// explain turns a typed error into a sentence for the user.
func explain(err error) error {
	if msg, ok := explainOAuth2(err); ok { // before: a refused token is an *autoconfig.Error too
		return errors.New(msg)
	}
	if msg, ok := explainAutoconfig(err); ok {
		return errors.New(msg)
	}
	var ce *account.CertificateError
	switch {
	case errors.As(err, &ce):
		return fmt.Errorf("the server's certificate is not trusted (%v); if you trust it, add it with --fingerprint %s", ce.Err, ce.Fingerprint)
	case errors.Is(err, account.ErrNoStartTLS):
		return fmt.Errorf("the server does not offer STARTTLS; use --security tls, or none only on a network you trust: %w", err)
	case errors.Is(err, pop3.ErrAuth), errors.Is(err, imapsync.ErrAuth):
		return fmt.Errorf("the server refused the user name or password: %w", err)
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return fmt.Errorf("cannot reach the server: %w", err)
	}
	return err
}

// oauthFlags are the OAuth2 options of `account add`.
type oauthFlags struct {
	enabled, noBrowser                                  *bool
	clientID, clientSecret, provider, authURL, tokenURL *string
	scopes                                              []string
}

func oauthFlagsOn(fs *flag.FlagSet) *oauthFlags {
	o := &oauthFlags{
		enabled:      fs.Bool("oauth2", false, "log in with OAuth2 (needs --client-id)"),
		noBrowser:    fs.Bool("no-browser", false, "print the authorization URL without opening a browser"),
		clientID:     fs.String("client-id", "", "OAuth2 client ID registered with the provider"),
		clientSecret: fs.String("client-secret", "", "OAuth2 client secret, when the provider issued one"),
		provider:     fs.String("oauth-provider", "", "google, microsoft or custom (default: from the address or the servers)"),
		authURL:      fs.String("auth-url", "", "authorization endpoint of a custom provider"),
		tokenURL:     fs.String("token-url", "", "token endpoint of a custom provider"),
	}
	fs.Func("scope", "OAuth2 scope (repeatable; default: the provider's mail scopes)", func(v string) error {
		o.scopes = append(o.scopes, v)
		return nil
	})
	return o
}

// apply makes a an OAuth2 account when --oauth2 is given, with the
// provider given or detected from the address and the servers; without
// it, it tells when autoconfiguration lists OAuth2 for the servers.
func (o *oauthFlags) apply(e *env, a *account.Account, oauthHosts []string, passwordStdin bool) error {
	if !*o.enabled {
		if *o.clientID != "" {
			return usageError{"--client-id goes with --oauth2"}
		}
		if len(oauthHosts) > 0 {
			fmt.Fprintf(e.stderr, "note: %s also accepts OAuth2 (--oauth2 --client-id ID)\n", strings.Join(oauthHosts, ", "))
		}
		return nil
	}
	switch {
	case passwordStdin:
		return usageError{"--oauth2 logs in without a password: drop --password-stdin"}
	case *o.clientID == "":
		return usageError{"--oauth2 needs --client-id ID (register Facteur as an application with the provider to get one)"}
	}
	set := &account.OAuth2{Provider: strings.ToLower(*o.provider), ClientID: *o.clientID,
		AuthURL: *o.authURL, TokenURL: *o.tokenURL, Scopes: o.scopes}
	if set.Provider == "" {
		p, ok := oauth.Detect(a.Identity.Address, append(oauthHosts, a.Incoming.Host, a.Outgoing.Host)...)
		if !ok {
			return usageError{"cannot tell the OAuth2 provider of " + a.Identity.Address +
				": give --oauth-provider google or microsoft, or custom with --auth-url, --token-url and --scope"}
		}
		set.Provider = p.Name
		fmt.Fprintf(e.stdout, "OAuth2 provider: %s\n", p.Name)
	}
	a.Auth, a.OAuth2 = account.AuthOAuth2, set
	return nil
}

// addOAuth2 authorizes a new account in the browser, tests the login with
// its token (unless noTest), then saves it. On failure nothing stays.
func addOAuth2(e *env, m *mailer.Mailer, d *account.Dialer, a account.Account, o *oauthFlags, noTest bool) error {
	err := authorizeCLI(e, &oauth.Tokens{Secrets: m.Credentials()}, a, *o.clientSecret, !*o.noBrowser)
	if err == nil && !noTest {
		if err = m.TestAccount(e.ctx, a, mailer.TestOptions{Dialer: d}); err == nil {
			loggedIn(e, a, " with OAuth2")
		}
	}
	if err == nil {
		_, err = m.AddAccount(e.ctx, a, mailer.Secrets{})
	}
	if err != nil {
		m.Credentials().ForgetOAuth2(a.Name)
		return explain(err)
	}
	return nil
}

// authorizeCLI runs the OAuth2 flow: the URL goes to stderr and, with
// browser, to the system's opener; it waits 10 minutes at most.
func authorizeCLI(e *env, tokens *oauth.Tokens, a account.Account, secret string, browser bool) error {
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Minute)
	defer cancel()
	err := tokens.Authorize(ctx, a, secret, func(u string) error {
		fmt.Fprintf(e.stderr, "Open this address in a web browser to let Facteur use %s:\n\n  %s\n\nWaiting for the browser (Ctrl-C to give up)...\n",
			a.Identity.Address, u)
		if browser {
			openBrowser(ctx, u)
		}
		return nil
	})
	if errors.Is(err, context.DeadlineExceeded) && e.ctx.Err() == nil {
		return errors.New("no answer from the browser within 10 minutes; authorization abandoned")
	}
	return err
}

// openBrowser asks the desktop to open u; a failure is silent, the URL
// was printed.
func openBrowser(ctx context.Context, u string) {
	name, args := "xdg-open", []string{u}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", u}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	exec.CommandContext(ctx, name, args...).Run()
}

// accountAuthorize runs the OAuth2 flow again for an account.
func accountAuthorize(e *env, m *mailer.Mailer) error {
	fs := newFlags(e, "account authorize")
	secret := fs.String("client-secret", "", "OAuth2 client secret (default: the one stored)")
	noBrowser := fs.Bool("no-browser", false, "print the authorization URL without opening a browser")
	pos, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"account authorize NAME [--client-secret S] [--no-browser]"}
	}
	a, err := m.Account(pos[0])
	if err != nil {
		return err
	}
	creds := m.Credentials()
	if !a.UsesOAuth2() {
		return fmt.Errorf("account %q logs in with a password, not OAuth2", a.Name)
	}
	if *secret == "" {
		*secret, _ = creds.Get(account.ClientSecretKey(a.Name)) // none for a public client
	}
	if err := authorizeCLI(e, &oauth.Tokens{Secrets: creds}, a, *secret, !*noBrowser); err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "%s: authorized\n", a.Name)
	return nil
}

// explainOAuth2 turns the OAuth2 errors into sentences with what to do.
func explainOAuth2(err error) (string, bool) {
	var ae *oauth.AuthorizationError
	var re *oauth.RejectedError
	switch {
	case errors.As(err, &re):
		return fmt.Sprintf("the server refused the OAuth2 access token (%v); check the scopes, or run `facteur account authorize NAME`", err), true
	case errors.Is(err, oauth.ErrNoMechanism):
		return fmt.Sprintf("the server does not offer OAuth2 logins: %v", err), true
	case errors.Is(err, oauth.ErrReauthorize), errors.Is(err, oauth.ErrNotAuthorized):
		return fmt.Sprintf("%v: run `facteur account authorize NAME`", err), true
	case errors.As(err, &ae):
		return fmt.Sprintf("the provider refused the authorization: %s %s", ae.Code, ae.Description), true
	case errors.Is(err, oauth.ErrState):
		return "the browser came back with an answer to another request; authorization refused", true
	}
	return "", false
}
