package app

import (
	"context"
	"io"
	"log"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"facteur/internal/profile"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/mailer"
)

// draftServer is an IMAP server on loopback (go-imap's imapmemserver, with
// INBOX and Drafts) that can go down and come back on the same address.
type draftServer struct {
	t    *testing.T
	user *imapmemserver.User
	addr string
	srv  *imaptest.Server
}

func startDraftServer(t *testing.T) *draftServer {
	t.Helper()
	ds := &draftServer{t: t, user: imaptest.NewUser(t, "Drafts"), addr: "127.0.0.1:0"}
	ds.up()
	return ds
}

// up serves on ds.addr (the same port after a down) until a down or the
// end of the test.
func (ds *draftServer) up() {
	ds.t.Helper()
	ln, err := net.Listen("tcp", ds.addr)
	if err != nil {
		ds.t.Fatal(err)
	}
	ds.srv = imaptest.Serve(ds.t, ln, imaptest.Options(imaptest.Sessions(ds.user)))
	ds.addr = ds.srv.Addr
}

// down closes the listener and every connection.
func (ds *draftServer) down() { ds.srv.Close() }

// drafts lists the subjects and flags of the server's Drafts folder.
func (ds *draftServer) drafts() ([]string, [][]imap.Flag) {
	ds.t.Helper()
	return imaptest.Messages(ds.t, ds.addr, "Drafts")
}

// acceptSMTP is a submission server that takes everything.
func acceptSMTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return acceptSession{}, nil }))
	srv.Domain = "smtp.machin.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	t.Cleanup(func() { srv.Close(); wg.Wait() })
	return ln.Addr().String()
}

type acceptSession struct{}

func (acceptSession) Mail(string, *smtp.MailOptions) error { return nil }
func (acceptSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (acceptSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (acceptSession) Reset()                               {}
func (acceptSession) Logout() error                        { return nil }

// addIMAPAccount writes the IMAP account Machin of the harness's profile,
// on imaptest's server at imapAddr, its password in the profile's file.
func (h *harness) addIMAPAccount(imapAddr, smtpAddr string) account.Account {
	h.t.Helper()
	return h.addIMAPAccountOn(imaptest.Memory(imapAddr), smtpAddr)
}

// addIMAPAccountOn writes the IMAP account Machin of the harness's
// profile, on the IMAP server imap (its user, its security) and the
// plaintext SMTP server at smtpAddr, its password in the profile's file.
func (h *harness) addIMAPAccountOn(imap imaptest.Target, smtpAddr string) account.Account {
	h.t.Helper()
	host, port, _ := net.SplitHostPort(smtpAddr)
	n, _ := strconv.Atoi(port)
	a := account.Account{Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Name: "Marc", Address: "marc@machin.com"},
		Incoming: imap.Incoming(),
		Outgoing: account.Server{Host: host, Port: n, Security: account.SecurityNone, User: imap.User}}
	p, err := profile.Open(h.c.opts.Profile)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
		h.t.Fatal(err)
	}
	if err := account.OpenCredentials(p.Dir, account.BackendFile).Set(account.PasswordKey(a.Name, false), imap.Password); err != nil {
		h.t.Fatal(err)
	}
	return a
}

// imapComposer opens a composer from the account Machin.
func (h *harness) imapComposer() *composer {
	h.t.Helper()
	cm := h.newComposer()
	h.c.compose.pushWait = 50 * time.Millisecond
	for _, s := range cm.senders {
		if s.account != nil && s.account.Name == "Machin" {
			cm.from.SetSelected(s.label)
		}
	}
	if a := cm.sender().account; a == nil || a.Name != "Machin" {
		h.t.Fatalf("From %q, want the account Machin among %v", cm.from.Selected, cm.from.Options)
	}
	return cm
}

// localSubjects lists a local folder.
func (h *harness) localSubjects(ref mailstore.FolderRef) []string {
	h.t.Helper()
	list, err := h.store.List(context.Background(), ref, mailstore.ListOptions{Limit: 100})
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range list {
		out = append(out, m.Subject)
	}
	return out
}

var machinDrafts = mailstore.FolderRef{Account: "Machin", Name: "Drafts"}

func TestComposerKeepsIMAPDraftsOnTheServer(t *testing.T) {
	h := newHarness(t)
	ds := startDraftServer(t)
	h.addIMAPAccount(ds.addr, acceptSMTP(t))
	cm := h.imapComposer()
	test.Type(cm.subject, "Brouillon")
	h.waitFor("the draft on the server", func() bool { return cm.draft.id != 0 && cm.draft.pushed })
	got, flags := ds.drafts()
	if !slices.Equal(got, []string{"Brouillon"}) || !slices.Contains(flags[0], imap.FlagDraft) || !slices.Contains(flags[0], imap.FlagSeen) {
		t.Fatalf("server Drafts %q %v", got, flags)
	}
	if l := h.localSubjects(machinDrafts); !slices.Equal(l, []string{"Brouillon"}) {
		t.Fatalf("local Machin/Drafts %q", l)
	}
	if slices.Contains(h.localSubjects(mailer.LocalDrafts), "Brouillon") {
		t.Fatal("the draft of an IMAP account went into Local/Drafts")
	}
	if !strings.Contains(cm.draftNote.Text, "on Machin too") {
		t.Errorf("draft note %q", cm.draftNote.Text)
	}
	first := cm.draft.id
	test.Type(cm.subject, " v2")
	h.waitFor("the second version on the server", func() bool { return cm.draft.id != first && cm.draft.pushed })
	if got, _ := ds.drafts(); !slices.Equal(got, []string{"Brouillon v2"}) {
		t.Fatalf("server Drafts after v2: %q", got)
	}
}

// The server goes down while the user types: the draft stays in the
// account's local Drafts, the composer says so, and once the server is
// back the last version reaches it, in place of the old one.
func TestComposerDraftWaitsForTheServer(t *testing.T) {
	h := newHarness(t)
	ds := startDraftServer(t)
	h.addIMAPAccount(ds.addr, acceptSMTP(t))
	cm := h.imapComposer()
	test.Type(cm.subject, "Hors ligne")
	h.waitFor("the draft on the server", func() bool { return cm.draft.pushed })
	ds.down()
	test.Type(cm.subject, " v2")
	h.waitFor("a failed push", func() bool { return h.c.compose.pushes["Machin"].err != nil && !cm.draft.saving })
	if cm.draft.pushed || !strings.Contains(cm.status.Text, "Machin has not taken the draft yet") {
		t.Fatalf("pushed %v, status %q", cm.draft.pushed, cm.status.Text)
	}
	if !strings.Contains(cm.draftNote.Text, "not yet on Machin") {
		t.Errorf("draft note %q", cm.draftNote.Text)
	}
	if l := h.localSubjects(machinDrafts); !slices.Equal(l, []string{"Hors ligne v2"}) {
		t.Fatalf("local Machin/Drafts while offline %q", l)
	}
	ds.up()
	h.waitFor("the retry", func() bool { return cm.draft.pushed })
	if got, _ := ds.drafts(); !slices.Equal(got, []string{"Hors ligne v2"}) {
		t.Fatalf("server Drafts back online: %q", got)
	}
	if cm.status.Visible() {
		t.Errorf("status still shown: %q", cm.status.Text)
	}
}

// Closing the window saves the last edits and pushes them at once; the
// draft, reopened from the account's Drafts, is continued there; sending
// it removes it from the server.
func TestComposerIMAPDraftClosedReopenedAndSent(t *testing.T) {
	h := newHarness(t)
	ds := startDraftServer(t)
	h.addIMAPAccount(ds.addr, acceptSMTP(t))
	cm := h.imapComposer()
	h.c.compose.saveWait, h.c.compose.pushWait = time.Hour, time.Hour
	cm.fields[0].entry.SetText("fred@truc.fr")
	test.Type(cm.subject, "Fermé")
	cm.win.Close()
	h.waitFor("the draft on the server", func() bool {
		got, _ := ds.drafts()
		return slices.Equal(got, []string{"Fermé"})
	})
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(machinDrafts)
	h.settle()
	h.open("Fermé")
	h.waitFor("the composer", func() bool { return len(h.c.compose.open) == 1 })
	again := h.c.compose.open[0]
	if a := again.sender().account; a == nil || a.Name != "Machin" || again.subject.Text != "Fermé" {
		t.Fatalf("reopened: From %q, subject %q", again.from.Selected, again.subject.Text)
	}
	test.Tap(again.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" })
	h.waitFor("the server's Drafts to empty", func() bool {
		got, _ := ds.drafts()
		return len(got) == 0
	})
	if l := h.localSubjects(machinDrafts); len(l) != 0 {
		t.Fatalf("local Machin/Drafts after sending: %q", l)
	}
}
