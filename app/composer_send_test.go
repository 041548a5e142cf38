package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"facteur/localmta/mailsys"
	"facteur/mailstore"
)

// Another process (`facteur mta`) runs the profile's MTA: the window drives
// it, and the composer hands the Local account's mail to its queue over
// the control socket.
func TestComposerSendsThroughTheMTAOfAnotherProcess(t *testing.T) {
	s, dir := openDemoStore(t)
	beside := mailsys.Start(context.Background(), mailsys.Options{Dir: filepath.Join(dir, "mta"),
		Addrs: mailsys.Addrs{SMTP: "127.0.0.1:0", Submission: mailsys.Off, POP3: mailsys.Off, IMAP: mailsys.Off},
		Load:  mailsys.BareConfig(testLogin), Hostname: "beside.test", Store: s})
	t.Cleanup(func() { beside.Close() })
	if st := beside.Status(); st.State != mailsys.Running {
		t.Fatalf("the MTA beside: %+v", st)
	}
	h := newMTAHarness(t, s, dir, nil)
	if st := h.c.mta.run.get().Status(); st.State != mailsys.External {
		t.Fatalf("the window's mail system: %+v, want External", st)
	}
	h.c.compose.saveWait = time.Hour
	h.c.newMessage()
	h.settle()
	cm := h.c.compose.open[0]
	cm.fields[0].entry.SetText(testLogin + "@localhost")
	cm.subject.SetText("Par le MTA d'à côté")
	cm.body.SetText("Bonjour.\n")
	test.Tap(cm.sendBtn)
	h.waitFor("the outcome", func() bool { return h.c.lastOutcome != "" || (cm.status.Visible() && !cm.sending) })
	if !strings.Contains(h.c.lastOutcome, "Handed to the local mail system (queue id ") {
		t.Fatalf("outcome %q, status %q", h.c.lastOutcome, cm.status.Text)
	}
	h.waitFor("the delivery", func() bool {
		list, _ := s.List(context.Background(), inboxRef, mailstore.ListOptions{Limit: 1000})
		for _, m := range list {
			if m.Subject == "Par le MTA d'à côté" {
				return true
			}
		}
		return false
	})
}
