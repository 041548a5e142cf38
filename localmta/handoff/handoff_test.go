package handoff_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/mailsys"
	"facteur/localmta/mda"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

const login = "fred"

// loopback: SMTP on a port the system chooses, every other server off (the
// IMAP server's default, 127.0.0.1:1143, failed the tests whenever another
// program held it: another test binary running beside this one did).
var loopback = mailsys.Addrs{SMTP: "127.0.0.1:0", Submission: mailsys.Off, POP3: mailsys.Off, IMAP: mailsys.Off}

const body = "From: fred@localhost\r\nTo: marc@machin.com\r\nSubject: hand-off\r\n\r\nbody\r\n"

// bare is the configuration of an MTA directory whose only mailbox is
// fred's.
func bare(dir string) func() (localmta.Config, error) {
	return func() (localmta.Config, error) {
		return localmta.Config{Dir: dir, LocalUsers: []string{login}}, nil
	}
}

// running starts the mail system of a profile in this process; its MTA
// holds the directory's lock and answers on its control socket, as `facteur
// mta` would from another process.
func running(t *testing.T) (*mailsys.System, *mailstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mtaDir := filepath.Join(dir, "mta")
	sys := mailsys.Start(context.Background(), mailsys.Options{Dir: mtaDir, Addrs: loopback,
		Load: mailsys.BareConfig(login), Hostname: "facteur.test", Store: s})
	t.Cleanup(func() { sys.Close() })
	if st := sys.Status(); st.State != mailsys.Running {
		t.Fatalf("the mail system did not start: %+v", st)
	}
	return sys, s, mtaDir
}

func relayMessage() queue.Message {
	return queue.Message{From: "marc@machin.com", Rcpts: []queue.Rcpt{{Addr: "bob@example.net"}},
		Relay: &queue.Relay{Account: "work", Server: "smtp.machin.com:587"}}
}

// Without a running MTA the message goes into the queue directory, whole,
// with its relay, for the MTA to take when it starts.
func TestEnqueueWithoutMTA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mta")
	c := &handoff.Client{Dir: dir}
	m, where, err := c.Enqueue(context.Background(), relayMessage(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if where.Running() || where.QueueDir != localmta.QueueDir(dir) || !strings.Contains(where.String(), "no MTA running") {
		t.Errorf("where = %+v (%s), want the queue directory", where, where)
	}
	q, err := queue.Open(context.Background(), localmta.QueueDir(dir), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list := q.List()
	if len(list) != 1 || list[0].ID != m.ID || list[0].Relay == nil || list[0].Relay.Account != "work" {
		t.Fatalf("queue = %+v, want message %s for work's relay", list, m.ID)
	}
	if got := readBody(t, q, m.ID); got != body {
		t.Errorf("queued body %q, want %q", got, body)
	}
}

// With an MTA running, the message goes to it over the control socket.
func TestEnqueueToRunningMTA(t *testing.T) {
	sys, _, dir := running(t)
	c := &handoff.Client{Dir: dir}
	m, where, err := c.Enqueue(context.Background(), relayMessage(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if where.PID != os.Getpid() {
		t.Errorf("where = %+v, want the running MTA of this process", where)
	}
	list, err := sys.Queue()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != m.ID || list[0].Relay == nil {
		t.Fatalf("the running MTA's queue = %+v, want %s", list, m.ID)
	}
	if got := readBody(t, sys.Spool(), m.ID); got != body {
		t.Errorf("queued body %q, want %q", got, body)
	}
}

// A submission is checked as the SMTP server checks it, whether the MTA
// runs or not: an unknown local user is refused, the others get it.
func TestSubmitChecksRecipients(t *testing.T) {
	for _, tc := range []struct {
		name    string
		running bool
	}{{"pick-up", false}, {"SMTP", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var store *mailstore.Store
			dir := filepath.Join(t.TempDir(), "mta")
			if tc.running {
				_, store, dir = running(t)
			}
			c := &handoff.Client{Dir: dir, Config: bare(dir)}
			r, err := c.Submit(context.Background(), handoff.Submission{From: "fred@localhost",
				Rcpts: []string{"fred@localhost", "nobody@localhost"}, Body: []byte(body), Program: "sendmail", User: login})
			if err != nil {
				t.Fatal(err)
			}
			if r.Running() != tc.running || r.QueueID == "" || !queue.ValidID(r.QueueID) {
				t.Errorf("receipt = %+v, want running %v with a queue id", r, tc.running)
			}
			var se *smtp.SMTPError
			if len(r.Refused) != 1 || r.Refused[0].Rcpt != "nobody@localhost" || !errors.As(r.Refused[0], &se) || se.Code != 550 {
				t.Fatalf("refused = %v, want nobody@localhost with 550", r.Refused)
			}
			if tc.running {
				got := waitInbox(t, store, "hand-off")
				if !strings.Contains(got, "Received: from localhost") {
					t.Errorf("the delivered message lacks the SMTP server's Received field:\n%s", got)
				}
				return
			}
			q, err := queue.Open(context.Background(), localmta.QueueDir(dir), queue.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := readBody(t, q, r.QueueID)
			if !strings.Contains(got, "(Facteur sendmail, from userid fred)") || !strings.HasSuffix(got, body) {
				t.Errorf("picked-up message:\n%s\nwant the pick-up's Received field, then the message", got)
			}
		})
	}
}

// When every recipient is refused nothing is queued, and the error says
// why.
func TestSubmitAllRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mta")
	c := &handoff.Client{Dir: dir, Config: bare(dir)}
	_, err := c.Submit(context.Background(), handoff.Submission{From: "fred@localhost", Rcpts: []string{"nobody@localhost"}, Body: []byte(body)})
	var re *localmta.RcptError
	if !errors.As(err, &re) || re.Rcpt != "nobody@localhost" {
		t.Fatalf("Submit = %v, want the refusal of nobody@localhost", err)
	}
	list, err := queue.ReadSpool(localmta.QueueDir(dir), nil)
	if err != nil || len(list) != 0 {
		t.Errorf("queue = %+v, %v; want nothing", list, err)
	}
}

func readBody(t *testing.T, q *queue.Queue, id string) string {
	t.Helper()
	rc, err := q.OpenBody(id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitInbox waits for a message with that subject in Local/INBOX and
// returns its text.
func waitInbox(t *testing.T, s *mailstore.Store, subject string) string {
	t.Helper()
	return storetest.WaitMessage(t, s, mda.LocalInbox, subject, 20*time.Second)
}
