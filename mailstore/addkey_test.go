package mailstore

import (
	"context"
	"errors"
	"testing"
)

// TestAddBatchKey: a caller's key names the Maildir file; a folder that
// holds it (in new/, or indexed after it moved to cur/) is not written
// twice, and a key that is not a safe file name is refused.
func TestAddBatchKey(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	inbox := FolderRef{Account: "Local", Name: "INBOX"}
	item := func(key string) AddItem {
		return AddItem{Folder: inbox, Data: []byte("Subject: k\r\n\r\nbody\r\n"), Options: AddOptions{Key: key}}
	}
	res := s.AddBatch(ctx, []AddItem{item("1700000000.QABC_01.host")})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	id := res[0].ID
	if res = s.AddBatch(ctx, []AddItem{item("1700000000.QABC_01.host")}); !errors.Is(res[0].Err, ErrExist) {
		t.Fatalf("the same key again: %v, want ErrExist", res[0].Err)
	}
	if err := s.SetFlags(ctx, []int64{id}, FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	if res = s.AddBatch(ctx, []AddItem{item("1700000000.QABC_01.host")}); !errors.Is(res[0].Err, ErrExist) {
		t.Fatalf("the same key once read (cur/): %v, want ErrExist", res[0].Err)
	}
	for _, bad := range []string{"../x", ".hidden", "a/b", "a:2,S", "a!b", "a b"} {
		if res = s.AddBatch(ctx, []AddItem{item(bad)}); res[0].Err == nil || errors.Is(res[0].Err, ErrExist) {
			t.Errorf("key %q: %v, want a refusal", bad, res[0].Err)
		}
	}
	list, err := s.List(ctx, inbox, ListOptions{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d messages (%v), want 1", len(list), err)
	}
}
