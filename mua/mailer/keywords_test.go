package mailer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
	"facteur/mailstore/storetest"
	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
)

// TestKeywordsFollowIntoIMAP: a message with the keywords Work and
// $Label1 moved (or copied) from the Local account, or moved from another
// IMAP account, into an IMAP account whose letter a is another keyword,
// has them there by name, locally and, after the sync, on the
// destination server (an admin client's FETCH FLAGS); a second sync
// changes nothing.
func TestKeywordsFollowIntoIMAP(t *testing.T) {
	for _, tc := range []struct {
		name string
		from func(t *testing.T, f *fixture) int64 // the message, with its keywords
		copy bool
	}{
		{name: "move from Local", from: localKeywords},
		{name: "copy from Local", from: localKeywords, copy: true},
		{name: "move from another IMAP account", from: farKeywords},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, []string{"Archive"})
			if err := f.m.withUIDIndex(ctx, func(u *mailstore.UIDIndex) error {
				_, err := u.KeywordLetter(ctx, "Machin", "Other") // Machin's letter a
				return err
			}); err != nil {
				t.Fatal(err)
			}
			id := tc.from(t, f)
			archive := mailstore.FolderRef{Account: "Machin", Name: "Archive"}
			var err error
			if tc.copy {
				_, _, err = f.m.Copy(ctx, []int64{id}, archive)
			} else {
				_, err = f.m.Move(ctx, []int64{id}, archive)
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"$Label1", "Work"}
			local := f.ids(t, "Machin", "Archive")
			if got := keywordsOf(t, f.store, local["Far one"]); len(local) != 1 || !slices.Equal(got, want) {
				t.Errorf("Machin/Archive %v: keywords %q, want %q", local, got, want)
			}
			for i := range 2 {
				st, err := f.m.Sync(ctx, f.acct, SyncOptions{})
				if err != nil || st.IMAP.New != 0 || st.IMAP.Flags != 0 || st.IMAP.Refused != nil {
					t.Errorf("sync %d: %+v, %v; want the APPEND alone", i+1, st.IMAP, err)
				}
				subjects, flags := imaptest.Messages(t, f.srv.Addr, "Archive")
				if !slices.Equal(subjects, []string{"Far one"}) || !keywordsAre(flags[0], want) {
					t.Errorf("after sync %d, server Archive %q %q; want Far one with %q", i+1, subjects, flags, want)
				}
				if got := keywordsOf(t, f.store, local["Far one"]); !slices.Equal(got, want) {
					t.Errorf("after sync %d, local keywords %q", i+1, got)
				}
			}
			if n, _ := f.m.state.Pending(ctx, "Machin"); n != 0 {
				t.Errorf("%d actions pending after two syncs", n)
			}
		})
	}
}

// localKeywords stores a message of the Local account with the keywords
// Work and $Label1 (its letters a and b).
func localKeywords(t *testing.T, f *fixture) int64 {
	t.Helper()
	ctx := context.Background()
	kept := mailstore.FolderRef{Account: LocalAccount, Name: "Kept"}
	if err := f.store.CreateFolder(ctx, kept, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	sum, err := f.store.Add(ctx, kept, strings.NewReader(testMsg("Far one")), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.SetKeywords(ctx, []int64{sum.ID}, []string{"Work", "$Label1"}, nil); err != nil {
		t.Fatal(err)
	}
	return sum.ID
}

// farKeywords adds the IMAP account Truc on a server of its own, whose
// INBOX holds a message with the keywords Work and $Label1, synced.
func farKeywords(t *testing.T, f *fixture) int64 {
	t.Helper()
	ctx := context.Background()
	srv := imaptest.Start(t, imaptest.NewUser(t))
	imaptest.Append(t, srv.Addr, "INBOX", testMsg("Far one"))
	truc := account.Account{Name: "Truc", Identity: account.Identity{Address: "fred@truc.test"},
		Protocol: account.IMAP, Incoming: srv.Incoming()}
	if _, err := f.m.AddAccount(ctx, truc, Secrets{Password: imaptest.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Sync(ctx, truc, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	id := f.ids(t, "Truc", "INBOX")["Far one"]
	ch, err := f.m.Mark(ctx, []int64{id}, Marks{Add: mailstore.FlagSeen, AddKeywords: []string{"Work", "$Label1"}})
	if err != nil {
		t.Fatal(err)
	}
	f.m.Replay(ctx, ch.Journaled)
	if _, flags := imaptest.Messages(t, srv.Addr, "INBOX"); len(flags) != 1 || !keywordsAre(flags[0], []string{"$Label1", "Work"}) {
		t.Fatalf("Truc's server INBOX %q: want the keywords", flags)
	}
	return id
}

// keywordsAre tells whether IMAP flags have \Seen and the keywords want
// (compared without case: imapmemserver writes them in lower case), and
// no other keyword.
func keywordsAre(flags []imap.Flag, want []string) bool {
	var kws []string
	for _, f := range flags {
		if !strings.HasPrefix(string(f), `\`) {
			kws = append(kws, string(f))
		}
	}
	slices.SortFunc(kws, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.Contains(flags, imap.FlagSeen) && slices.EqualFunc(kws, want, strings.EqualFold)
}

// keywordsOf returns the keywords of a local message.
func keywordsOf(t *testing.T, s *mailstore.Store, id int64) []string {
	t.Helper()
	sum, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	kws, err := s.KeywordsOf(context.Background(), []mailstore.Summary{sum})
	if err != nil {
		t.Fatal(err)
	}
	return kws[id]
}

// TestMoveIntoAFullAccount: moving a message with the keywords Work and
// $Label1 into an IMAP account that has a letter for 26 keywords, Work
// among them, moves it all the same and says that $Label1 was not kept
// (Change.KeywordsLeft, a *mailstore.KeywordsError; not the move's
// error); the server gets the message with Work,
// and $Label1 does not become another keyword.
func TestMoveIntoAFullAccount(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, []string{"Archive"})
	storetest.FullKeywords(t, f.store, "Machin", "Work")
	id := localKeywords(t, f)
	ch, err := f.m.Move(ctx, []int64{id}, mailstore.FolderRef{Account: "Machin", Name: "Archive"})
	if err != nil {
		t.Fatalf("Move = %v; want the move done, $Label1 left out as a warning", err)
	}
	var ke *mailstore.KeywordsError
	if !errors.As(ch.KeywordsLeft, &ke) || !errors.Is(ch.KeywordsLeft, mailstore.ErrTooManyKeywords) || !slices.Equal(ke.Keywords, []string{"$Label1"}) {
		t.Fatalf("KeywordsLeft = %v; want $Label1 not kept", ch.KeywordsLeft)
	}
	f.replay(t, ch)
	local := f.ids(t, "Machin", "Archive")
	if got := keywordsOf(t, f.store, local["Far one"]); len(local) != 1 || !slices.Equal(got, []string{"Work"}) {
		t.Errorf("Machin/Archive %v: keywords %q, want Work alone", local, got)
	}
	if subjects, flags := imaptest.Messages(t, f.srv.Addr, "Archive"); !slices.Equal(subjects, []string{"Far one"}) || !keywordsAre(flags[0], []string{"Work"}) {
		t.Errorf("server Archive %q %q; want Far one with Work alone", subjects, flags)
	}
}
