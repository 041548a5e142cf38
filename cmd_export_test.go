package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"facteur/internal/profile"
	"facteur/mailstore"
)

// profileStore opens the store of the profile in dir, for a test to
// write to it before, or read it after, facteur commands (close it first).
func profileStore(t *testing.T, dir string) *mailstore.Store {
	t.Helper()
	p, err := profile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := mailstore.Open(context.Background(), p.MailDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExportWarnsOfPartialMessages(t *testing.T) {
	dir := t.TempDir()
	s := profileStore(t, dir)
	ref := mailstore.FolderRef{Account: "Machin", Name: "INBOX"}
	whole := "From: fred@truc.fr\r\nSubject: whole\r\n\r\nbody\r\n"
	partial := mailstore.PartialMessage([]byte("From: fred@truc.fr\r\nSubject: headers only\r\n\r\n"), 4096, false)
	for _, m := range [][]byte{[]byte(whole), partial} {
		if _, err := s.Add(context.Background(), ref, bytes.NewReader(m), mailstore.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	out := filepath.Join(t.TempDir(), "inbox.mbox")
	code, stdout, stderr := facteur(t, dir, "export", "Machin/INBOX", out)
	if code != 0 || !strings.Contains(stdout, "exported 2 messages") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "1 of these messages have only their header") || !strings.Contains(stderr, "facteur sync --offline Machin") {
		t.Errorf("no warning about the partial message: %q", stderr)
	}
}
