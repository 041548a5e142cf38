package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// A message forwarded as an attachment (message/rfc822) opens in
// Facteur's window, and Inspect there shows its own route.
func TestAttachedMessageOpensInFacteur(t *testing.T) {
	h := newHarness(t)
	h.c.insp.noDNS = true
	course, err := os.ReadFile("../mua/demo/messages/inbox-01-course-example.eml")
	if err != nil {
		t.Fatal(err)
	}
	openBtn := h.attachedMessage("Forwarded course", "course.eml", course)
	before := len(h.c.app.Driver().AllWindows())
	test.Tap(openBtn)
	h.settle()
	wins := h.c.app.Driver().AllWindows()
	if len(wins) != before+1 || !strings.Contains(wins[len(wins)-1].Title(), "test itineraire") {
		t.Fatalf("windows after Open: %d (was %d)", len(wins), before)
	}
	w := wins[len(wins)-1]
	var inspectBtn *widget.Button
	walk(w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Inspect" {
			inspectBtn = b
		}
	})
	if inspectBtn == nil {
		t.Fatal("the attached message's window has no Inspect")
	}
	test.Tap(inspectBtn)
	h.waitFor("the report", func() bool { return h.c.insp.view != nil && h.c.insp.view.report != nil })
	if r := h.c.insp.view.report; len(r.Route.Hops) != 3 {
		t.Errorf("the attached course example has %d hops, want 3", len(r.Route.Hops))
	}
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got := len(h.c.app.Driver().AllWindows()); got != before+1 { // the inspector is open
		t.Errorf("Escape did not close the attached message's window: %d windows", got)
	}
}

// Without xdg-open the error is a sentence.
func TestOpenWithoutXdgOpenSaysSo(t *testing.T) {
	_, err := exec.LookPath("facteur-no-such-opener")
	got := openFileError(&exec.Error{Name: "xdg-open", Err: err})
	if strings.Contains(got.Error(), "executable file not found") || !strings.Contains(got.Error(), "xdg-open") {
		t.Errorf("the error says %q", got)
	}
	other := errors.New("disk full")
	if openFileError(other) != other {
		t.Error("another error was changed")
	}
}

// attachedMessage puts in the INBOX a message whose attachment (filename)
// is inner as message/rfc822, opens it, and returns the attachment's Open
// button.
func (h *harness) attachedMessage(subject, filename string, inner []byte) *widget.Button {
	h.t.Helper()
	raw := "From: Fred <fred@truc.fr>\r\nTo: marc@machin.com\r\nSubject: " + subject + "\r\n" +
		"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=" + filename + "\r\n\r\n" +
		string(inner) + "\r\n--b--\r\n"
	if _, err := h.store.Add(context.Background(), inboxRef, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
		h.t.Fatal(err)
	}
	h.c.reloadList(false)
	h.settle()
	h.open(subject)
	var openBtn *widget.Button
	walk(h.c.ui.reader.attachments, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Open" {
			openBtn = b
		}
	})
	if openBtn == nil {
		h.t.Fatalf("no Open button for the attachment of %q", subject)
	}
	return openBtn
}
