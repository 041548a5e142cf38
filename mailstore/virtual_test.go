package mailstore

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// The virtual folders gather the messages of every account, newest
// first, each with its folder; Trash and Junk stay out of unread and
// flagged.
func TestVirtualFolders(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	other := FolderRef{Account: "Machin", Name: "INBOX"}
	if err := s.CreateFolder(ctx, other, RoleInbox); err != nil {
		t.Fatal(err)
	}
	trash := FolderRef{Account: "Machin", Name: "Corbeille"}
	if err := s.CreateFolder(ctx, trash, RoleTrash); err != nil {
		t.Fatal(err)
	}
	add(t, s, inbox, testMsg{id: "a@x", subject: "A", date: day(1)}, AddOptions{})
	add(t, s, other, testMsg{id: "b@x", subject: "B", date: day(2)}, AddOptions{Flags: FlagSeen | FlagFlagged})
	add(t, s, FolderRef{Account: "Local", Name: "Work"}, testMsg{id: "c@x", subject: "C", date: day(3)}, AddOptions{Flags: FlagFlagged})
	add(t, s, trash, testMsg{id: "d@x", subject: "D", date: day(4)}, AddOptions{Flags: FlagFlagged})
	tests := []struct {
		v             Virtual
		want          []string
		total, unread int
	}{
		{VirtualInboxes, []string{"B", "A"}, 2, 1},
		{VirtualUnread, []string{"C", "A"}, 2, 2},
		{VirtualFlagged, []string{"C", "B"}, 2, 1},
	}
	for _, tt := range tests {
		list, err := s.ListVirtual(ctx, tt.v, ListOptions{})
		if err != nil || !slices.Equal(subjects(list), tt.want) {
			t.Errorf("ListVirtual(%s) = %q, %v; want %q", tt.v, subjects(list), err, tt.want)
		}
		if tt.v == VirtualInboxes && len(list) == 2 && (list[0].Folder != other || list[1].Folder != inbox) {
			t.Errorf("folders of the inboxes' messages: %v, %v", list[0].Folder, list[1].Folder)
		}
		total, unread, err := s.CountVirtual(ctx, tt.v)
		if err != nil || total != tt.total || unread != tt.unread {
			t.Errorf("CountVirtual(%s) = %d, %d, %v; want %d, %d", tt.v, total, unread, err, tt.total, tt.unread)
		}
	}
	if _, err := s.ListVirtual(ctx, "nope", ListOptions{}); err == nil {
		t.Error("an unknown virtual folder was listed")
	}
}

// A page of a virtual folder, newest first, is read in index order: no
// sort of the messages (SQLite's "USE TEMP B-TREE FOR ORDER BY") but of
// the page's own rows, so the first page of 100,000 messages costs what
// a page costs.
func TestVirtualPageNeedsNoSort(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if err := s.CreateFolder(ctx, FolderRef{Account: "Machin", Name: "INBOX"}, RoleInbox); err != nil {
		t.Fatal(err)
	}
	add(t, s, inbox, testMsg{id: "a@x", subject: "A"}, AddOptions{})
	for _, v := range Virtuals {
		query, args, err := s.virtualQuery(v, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		text := queryPlan(t, s, query, args...)
		switch v {
		case VirtualInboxes:
			// Each inbox's first rows in the order of its index; the
			// merge sorts those.
			if strings.Count(text, "SEARCH h USING INDEX messages_date") < 2 {
				t.Errorf("%s: plan %q", v, text)
			}
		default:
			// The page's ids in the order of state's partial index;
			// only the page's rows are sorted, after.
			if !strings.Contains(text, "SCAN state USING INDEX state_"+string(v)) ||
				strings.Count(text, "TEMP B-TREE") > 1 || !strings.HasSuffix(text, "USE TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: plan %q", v, text)
			}
		}
	}
}
