package mailer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
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
