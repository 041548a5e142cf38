// Package storetest opens mail stores for the tests of the packages that
// keep mail in one (the MTA's delivery, the POP3 server and clients, the
// watcher).
package storetest

import (
	"context"
	"testing"

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
