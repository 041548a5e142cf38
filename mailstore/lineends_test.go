package mailstore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLineEnds: whatever the source and its line ends, the Maildir file
// has LF line ends and Summary.Size is the CRLF size (RFC822.SIZE).
func TestLineEnds(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	crlf := testMsg{id: "crlf@x", subject: "CRLF", body: "caf\xc3\xa9\r\nline two\rwith a lone CR"}.bytes()
	lf := bytes.ReplaceAll(crlf, []byte("\r\n"), []byte("\n"))
	wantLF := lf
	folder := FolderRef{Account: "Acct", Name: "INBOX"}

	eml := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(eml, crlf, 0o600); err != nil {
		t.Fatal(err)
	}
	partial := PartialMessage(crlf[:bytes.Index(crlf, []byte("\r\n\r\n"))+4], int64(len(crlf)), false)
	sources := []struct {
		name string
		add  func(t *testing.T) int64
	}{
		{"Add, CRLF", func(t *testing.T) int64 {
			sum, err := s.Add(ctx, folder, bytes.NewReader(crlf), AddOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return sum.ID
		}},
		{"Add, LF (a POP3 collect)", func(t *testing.T) int64 {
			sum, err := s.Add(ctx, folder, bytes.NewReader(lf), AddOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return sum.ID
		}},
		{"AddBatch, CRLF (an IMAP sync)", func(t *testing.T) int64 {
			res := s.AddBatch(ctx, []AddItem{{Folder: folder, Data: crlf, Options: AddOptions{Flags: FlagSeen}}})
			if res[0].Err != nil {
				t.Fatal(res[0].Err)
			}
			return res[0].ID
		}},
		{"Replace of a partial message", func(t *testing.T) int64 {
			res := s.AddBatch(ctx, []AddItem{{Folder: folder, Data: partial}})
			if res[0].Err != nil {
				t.Fatal(res[0].Err)
			}
			if sum, _ := s.Get(ctx, res[0].ID); !sum.Partial || sum.Size != int64(len(crlf)) {
				t.Fatalf("partial: %+v, want the size %d", sum, len(crlf))
			}
			if err := s.Replace(ctx, res[0].ID, crlf); err != nil {
				t.Fatal(err)
			}
			return res[0].ID
		}},
		{"Import of a CRLF .eml", func(t *testing.T) int64 {
			imp := FolderRef{Account: "Local", Name: "Imported"}
			if _, err := s.Import(ctx, imp, eml, nil); err != nil {
				t.Fatal(err)
			}
			list, err := s.List(ctx, imp, ListOptions{Limit: 1})
			if err != nil || len(list) != 1 {
				t.Fatalf("imported %v, %v", list, err)
			}
			return list[0].ID
		}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			id := src.add(t)
			p, err := s.Path(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantLF) {
				t.Errorf("file %s:\n%q\nwant\n%q", strings.TrimPrefix(p, dir), got, wantLF)
			}
			sum, err := s.Get(ctx, id)
			if err != nil || sum.Size != int64(len(crlf)) || sum.Partial {
				t.Errorf("summary size %d partial %v (%v), want the CRLF size %d", sum.Size, sum.Partial, err, len(crlf))
			}
			if !strings.Contains(filepath.Base(p), ",S="+strconv.Itoa(len(wantLF))) {
				t.Errorf("file name %s: want S= the file size %d", filepath.Base(p), len(wantLF))
			}
		})
	}
}
