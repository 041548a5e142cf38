package mailer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mua/account"
)

// TestDraftsReachTheServer: the composer's autosave through the mailer:
// a draft saved locally waits for PushDrafts, which APPENDs it; its next
// version replaces it on the server too.
func TestDraftsReachTheServer(t *testing.T) {
	f := newFixture(t, []string{"Drafts"})
	ctx := context.Background()
	first, err := f.m.SaveDraft(ctx, f.acct, []byte(testMsg("Version 1")))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.server(t, "Drafts"); len(got) != 0 {
		t.Fatalf("server's Drafts before the push: %q", got)
	}
	if n, err := f.m.PushDrafts(ctx, f.acct.Name); n != 1 || err != nil {
		t.Fatalf("push: %d, %v", n, err)
	}
	if got := f.server(t, "Drafts"); !isDraft(got, "Version 1") {
		t.Fatalf("server's Drafts after the push: %q", got)
	}
	if _, err := f.m.SaveDraft(ctx, f.acct, []byte(testMsg("Version 2"))); err != nil {
		t.Fatal(err)
	}
	ch, err := f.m.DiscardDraft(ctx, first.ID)
	if err != nil || !slices.Equal(ch.Journaled, []string{f.acct.Name}) {
		t.Fatalf("discard: %+v, %v", ch, err)
	}
	if n, err := f.m.PushDrafts(ctx, f.acct.Name); n != 1 || err != nil {
		t.Fatalf("second push: %d, %v", n, err)
	}
	if got := f.server(t, "Drafts"); !isDraft(got, "Version 2") {
		t.Errorf("server's Drafts after the second push: %q", got)
	}
	if n, err := f.m.PushDrafts(ctx, LocalAccount); n != 0 || err != nil {
		t.Errorf("push of the Local account: %d, %v", n, err)
	}
}

// isDraft tells that a server folder (fixture.server) holds one message,
// subject, flagged \Draft and \Seen (in any order).
func isDraft(folder []string, subject string) bool {
	if len(folder) != 1 || !strings.HasPrefix(folder[0], subject+" ") {
		return false
	}
	flags := strings.Fields(strings.TrimPrefix(folder[0], subject))
	slices.Sort(flags)
	return slices.Equal(flags, []string{`\Draft`, `\Seen`})
}

// TestLocalDraftsStayInTheStore: a draft of the Local account (or of a POP3
// account) goes into Local/Drafts, flagged \Draft and \Seen, and
// DiscardDraft removes it from the store with nothing journaled.
func TestLocalDraftsStayInTheStore(t *testing.T) {
	f := newFixture(t, []string{"Drafts"})
	ctx := context.Background()
	sum, err := f.m.SaveLocalDraft(ctx, []byte(testMsg("Local draft")))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.m.Store().Get(ctx, sum.ID)
	if err != nil || got.Folder != LocalDrafts || got.Flags&(mailstore.FlagDraft|mailstore.FlagSeen) != mailstore.FlagDraft|mailstore.FlagSeen {
		t.Fatalf("saved: %+v, %v", got, err)
	}
	ch, err := f.m.DiscardDraft(ctx, sum.ID)
	if err != nil || len(ch.Journaled) != 0 {
		t.Fatalf("discard: %+v, %v", ch, err)
	}
	if _, err := f.m.Store().Get(ctx, sum.ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("the discarded draft is still in the store: %v", err)
	}
}

// TestReplaceDraft: the composer's autosave. A draft of an IMAP account
// goes to that account's Drafts (Account set, for PushDrafts); one of no
// account, or of a POP3 account, to LocalDrafts; each new version
// discards the one before, wherever it was.
func TestReplaceDraft(t *testing.T) {
	f := newFixture(t, []string{"Drafts"})
	ctx := context.Background()
	v1, err := f.m.ReplaceDraft(ctx, &f.acct, []byte(testMsg("Version 1")), 0)
	if err != nil || v1.Account == nil || v1.Account.Name != f.acct.Name || v1.Warn != nil {
		t.Fatalf("IMAP draft: %+v, %v", v1, err)
	}
	if sum, err := f.store.Get(ctx, v1.ID); err != nil || sum.Folder.Account != f.acct.Name {
		t.Fatalf("IMAP draft stored in %v, %v", sum.Folder, err)
	}
	pop := account.Account{Name: "Pop", Protocol: account.POP3}
	v2, err := f.m.ReplaceDraft(ctx, &pop, []byte(testMsg("Version 2")), v1.ID)
	if err != nil || v2.Account != nil || v2.Warn != nil {
		t.Fatalf("POP3 draft: %+v, %v", v2, err)
	}
	if sum, err := f.store.Get(ctx, v2.ID); err != nil || sum.Folder != LocalDrafts {
		t.Fatalf("POP3 draft stored in %v, %v", sum.Folder, err)
	}
	if _, err := f.store.Get(ctx, v1.ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("version 1 kept after version 2: %v", err)
	}
	v3, err := f.m.ReplaceDraft(ctx, nil, []byte(testMsg("Version 3")), v2.ID)
	if err != nil || v3.Account != nil {
		t.Fatalf("draft of no account: %+v, %v", v3, err)
	}
	if _, err := f.store.Get(ctx, v2.ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("version 2 kept after version 3: %v", err)
	}
	if n, err := f.m.PushDrafts(ctx, f.acct.Name); err != nil || n != 0 {
		t.Errorf("push after the IMAP draft was replaced locally: %d, %v", n, err)
	}
	if got := f.server(t, "Drafts"); len(got) != 0 {
		t.Errorf("server's Drafts: %q, want none", got)
	}
}

// TestReplaceDraftFallsBackWithItsReason: when the IMAP account cannot
// take the draft (the place of its local Drafts folder is taken by a
// file), the new version goes to LocalDrafts, Warn says why in the name
// of the account, and the old version is discarded all the same.
func TestReplaceDraftFallsBackWithItsReason(t *testing.T) {
	f := newFixture(t, nil, "In the inbox")
	ctx := context.Background()
	list, err := f.store.List(ctx, mailstore.FolderRef{Account: f.acct.Name, Name: "INBOX"}, mailstore.ListOptions{Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("INBOX %v, %v", list, err)
	}
	p, err := f.store.Path(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(p))), "Drafts"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	v0, err := f.m.ReplaceDraft(ctx, nil, []byte(testMsg("Version 0")), 0)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := f.m.ReplaceDraft(ctx, &f.acct, []byte(testMsg("Version 1")), v0.ID)
	var ae *AccountError
	if err != nil || v1.Account != nil || !errors.As(v1.Warn, &ae) || ae.Account != f.acct.Name {
		t.Fatalf("draft of an account that cannot take it: %+v, %v; want it local, with the account's reason", v1, err)
	}
	if sum, err := f.store.Get(ctx, v1.ID); err != nil || sum.Folder != LocalDrafts {
		t.Errorf("version 1 stored in %v, %v; want %v", sum.Folder, err, LocalDrafts)
	}
	if _, err := f.store.Get(ctx, v0.ID); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("version 0 kept after version 1: %v", err)
	}
}
