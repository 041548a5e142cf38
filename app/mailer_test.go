package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/emersion/go-imap/v2"

	"facteur/internal/profile"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/mailer"
)

func mailerMsg(subject string) string {
	id := strings.ToLower(subject)
	return "From: Fred <fred@truc.test>\r\nTo: marc@machin.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + id + "@truc.test>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nBody of " + subject + ".\r\n"
}

// imapServerEnv names the variable that points the tests of the window
// against an IMAP server at a real one instead of imaptest's memory
// server, as "HOST:PORT USER PASSWORD [CERTFILE]" (imaptest.FromEnv):
// interop/window.sh sets it to a Dovecot user's empty mailbox.
const imapServerEnv = "FACTEUR_IMAP_TEST_SERVER"

// imapServer is the IMAP server of a test, with INBOX and folders, all
// empty: the real one of imapServerEnv when set (the folders it lacks
// created; a folder that holds mail fails the test), else imaptest's
// memory server, started for the test.
func imapServer(t *testing.T, folders ...string) imaptest.Target {
	t.Helper()
	srv, ok := imaptest.FromEnv(t, imapServerEnv)
	if !ok {
		return imaptest.Start(t, imaptest.NewUser(t, folders...)).Target()
	}
	t.Logf("IMAP server %s (%s), user %s", srv.Addr, imapServerEnv, srv.User)
	srv.Create(t, folders...)
	for _, f := range append([]string{"INBOX"}, folders...) {
		if subjects, _ := srv.Messages(t, f); len(subjects) > 0 {
			t.Fatalf("%s of %s holds %d messages; the test wants it empty", f, srv.Addr, len(subjects))
		}
	}
	return srv
}

// serverHas reports whether the server's folder holds subject with every
// flag of want.
func serverHas(t *testing.T, srv imaptest.Target, folder, subject string, want ...imap.Flag) bool {
	subjects, flags := srv.Messages(t, folder)
	i := slices.Index(subjects, subject)
	if i < 0 {
		return false
	}
	for _, f := range want {
		if !slices.Contains(flags[i], f) {
			return false
		}
	}
	return true
}

// What the user does in the window with an IMAP account's messages reaches
// the server: read, flag, delete to the Trash, move; a message sent from
// the composer has its copy in the server's Sent; the removed account
// leaves no secret behind. The server is imaptest's memory server, or the
// real one of imapServerEnv (interop/window.sh: Dovecot).
func TestWindowActionsReachTheIMAPServer(t *testing.T) {
	h, srv, a := imapInbox(t, "One", "Two", "Three")
	reached := func(what string, cond func() bool) { t.Helper(); h.waitFor(what, cond); t.Log(what) }

	h.open("One") // marks it read
	h.c.toggleFlag()
	reached("One read and flagged on the server", func() bool {
		return serverHas(t, srv, "INBOX", "One", imap.FlagSeen, imap.FlagFlagged)
	})
	h.open("Two")
	h.c.deleteSelected()
	reached("Two in the server's Trash", func() bool {
		return serverHas(t, srv, "Trash", "Two") && !serverHas(t, srv, "INBOX", "Two")
	})
	h.open("Three")
	h.c.toggleRead() // unread again
	h.c.moveSelected(mailstore.FolderRef{Account: "Machin", Name: "Archive"})
	reached("Three in the server's Archive", func() bool {
		return serverHas(t, srv, "Archive", "Three") && !serverHas(t, srv, "INBOX", "Three")
	})
	if serverHas(t, srv, "Archive", "Three", imap.FlagSeen) {
		t.Error("Three is read on the server after Mark unread")
	}

	h.open("One")
	h.c.composeFromSelected(composeReply) // from the account that holds One
	h.waitFor("the reply's composer", func() bool { return len(h.c.compose.open) == 1 })
	cm := h.c.compose.open[0]
	if a := cm.sender().account; a == nil || a.Name != "Machin" {
		t.Fatalf("the reply goes from %q, want the account Machin", cm.from.Selected)
	}
	cm.fields[0].entry.SetText("fred@truc.test")
	cm.subject.SetText("Envoyé")
	test.Tap(cm.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" })
	reached("the sent message's copy in the server's Sent", func() bool { return serverHas(t, srv, "Sent", "Envoyé", imap.FlagSeen) })
	reached("One answered on the server", func() bool {
		return serverHas(t, srv, "INBOX", "One", imap.FlagSeen, imap.FlagFlagged, imap.FlagAnswered)
	})

	p, _ := profile.Open(h.c.opts.Profile)
	creds := account.OpenCredentials(p.Dir, account.BackendFile)
	for _, key := range account.SecretKeys(a.Name) {
		if err := creds.Set(key, "x"); err != nil {
			t.Fatal(err)
		}
	}
	aw := h.c.showAccounts()
	h.waitFor("the account list", func() bool { return len(aw.accounts) == 1 })
	aw.removeAccount(a)
	h.waitFor("the removal", func() bool { return len(aw.accounts) == 0 })
	for _, key := range account.SecretKeys(a.Name) {
		if v, err := creds.Get(key); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("secret %s left: %q, %v", key, v, err)
		}
	}
	t.Logf("account removed in the Accounts window: none of its secrets %v left", account.SecretKeys(a.Name))
}

// The GUI process opens one mailer (cmd_gui.go) for the window and for its
// MTA's outbox, and gives it to the window (Options.Mailer): the window's
// watcher and secrets are that mailer's, so the Sent copy that the MTA
// files after delivering a queued message of an IMAP account reaches the
// server through the window's watcher (its push shows in the account's
// status), not over a connection of a second mailer's own.
func TestWindowRunsOnTheCallersMailer(t *testing.T) {
	var m *mailer.Mailer
	h := newHarnessOpts(t, nil, func(o *Options, s *mailstore.Store) {
		var err error
		m, err = mailer.Open(context.Background(), mailer.Options{Profile: o.Profile, Store: s, Backend: account.BackendFile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // after the window's own cleanup: the caller closes it
			if err := m.Close(); err != nil {
				t.Errorf("the caller's mailer: %v", err)
			}
		})
		o.Mailer = m
	})
	srv := imaptest.Start(t, imaptest.NewUser(t, "Sent"))
	a := h.addIMAPAccount(srv.Addr, acceptSMTP(t))
	h.c.reloadAccounts()
	h.waitFor("the first check", func() bool { return !h.c.accts.status[a.Name].LastCheck.IsZero() })
	if h.c.accts.mailer != m || m.Watcher() != h.c.accts.watcher {
		t.Fatal("the window opened a mailer of its own beside the one it was given")
	}

	// what the MTA's outbox does once it delivered a queued message
	if err := m.Outbox().Sent.SaveSent(context.Background(), a, []byte(mailerMsg("Queued"))); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the copy in the server's Sent", func() bool { return serverHas(t, srv.Target(), "Sent", "Queued") })
	h.waitFor("the push by the window's watcher", func() bool { return !h.c.accts.status[a.Name].LastPush.IsZero() })
}

// A window whose background checks cannot start (its settings file is
// broken when it opens: the mailer's Watch fails) still acts through the
// mailer: opening an IMAP account's message, which marks it read, fails
// and says so, rather than change the store alone, a change that no
// journal keeps for the server and that the next sync would undo.
func TestActionsGoThroughTheMailerWhenChecksCannotStart(t *testing.T) {
	srv := imapServer(t, "Archive", "Trash", "Sent")
	srv.Append(t, "INBOX", mailerMsg("One"))
	h := newHarnessOpts(t, nil, func(o *Options, s *mailstore.Store) {
		p, err := profile.Open(o.Profile)
		if err != nil {
			t.Fatal(err)
		}
		a := account.Account{Name: "Machin", Protocol: account.IMAP,
			Identity: account.Identity{Address: "marc@machin.com"}, Incoming: srv.Incoming()}
		if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
			t.Fatal(err)
		}
		if err := account.OpenCredentials(p.Dir, account.BackendFile).Set(account.PasswordKey(a.Name, false), srv.Password); err != nil {
			t.Fatal(err)
		}
		m, err := mailer.Open(context.Background(), mailer.Options{Profile: p.Dir, Store: s, Backend: account.BackendFile})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Sync(context.Background(), a, mailer.SyncOptions{})
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.ConfigFile(), []byte("accounts = [ broken"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(inbox)
	h.settle()
	s := h.open("One") // marks it read
	h.settle()
	if h.storeFlags(s.ID)&mailstore.FlagSeen != 0 && !serverHas(t, srv, "INBOX", "One", imap.FlagSeen) {
		t.Fatal("One is read in the store alone: the window changed an IMAP account's message without its mailer")
	}
	if h.dialogs() == 0 {
		t.Error("the failed mark was not told")
	}
	t.Logf("told: %q", h.overlayText())
}

// A window whose mailer cannot open (here the profile's IMAP sync state
// cannot be created: its directory is a file) says so when it opens, and
// each action then fails with that reason and changes nothing: marking a
// message read, deleting it, saving a draft and sending. No action falls
// back to the store alone, past the journal an IMAP account's server
// needs.
func TestWithoutAMailerTheWindowSaysSoAndChangesNothing(t *testing.T) {
	h := newHarnessOpts(t, nil, func(o *Options, s *mailstore.Store) {
		if err := os.WriteFile(filepath.Join(o.Profile, "imap"), []byte("not a directory"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	var me *MailerError
	if m, err := h.c.mailer(); m != nil || !errors.As(err, &me) || !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("mailer %v, error %v: want none, and why", m, err)
	}
	notOpen := "mail service of this window is not open"
	if h.dialogs() != 1 || !strings.Contains(h.overlayText(), notOpen) {
		t.Fatalf("%d dialogs when the window opened: %q", h.dialogs(), h.overlayText())
	}
	if !strings.Contains(h.c.check.status.Text, notOpen) {
		t.Errorf("the status under the folders says %q", h.c.check.status.Text)
	}
	h.closeOverlays()

	s := h.open(unreadSubject) // marks it read
	h.settle()
	if got := h.storeFlags(s.ID); got&mailstore.FlagSeen != 0 {
		t.Error("the message was marked read in the store without the mailer")
	}
	if !strings.Contains(h.overlayText(), notOpen) {
		t.Errorf("marking read: the dialog says %q", h.overlayText())
	}
	h.closeOverlays()

	h.c.deleteSelected()
	h.settle()
	if got, err := h.store.Get(context.Background(), s.ID); err != nil || got.Folder != inboxRef {
		t.Errorf("deleted without the mailer: %+v, %v", got, err)
	}
	if !strings.Contains(h.overlayText(), notOpen) {
		t.Errorf("deleting: the dialog says %q", h.overlayText())
	}
	h.closeOverlays()

	drafts := len(h.localSubjects(mailer.LocalDrafts))
	cm := h.newComposer()
	test.Type(cm.fields[0].entry, "fred@truc.fr")
	test.Type(cm.subject, "Sans service")
	h.settle()
	cm.saveDraft()
	h.settle()
	if got := len(h.localSubjects(mailer.LocalDrafts)); got != drafts || !strings.Contains(cm.status.Text, notOpen) {
		t.Errorf("draft without the mailer: %d drafts (want %d), status %q", got, drafts, cm.status.Text)
	}
	cm.route.accepted = cm.routeKey()
	cm.send(false)
	h.settle()
	if cm.sending || !strings.Contains(cm.status.Text, notOpen) {
		t.Errorf("send without the mailer: sending %v, status %q", cm.sending, cm.status.Text)
	}
}
