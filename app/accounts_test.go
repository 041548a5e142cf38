package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"facteur/internal/profile"
	"facteur/localmta/mda"
	"facteur/localmta/pop3d/pop3test"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/account/accounttest"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/watch"
)

// pop3Remote is Facteur's own POP3 server with marc/secret on 127.0.0.1:0,
// over its own store: the "remote" mailbox of an account.
func pop3Remote(t *testing.T) (account.Account, *mailstore.Store) {
	t.Helper()
	srv := pop3test.Start(t, pop3test.Options{})
	return account.Account{
		Name: "Truc", Protocol: account.POP3,
		Identity: account.Identity{Name: "Marc", Address: "marc@truc.test"},
		Incoming: accounttest.Plain(t, srv.Addr, pop3test.User),
	}, srv.Store
}

func deliverTo(t *testing.T, st *mailstore.Store, subject string, date time.Time) {
	t.Helper()
	raw := fmt.Sprintf("From: Fred Truc <fred@truc.test>\r\nTo: marc@truc.test\r\nDate: %s\r\nSubject: %s\r\n\r\nbody\r\n",
		date.Format(time.RFC1123Z), subject)
	if _, err := st.Add(context.Background(), mda.LocalInbox, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
		t.Fatal(err)
	}
}

// addAccount saves a in the harness's profile with its password.
func (h *harness) addAccount(a account.Account, pw string) {
	h.t.Helper()
	p, err := profile.Open(h.c.opts.Profile)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
		h.t.Fatal(err)
	}
	if err := account.OpenCredentials(p.Dir, account.BackendFile).Set(account.PasswordKey(a.Name, false), pw); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) accountBook() *account.Book {
	h.t.Helper()
	p, err := profile.Open(h.c.opts.Profile)
	if err != nil {
		h.t.Fatal(err)
	}
	return account.OpenBook(p.ConfigFile())
}

func TestAccountsWindowStatusSettingsTranscript(t *testing.T) {
	h := newHarness(t)
	a, remote := pop3Remote(t)
	deliverTo(t, remote, "from the server", time.Now())
	h.addAccount(a, "secret")
	h.c.checkMail() // reads the accounts again; the watcher starts Truc
	h.waitFor("the check", func() bool { return h.c.check.cancel == nil })
	if !strings.Contains(h.c.check.status.Text, "Truc: ") { // 1 new, or 0 when the background check was first
		t.Errorf("check status %q", h.c.check.status.Text)
	}
	if n, _, _ := h.store.Count(context.Background(), mailstore.FolderRef{Account: "Truc", Name: "INBOX"}); n != 1 {
		t.Fatalf("%d messages collected, want 1", n)
	}

	aw := h.c.showAccounts()
	h.waitFor("the account list", func() bool { return len(aw.accounts) == 1 && aw.sel == 0 })
	if !aw.tabs.Visible() || aw.empty.Visible() {
		t.Error("the tabs are not shown for the selected account")
	}
	if got := aw.state.Text; !strings.Contains(got, "up to date") {
		t.Errorf("state %q", got)
	}
	if got := aw.server.Text; !strings.Contains(got, "POP3 127.0.0.1:") {
		t.Errorf("server %q", got)
	}
	if got := aw.last.Text; !strings.Contains(got, " new") {
		t.Errorf("last check %q", got)
	}

	aw.tabs.SelectIndex(2)
	text := aw.transcript.Text()
	if !strings.Contains(text, "C: AUTH PLAIN ****") || !strings.Contains(text, "C: RETR 1") || strings.Contains(text, "secret") {
		t.Errorf("transcript (the login masked, RETR shown):\n%s", text)
	}

	aw.tabs.SelectIndex(1)
	test.Type(aw.form.signature, "Marc, de Truc")
	aw.form.inPort.SetText("99999")
	aw.save()
	h.settle()
	if got, _ := h.accountBook().Get("Truc"); got.Identity.Signature != "" {
		t.Errorf("a bad port was saved: %+v", got)
	}
	aw.form.inPort.SetText(fmt.Sprint(a.Incoming.Port))
	aw.form.leave.SetChecked(false)
	aw.save()
	h.settle()
	got, err := h.accountBook().Get("Truc")
	if err != nil || got.Identity.Signature != "Marc, de Truc" || !got.Options.DeleteAfterDownload || got.Incoming.Port != a.Incoming.Port {
		t.Errorf("saved %+v, %v", got, err)
	}

	aw.removeAccount(got)
	h.waitFor("the removal", func() bool { return len(aw.accounts) == 0 && aw.empty.Visible() })
	if _, err := h.accountBook().Get("Truc"); err == nil {
		t.Error("the account is still in the book")
	}
	h.waitFor("the watcher to drop it", func() bool { return len(h.c.accts.watcher.Status()) == 0 })
}

func TestBackgroundFailureShowsUnderTheFolders(t *testing.T) {
	h := newHarness(t)
	a, _ := pop3Remote(t)
	h.addAccount(a, "wrong")
	h.c.reloadAccounts()
	h.waitFor("the failure", func() bool { return h.c.accts.status["Truc"].State == watch.Failed })
	st := h.c.check.status
	if !st.Visible() || !strings.Contains(st.Text, "Truc") || !strings.Contains(st.Text, "tries again") {
		t.Errorf("status under the folders: %q", st.Text)
	}
}

func TestNewMailNotification(t *testing.T) {
	h := newHarness(t)
	if err := h.store.CreateFolder(context.Background(), mda.LocalInbox, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	deliverTo(t, h.store, "Réunion demain", time.Now())
	h.waitFor("the notification", func() bool { return h.c.accts.lastNote != nil })
	n := h.c.accts.lastNote
	if n.Title != "New mail" || n.Content != "Fred Truc — Réunion demain" {
		t.Errorf("notification %q / %q", n.Title, n.Content)
	}

	h.c.accts.lastNote = nil
	h.c.settings.SetBool(prefNotify, false)
	deliverTo(t, h.store, "Encore", time.Now())
	h.waitFor("the notification turned off", func() bool { return h.c.accts.muted == 1 })
	if h.c.accts.lastNote != nil {
		t.Errorf("a notification although they are off: %+v", h.c.accts.lastNote)
	}
}

func TestAccountsWindowPinsARefusedCertificate(t *testing.T) {
	h := newHarness(t)
	port, fp := selfSignedServer(t)
	a := account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: account.Server{Host: "127.0.0.1", Port: port, Security: account.SecurityTLS}}
	h.addAccount(a, "secret")
	aw := h.c.showAccounts()
	h.c.reloadAccounts()
	h.waitFor("the refused certificate", func() bool { return aw.trustBtn.Visible() })
	if !strings.Contains(aw.finger.Text, fp) || !strings.Contains(aw.lastErr.Text, "not trusted") {
		t.Fatalf("fingerprint %q, error %q", aw.finger.Text, aw.lastErr.Text)
	}
	test.Tap(aw.trustBtn)
	h.waitFor("the account saved with its pin", func() bool {
		got, err := h.accountBook().Get("Machin")
		return err == nil && got.Incoming.Fingerprint == fp
	})
	h.waitFor("a check with the pinned certificate", func() bool {
		st := h.c.accts.status["Machin"]
		return st.State == watch.Failed && !strings.Contains(checkErrorText(st.LastError), "not trusted")
	})
	if aw.trustBtn.Visible() {
		t.Error("the Trust button stays after the pin")
	}
}

func TestFailingAccountNodeShowsTheErrorIcon(t *testing.T) {
	h := newHarness(t)
	row := newFolderRow()
	h.c.updateTreeNode(accountUID("Truc"), true, row)
	ok := row.icon.Resource.Name()
	h.c.accts.status["Truc"] = watch.Status{Account: "Truc", State: watch.Failed}
	h.c.updateTreeNode(accountUID("Truc"), true, row)
	if failing := row.icon.Resource.Name(); failing == ok || !strings.Contains(failing, "error") {
		t.Errorf("icon of a failing account %q, of a working one %q", failing, ok)
	}
}

// TestPOP3DeleteOnServerWhenDeletedInTheWindow: "Delete from the server
// what I delete in Facteur", set in the Accounts window, keeps the POP3
// mail on the server (Facteur's own POP3 server) until the Delete key puts
// a message in the Trash: the next check removes that one from the server.
func TestPOP3DeleteOnServerWhenDeletedInTheWindow(t *testing.T) {
	h := newHarness(t)
	a, remote := pop3Remote(t)
	deliverTo(t, remote, "Gardé", time.Now())
	deliverTo(t, remote, "Jeté", time.Now())
	h.addAccount(a, "secret")
	aw := h.c.showAccounts()
	h.waitFor("the account list", func() bool { return len(aw.accounts) == 1 && aw.sel == 0 })
	aw.form.untilDeleted.SetChecked(true)
	aw.save()
	h.settle()
	if got, err := h.accountBook().Get("Truc"); err != nil || !got.Options.DeleteWhenDeleted || got.Options.DeleteAfterDownload {
		t.Fatalf("saved %+v, %v", got.Options, err)
	}
	onServer := func() int {
		n, _, err := remote.Count(context.Background(), mda.LocalInbox)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	inbox := mailstore.FolderRef{Account: "Truc", Name: "INBOX"}
	h.c.checkMail()
	h.waitFor("the check", func() bool { return h.c.check.cancel == nil && len(h.localSubjects(inbox)) == 2 })
	if n := onServer(); n != 2 {
		t.Fatalf("%d on the server after the first check, want 2 (kept)", n)
	}
	h.c.loadFolders(false)
	h.settle()
	h.c.openFolder(inbox)
	h.settle()
	h.open("Jeté")
	h.c.deleteSelected()
	h.settle()
	h.c.checkMail()
	h.waitFor("the second check", func() bool { return h.c.check.cancel == nil })
	h.waitFor("Jeté gone from the server", func() bool { return onServer() == 1 })
}

// A keyword that the IMAP server does not keep, given while the window
// runs (here through the window's mailer, as `facteur flag` or a move
// from another account would), is told under the folders and in the
// Accounts window: it stays on this computer only.
func TestRefusedKeywordShowsUnderTheFolders(t *testing.T) {
	h := newHarness(t)
	srv := imaptest.StartNoKeywords(t, imaptest.NewUser(t))
	imaptest.Append(t, srv.Addr, "INBOX", "From: Fred <fred@truc.test>\r\nTo: marc@machin.test\r\nMessage-ID: <1@truc.test>\r\nSubject: étiquette\r\n\r\ncorps\r\n")
	h.addAccount(account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: srv.Incoming()}, "secret")
	h.c.reloadAccounts()
	inbox := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	h.waitFor("the sync", func() bool {
		n, _, _ := h.store.Count(context.Background(), inbox)
		return n == 1 && h.c.accts.status["Machin"].State == watch.Waiting
	})
	list, err := h.store.List(context.Background(), inbox, mailstore.ListOptions{Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("INBOX %v, %v", list, err)
	}
	m, err := h.c.mailer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetKeywords(context.Background(), []int64{list[0].ID}, []string{"Work"}, nil); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the refusal under the folders", func() bool {
		return strings.Contains(h.c.check.status.Text, "Work (in INBOX)")
	})
	if st := h.c.check.status; !st.Visible() || !strings.Contains(st.Text, "Machin") || !strings.Contains(st.Text, "this computer only") {
		t.Errorf("status under the folders: %q", st.Text)
	}
	h.settle()
	if st := h.c.check.status; st.Position().Y == 0 || st.Size().Height < st.MinSize().Height {
		t.Errorf("the status is at %v, %v (min %v): not laid out under the toolbar", st.Position(), st.Size(), st.MinSize())
	}
	writeTestPNG(t, filepath.Join(shotsDir(t), "refused-keywords.png"), h.c.win.Canvas().Capture())
	aw := h.c.showAccounts()
	h.settle()
	if !strings.Contains(aw.lastErr.Text, "Work (in INBOX)") {
		t.Errorf("Accounts window: %q, want the refused keyword", aw.lastErr.Text)
	}
	writeTestPNG(t, filepath.Join(shotsDir(t), "refused-keywords-accounts.png"), aw.win.Canvas().Capture())
}

// A move from the window into an IMAP account that has a letter for 26
// keywords already is done: the keyword left out is told under the
// folders, without an error dialog, and the message is in its new folder.
func TestMoveIntoAFullAccountWarnsUnderTheFolders(t *testing.T) {
	h := newHarness(t)
	srv := imaptest.Start(t, imaptest.NewUser(t, "Archive"))
	h.addAccount(account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: srv.Incoming()}, "secret")
	h.c.reloadAccounts()
	archive := mailstore.FolderRef{Account: "Machin", Name: "Archive"}
	h.waitFor("the sync", func() bool {
		_, _, err := h.store.Count(context.Background(), archive)
		return err == nil && h.c.accts.status["Machin"].State == watch.Waiting
	})
	ctx := context.Background()
	if err := h.store.CreateFolder(ctx, mda.LocalInbox, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	sum, err := h.store.Add(ctx, mda.LocalInbox, strings.NewReader("From: a@b.test\r\nSubject: pleine\r\nMessage-ID: <pleine@b.test>\r\n\r\ncorps\r\n"), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := h.c.mailer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetKeywords(ctx, []int64{sum.ID}, []string{"Work", "$Label1"}, nil); err != nil {
		t.Fatal(err)
	}
	storetest.FullKeywords(t, h.store, "Machin", "Work")
	h.c.moveMsgs([]mailstore.Summary{sum}, archive)
	h.waitFor("the warning under the folders", func() bool { return strings.Contains(h.c.check.status.Text, "$Label1") })
	if h.dialogs() != 0 {
		t.Errorf("an error dialog for a move that was done: %q", h.overlayText())
	}
	if got, err := h.store.Get(ctx, sum.ID); err != nil || got.Folder != archive {
		t.Errorf("message in %v (%v), want %v", got.Folder, err, archive)
	}
}

// An account whose first check fails has no folder yet: it shows in the
// tree all the same, marked as failing (the user can see it and open its
// settings), and goes when it is removed.
func TestAccountWithoutFoldersShowsInTheTree(t *testing.T) {
	h := newHarness(t)
	a := account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"},
		Incoming: account.Server{Host: "127.0.0.1", Port: closedPort(t), Security: account.SecurityNone}}
	h.addAccount(a, "secret")
	h.c.reloadAccounts()
	h.waitFor("the failure", func() bool { return h.c.accts.status["Machin"].State == watch.Failed })
	if !slices.Contains(h.c.treeChildren(""), accountUID("Machin")) {
		t.Fatalf("tree %q: the failing account without folders is not there", h.c.treeChildren(""))
	}
	if n := len(h.c.treeChildren(accountUID("Machin"))); n != 0 {
		t.Errorf("the account has %d folders in the tree, want none", n)
	}
	aw := h.c.showAccounts()
	h.settle()
	aw.removeAccount(a)
	h.waitFor("the account gone from the tree", func() bool {
		return !slices.Contains(h.c.treeChildren(""), accountUID("Machin"))
	})
}
