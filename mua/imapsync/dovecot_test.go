package imapsync

import (
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/internal/eol"
	"facteur/mailstore"
	"facteur/mua/account"
)

// The tests below run against a real server when FACTEUR_DOVECOT is
// "HOST:PORT USER PASSWORD CAFILE" (IMAP with STARTTLS, the certificate
// verified against CAFILE), as interop/dovecot.sh sets it; they are skipped
// otherwise. They only read the server's INBOX.

type dovecot struct {
	acct account.Account
	pass string
	d    *account.Dialer
}

func dovecotFromEnv(t *testing.T) *dovecot { return serverFromEnv(t, "FACTEUR_DOVECOT") }

// serverFromEnv is the real server of the variable env ("HOST:PORT USER
// PASSWORD CAFILE"); the test is skipped without it.
func serverFromEnv(t *testing.T, env string) *dovecot {
	f := strings.Fields(os.Getenv(env))
	if len(f) != 4 {
		t.Skip(env + " not set (HOST:PORT USER PASSWORD CAFILE)")
	}
	host, port, err := net.SplitHostPort(f[0])
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	pem, err := os.ReadFile(f[3])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	return &dovecot{
		acct: account.Account{Name: "dove", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.com"},
			Incoming: account.Server{Host: host, Port: p, Security: account.SecurityStartTLS, User: f[1]}},
		pass: f[2],
		d:    &account.Dialer{RootCAs: roots},
	}
}

func (d *dovecot) account() account.Account { return d.acct }
func (d *dovecot) dialer() *account.Dialer  { return d.d }

// raw downloads INBOX's messages by UID with a connection of its own.
func (d *dovecot) raw(t *testing.T) map[uint32][]byte {
	t.Helper()
	c, err := dial(context.Background(), d.acct, d.pass, d.d, &imapclient.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, bodyOptions).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32][]byte{}
	for _, m := range list {
		out[uint32(m.UID)] = m.FindBodySection(bodySection)
	}
	return out
}

// TestDovecotHeadersThenBody: a sync of headers stores every message of
// INBOX partial, with the server's size; FetchBody of some of them gives
// the server's bytes exactly.
func TestDovecotHeadersThenBody(t *testing.T) {
	d := dovecotFromEnv(t)
	f := newFixture(t, d, func(o *Options) { o.BatchSize = 0 })
	f.s.password = d.pass
	st := f.sync(t)
	raw := d.raw(t)
	ctx := context.Background()
	ref := mailstore.FolderRef{Account: "dove", Name: "INBOX"}
	known, err := f.state.uids(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != len(raw) {
		t.Fatalf("%d UIDs mapped, the server has %d (sync %+v)", len(known), len(raw), st)
	}
	opened := 0
	for uid, mp := range known {
		sum, err := f.store.Get(ctx, mp.ID)
		if err != nil || !sum.Partial || sum.Size != int64(len(raw[uid])) {
			t.Fatalf("UID %d: partial %v, size %d, server %d (%v)", uid, sum.Partial, sum.Size, len(raw[uid]), err)
		}
		if uid%97 != 1 {
			continue
		}
		if sum, err = f.s.FetchBody(ctx, mp.ID); err != nil || sum.Partial {
			t.Fatalf("FetchBody of UID %d: %+v, %v", uid, sum, err)
		}
		if b := f.file(t, mp.ID); !bytes.Equal(b, eol.ToLF(raw[uid])) {
			t.Fatalf("UID %d: FetchBody gave %d bytes unlike the server's %d", uid, len(b), len(raw[uid]))
		}
		opened++
	}
	t.Logf("%d messages synced by their headers, %d opened", len(known), opened)
}

// TestDovecotOffline: the sync of an account available offline stores the
// server's bytes exactly.
func TestDovecotOffline(t *testing.T) {
	d := dovecotFromEnv(t)
	f := newFixture(t, d, func(o *Options) { o.BatchSize = 0 })
	f.s.password = d.pass
	f.s.acct.Options.Offline = true
	st := f.sync(t)
	raw := d.raw(t)
	ctx := context.Background()
	known, err := f.state.uids(ctx, mailstore.FolderRef{Account: "dove", Name: "INBOX"})
	if err != nil || len(known) != len(raw) {
		t.Fatalf("%d UIDs mapped (%v), the server has %d", len(known), err, len(raw))
	}
	for uid, mp := range known {
		if b := f.file(t, mp.ID); !bytes.Equal(b, eol.ToLF(raw[uid])) {
			t.Fatalf("UID %d: %d bytes unlike the server's %d", uid, len(b), len(raw[uid]))
		}
	}
	t.Logf("sync %+v", st)
}
