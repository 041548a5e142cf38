package app

import (
	"testing"

	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2/storage"
)

// The file choosers show the mail files: mbox and .eml files, and the
// files without an extension (mbox files often have none), not the others.
func TestMailFileFilter(t *testing.T) {
	cases := []struct {
		name string
		want bool
	}{
		{"archive.mbox", true},
		{"old.MBX", true},
		{"message.eml", true},
		{"Inbox", true},      // Thunderbird's mbox
		{"marc", true},       // /var/mail/marc
		{"Inbox.msf", false}, // Thunderbird's index
		{"photo.png", false},
		{"notes.txt", false},
	}
	for _, tc := range cases {
		u := storage.NewFileURI("/home/marc/Mail/" + tc.name)
		if got := (mailFileFilter{}).Matches(u); got != tc.want {
			t.Errorf("%s shown: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// On Fyne's test driver (no desktop portal), Ctrl+I and File > Export
// open Fyne's file dialog, which lists the mail files of the folder it
// starts in and hides the others.
func TestImportAndExportOpenAFilteredChooser(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	for _, name := range []string{"archive.mbox", "message.eml", "Inbox", "photo.png", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// the folder Fyne's dialog opens last time: it starts there
	h.c.app.Preferences().SetString("fyne:fileDialogLastFolder", storage.NewFileURI(dir).String())
	h.shortcut(shortcutImport)
	if h.dialogs() != 1 {
		t.Fatalf("%d dialogs after Ctrl+I, want the file chooser", h.dialogs())
	}
	listed := h.overlayText()
	for _, name := range []string{"archive", "message", "Inbox"} { // shown without their extension
		if !strings.Contains(listed, "\n"+name+"\n") {
			t.Errorf("the chooser does not show %s: %q", name, listed)
		}
	}
	for _, name := range []string{"photo", "notes"} {
		if strings.Contains(listed, "\n"+name+"\n") {
			t.Errorf("the chooser shows %s", name)
		}
	}
	h.menuItemOf("File", "Export folder as mbox…").Action()
	if h.dialogs() != 2 {
		t.Fatalf("%d dialogs after File > Export, want the file chooser", h.dialogs())
	}
}
