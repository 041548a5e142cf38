package mailstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func openUIDs(t *testing.T, s *Store) *UIDIndex {
	t.Helper()
	u, err := OpenUIDIndex(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

func uidsOf(f UIDFolder) map[string]uint32 {
	out := map[string]uint32{}
	for _, m := range f.Messages {
		out[m.Key] = m.UID
	}
	return out
}

func syncUIDs(t *testing.T, u *UIDIndex, ref FolderRef) UIDFolder {
	t.Helper()
	f, err := u.Sync(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestUIDsStable: UIDs follow arrival, survive a rename of the file by
// another program, a rescan and an index rebuild; a message that leaves
// and comes back gets a new UID; UIDVALIDITY survives all of it.
func TestUIDsStable(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	u := openUIDs(t, s)
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{})
	b := add(t, s, inbox, testMsg{id: "b@x", subject: "B"}, AddOptions{})
	first := syncUIDs(t, u, inbox)
	if first.Validity == 0 || first.Next != 3 || len(first.Messages) != 2 ||
		first.Messages[0].ID != a.ID || first.Messages[0].UID != 1 || first.Messages[1].UID != 2 {
		t.Fatalf("first sync = %+v", first)
	}

	// mutt marks A as read: same file, new name.
	pa, _ := s.Path(ctx, a.ID)
	fi, _ := s.folder(inbox)
	if err := os.Rename(pa, filepath.Join(fi.dir, "cur", a.Key+infoSeparator+"2,S")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RescanFolder(ctx, inbox); err != nil {
		t.Fatal(err)
	}
	again := syncUIDs(t, u, inbox)
	if got := uidsOf(again); got[a.Key] != 1 || got[b.Key] != 2 || again.Messages[0].Flags != FlagSeen {
		t.Fatalf("after mutt's rename: %+v", again)
	}

	// B goes to another folder and back: a new UID, never 2 again.
	other := FolderRef{Account: "Local", Name: "Other"}
	if err := s.CreateFolder(ctx, other, RoleNone); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, []int64{b.ID}, other); err != nil {
		t.Fatal(err)
	}
	if f := syncUIDs(t, u, inbox); len(f.Messages) != 1 {
		t.Fatalf("after the move: %+v", f)
	}
	if err := s.Move(ctx, []int64{b.ID}, inbox); err != nil {
		t.Fatal(err)
	}
	back := syncUIDs(t, u, inbox)
	if got := uidsOf(back); got[b.Key] != 3 || back.Next != 4 {
		t.Fatalf("B back in INBOX: %+v", back)
	}

	// The index is lost and rebuilt from the files: same UIDs.
	s.Close()
	u.Close()
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, indexFile+ext))
	}
	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	u2 := openUIDs(t, s2)
	rebuilt := syncUIDs(t, u2, inbox)
	if rebuilt.Validity != first.Validity || uidsOf(rebuilt)[a.Key] != 1 || uidsOf(rebuilt)[b.Key] != 3 {
		t.Fatalf("after the rebuild: %+v, first %+v", rebuilt, first)
	}
}

// TestUIDValidity: a folder deleted and made again gets a new UIDVALIDITY
// and UIDs from 1; a renamed one keeps both.
func TestUIDValidity(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	u := openUIDs(t, s)
	work := FolderRef{Account: "Local", Name: "Work"}
	add(t, s, work, testMsg{id: "w@x", subject: "W"}, AddOptions{})
	add(t, s, FolderRef{Account: "Local", Name: "Work/2024"}, testMsg{id: "w2@x", subject: "W2"}, AddOptions{})
	before := syncUIDs(t, u, work)
	child := syncUIDs(t, u, FolderRef{Account: "Local", Name: "Work/2024"})

	jobs := FolderRef{Account: "Local", Name: "Jobs"}
	if err := s.RenameFolder(ctx, work, jobs); err != nil {
		t.Fatal(err)
	}
	if err := u.Rename(ctx, work, jobs); err != nil {
		t.Fatal(err)
	}
	renamed := syncUIDs(t, u, jobs)
	if renamed.Validity != before.Validity || renamed.Messages[0].UID != 1 || renamed.Messages[0].ID != before.Messages[0].ID {
		t.Fatalf("renamed: %+v, before %+v", renamed, before)
	}
	if c := syncUIDs(t, u, FolderRef{Account: "Local", Name: "Jobs/2024"}); c.Validity != child.Validity || len(c.Messages) != 1 {
		t.Fatalf("renamed child: %+v, before %+v", c, child)
	}

	if err := s.DeleteFolder(ctx, jobs); err == nil {
		t.Fatal("deleted a folder with a sub-folder")
	}
	sub := FolderRef{Account: "Local", Name: "Jobs/2024"}
	if err := s.DeleteFolder(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := u.Forget(ctx, sub); err != nil {
		t.Fatal(err)
	}
	add(t, s, sub, testMsg{id: "new@x", subject: "N"}, AddOptions{})
	again := syncUIDs(t, u, sub)
	if again.Validity == child.Validity || again.Messages[0].UID != 1 {
		t.Fatalf("made again: %+v, before %+v", again, child)
	}
}

func TestKeywordLettersAndSubscriptions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	u := openUIDs(t, s)
	for i, kw := range []string{"$Forwarded", "Work", "$Forwarded"} {
		l, err := u.KeywordLetter(ctx, "Local", kw)
		if want := byte("aba"[i]); err != nil || l != want {
			t.Fatalf("KeywordLetter(%q) = %c, %v; want %c", kw, l, err, want)
		}
	}
	for c := 0; c < 24; c++ {
		if _, err := u.KeywordLetter(ctx, "Local", "k"+string(rune('A'+c))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.KeywordLetter(ctx, "Local", "one too many"); !errors.Is(err, ErrTooManyKeywords) {
		t.Fatalf("27th keyword: %v", err)
	}
	if kw, _ := u.Keywords(ctx, "Local"); kw['b'] != "Work" || len(kw) != 26 {
		t.Fatalf("Keywords = %v", kw)
	}
	if err := u.Subscribe(ctx, "Local", "Sent", false); err != nil {
		t.Fatal(err)
	}
	if err := u.Subscribe(ctx, "Local", "Future", true); err != nil {
		t.Fatal(err)
	}
	subs, err := u.Subscriptions(ctx, "Local")
	if err != nil || subs["Sent"] != Unsubscribed || subs["Future"] != Subscribed || subs["INBOX"] != SubscriptionDefault {
		t.Fatalf("Subscriptions = %v, %v", subs, err)
	}
}

// TestSetKeywordsByName: keywords set by name get their account's letters
// (compared without case, the first spelling kept), are read back by
// name, and removed by name; a keyword that finds no free letter is
// reported (KeywordsError, ErrTooManyKeywords) and the others are set.
func TestSetKeywordsByName(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	u := openUIDs(t, s)
	inbox := FolderRef{Account: "Machin", Name: "INBOX"}
	if err := s.CreateFolder(ctx, inbox, RoleInbox); err != nil {
		t.Fatal(err)
	}
	m := add(t, s, inbox, testMsg{id: "k@x", subject: "K"}, AddOptions{Flags: FlagSeen})
	if err := u.SetKeywords(ctx, "Machin", []int64{m.ID}, []string{"Work", "$Label1", "work"}, nil); err != nil {
		t.Fatal(err)
	}
	if kws := keywordsOf(t, s, m); !slices.Equal(kws, []string{"$Label1", "Work"}) {
		t.Fatalf("KeywordsOf = %q", kws)
	}
	if p, _ := s.Path(ctx, m.ID); !strings.HasSuffix(p, "2,Sab") {
		t.Errorf("file %s, want the letters a and b after S", p)
	}
	if err := u.SetKeywords(ctx, "Machin", []int64{m.ID}, nil, []string{"WORK", "Unknown"}); err != nil {
		t.Fatal(err)
	}
	if kws := keywordsOf(t, s, m); !slices.Equal(kws, []string{"$Label1"}) {
		t.Fatalf("after removing WORK: %q", kws)
	}
	for c := range 24 {
		if _, err := u.KeywordLetter(ctx, "Machin", "k"+string(rune('A'+c))); err != nil {
			t.Fatal(err)
		}
	}
	err := u.SetKeywords(ctx, "Machin", []int64{m.ID}, []string{"kA", "OneTooMany"}, nil)
	var ke *KeywordsError
	if !errors.As(err, &ke) || !errors.Is(err, ErrTooManyKeywords) || !slices.Equal(ke.Keywords, []string{"OneTooMany"}) {
		t.Fatalf("27th keyword: %v", err)
	}
	if kws := keywordsOf(t, s, m); !slices.Equal(kws, []string{"$Label1", "kA"}) {
		t.Fatalf("the keyword that fits is set all the same: %q", kws)
	}
	plain := add(t, s, inbox, testMsg{id: "p@x", subject: "Plain"}, AddOptions{})
	kws, err := s.KeywordsOf(ctx, []Summary{m, plain})
	if err != nil || len(kws) != 1 || !slices.Equal(kws[m.ID], []string{"$Label1", "kA"}) {
		t.Fatalf("KeywordsOf two messages, one with keywords: %v, %v", kws, err)
	}
}

// keywordsOf returns the keywords of one message (Store.KeywordsOf).
func keywordsOf(t *testing.T, s *Store, m Summary) []string {
	t.Helper()
	kws, err := s.KeywordsOf(context.Background(), []Summary{m})
	if err != nil {
		t.Fatal(err)
	}
	return kws[m.ID]
}
