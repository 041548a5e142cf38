package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// writeMbox writes an mbox of n small messages, one "From " line each.
func writeMbox(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "From sender%d@example.org Thu May 11 18:19:24 2000\n", i)
		fmt.Fprintf(&b, "From: Sender %d <sender%d@example.org>\nTo: marc@machin.com\n", i, i)
		fmt.Fprintf(&b, "Subject: imported message %d\nDate: Thu, 11 May 2000 18:%02d:00 +0200\n", i, i%60)
		fmt.Fprintf(&b, "Message-ID: <imported-%d@example.org>\n\nBody %d.\n>From the mbox, escaped.\n\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "old-mail.mbox")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportUpdatesTheCounts(t *testing.T) {
	h := newHarness(t)
	path := writeMbox(t, 3)
	if got := importFolderName(path); got != "old-mail" {
		t.Fatalf("default folder for %s = %q", path, got)
	}
	dest := mailstore.FolderRef{Account: "Local", Name: "old-mail"}
	h.c.startImport(path, dest)
	if h.dialogs() != 1 {
		t.Fatalf("%d dialogs while importing, want the progress dialog", h.dialogs())
	}
	h.waitFor("the imported folder in the tree", func() bool {
		f, ok := h.c.folder(dest)
		return ok && f.Total == 3
	})
	if f, _ := h.c.folder(dest); f.Unread != 3 {
		t.Errorf("imported folder has %d unread, want 3", f.Unread)
	}
	if row := h.treeRow("old-mail"); row.count.Text != "3" {
		t.Errorf("the tree shows %q unread for the imported folder", row.count.Text)
	}
	if !strings.Contains(h.overlayText(), "3 messages") {
		t.Errorf("the end of the import is not reported: %q", h.overlayText())
	}

	h.c.openFolder(dest)
	h.settle()
	if h.c.ui.list.Length() != 3 {
		t.Errorf("the imported folder lists %d rows", h.c.ui.list.Length())
	}
}

func TestImportCanBeCancelled(t *testing.T) {
	h := newHarness(t)
	path := writeMbox(t, 2000)
	dest := mailstore.FolderRef{Account: "Local", Name: "big"}
	h.c.startImport(path, dest)
	// Press the dialog's Cancel at once.
	var cancel *widget.Button
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
				cancel = b
			}
		})
	}
	if cancel == nil {
		t.Fatal("no Cancel button in the progress dialog")
	}
	test.Tap(cancel)
	h.settle()
	f, _ := h.c.folder(dest)
	if f.Total >= 2000 {
		t.Skipf("the import of %d messages ended before the cancel reached it", f.Total)
	}
	if !strings.Contains(h.overlayText(), "cancelled") {
		t.Errorf("the cancel is not reported: %q", h.overlayText())
	}
}

func TestProgressText(t *testing.T) {
	loadTranslations()
	got := progressText(mailstore.Progress{Done: 12345, Bytes: 210 << 20})
	if got != "12,345 messages / 210 MB" {
		t.Errorf("progress = %q", got)
	}
	got = progressText(mailstore.Progress{Done: 1, Bytes: 2048, TotalBytes: 4096})
	if got != "1 message / 2.0 KB of 4.0 KB" {
		t.Errorf("progress = %q", got)
	}
}

func TestExportWritesAnMbox(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "inbox.mbox")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := h.c.folder(inboxRef)
	h.c.startExport(f, w)
	h.settle()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count("\n"+string(data), "\nFrom "); n != f.Total {
		t.Errorf("the mbox has %d From_ lines, the inbox %d messages", n, f.Total)
	}
	if !strings.Contains(h.overlayText(), "inbox.mbox") {
		t.Errorf("the export is not reported: %q", h.overlayText())
	}
}
