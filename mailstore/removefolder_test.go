package mailstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveFolder(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	work := FolderRef{Account: "Acct", Name: "Work"}
	child := FolderRef{Account: "Acct", Name: "Work/Child"}
	full := FolderRef{Account: "Acct", Name: "Full"}
	for _, ref := range []FolderRef{work, child, full} {
		if err := s.CreateFolder(ctx, ref, RoleNone); err != nil {
			t.Fatal(err)
		}
	}
	add(t, s, full, testMsg{id: "a@x", subject: "kept"}, AddOptions{})

	tests := []struct {
		name string
		ref  FolderRef
		want error
		gone bool // the directory is gone
	}{
		{"a folder with a message is refused", full, ErrFolderNotEmpty, false},
		{"an empty folder with a sub-folder keeps its directory", work, nil, false},
		{"an empty leaf goes entirely", child, nil, true},
		{"a folder that does not exist", FolderRef{Account: "Acct", Name: "Nope"}, ErrNotFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.RemoveFolder(ctx, tt.ref)
			if !errors.Is(err, tt.want) {
				t.Fatalf("RemoveFolder(%v) = %v, want %v", tt.ref, err, tt.want)
			}
			d := filepath.Join(dir, "mail", folderDir(tt.ref))
			_, statErr := os.Stat(d)
			if gone := errors.Is(statErr, os.ErrNotExist); gone != tt.gone {
				t.Errorf("directory %s gone = %v, want %v", d, gone, tt.gone)
			}
			if tt.want == nil && isMaildir(d) {
				t.Errorf("%s is still a Maildir", d)
			}
		})
	}
	// the index agrees, and a rescan does not bring the removed folders back
	if _, err := s.Rescan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	folders, err := s.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range folders {
		if f.Ref.Account == "Acct" {
			names = append(names, f.Ref.Name)
		}
	}
	if len(names) != 1 || names[0] != "Full" {
		t.Errorf("folders after RemoveFolder and Rescan: %v, want [Full]", names)
	}
}
