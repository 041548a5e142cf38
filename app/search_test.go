package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
)

func TestSearchAsYouTypeNarrowsTheList(t *testing.T) {
	h := newHarness(t)
	all := h.c.ui.list.Length()
	test.Type(h.c.ui.searchEntry, "itineraire")
	if h.c.listing.kind != listFolder {
		t.Fatal("the search ran before the typing paused")
	}
	h.settle()
	if h.c.listing.kind != listSearch {
		t.Fatal("typing did not run the search")
	}
	n := h.c.rows.length()
	if n == 0 || n >= all+3 {
		t.Fatalf("search found %d messages (folder had %d)", n, all)
	}
	for _, r := range h.rows() {
		subj := strings.ToLower(r.subject.Text)
		if !strings.Contains(subj, "itin") {
			t.Errorf("result %q does not match the query", r.subject.Text)
		}
		if r.where.Text == "" {
			t.Errorf("result %q does not name its folder", r.subject.Text)
		}
	}

	test.Type(h.c.ui.searchEntry, " zzzznothing")
	h.settle()
	if h.c.rows.length() != 0 || h.c.ui.listEmpty.Text != "No results" || !h.c.ui.listEmpty.Visible() {
		t.Errorf("no match: %d rows, empty state %q", h.c.rows.length(), h.c.ui.listEmpty.Text)
	}

	h.c.ui.searchEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.settle()
	if h.c.ui.searchEntry.Text != "" || h.c.listing.kind != listFolder || h.c.ui.list.Length() != all {
		t.Errorf("Escape: entry %q, listing %v, %d rows (want %d)", h.c.ui.searchEntry.Text, h.c.listing.kind, h.c.ui.list.Length(), all)
	}
}

func TestSearchSyntaxFromAndBadQuery(t *testing.T) {
	h := newHarness(t)
	h.c.runSearch("from:caleca")
	h.settle()
	if h.c.rows.length() != 1 {
		t.Fatalf("from:caleca found %d messages, want 1", h.c.rows.length())
	}
	if h.rows()[0].subject.Text != "test itineraire" {
		t.Errorf("from:caleca found %q", h.rows()[0].subject.Text)
	}
	h.c.runSearch("from:")
	h.settle()
	if !errors.Is(h.c.listErr, mailstore.ErrBadQuery) || h.dialogs() > 0 {
		t.Errorf("a refused query: error %v", h.c.listErr)
	}
	if !h.c.ui.listEmpty.Visible() || !strings.Contains(h.c.ui.listEmpty.Text, "cannot be understood") {
		t.Errorf("a refused query is explained by %q", h.c.ui.listEmpty.Text)
	}
}

// slowStore holds each query that has a gate until the gate is closed, to
// check that a late answer to an old query is never shown.
type slowStore struct {
	*mailstore.Store
	gates map[string]chan struct{}
}

func (s *slowStore) Search(ctx context.Context, q string, opt mailstore.SearchOptions) ([]mailstore.Summary, error) {
	if gate, ok := s.gates[q]; ok {
		<-gate
	}
	return s.Store.Search(context.WithoutCancel(ctx), q, opt)
}

func TestStaleSearchResultsAreDropped(t *testing.T) {
	slow := &slowStore{gates: map[string]chan struct{}{
		"essai": make(chan struct{}), "caleca": make(chan struct{}),
	}}
	h := newHarnessWith(t, func(s *mailstore.Store) mailStore { slow.Store = s; return slow })
	h.c.runSearch("essai")
	h.c.runSearch("caleca") // the user typed on: "essai" is stale
	// The answer to "essai" arrives while "caleca" is still running.
	close(slow.gates["essai"])
	select {
	case <-h.q.wake:
	case <-time.After(15 * time.Second):
		t.Fatal("the first query never answered")
	}
	h.q.drain()
	if h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == "essai" }) >= 0 {
		t.Fatal("the results of the old query were shown")
	}
	close(slow.gates["caleca"])
	h.settle()
	if h.c.search.query != "caleca" || h.c.rows.length() != 1 {
		t.Fatalf("query %q, %d rows; want caleca and 1 row", h.c.search.query, h.c.rows.length())
	}
	if got := h.rows()[0].subject.Text; got != "test itineraire" {
		t.Errorf("caleca found %q", got)
	}
}

func TestOpeningAFolderLeavesSearch(t *testing.T) {
	h := newHarness(t)
	test.Type(h.c.ui.searchEntry, "itineraire")
	h.settle()
	h.c.ui.tree.Select(folderUID(mailstore.FolderRef{Account: "Local", Name: "Sent"}))
	h.settle()
	if h.c.listing.kind != listFolder || h.c.ui.searchEntry.Text != "" || h.c.current.Name != "Sent" {
		t.Errorf("after clicking a folder: listing %v, entry %q, folder %v", h.c.listing.kind, h.c.ui.searchEntry.Text, h.c.current)
	}
}

// While searching, the list says how many messages match.
func TestSearchShowsTheNumberOfResults(t *testing.T) {
	h := newHarness(t)
	if h.c.ui.resultCount.Visible() {
		t.Fatal("a result count outside a search")
	}
	test.Type(h.c.ui.searchEntry, "itineraire")
	h.settle()
	n := h.c.rows.length()
	want := strconv.Itoa(n) + " results"
	if !h.c.ui.resultCount.Visible() || h.c.ui.resultCount.Text != want {
		t.Errorf("result count %q (shown %v), want %q", h.c.ui.resultCount.Text, h.c.ui.resultCount.Visible(), want)
	}
	h.c.escapeSearch()
	h.settle()
	if h.c.ui.resultCount.Visible() {
		t.Error("the result count stays after the search")
	}
}
