// Package storetest opens mail stores for the tests of the packages that
// keep mail in one (the MTA's delivery, the POP3 server and clients, the
// watcher).
package storetest

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"facteur/mailstore"
)

// Open opens a store in a temporary directory of the test, closed at its
// end.
func Open(t testing.TB) *mailstore.Store {
	t.Helper()
	s, err := mailstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// WaitMessage waits (at most timeout) for a message with that subject in
// folder, woken by the store's changes, and returns its text.
func WaitMessage(t testing.TB, s *mailstore.Store, folder mailstore.FolderRef, subject string, timeout time.Duration) string {
	t.Helper()
	changes := s.Subscribe(t.Context())
	deadline := time.After(timeout)
	for {
		sums, err := s.List(context.Background(), folder, mailstore.ListOptions{Limit: 100})
		if err != nil && !errors.Is(err, mailstore.ErrNotFound) {
			t.Fatal(err)
		}
		for _, m := range sums {
			if m.Subject == subject {
				return readAll(t, s, m.ID)
			}
		}
		select {
		case <-changes:
		case <-deadline:
			t.Fatalf("no message %q in %s/%s", subject, folder.Account, folder.Name)
		}
	}
}

func readAll(t testing.TB, s *mailstore.Store, id int64) string {
	t.Helper()
	rc, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FullKeywords gives account a letter for 26 keywords, keyword among
// them: the Maildir file name has room for no more, and a keyword new to
// the account finds no letter (mailstore.ErrTooManyKeywords).
func FullKeywords(t testing.TB, s *mailstore.Store, account, keyword string) {
	t.Helper()
	ctx := context.Background()
	u, err := mailstore.OpenUIDIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for i := range 26 {
		kw := keyword
		if i > 0 {
			kw = "k" + string(rune('A'+i))
		}
		if _, err := u.KeywordLetter(ctx, account, kw); err != nil {
			t.Fatal(err)
		}
	}
}
