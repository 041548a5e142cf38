package app

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/submit"
	"facteur/mua/submit/smtptest"
)

// A message whose SMTP server closes the connection right after the final
// dot may have been delivered (issue 11): the composer closes, as after a
// success, so that a second Send cannot deliver it twice; the window says
// plainly what happened, the server got it once, and its copy in Sent is
// marked uncertain.
func TestComposerUncertainSendClosesTheComposer(t *testing.T) {
	h := newHarness(t)
	srv := imaptest.Start(t, imaptest.NewUser(t, "Sent", "Drafts"))
	smtpSrv := smtptest.Start(t, nil, smtptest.CloseAfterDot)
	a := h.addIMAPAccount(srv.Addr, smtpSrv.Addr)
	h.c.reloadAccounts()
	cm := h.imapComposer()
	cm.fields[0].entry.SetText("fred@truc.test")
	test.Type(cm.subject, "Peut-être")
	test.Tap(cm.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" })
	if !cm.closed {
		t.Error("the composer stays open after an uncertain send: a second Send would deliver it twice")
	}
	if !strings.Contains(h.c.lastOutcome, "may have received it") {
		t.Errorf("the window says %q", h.c.lastOutcome)
	}
	if got := smtpSrv.Messages(); len(got) != 1 {
		t.Errorf("the SMTP server got %d messages, want 1", len(got))
	}
	sent := mailstore.FolderRef{Account: a.Name, Name: "Sent"}
	h.waitFor("the copy in Sent", func() bool { return len(h.localSubjects(sent)) == 1 })
	list, err := h.store.List(context.Background(), sent, mailstore.ListOptions{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("Sent: %v, %v", list, err)
	}
	rc, err := h.store.Open(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Contains(raw, []byte(submit.DeliveryField+": uncertain")) {
		t.Errorf("the copy in Sent is not marked uncertain:\n%s", raw)
	}
}
