package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/mailer"
)

// newComposer opens an empty composer on the harness, with a short autosave.
func (h *harness) newComposer() *composer {
	h.t.Helper()
	h.c.compose.saveWait = 30 * time.Millisecond
	h.c.newMessage()
	h.settle()
	if len(h.c.compose.open) == 0 {
		h.t.Fatal("no composer opened")
	}
	return h.c.compose.open[len(h.c.compose.open)-1]
}

func TestComposerShowsTheReasonOfABadAddress(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	to := cm.fields[0]
	test.Type(to.entry, "marc@machin.com, <@a.fr:u@b.fr>")
	h.settle()
	if !to.problem.Visible() || !strings.Contains(to.problem.Text, "source route") || !strings.Contains(to.problem.Text, "RFC 1123") {
		t.Fatalf("problem under To: visible %v, %q", to.problem.Visible(), to.problem.Text)
	}
	if strings.Contains(to.problem.Text, "marc@machin.com") {
		t.Errorf("the good address is blamed: %q", to.problem.Text)
	}
	test.Tap(cm.sendBtn)
	h.settle()
	if !cm.status.Visible() || !strings.Contains(cm.status.Text, "source route") {
		t.Errorf("Send with a bad address: status %q", cm.status.Text)
	}
	to.entry.SetText("marc@machin.com")
	h.settle()
	if to.problem.Visible() {
		t.Errorf("the problem stays: %q", to.problem.Text)
	}
}

func TestComposerCompletesFromTheStore(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	cc := cm.fields[1]
	test.Type(cc.entry, "fred@truc.fr, mar")
	h.waitFor("suggestions", func() bool { return len(cc.suggest.Objects) > 0 })
	b := cc.suggest.Objects[0].(*widget.Button)
	if !strings.Contains(b.Text, "marc@machin.com") {
		t.Fatalf("first suggestion %q", b.Text)
	}
	test.Tap(b)
	h.settle()
	if got := cc.entry.Text; got != "fred@truc.fr, Marc <marc@machin.com>, " {
		t.Errorf("Cc after completion = %q", got)
	}
	if cc.suggest.Visible() || cc.problem.Visible() {
		t.Errorf("suggestions %v, problem %q after completion", cc.suggest.Visible(), cc.problem.Text)
	}
}

func TestComposerAttachesAFile(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	path := filepath.Join(t.TempDir(), "transport.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("x", 3000)), 0o600); err != nil {
		t.Fatal(err)
	}
	cm.attach([]string{path})
	h.settle()
	if len(cm.atts) != 1 || len(cm.attList.Objects) != 1 {
		t.Fatalf("%d attachments, %d rows", len(cm.atts), len(cm.attList.Objects))
	}
	var text string
	walk(cm.attList, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			text += l.Text
		}
	})
	if !strings.Contains(text, "transport.txt") || !strings.Contains(text, formatSize(3000)) {
		t.Errorf("attachment row %q", text)
	}
	cm.removeAttachment(0)
	if len(cm.atts) != 0 || cm.attList.Visible() {
		t.Errorf("still %d attachments after Remove", len(cm.atts))
	}
}

func TestComposerSizeWarning(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	a := account.Account{Name: "Work", Identity: account.Identity{Address: "fred@truc.fr"}, Options: account.Options{SizeLimit: 1000}}
	cm.setSenders([]fromChoice{h.c.localSender(), {label: "Work", account: &a, id: a.Identity}}, a.Identity)
	cm.atts = []compose.Attachment{{Name: "big.bin", Data: make([]byte, 5000), Size: 5000}}
	cm.showAttachmentList()
	if !cm.sizeNote.Visible() || !strings.Contains(cm.sizeNote.Text, "Work") {
		t.Errorf("size note: visible %v, %q", cm.sizeNote.Visible(), cm.sizeNote.Text)
	}
}

func TestComposerReply(t *testing.T) {
	h := newHarness(t)
	sum := h.open("test itineraire")
	h.c.compose.saveWait = time.Hour
	h.c.typedRune('r')
	h.settle()
	if len(h.c.compose.open) != 1 {
		t.Fatalf("%d composers", len(h.c.compose.open))
	}
	cm := h.c.compose.open[0]
	if got := cm.fields[0].entry.Text; !strings.Contains(got, "christian.caleca@w-n-doo.fr") {
		t.Errorf("To = %q", got)
	}
	if got := cm.subject.Text; !strings.EqualFold(got, "Re: test itineraire") {
		t.Errorf("Subject = %q", got)
	}
	if cm.base.InReplyTo != sum.MessageID || sum.MessageID == "" {
		t.Errorf("In-Reply-To = %q, want %q", cm.base.InReplyTo, sum.MessageID)
	}
	if !strings.Contains(cm.body.Text, "\n> ") && !strings.HasPrefix(cm.body.Text, "> ") {
		t.Errorf("no quote in the body:\n%s", cm.body.Text)
	}
	msg, err := compose.Build(cm.current(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(msg.Raw), "In-Reply-To: <"+sum.MessageID+">") {
		t.Errorf("built reply has no In-Reply-To:\n%s", msg.Raw)
	}
}

// drafts lists the Local Drafts folder.
func drafts(t *testing.T, s *mailstore.Store) []mailstore.Summary {
	t.Helper()
	list, err := s.List(context.Background(), mailer.LocalDrafts, mailstore.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func draftWithSubject(list []mailstore.Summary, subject string) (mailstore.Summary, int) {
	var found mailstore.Summary
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s.Subject, "Autosave") {
			n++
		}
		if s.Subject == subject {
			found = s
		}
	}
	return found, n
}

func TestComposerAutosavesIntoDrafts(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	test.Type(cm.subject, "Autosave one")
	h.waitFor("the first save", func() bool { return cm.draft.id != 0 && !cm.draft.saving })
	first := cm.draft.id
	got, n := draftWithSubject(drafts(t, h.store), "Autosave one")
	if got.ID != first || n != 1 || got.Flags&mailstore.FlagDraft == 0 {
		t.Fatalf("Drafts: %+v, %d autosaves", got, n)
	}
	test.Type(cm.subject, " and two")
	test.Type(cm.fields[0].entry, "<@a.fr:u@b.fr>") // kept as typed
	h.waitFor("the second save", func() bool { return cm.draft.id != first && !cm.draft.saving && !cm.draft.dirty })
	got, n = draftWithSubject(drafts(t, h.store), "Autosave one and two")
	if got.ID != cm.draft.id || n != 1 {
		t.Fatalf("Drafts after the second save: %+v, %d autosaves", got, n)
	}
	if _, err := h.store.Get(context.Background(), first); err == nil {
		t.Error("the previous autosave is still in the store")
	}
	// after a crash the draft is in Drafts; opening it opens the composer
	cm.closed = true
	cm.stopTimers()
	h.c.compose.open = nil
	h.c.openFolder(mailer.LocalDrafts)
	h.settle()
	h.open("Autosave one and two")
	h.settle()
	if len(h.c.compose.open) != 1 {
		t.Fatalf("opening a draft opened %d composers", len(h.c.compose.open))
	}
	again := h.c.compose.open[0]
	if again.subject.Text != "Autosave one and two" || again.draft.id != got.ID || !strings.Contains(again.fields[0].entry.Text, "u@b.fr") {
		t.Errorf("restored draft: subject %q, id %d (want %d), To %q", again.subject.Text, again.draft.id, got.ID, again.fields[0].entry.Text)
	}
}

func TestComposerSendsFromLocalThroughTheMTA(t *testing.T) {
	s, dir := openDemoStore(t)
	h := newMTAHarness(t, s, dir, nil)
	h.c.compose.saveWait = time.Hour
	h.c.newMessage()
	h.settle()
	cm := h.c.compose.open[0]
	if got := cm.sender().id.Address; got != testLogin+"@localhost" || cm.sender().account != nil {
		t.Fatalf("From = %q", got)
	}
	cm.fields[0].entry.SetText("Fred <" + testLogin + "@localhost>")
	cm.fields[2].entry.SetText("Secret <" + testLogin + "@localhost>") // the local MTA refuses unknown users at once
	cm.subject.SetText("Essai depuis le compositeur")
	cm.body.SetText("Bonjour,\nça part par le MTA local.\n")
	test.Tap(cm.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" || (cm.status.Visible() && !cm.sending) })
	if !strings.Contains(h.c.lastOutcome, "local mail system") {
		t.Fatalf("outcome %q, status %q", h.c.lastOutcome, cm.status.Text)
	}
	if len(h.c.compose.open) != 0 {
		t.Error("the composer stayed open after sending")
	}
	var got mailstore.Summary
	h.waitFor("the delivery", func() bool {
		list, _ := s.List(context.Background(), inboxRef, mailstore.ListOptions{Limit: 1000})
		for _, m := range list {
			if m.Subject == "Essai depuis le compositeur" {
				got = m
				return true
			}
		}
		return false
	})
	rc, err := s.Open(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw := readAll(t, rc)
	for _, want := range []string{"From: <" + testLogin + "@localhost>", `To: "Fred" <` + testLogin + "@localhost>", "Message-ID: <", "Subject: Essai depuis le compositeur", "Delivered-To: "} {
		if !strings.Contains(raw, want) {
			t.Errorf("delivered message lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(strings.ToLower(raw), "\nbcc:") || strings.HasPrefix(strings.ToLower(raw), "bcc:") {
		t.Errorf("the Bcc shows in the delivered message:\n%s", raw)
	}
}

// A whole address typed leaves no suggestion open under the field, and the
// fields below stay where they were.
func TestComposerNoSuggestionForAWholeAddress(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	to := cm.fields[0]
	below := cm.fields[1].entry.Position().Y
	test.Type(to.entry, "marc")
	h.waitFor("suggestions", func() bool { return to.suggest.Visible() })
	test.Type(to.entry, "@machin.com")
	h.settle()
	if to.suggest.Visible() {
		t.Fatalf("suggestions are open under a whole address: %d", len(to.suggest.Objects))
	}
	cm.win.Content().Refresh()
	if y := cm.fields[1].entry.Position().Y; y != below {
		t.Errorf("the Cc field moved from %v to %v", below, y)
	}
}
