package app

import (
	"context"
	"strings"
	"sync"
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
	h.c.runSearch(`"unclosed`)
	h.settle()
	if h.c.listErr != nil && !h.c.ui.listEmpty.Visible() {
		t.Errorf("a refused query shows no explanation")
	}
}

// slowStore holds the first query until released, to check that a late
// answer to an old query is dropped.
type slowStore struct {
	*mailstore.Store
	mu      sync.Mutex
	hold    string
	release chan struct{}
}

func (s *slowStore) Search(ctx context.Context, q string, opt mailstore.SearchOptions) ([]mailstore.Summary, error) {
	s.mu.Lock()
	hold := q == s.hold
	s.mu.Unlock()
	if hold {
		<-s.release
	}
	return s.Store.Search(context.WithoutCancel(ctx), q, opt)
}

func TestStaleSearchResultsAreDropped(t *testing.T) {
	slow := &slowStore{hold: "essai", release: make(chan struct{})}
	h := newHarnessWith(t, func(s *mailstore.Store) mailStore { slow.Store = s; return slow })
	h.c.runSearch("essai") // held
	// The serial worker is busy with the held query; the next one waits behind it.
	h.c.runSearch("caleca")
	close(slow.release)
	deadline := time.After(15 * time.Second)
	for {
		h.q.drain()
		if h.c.rows.find(func(s mailstore.Summary) bool { return s.Subject == "essai" }) >= 0 {
			t.Fatal("the results of the old query were shown")
		}
		if h.c.work.idle() {
			break
		}
		select {
		case <-h.q.wake:
		case <-deadline:
			t.Fatal("timed out")
		}
	}
	if h.c.search.query != "caleca" {
		t.Fatalf("query = %q", h.c.search.query)
	}
	for _, r := range h.rows() {
		if r.subject.Text != "test itineraire" {
			t.Errorf("stale result %q shown for caleca", r.subject.Text)
		}
	}
	if h.c.rows.length() != 1 {
		t.Errorf("%d rows for caleca, want 1", h.c.rows.length())
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
