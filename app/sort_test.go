package app

import (
	"slices"
	"strings"
	"testing"

	"facteur/mailstore"
	"facteur/mailstore/thread"
)

// loadedRows are the rows of the list, in order, once every page is in.
func (h *harness) loadedRows() []mailstore.Summary {
	h.t.Helper()
	var out []mailstore.Summary
	for i := range h.c.rows.length() {
		s, ok, need := h.c.rows.row(i)
		if !ok && need >= 0 {
			h.c.loadPage(need)
			h.settle()
			s, ok, _ = h.c.rows.row(i)
		}
		if !ok {
			h.t.Fatalf("row %d never loaded", i)
		}
		out = append(out, s)
	}
	return out
}

// threadKeys is the sort key of each thread of rows, in order: the base
// subject or the sender of its first message.
func threadKeys(rows []mailstore.Summary, key func(mailstore.Summary) string) []string {
	var keys []string
	firstDate := map[int64]mailstore.Summary{}
	var order []int64
	for _, s := range rows {
		f, seen := firstDate[s.ThreadID]
		if !seen {
			order = append(order, s.ThreadID)
		}
		if !seen || s.Date.Before(f.Date) {
			firstDate[s.ThreadID] = s
		}
	}
	for _, t := range order {
		keys = append(keys, key(firstDate[t]))
	}
	return keys
}

// The thread view follows the sort by sender or subject: threads ordered
// by their first message, A to Z.
func TestThreadsFollowTheSortBySenderAndSubject(t *testing.T) {
	subject := func(s mailstore.Summary) string { return strings.ToLower(thread.BaseSubject(s.Subject)) }
	sender := func(s mailstore.Summary) string {
		if len(s.From) == 0 {
			return ""
		}
		if s.From[0].Name != "" {
			return strings.ToLower(s.From[0].Name)
		}
		return strings.ToLower(s.From[0].Addr)
	}
	for _, tt := range []struct {
		name   string
		choice int
		key    func(mailstore.Summary) string
	}{{"subject", 3, subject}, {"sender", 2, sender}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.c.setThreaded(true)
			h.c.setSort(tt.choice)
			h.settle()
			keys := threadKeys(h.loadedRows(), tt.key)
			if len(keys) < 3 {
				t.Fatalf("only %d threads", len(keys))
			}
			if !slices.IsSorted(keys) {
				t.Errorf("threads by %s are not A to Z: %q", tt.name, keys)
			}
		})
	}
}

// The thread view is kept across restarts, like the theme.
func TestThreadViewKeptAcrossRestarts(t *testing.T) {
	h := newHarness(t)
	h.c.setThreaded(true)
	h.settle()
	q := newUIQueue()
	again := newController(h.c.app, h.c.app.NewWindow("Facteur"), h.store, h.c.opts, q.post)
	t.Cleanup(again.close)
	if !again.listOpts.Threaded || !again.ui.threadCheck.Checked || !again.ui.menu.threads.Checked {
		t.Errorf("after a restart: threaded %v, check %v, menu %v", again.listOpts.Threaded, again.ui.threadCheck.Checked, again.ui.menu.threads.Checked)
	}
}
