package mailstore

import (
	"context"
	"slices"
	"testing"
)

// A conversation gathers the thread across the folders of one account,
// the user's reply in Sent included, oldest first; another account's copy
// and the Trash are left out.
func TestConversation(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sent := FolderRef{Account: "Local", Name: "Sent"}
	trash := FolderRef{Account: "Local", Name: "Trash"}
	other := FolderRef{Account: "Work", Name: "INBOX"}
	createFolders(t, s, map[FolderRef]Role{sent: RoleSent, trash: RoleTrash, other: RoleInbox})
	first := add(t, s, inbox, testMsg{id: "a@x", subject: "Plan", date: day(1)}, AddOptions{})
	add(t, s, sent, testMsg{id: "b@x", subject: "Re: Plan", inReplyTo: "a@x", refs: "<a@x>", date: day(2)}, AddOptions{})
	add(t, s, inbox, testMsg{id: "c@x", subject: "Re: Plan", inReplyTo: "b@x", refs: "<a@x> <b@x>", date: day(3)}, AddOptions{})
	deleted := add(t, s, trash, testMsg{id: "d@x", subject: "Re: Plan (deleted)", inReplyTo: "c@x", refs: "<a@x> <b@x> <c@x>", date: day(4)}, AddOptions{})
	add(t, s, other, testMsg{id: "e@x", subject: "Re: Plan (work)", inReplyTo: "a@x", refs: "<a@x>", date: day(5)}, AddOptions{})
	add(t, s, inbox, testMsg{id: "f@x", subject: "Other", date: day(6)}, AddOptions{})

	tests := []struct {
		name string
		id   int64
		want []string
	}{
		{"from the inbox", first.ID, []string{"Plan", "Re: Plan", "Re: Plan"}},
		{"from the trash", deleted.ID, []string{"Plan", "Re: Plan", "Re: Plan", "Re: Plan (deleted)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Conversation(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(subjects(got), tt.want) {
				t.Errorf("conversation %q, want %q", subjects(got), tt.want)
			}
			if len(got) > 1 && got[1].Folder != sent {
				t.Errorf("the reply is in %v, want Sent", got[1].Folder)
			}
		})
	}
	if got, err := s.Conversation(ctx, 999999); err != nil || len(got) != 0 {
		t.Errorf("an unknown message: %v, %v", got, err)
	}
}

// ByMessageID finds a message by its Message-ID in every account and
// folder but Drafts.
func TestByMessageID(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	archive := FolderRef{Account: "Local", Name: "Archive"}
	drafts := FolderRef{Account: "Local", Name: "Drafts"}
	other := FolderRef{Account: "Work", Name: "INBOX"}
	createFolders(t, s, map[FolderRef]Role{archive: RoleArchive, drafts: RoleDrafts, other: RoleInbox})
	a := add(t, s, inbox, testMsg{id: "a@x", subject: "Plan", date: day(1)}, AddOptions{})
	b := add(t, s, archive, testMsg{id: "a@x", subject: "Plan", date: day(1)}, AddOptions{})
	w := add(t, s, other, testMsg{id: "w@x", subject: "Work", date: day(2)}, AddOptions{})
	add(t, s, drafts, testMsg{id: "w@x", subject: "Work (draft)", date: day(3)}, AddOptions{})
	for _, tt := range []struct {
		msgid string
		want  []int64
	}{
		{"a@x", []int64{a.ID, b.ID}},
		{"w@x", []int64{w.ID}},
		{"nobody@x", nil},
		{"", nil},
	} {
		got, err := s.ByMessageID(ctx, tt.msgid)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ByMessageID(%q) = %v, want %v", tt.msgid, got, tt.want)
		}
	}
}

// createFolders creates each folder with its role.
func createFolders(t *testing.T, s *Store, folders map[FolderRef]Role) {
	t.Helper()
	for ref, role := range folders {
		if err := s.CreateFolder(context.Background(), ref, role); err != nil {
			t.Fatal(err)
		}
	}
}
