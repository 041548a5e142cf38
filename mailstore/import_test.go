package mailstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"facteur/mailstore/internal/corpus"
)

func readMsg(t *testing.T, s *Store, id int64) string {
	t.Helper()
	rc, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

func byMessageID(list []Summary) map[string]Summary {
	m := map[string]Summary{}
	for _, s := range list {
		m[s.MessageID] = s
	}
	return m
}

func TestImport(t *testing.T) {
	tests := []struct {
		file  string
		n     int
		check func(t *testing.T, s *Store, got map[string]Summary)
	}{
		{"mboxo.mbox", 3, func(t *testing.T, s *Store, got map[string]Summary) {
			first := got["o1@truc.fr"]
			if first.Subject != "first" || first.Envelope == nil || first.Envelope.MailFrom != "fred@truc.fr" {
				t.Errorf("first: %+v", first)
			}
			if e := got["o2@machin.com"].Envelope; e == nil || e.MailFrom != "MAILER-DAEMON" {
				t.Errorf("From_ sender not kept as envelope: %+v", e)
			}
			body := readMsg(t, s, first.ID)
			if !strings.Contains(body, "\nFrom the start") || !strings.Contains(body, "\n>From this one") {
				t.Errorf("mboxo unescaping: %q", body)
			}
			if got["o3@machin.com"].ThreadID != first.ThreadID {
				t.Error("reply not in the thread of its parent")
			}
		}},
		{"mboxrd.mbox", 2, func(t *testing.T, s *Store, got map[string]Summary) {
			if sub := got["rd1@example.org"].Subject; sub != "Réunion à Marseille" {
				t.Errorf("subject %q", sub)
			}
			if sub := got["rd2@example.com"].Subject; sub != "Ré : Réunion à Marseille" {
				t.Errorf("ISO-8859-1 subject %q", sub)
			}
			body := readMsg(t, s, got["rd1@example.org"].ID)
			if !strings.Contains(body, "\nFrom here on") || !strings.Contains(body, "\n>From here, escaped twice.") ||
				!strings.Contains(body, "\nFrom inside a sentence") {
				t.Errorf("mboxrd unescaping: %q", body)
			}
		}},
		{"maildir", 2, func(t *testing.T, s *Store, got map[string]Summary) {
			if f := got["md1@example.org"].Flags; f != FlagSeen|FlagAnswered {
				t.Errorf("flags %v, want RS", f.Maildir())
			}
			if f := got["md2@example.com"].Flags; f != 0 {
				t.Errorf("flags %v, want none", f.Maildir())
			}
		}},
		{"course-example.eml", 1, func(t *testing.T, s *Store, got map[string]Summary) {
			m := got["000501bfbb64$afc796c0$0a00a8c0@maison.mrs"]
			if m.Subject != "test itineraire" || len(m.From) != 1 || m.From[0].Name != "Christian CALECA" {
				t.Errorf("course example: %+v", m)
			}
			if m.Envelope == nil || m.Envelope.MailFrom != "christian.caleca@wanadoo.fr" {
				t.Errorf("envelope from Return-Path: %+v", m.Envelope)
			}
			if m.Date.Unix() != 958061964 {
				t.Errorf("date %v", m.Date)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, _ := openTest(t)
			ctx := context.Background()
			folder := FolderRef{"Local", tt.file}
			var last Progress
			st, err := s.Import(ctx, folder, filepath.Join("testdata", tt.file), func(p Progress) { last = p })
			if err != nil {
				t.Fatal(err)
			}
			if st.Messages != tt.n || last.Done != tt.n {
				t.Errorf("imported %d (progress %d), want %d", st.Messages, last.Done, tt.n)
			}
			if last.TotalBytes != 0 && last.Bytes != last.TotalBytes {
				t.Errorf("progress bytes %d of %d at the end", last.Bytes, last.TotalBytes)
			}
			list, err := s.List(ctx, folder, ListOptions{})
			if err != nil || len(list) != tt.n {
				t.Fatalf("List: %d messages, %v", len(list), err)
			}
			tt.check(t, s, byMessageID(list))
			if rs, err := s.Rescan(ctx, nil); err != nil || rs.Added+rs.Removed+rs.Renamed != 0 {
				t.Errorf("rescan after import: %+v %v", rs, err)
			}
		})
	}
}

func TestImportUnknown(t *testing.T) {
	s, _ := openTest(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte("\x00\x01 not mail at all\n"), 0o600)
	for _, p := range []string{junk, dir} {
		if _, err := s.Import(context.Background(), inbox, p, nil); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Import(%s) = %v, want ErrUnknownFormat", p, err)
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	src, dst := FolderRef{"Local", "src"}, FolderRef{"Local", "dst"}
	if _, err := s.Import(ctx, src, "testdata/mboxrd.mbox", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, src, "testdata/mboxo.mbox", nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.mbox")
	n, err := s.Export(ctx, src, out)
	if err != nil || n != 5 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	data, _ := os.ReadFile(out)
	if !bytes.HasPrefix(data, []byte("From fred@truc.fr Thu May 11 ")) {
		t.Errorf("export starts with %q", data[:40])
	}
	if !bytes.Contains(data, []byte("\n>>From here, escaped twice.")) {
		t.Error("export is not mboxrd-escaped")
	}
	if _, err := s.Import(ctx, dst, out, nil); err != nil {
		t.Fatal(err)
	}
	a, _ := s.List(ctx, src, ListOptions{})
	b, _ := s.List(ctx, dst, ListOptions{})
	bm := byMessageID(b)
	if len(a) != len(b) {
		t.Fatalf("%d messages back, want %d", len(b), len(a))
	}
	for _, m := range a {
		other, ok := bm[m.MessageID]
		if !ok || readMsg(t, s, m.ID) != readMsg(t, s, other.ID) {
			t.Errorf("message %s differs after the round trip", m.MessageID)
		}
		if m.Envelope != nil && (other.Envelope == nil || other.Envelope.MailFrom != m.Envelope.MailFrom) {
			t.Errorf("envelope sender %+v became %+v", m.Envelope, other.Envelope)
		}
	}
}

func TestImportCancelStaysConsistent(t *testing.T) {
	s, _ := openTest(t)
	mboxPath := filepath.Join(t.TempDir(), "big.mbox")
	f, _ := os.Create(mboxPath)
	if err := corpus.WriteMbox(f, 3, 2500); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	folder := FolderRef{"Local", "big"}
	st, err := s.Import(ctx, folder, mboxPath, func(p Progress) {
		if p.Done >= batchSize {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Import = %v, want context.Canceled", err)
	}
	if st.Messages < batchSize || st.Messages >= 2500 {
		t.Errorf("imported %d before the cancel", st.Messages)
	}
	total, _, _ := s.Count(context.Background(), folder)
	fi, _ := s.folder(folder)
	disk, _ := listFolder(fi.dir)
	if total != st.Messages || len(disk) != total {
		t.Errorf("index %d, files %d, reported %d: not consistent", total, len(disk), st.Messages)
	}
	if tmp, _ := listNames(filepath.Join(fi.dir, "tmp")); len(tmp) != 0 {
		t.Errorf("%d files left in tmp/", len(tmp))
	}
	if rs, err := s.Rescan(context.Background(), nil); err != nil || rs.Added+rs.Removed != 0 {
		t.Errorf("rescan after the cancelled import: %+v %v", rs, err)
	}
}

func TestCloseWaitsForImport(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	mboxPath := filepath.Join(t.TempDir(), "m.mbox")
	f, _ := os.Create(mboxPath)
	corpus.WriteMbox(f, 5, 1500)
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error)
	go func() {
		_, err := s.Import(ctx, inbox, mboxPath, func(Progress) { once.Do(func() { close(started) }) })
		done <- err
	}()
	<-started
	cancel()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Import = %v", err)
	}
	if _, err := s.List(context.Background(), inbox, ListOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("List after Close = %v", err)
	}
	// Reopened, the index and the files agree.
	s, err = Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, err := s.Rescan(context.Background(), nil); err != nil || st.Added+st.Removed != 0 {
		t.Errorf("rescan after reopen: %+v %v", st, err)
	}
}

// ImportOptions.Stored gives the id of every message stored, batch by
// batch, once committed; the duplicates skipped are not among them.
func TestImportStoredIDs(t *testing.T) {
	s, _ := openTest(t)
	mboxPath := filepath.Join(t.TempDir(), "big.mbox")
	f, _ := os.Create(mboxPath)
	if err := corpus.WriteMbox(f, 7, batchSize+50); err != nil {
		t.Fatal(err)
	}
	f.Close()
	folder := FolderRef{"Local", "big"}
	ctx := context.Background()
	var got []int64
	batches := 0
	opt := ImportOptions{Stored: func(ids []int64) { got = append(got, ids...); batches++ }}
	st, err := s.ImportWith(ctx, folder, mboxPath, opt)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, folder, ListOptions{Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, m := range list {
		want = append(want, m.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if st.Messages != batchSize+50 || !slices.Equal(got, want) || batches < 2 {
		t.Errorf("stored %d ids in %d batches, listed %d, imported %d", len(got), batches, len(want), st.Messages)
	}
	got = nil
	if st, err := s.ImportWith(ctx, folder, mboxPath, opt); err != nil || st.Duplicates != batchSize+50 || len(got) != 0 {
		t.Errorf("again: %+v %v, ids %d", st, err, len(got))
	}
}
