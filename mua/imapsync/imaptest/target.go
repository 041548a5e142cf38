package imaptest

import (
	"cmp"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mua/account"
)

// Target is an IMAP server as the helpers (and an account of the code
// under test) log in to it: one of this package's servers (Memory), or a
// real server such as the Dovecot of interop/window.sh (FromEnv).
type Target struct {
	Addr     string // HOST:PORT
	User     string
	Password string
	// Cert is the server's certificate: when set, the connections use
	// STARTTLS and trust it alone (it is pinned in Incoming); nil means
	// plaintext.
	Cert *x509.Certificate
}

// Memory is the target of this package's servers at addr: marc/secret,
// plaintext.
func Memory(addr string) Target { return Target{Addr: addr, User: User, Password: Password} }

// FromEnv is the real server that the environment variable env names, as
// "HOST:PORT USER PASSWORD [CERTFILE]": with CERTFILE (PEM, the server's
// self-signed certificate), STARTTLS with that certificate pinned. ok is
// false when env is empty; a malformed value fails the test.
func FromEnv(t testing.TB, env string) (target Target, ok bool) {
	t.Helper()
	f := strings.Fields(os.Getenv(env))
	if len(f) == 0 {
		return Target{}, false
	}
	if len(f) != 3 && len(f) != 4 {
		t.Fatalf("%s: %d fields, want HOST:PORT USER PASSWORD [CERTFILE]", env, len(f))
	}
	if _, _, err := net.SplitHostPort(f[0]); err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	target = Target{Addr: f[0], User: f[1], Password: f[2]}
	if len(f) == 4 {
		data, err := os.ReadFile(f[3])
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			t.Fatalf("%s: no PEM certificate in %s", env, f[3])
		}
		if target.Cert, err = x509.ParseCertificate(block.Bytes); err != nil {
			t.Fatalf("%s: %s: %v", env, f[3], err)
		}
	}
	return target, true
}

// Incoming is the target as an account's incoming server: its user, and
// STARTTLS with its certificate pinned (account.Server.Fingerprint) when
// it has one, else plaintext.
func (g Target) Incoming() account.Server {
	host, port, _ := net.SplitHostPort(g.Addr)
	p, _ := strconv.Atoi(port)
	s := account.Server{Host: host, Port: p, Security: account.SecurityNone, User: g.User}
	if g.Cert != nil {
		sum := sha256.Sum256(g.Cert.Raw)
		s.Security, s.Fingerprint = account.SecurityStartTLS, hex.EncodeToString(sum[:])
	}
	return s
}

// Login is a client of the target, logged in, closed at the end of the
// test.
func (g Target) Login(t testing.TB) *imapclient.Client {
	t.Helper()
	c := g.login(t)
	t.Cleanup(func() { c.Close() })
	return c
}

func (g Target) login(t testing.TB) *imapclient.Client {
	t.Helper()
	var (
		c   *imapclient.Client
		err error
	)
	if g.Cert == nil {
		c, err = imapclient.DialInsecure(g.Addr, nil)
	} else {
		roots := x509.NewCertPool()
		roots.AddCert(g.Cert)
		host, _, _ := net.SplitHostPort(g.Addr)
		c, err = imapclient.DialStartTLS(g.Addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: roots, ServerName: host}})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(g.User, g.Password).Wait(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

// Append appends the messages msgs to folder, over a connection of its
// own.
func (g Target) Append(t testing.TB, folder string, msgs ...string) {
	t.Helper()
	c := g.login(t)
	defer c.Close()
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		io.WriteString(cmd, m)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// Messages lists the subjects and flags of the messages of folder
// (messages marked \Deleted included), in UID order, over a connection of
// its own.
func (g Target) Messages(t testing.TB, folder string) (subjects []string, flags [][]imap.Flag) {
	t.Helper()
	c := g.login(t)
	defer c.Close()
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, &imap.FetchOptions{Envelope: true, Flags: true, UID: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(list, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	for _, m := range list {
		subjects = append(subjects, m.Envelope.Subject)
		flags = append(flags, m.Flags)
	}
	return subjects, flags
}

// Mailboxes lists the names of the target's mailboxes (LIST "" "*"),
// sorted, over a connection of its own.
func (g Target) Mailboxes(t testing.TB) []string {
	t.Helper()
	c := g.login(t)
	defer c.Close()
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range list {
		out = append(out, d.Mailbox)
	}
	slices.Sort(out)
	return out
}

// Create creates those of folders that the target does not have.
func (g Target) Create(t testing.TB, folders ...string) {
	t.Helper()
	have := g.Mailboxes(t)
	c := g.login(t)
	defer c.Close()
	for _, f := range folders {
		if slices.Contains(have, f) {
			continue
		}
		if err := c.Create(f, nil).Wait(); err != nil {
			t.Fatalf("CREATE %s: %v", f, err)
		}
	}
}
