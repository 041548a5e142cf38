package mailstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/eol"
)

func TestRescanExternalChanges(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{})
	b := add(t, s, inbox, testMsg{id: "b@x", subject: "B"}, AddOptions{Flags: FlagSeen})
	c := add(t, s, inbox, testMsg{id: "c@x", subject: "C"}, AddOptions{})
	pa, _ := s.Path(ctx, a.ID)
	pb, _ := s.Path(ctx, b.ID)
	pc, _ := s.Path(ctx, c.ID)
	fi, _ := s.folder(inbox)

	// mutt reads A: new/KEY -> cur/KEY:2,S
	if err := os.Rename(pa, filepath.Join(fi.dir, "cur", filepath.Base(pa)+infoSeparator+"2,S")); err != nil {
		t.Fatal(err)
	}
	// Flags B as flagged, written with the other separator (a Windows tool).
	if err := os.Rename(pb, strings.TrimSuffix(pb, infoSeparator+"2,S")+"!2,FS"); err != nil && infoSeparator != "!" {
		t.Fatal(err)
	}
	// C is deleted, D is delivered by an MDA into new/.
	os.Remove(pc)
	d := testMsg{id: "d@x", subject: "Delivered", extra: "Return-Path: <mda@example.org>\r\nDelivered-To: me@example.org\r\n"}
	if err := os.WriteFile(filepath.Join(fi.dir, "new", "1700000000.M1P2Q3.mda"), d.bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// A folder made by another program.
	other := filepath.Join(fi.dir, "..", "From mutt")
	if err := createMaildir(other); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(other, "cur", "1700000001.M1P2Q4.mutt:2,S"), testMsg{id: "e@x", subject: "E"}.bytes(), 0o600)

	st, err := s.Rescan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := RescanStats{Added: 2, Removed: 1, Renamed: 2, Unchanged: 0}
	if st != want {
		t.Errorf("Rescan = %+v, want %+v", st, want)
	}
	list, _ := s.List(ctx, inbox, ListOptions{})
	got := byMessageID(list)
	if got["a@x"].Flags != FlagSeen || got["b@x"].Flags != FlagSeen|FlagFlagged {
		t.Errorf("flags after rescan: a %v b %v", got["a@x"].Flags.Maildir(), got["b@x"].Flags.Maildir())
	}
	if _, ok := got["c@x"]; ok {
		t.Error("removed file still listed")
	}
	if e := got["d@x"].Envelope; e == nil || e.MailFrom != "mda@example.org" || len(e.RcptTo) != 1 {
		t.Errorf("delivered message envelope %+v", e)
	}
	if n, _, err := s.Count(ctx, FolderRef{"Local", "From mutt"}); n != 1 || err != nil {
		t.Errorf("new folder: %d, %v", n, err)
	}
	// The ids of untouched and renamed messages are kept; files can be read.
	if got["a@x"].ID != a.ID || readMsg(t, s, b.ID) == "" {
		t.Error("ids changed or renamed file unreadable")
	}
	// Flags can be changed on a file another tool renamed.
	if err := s.SetFlags(ctx, []int64{b.ID}, FlagAnswered, 0); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Path(ctx, b.ID); !strings.HasSuffix(p, infoSeparator+"2,FRS") {
		t.Errorf("path after SetFlags: %s", p)
	}
	st, _ = s.Rescan(ctx, nil)
	if st != (RescanStats{Unchanged: 4}) {
		t.Errorf("second rescan: %+v", st)
	}
}

func TestIndexRebuilt(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"missing", func(t *testing.T, path string) {
			os.Remove(path)
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
		}},
		{"garbage", func(t *testing.T, path string) {
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			if err := os.WriteFile(path, []byte(strings.Repeat("this is not SQLite\n", 500)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"other schema", func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
				t.Fatal(err)
			}
		}},
		{"corrupt pages", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
			for off := int64(4096); off < st.Size(); off += 8192 {
				f.WriteAt(junk, off)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			s, err := Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			s.CreateFolder(ctx, FolderRef{"Local", "Trash"}, RoleTrash)
			for i := range 30 {
				add(t, s, inbox, testMsg{id: string(rune('a'+i)) + "@x", subject: "m", body: "needle"}, AddOptions{Flags: Flags(i % 2)})
			}
			s.Close()
			tt.spoil(t, filepath.Join(dir, indexFile))
			s, err = Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if bad, _ := filepath.Glob(filepath.Join(dir, indexFile+".bad-*")); tt.name != "missing" && len(bad) == 0 {
				t.Error("the bad index was not kept aside")
			}
			total, unread, err := s.Count(ctx, inbox)
			if total != 30 || unread != 15 || err != nil {
				t.Errorf("after rebuild: %d messages, %d unread, %v", total, unread, err)
			}
			found, err := s.Search(ctx, "needle", SearchOptions{})
			if len(found) != 30 || err != nil {
				t.Errorf("search after rebuild: %d, %v", len(found), err)
			}
			folders, _ := s.Folders(ctx)
			if len(folders) != 2 || folders[1].Role != RoleTrash {
				t.Errorf("folders after rebuild: %+v", folders)
			}
		})
	}
}

func TestUnparsableKept(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	inputs := [][]byte{
		{},
		[]byte("\x00\x01\x02\xff garbage without any header\n"),
		[]byte("Subject: =?x-unknown?Q?abc?=\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nbroken"),
	}
	for _, in := range inputs {
		sum, err := s.Add(ctx, inbox, strings.NewReader(string(in)), AddOptions{})
		if err != nil {
			t.Fatalf("Add(%q): %v", in, err)
		}
		if got := readMsg(t, s, sum.ID); got != string(eol.ToLF(in)) {
			t.Errorf("stored bytes differ for %q", in)
		}
		if sum.Problem == "" {
			t.Errorf("%q: no problem recorded", in)
		}
	}
	list, _ := s.List(ctx, inbox, ListOptions{})
	if len(list) != len(inputs) {
		t.Errorf("%d listed, want %d", len(list), len(inputs))
	}
}
