package main

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/mtatls"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/submit"
	"facteur/mua/submit/smtptest"
)

// Issue 11, items 3 and 7: `facteur send` against a misbehaving server.
// For each fault: the exit status, what the user is told, where the
// message is (Sent, marked or not; the outbox), and, once the outbox has
// been run, how many times each recipient got it: never more than once.
func TestSendFaults(t *testing.T) {
	cert, err := mtatls.LoadOrCreate(t.TempDir(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		faults []smtptest.Fault
		code   int
		told   []string // in stdout or stderr
		sent   int      // copies in Sent after the command
		marked bool     // the copy in Sent says the delivery is uncertain
		queued int      // recipients waiting in the outbox
		got    int      // copies each recipient has once the outbox ran
	}{
		{[]smtptest.Fault{smtptest.Greeting421}, 0, []string{"queued in the outbox", "421"}, 0, false, 2, 1},
		{[]smtptest.Fault{smtptest.TLSGarbage}, 0, []string{"queued in the outbox", "tls"}, 0, false, 2, 1},
		{[]smtptest.Fault{smtptest.Rcpt451}, 0, []string{"sent through", "queued in the outbox as", "for " + smtptest.Busy, "451"}, 1, false, 1, 1},
		{[]smtptest.Fault{smtptest.Data552}, 1, []string{"not sent", "552", "too big"}, 0, false, 0, 0},
		{[]smtptest.Fault{smtptest.CloseInData}, 0, []string{"queued in the outbox", "reset"}, 0, false, 2, 1},
		{[]smtptest.Fault{smtptest.CloseAfterDot}, 1, []string{"may have been delivered", "not sent again", submit.DeliveryField}, 1, true, 0, 1},
		{[]smtptest.Fault{smtptest.StallAfterDot}, 1, []string{"may have been delivered", "not sent again", submit.DeliveryField}, 1, true, 0, 1},
		{[]smtptest.Fault{smtptest.Greeting421, smtptest.CloseAfterDot}, 0, []string{"queued in the outbox"}, 0, false, 2, 1},
	}
	for _, tt := range tests {
		name := tt.faults[0].String()
		if len(tt.faults) > 1 {
			name += " then " + tt.faults[1].String()
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var conf *tls.Config
			sec := account.SecurityNone
			if tt.faults[0] == smtptest.TLSGarbage {
				conf, sec = &tls.Config{Certificates: []tls.Certificate{cert}}, account.SecurityTLS
			}
			fs := smtptest.Start(t, conf, tt.faults...)
			addSMTPAccount(t, dir, fs.Addr, sec, account.Fingerprint(cert.Certificate[0]))
			code, out, errOut := facteurIn(t, dir, "See you.\n", "send", "--to", "marc@machin.com", "--to", smtptest.Busy,
				"--subject", "fault", "--timeout", "3s")
			told := out + errOut
			if code != tt.code {
				t.Fatalf("exit status %d, want %d\nstdout %q\nstderr %q", code, tt.code, out, errOut)
			}
			for _, w := range tt.told {
				if !strings.Contains(told, w) {
					t.Errorf("the user is not told %q:\nstdout %q\nstderr %q", w, out, errOut)
				}
			}
			if n, marked := sentCopies(t, dir); n != tt.sent || marked != tt.marked {
				t.Errorf("%d copies in Sent (marked %v), want %d (%v)", n, marked, tt.sent, tt.marked)
			}
			q := openOutbox(t, dir)
			if n := queuedRcpts(q); n != tt.queued {
				t.Fatalf("%d recipients in the outbox, want %d", n, tt.queued)
			}
			runOutbox(t, dir, q)
			took := map[string]int{}
			for _, m := range fs.Messages() {
				for _, r := range m.Rcpts {
					if m.Took() {
						took[r]++
					}
				}
			}
			if took["marc@machin.com"] != tt.got || took[smtptest.Busy] != tt.got {
				t.Fatalf("recipients got %v copies, want %d each", took, tt.got)
			}
			if n, _ := sentCopies(t, dir); tt.got > 0 && n != 1 {
				t.Errorf("%d copies in Sent once the outbox ran, want 1", n)
			}
		})
	}
}

// sentCopies counts the copies in truc's Sent folder, and tells whether
// one is marked uncertain.
func sentCopies(t *testing.T, dir string) (int, bool) {
	t.Helper()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.List(context.Background(), mailstore.FolderRef{Account: "truc", Name: "Sent"}, mailstore.ListOptions{})
	if err != nil {
		return 0, false
	}
	marked := false
	for _, m := range list {
		rc, err := s.Open(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, _ := io.ReadFull(rc, buf)
		rc.Close()
		marked = marked || strings.HasPrefix(string(buf[:n]), submit.DeliveryField+": uncertain;")
	}
	return len(list), marked
}

func openOutbox(t *testing.T, dir string) *queue.Queue {
	t.Helper()
	p, _ := profile.Open(dir)
	q, err := queue.Open(context.Background(), localmta.QueueDir(p.MTADir()), queue.Options{
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func queuedRcpts(q *queue.Queue) int {
	n := 0
	for _, m := range q.List() {
		n += len(m.Pending())
	}
	return n
}

// runOutbox runs the outbox until it is empty, as `facteur mta` does.
func runOutbox(t *testing.T, dir string, q *queue.Queue) {
	t.Helper()
	if len(q.List()) == 0 {
		return
	}
	store, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ob := outboxOf(t, dir, store)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- q.Run(ctx, ob) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(q.List()) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(q.List()) > 0 {
		t.Fatalf("the outbox did not empty: %+v", q.List())
	}
}

// outboxOf is the profile's outbox deliverer over store, as `facteur mta`
// and the GUI give it to the MTA (Mailer.Outbox).
func outboxOf(t *testing.T, dir string, store *mailstore.Store) queue.Deliverer {
	t.Helper()
	p, err := profile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := openMailer(&env{ctx: context.Background(), stderr: io.Discard}, p, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m.Outbox()
}
