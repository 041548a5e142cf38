package app

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
	"facteur/mua/account"
)

// The composer writes in a proportional font unless the user chose the
// fixed-width one, by mouse or keyboard; the choice is a preference, so
// it is kept for the next composers and across restarts.
func TestComposerFontChoiceIsKept(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	if cm.body.TextStyle.Monospace || cm.mono.Checked {
		t.Fatal("the body is fixed-width by default")
	}
	test.Tap(cm.mono) // the mouse
	if !cm.body.TextStyle.Monospace || !h.c.settings.Bool(prefMonoBody, false) {
		t.Fatal("ticking the box did not choose the fixed-width font, or did not keep it")
	}
	if again, err := openSettings(h.c.opts.Profile, nil); err != nil || !again.Bool(prefMonoBody, false) {
		t.Fatalf("the choice is not in the profile's settings for the next start (%v)", err)
	}
	second := h.newComposer()
	if !second.body.TextStyle.Monospace || !second.mono.Checked {
		t.Error("the next composer does not open in the font chosen")
	}
	test.Type(second.mono, " ") // the keyboard: Space on the focused box
	if cm.body.TextStyle.Monospace || second.body.TextStyle.Monospace || h.c.settings.Bool(prefMonoBody, true) {
		t.Error("Space did not go back to the proportional font in every composer")
	}
}

// clubAccount can send, with a second identity that has its own
// signature.
func clubAccount() account.Account {
	return account.Account{
		Name: "Club", Protocol: account.IMAP,
		Identity: account.Identity{Name: "Marc", Address: "marc@club.example", Signature: "Marc"},
		Identities: []account.Identity{
			{Name: "Le président", Address: "president@club.example", Signature: "Le président\nClub"},
		},
		Incoming: account.Server{Host: "127.0.0.1", Port: 1},
		Outgoing: account.Server{Host: "127.0.0.1", Port: 1},
	}
}

// A reply comes from the identity the original was addressed to, with its
// signature; choosing another identity swaps the signature, unless the
// user edited it.
func TestReplyPicksTheIdentityAndSwapsTheSignature(t *testing.T) {
	h := newHarness(t)
	h.addAccount(clubAccount(), "secret")
	ctx := context.Background()
	ref := mailstore.FolderRef{Account: "Club", Name: "INBOX"}
	if err := h.store.CreateFolder(ctx, ref, mailstore.RoleInbox); err != nil {
		t.Fatal(err)
	}
	raw := "From: Fred <fred@truc.fr>\r\nTo: Bureau <President@club.example>\r\nSubject: AG\r\n" +
		"Date: Mon, 2 Mar 2026 09:00:00 +0100\r\nMessage-ID: <ag@truc.fr>\r\n\r\n" +
		strings.Repeat("Assemblée générale ", 8) + "\r\n"
	sum, err := h.store.Add(ctx, ref, strings.NewReader(raw), mailstore.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.c.compose.saveWait = time.Hour
	h.c.composeFrom(sum, composeReply, 0)
	h.settle()
	cm := h.c.compose.open[len(h.c.compose.open)-1]
	if got := cm.from.Selected; got != "Club — Le président <president@club.example>" {
		t.Fatalf("From = %q (options %q)", got, cm.from.Options)
	}
	body := cm.body.Text
	if !strings.Contains(body, "wrote:\n\n> Assemblée") || !strings.HasSuffix(body, "\n-- \nLe président\nClub\n") {
		t.Fatalf("reply body %q", body)
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, ">") && len([]rune(line)) > 72 {
			t.Errorf("quoted line of %d columns: %q", len([]rune(line)), line)
		}
	}

	cm.from.SetSelected("Club — marc@club.example") // as a click in the list does
	if !strings.HasSuffix(cm.body.Text, "\n-- \nMarc\n") || strings.Contains(cm.body.Text, "président\nClub") {
		t.Fatalf("signature not swapped: %q", cm.body.Text)
	}
	edited := cm.body.Text + "PS: à lundi\n"
	cm.body.SetText(edited)
	cm.from.SetSelected("Club — Le président <president@club.example>")
	if cm.body.Text != edited {
		t.Errorf("an edited signature was replaced: %q", cm.body.Text)
	}
	if got := cm.current().From.Address; got != "president@club.example" {
		t.Errorf("the draft is from %q", got)
	}
}

// The Accounts window edits the other identities of an account: added by
// the button, saved in the account's settings, removed by their button.
func TestAccountsWindowEditsIdentities(t *testing.T) {
	h := newHarness(t)
	a := clubAccount()
	a.Identities = nil
	h.addAccount(a, "secret")
	aw := h.c.showAccounts()
	h.waitFor("the account list", func() bool { return len(aw.accounts) == 1 && aw.sel == 0 })
	aw.tabs.SelectIndex(1)
	if len(aw.form.others.rows) != 0 {
		t.Fatalf("%d identity rows for an account without", len(aw.form.others.rows))
	}
	test.Tap(aw.form.others.add)
	r := aw.form.others.rows[0]
	test.Type(r.name, "Le président")
	test.Type(r.address, "president@club.example")
	test.Type(r.signature, "Le président")
	aw.save()
	h.settle()
	got, err := h.accountBook().Get("Club")
	if err != nil || len(got.Identities) != 1 || !reflect.DeepEqual(got.Identities[0], account.Identity{Name: "Le président", Address: "president@club.example", Signature: "Le président"}) {
		t.Fatalf("saved %+v, %v", got.Identities, err)
	}
	aw.form.others.rows[0].address.SetText("president") // not an address: refused
	aw.save()
	h.settle()
	if got, _ := h.accountBook().Get("Club"); got.Identities[0].Address != "president@club.example" {
		t.Errorf("a bad address was saved: %+v", got.Identities)
	}
	test.Tap(aw.form.others.rows[0].remove)
	aw.save()
	h.settle()
	if got, _ := h.accountBook().Get("Club"); len(got.Identities) != 0 {
		t.Errorf("the removed identity stays: %+v", got.Identities)
	}
}

// The search looks everywhere, or in the folder shown; the scope holds
// while the query changes, and the count says how many match.
func TestSearchScope(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sent := mailstore.FolderRef{Account: "Local", Name: "Sent"}
	for _, ref := range []mailstore.FolderRef{inboxRef, inboxRef, sent} {
		raw := "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: zorglub\r\n\r\nzorglub\r\n"
		if _, err := h.store.Add(ctx, ref, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if h.c.search.scopeSel.Visible() || !h.c.ui.sortSelect.Visible() {
		t.Fatal("a search scope outside a search, or no sort")
	}
	test.Type(h.c.ui.searchEntry, "zorglub")
	h.settle()
	if n := h.c.rows.length(); n != 3 || h.c.ui.resultCount.Text != "3 results" {
		t.Fatalf("everywhere: %d rows, count %q", n, h.c.ui.resultCount.Text)
	}
	if !h.c.search.scopeSel.Visible() || h.c.ui.sortSelect.Visible() {
		t.Fatal("the scope does not take the sort's place while searching")
	}
	h.w.Canvas().Focus(h.c.search.scopeSel) // the keyboard: Right picks the next choice
	h.c.search.scopeSel.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	h.settle()
	if n := h.c.rows.length(); n != 2 || h.c.ui.resultCount.Text != "2 results" {
		t.Fatalf("this folder: %d rows, count %q", n, h.c.ui.resultCount.Text)
	}
	test.Type(h.c.ui.searchEntry, " marc")
	h.settle()
	if n := h.c.rows.length(); n != 2 || h.c.search.scope != scopeFolder {
		t.Errorf("the scope was lost as the query changed: %d rows", n)
	}
	h.c.search.scopeSel.SetSelected("Everywhere") // as a click in its list does
	h.settle()
	if n := h.c.rows.length(); n != 3 {
		t.Errorf("everywhere again: %d rows", n)
	}
	h.c.search.scopeSel.SetSelected("This folder")
	h.c.escapeSearch()
	h.settle()
	if h.c.search.scope != scopeEverywhere || h.c.search.scopeSel.Selected != "Everywhere" || h.c.search.scopeSel.Visible() {
		t.Errorf("a closed search keeps its scope %v", h.c.search.scopeSel.Selected)
	}
}
