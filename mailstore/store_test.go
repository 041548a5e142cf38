package mailstore

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"facteur/internal/eol"
)

func TestAddListSortCount(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	msgs := []testMsg{
		{id: "1@x", subject: "Banana", from: "Zoé <zoe@example.org>", date: day(2)},
		{id: "2@x", subject: "Re: Apple", from: "bob@example.org", date: day(3)},
		{id: "3@x", subject: "Cherry", from: "Alice <alice@example.org>", date: day(1)},
	}
	for _, m := range msgs {
		add(t, s, inbox, m, AddOptions{})
	}
	add(t, s, inbox, testMsg{id: "4@x", subject: "Date", date: day(4)}, AddOptions{Flags: FlagSeen})
	tests := []struct {
		name string
		opt  ListOptions
		want []string
	}{
		{"date desc", ListOptions{}, []string{"Date", "Re: Apple", "Banana", "Cherry"}},
		{"date asc", ListOptions{Ascending: true}, []string{"Cherry", "Banana", "Re: Apple", "Date"}},
		{"subject asc", ListOptions{Sort: SortSubject, Ascending: true}, []string{"Re: Apple", "Banana", "Cherry", "Date"}},
		{"sender asc", ListOptions{Sort: SortSender, Ascending: true}, []string{"Cherry", "Date", "Re: Apple", "Banana"}},
		{"page", ListOptions{Offset: 1, Limit: 2}, []string{"Re: Apple", "Banana"}},
		{"past the end", ListOptions{Offset: 10}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.List(ctx, inbox, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if g := subjects(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
	total, unread, err := s.Count(ctx, inbox)
	if err != nil || total != 4 || unread != 3 {
		t.Errorf("Count = %d, %d, %v; want 4, 3", total, unread, err)
	}
	if _, _, err := s.Count(ctx, FolderRef{"Local", "Nope"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Count of a missing folder: %v", err)
	}
}

func TestGetOpenPath(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	m := testMsg{id: "get@x", subject: "Héllo", from: "Fred <fred@truc.fr>", to: "marc@machin.com", body: "itinéraire"}
	env := &Envelope{MailFrom: "fred@truc.fr", RcptTo: []string{"marc@machin.com"}}
	sum := add(t, s, inbox, m, AddOptions{Envelope: env})
	got, err := s.Get(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Héllo" || got.MessageID != "get@x" || got.Folder != inbox ||
		len(got.From) != 1 || got.From[0].Addr != "fred@truc.fr" || got.From[0].Name != "Fred" {
		t.Errorf("Get = %+v", got)
	}
	if want := (&Envelope{MailFrom: env.MailFrom, RcptTo: env.RcptTo, Recorded: true}); !reflect.DeepEqual(got.Envelope, want) {
		t.Errorf("Envelope = %+v, want %+v", got.Envelope, want)
	}
	if got.Size != int64(len(m.bytes())) {
		t.Errorf("Size = %d, want %d", got.Size, len(m.bytes()))
	}
	rc, err := s.Open(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != string(eol.ToLF(m.bytes())) {
		t.Error("Open returned other bytes than the message with LF line ends")
	}
	p, _ := s.Path(ctx, sum.ID)
	if filepath.Base(filepath.Dir(p)) != "new" || parseFileName(filepath.Base(p)).Key != got.Key {
		t.Errorf("Path = %s", p)
	}
	if _, err := s.Get(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(9999) = %v", err)
	}
}

func TestFlagsRenameFiles(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sum := add(t, s, inbox, testMsg{id: "f@x", subject: "flags"}, AddOptions{})
	steps := []struct {
		add, remove Flags
		want        Flags
		suffix      string
	}{
		{FlagSeen, 0, FlagSeen, infoSeparator + "2,S"},
		{FlagFlagged | FlagAnswered, 0, FlagSeen | FlagFlagged | FlagAnswered, infoSeparator + "2,FRS"},
		{0, FlagSeen, FlagFlagged | FlagAnswered, infoSeparator + "2,FR"},
		{0, FlagFlagged | FlagAnswered, 0, infoSeparator + "2,"},
	}
	for _, st := range steps {
		if err := s.SetFlags(ctx, []int64{sum.ID}, st.add, st.remove); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, sum.ID)
		p, _ := s.Path(ctx, sum.ID)
		if got.Flags != st.want || !strings.HasSuffix(p, st.suffix) || filepath.Base(filepath.Dir(p)) != "cur" {
			t.Errorf("after +%v -%v: flags %v, path %s; want %v, suffix %s in cur", st.add, st.remove, got.Flags, p, st.want, st.suffix)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func TestFlagsKeepUnknownLetters(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	sum := add(t, s, inbox, testMsg{id: "k@x", subject: "keywords"}, AddOptions{Flags: FlagSeen})
	p, _ := s.Path(ctx, sum.ID)
	kw := strings.TrimSuffix(p, "S") + "Sab" // Dovecot keywords a, b
	if err := os.Rename(p, kw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rescan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFlags(ctx, []int64{sum.ID}, FlagFlagged, 0); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Path(ctx, sum.ID)
	if !strings.HasSuffix(p, infoSeparator+"2,FSab") {
		t.Errorf("path %s lost the keywords", p)
	}
	_ = dir
}

func TestMoveAndDelete(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	archive := FolderRef{"Local", "Archive/2024"}
	if err := s.CreateFolder(ctx, archive, RoleArchive); err != nil {
		t.Fatal(err)
	}
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{Flags: FlagSeen})
	b := add(t, s, inbox, testMsg{id: "b@x", subject: "B"}, AddOptions{})
	if err := s.Move(ctx, []int64{a.ID}, archive); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, a.ID)
	p, _ := s.Path(ctx, a.ID)
	if got.Folder != archive || !strings.HasPrefix(p, filepath.Join(dir, "mail", "Local", "Archive", "2024")) {
		t.Errorf("moved: folder %v path %s", got.Folder, p)
	}
	if n, _, _ := s.Count(ctx, inbox); n != 1 {
		t.Errorf("INBOX has %d messages after the move", n)
	}
	// Delete: to Trash (created), then for good.
	if err := s.Delete(ctx, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, b.ID)
	trash := FolderRef{"Local", "Trash"}
	if got.Folder != trash {
		t.Fatalf("deleted message is in %v", got.Folder)
	}
	folders, _ := s.Folders(ctx)
	roles := map[FolderRef]Role{}
	for _, f := range folders {
		roles[f.Ref] = f.Role
	}
	if roles[trash] != RoleTrash {
		t.Errorf("Trash role = %q", roles[trash])
	}
	p, _ = s.Path(ctx, b.ID)
	if err := s.Delete(ctx, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after purge: %v", err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("file still there after purge: %v", err)
	}
}

func TestMoveNeverReplaces(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	other := FolderRef{"Local", "Other"}
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{Flags: FlagSeen})
	pa, _ := s.Path(ctx, a.ID)
	if err := s.CreateFolder(ctx, other, RoleNone); err != nil {
		t.Fatal(err)
	}
	// A file of the same name already in the destination (another program).
	fi, _ := s.folder(other)
	clash := filepath.Join(fi.dir, "cur", filepath.Base(pa))
	if err := os.WriteFile(clash, []byte("Subject: other\r\n\r\nkeep me\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, []int64{a.ID}, other); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(clash); !strings.Contains(string(b), "keep me") {
		t.Error("the file in the destination was replaced")
	}
	pb, _ := s.Path(ctx, a.ID)
	if pb == clash {
		t.Error("moved message took the existing name")
	}
	if b, _ := os.ReadFile(pb); !strings.Contains(string(b), "Subject: A") {
		t.Error("moved message lost")
	}
}

func TestFoldersOrderAndNames(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	refs := []struct {
		ref  FolderRef
		role Role
	}{
		{FolderRef{"Work", "Zeta"}, RoleNone},
		{FolderRef{"Local", "Zoo"}, RoleNone},
		{FolderRef{"Local", "Trash"}, RoleTrash},
		{FolderRef{"Local", "Sent"}, RoleSent},
		{FolderRef{"Local", "INBOX"}, RoleInbox},
		{FolderRef{"Local", "Alpha"}, RoleNone},
		{FolderRef{"Local", "../../escape"}, RoleNone},
		{FolderRef{"Local", "a:b*c?/cur"}, RoleNone},
		{FolderRef{"Local", "CON"}, RoleNone},
	}
	for _, r := range refs {
		if err := s.CreateFolder(ctx, r.ref, r.role); err != nil {
			t.Fatalf("%v: %v", r.ref, err)
		}
	}
	if err := s.CreateFolder(ctx, FolderRef{"Local", "INBOX"}, RoleInbox); err != nil {
		t.Errorf("CreateFolder is not idempotent: %v", err)
	}
	if err := s.CreateFolder(ctx, FolderRef{"Local", "inbox"}, RoleNone); !errors.Is(err, ErrFolderExists) {
		t.Errorf("case clash: %v", err)
	}
	for _, bad := range []FolderRef{{"", "x"}, {"Local", ""}, {"Local", "a//b"}, {"a/b", "x"}, {"Local", "x\x00"}} {
		if err := s.CreateFolder(ctx, bad, RoleNone); !errors.Is(err, ErrBadFolder) {
			t.Errorf("CreateFolder(%q) = %v", bad, err)
		}
	}
	fs, _ := s.Folders(ctx)
	var got []string
	for _, f := range fs {
		got = append(got, f.Ref.String())
	}
	want := []string{"Local/INBOX", "Local/Sent", "Local/Trash", "Local/../../escape", "Local/a:b*c?/cur",
		"Local/Alpha", "Local/CON", "Local/Zoo", "Work/Zeta"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Folders:\n got %q\nwant %q", got, want)
	}
	// Every folder stays inside the mail directory.
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() && info.Name() == "cur" {
			rel, _ := filepath.Rel(filepath.Join(dir, "mail"), p)
			if strings.HasPrefix(rel, "..") {
				t.Errorf("folder outside the mail dir: %s", p)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if _, err := os.Stat(filepath.Join(dir, "mail", "Local", "%2E%2E", "%2E%2E", "escape", "cur")); err != nil {
			t.Errorf("encoded folder: %v", err)
		}
	}
}

func TestSubscribe(t *testing.T) {
	s, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	ch := s.Subscribe(ctx)
	sum := add(t, s, inbox, testMsg{id: "n@x", subject: "notify"}, AddOptions{})
	if err := s.SetFlags(context.Background(), []int64{sum.ID}, FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	want := []ChangeKind{ChangeFolders, ChangeAdded, ChangeFlags}
	for _, k := range want {
		select {
		case c := <-ch:
			if c.Kind != k {
				t.Errorf("change %v, want %v", c.Kind, k)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no change %v", k)
		}
	}
	cancel()
	for range ch { // closed when ctx ends
	}
}

func TestSubscribeCoalesces(t *testing.T) {
	s, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := s.Subscribe(ctx) // never read while adding: publishing must not block
	for i := range 30 {
		add(t, s, inbox, testMsg{subject: "m", id: string(rune('a'+i)) + "@x"}, AddOptions{})
	}
	n := 0
	ids := 0
	timeout := time.After(5 * time.Second)
	for ids < 30 {
		select {
		case c := <-ch:
			n++
			ids += len(c.IDs)
		case <-timeout:
			t.Fatalf("got %d ids in %d changes", ids, n)
		}
	}
	if n > 5 {
		t.Errorf("%d changes for 30 adds: not coalesced", n)
	}
	s.Close()
	for range ch { // closed with the store
	}
}

func TestEnvelopeRecordedOrReadBack(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	given := add(t, s, inbox, testMsg{id: "env1@x", subject: "given"},
		AddOptions{Envelope: &Envelope{MailFrom: "fred@truc.fr", RcptTo: []string{"marc@machin.com"}}})
	readBack := add(t, s, inbox, testMsg{id: "env2@x", subject: "read back",
		extra: "Return-Path: <bounce@list.example>\r\nDelivered-To: marc@machin.com\r\n"}, AddOptions{})
	tests := []struct {
		id       int64
		from     string
		recorded bool
	}{
		{given.ID, "fred@truc.fr", true},
		{readBack.ID, "bounce@list.example", false},
	}
	for _, tt := range tests {
		got, err := s.Get(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Envelope == nil || got.Envelope.MailFrom != tt.from || got.Envelope.Recorded != tt.recorded {
			t.Errorf("message %d: envelope %+v, want MAIL FROM %s recorded=%v", tt.id, got.Envelope, tt.from, tt.recorded)
		}
	}
}

func TestPurgeRemovesForGood(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	m := add(t, s, inbox, testMsg{id: "purge@x", subject: "gone"}, AddOptions{})
	p, err := s.Path(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx, []int64{m.ID, 999999}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file still there after Purge: %v", err)
	}
	if _, err := s.Get(ctx, m.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Purge: %v, want ErrNotFound", err)
	}
	if n, _, _ := s.Count(ctx, FolderRef{"Local", "Trash"}); n != 0 {
		t.Fatalf("Purge put %d messages in Trash", n)
	}
	st, err := s.Rescan(ctx, nil)
	if err != nil || st.Added != 0 {
		t.Fatalf("rescan after Purge found %+v, %v: a file came back in %s", st, err, dir)
	}
}
