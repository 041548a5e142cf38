package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"facteur/internal/profile"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/autoconfig"
	"facteur/mua/imapsync"
	"facteur/mua/pop3"
)

// cmdAccount manages remote accounts:
//
//	account add --name NAME --address ADDR [--imap|--pop3 HOST:PORT] [--smtp HOST:PORT]
//	            [--security tls|starttls|none] [--user USER] [--fingerprint SHA256] [--password-stdin]
//	            [--dns SERVER] [--allow-plaintext] [--no-test]
//	account list | remove NAME | test NAME
//
// Without --imap or --pop3, add autoconfigures from the address (package
// mua/autoconfig: Thunderbird's autoconfig XML, SRV records, a probed guess),
// shows what it found and from where, and asks for the password. With a
// password, it logs in before saving (--no-test skips that).
func cmdAccount(e *env) error {
	if len(e.args) == 0 {
		return usageError{"account add|list|remove|test"}
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	book, creds := account.OpenBook(p.ConfigFile()), account.OpenCredentials(p.Dir, account.BackendAuto)
	sub, e2 := e.args[0], *e
	e2.args = e.args[1:]
	switch sub {
	case "add":
		err = accountAdd(&e2, book, creds)
	case "list":
		err = accountList(&e2, book)
	case "remove":
		err = accountRemove(&e2, book, creds)
	case "test":
		err = accountTest(&e2, book, creds)
	default:
		return usageError{"account add|list|remove|test"}
	}
	if w := creds.Warning(); w != nil && err == nil && sub == "add" {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	return err
}

func accountAdd(e *env, book *account.Book, creds *account.Credentials) error {
	fs := newFlags(e, "account add")
	name := fs.String("name", "", "account name")
	addr := fs.String("address", "", "e-mail address")
	imapHP := fs.String("imap", "", "IMAP server HOST:PORT (default: autoconfiguration)")
	popHP := fs.String("pop3", "", "POP3 server HOST:PORT (default: autoconfiguration)")
	smtpHP := fs.String("smtp", "", "SMTP submission server HOST:PORT")
	sec := fs.String("security", "tls", "tls, starttls or none")
	user := fs.String("user", "", "login (default: the address)")
	fp := fs.String("fingerprint", "", "SHA-256 of a self-signed server certificate to trust")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input")
	dnsServer := fs.String("dns", "", "DNS server HOST[:PORT] for autoconfiguration (default: the system's)")
	allowPlain := fs.Bool("allow-plaintext", false, "accept a plaintext server found by autoconfiguration")
	noTest := fs.Bool("no-test", false, "save without the login test")
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
	if _, err := book.Get(*name); err == nil {
		return fmt.Errorf("%w: %s", account.ErrExists, *name)
	}
	d, err := newDiscoverer(*dnsServer)
	if err != nil {
		return err
	}
	a := account.Account{Name: *name, Identity: account.Identity{Address: *addr}, Protocol: account.IMAP}
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
		if err := autoconfigure(e, d, &a, want, *allowPlain); err != nil {
			return explain(err)
		}
		if *user != "" {
			a.Incoming.User, a.Outgoing.User = *user, *user
		}
		a.Incoming.Fingerprint = *fp
	}
	if *smtpHP != "" {
		if a.Outgoing, err = serverFlag(*smtpHP, s, *user, ""); err != nil {
			return err
		}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	pw, err := addPassword(e, a, *stdin, !manual)
	if err != nil {
		return err
	}
	if pw != "" && !*noTest {
		if err := autoconfig.CheckAccount(e.ctx, d.Dialer(), a, pw); err != nil {
			return explain(err)
		}
		fmt.Fprintf(e.stdout, "%s: logged in to %s\n", a.Name, a.Incoming.Address(string(a.Protocol)))
	}
	if err := book.Add(a); err != nil {
		return err
	}
	if pw == "" {
		return nil
	}
	return creds.Set(account.PasswordKey(a.Name, false), pw)
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

func accountList(e *env, book *account.Book) error {
	list, err := book.List()
	if err != nil {
		return err
	}
	for _, a := range list {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s %s (%s)\n", a.Name, a.Identity.Address, a.Protocol,
			a.Incoming.Address(string(a.Protocol)), a.Incoming.Sec())
	}
	return nil
}

func accountRemove(e *env, book *account.Book, creds *account.Credentials) error {
	if len(e.args) != 1 {
		return usageError{"account remove NAME"}
	}
	if err := book.Remove(e.args[0]); err != nil {
		return err
	}
	creds.Delete(account.PasswordKey(e.args[0], false))
	return creds.Delete(account.PasswordKey(e.args[0], true))
}

// accountTest connects and logs in, and explains a failure.
func accountTest(e *env, book *account.Book, creds *account.Credentials) error {
	if len(e.args) != 1 {
		return usageError{"account test NAME"}
	}
	a, err := book.Get(e.args[0])
	if err != nil {
		return err
	}
	pw, err := creds.Get(account.PasswordKey(a.Name, false))
	if err != nil {
		return err
	}
	if err := loginTest(e, a, pw); err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "%s: logged in to %s\n", a.Name, a.Incoming.Address(string(a.Protocol)))
	return nil
}

func loginTest(e *env, a account.Account, pw string) error {
	if a.Protocol == account.POP3 {
		c, err := pop3.Dial(e.ctx, a.Incoming, pop3.Options{})
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Login(e.ctx, a.Login(a.Incoming), pw); err != nil {
			return err
		}
		return c.Quit(e.ctx)
	}
	s := imapsync.New(a, pw, imapsync.Options{})
	defer s.Close()
	_, err := s.Folders(e.ctx)
	return err
}

// explain turns a typed error into a sentence for the user.
func explain(err error) error {
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

// cmdSync brings every account (or the one named) into the store:
// `facteur sync [ACCOUNT]`.
func cmdSync(e *env) error {
	fs := newFlags(e, "sync")
	pos, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	s, p, err := openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := account.OpenBook(p.ConfigFile()).List()
	if err != nil {
		return err
	}
	creds := account.OpenCredentials(p.Dir, account.BackendAuto)
	var errs []error
	for _, a := range list {
		if len(pos) > 0 && a.Name != pos[0] {
			continue
		}
		if err := syncOne(e, s, p, creds, a); err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", a.Name, explain(err))
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func syncOne(e *env, s *mailstore.Store, p profile.Profile, creds *account.Credentials, a account.Account) error {
	pw, err := creds.Get(account.PasswordKey(a.Name, false))
	if err != nil {
		return err
	}
	if a.Protocol == account.POP3 {
		st, err := pop3.Collect(e.ctx, a, pw, pop3.CollectOptions{Store: s, StateDir: p.Dir})
		fmt.Fprintf(e.stdout, "%s: %d new, %d deleted from the server, %d kept there\n", a.Name, st.New, st.Deleted, st.Kept)
		return err
	}
	state, err := imapsync.OpenState(e.ctx, p.Dir)
	if err != nil {
		return err
	}
	defer state.Close()
	sy := imapsync.New(a, pw, imapsync.Options{Store: s, State: state, Progress: func(pr imapsync.Progress) {
		fmt.Fprintf(e.stderr, "%s: %d/%d\n", pr.Folder, pr.Done, pr.Total)
	}})
	defer sy.Close()
	st, err := sy.Sync(e.ctx)
	fmt.Fprintf(e.stdout, "%s: %d folders, %d new, %d removed, %d flag changes, %d local actions sent\n",
		a.Name, st.Folders, st.New, st.Removed, st.Flags, st.Replayed)
	return err
}
