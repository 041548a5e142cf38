package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/dnsmx/dnstest"
	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/mda"
	"facteur/mailstore"
)

// facteurIn runs the command line in-process with stdin.
func facteurIn(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"--profile", dir}, args...)
	code := run(context.Background(), all, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// lockedBuffer is a bytes.Buffer that the daemon's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// mtaDir is the MTA directory of a test profile.
func mtaDir(dir string) string { return profile.Profile{Dir: dir}.MTADir() }

// writeMTAFile writes a configuration file into the profile's mta/.
func writeMTAFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(mtaDir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mtaDir(dir), name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// closedUDPPort is a DNS server address where nothing answers at once.
func closedUDPPort(t *testing.T) string { return dnstest.ClosedPort(t) }

// startFacteurMTA runs `facteur mta` in-process on loopback ports chosen by
// the system, waits until it has published its addresses and returns
// them with a function that stops it (SIGINT-like: its context ends) and
// checks that it exited cleanly.
func startFacteurMTA(t *testing.T, dir string) (control.Info, func()) {
	t.Helper()
	writeMTAFile(t, dir, "users", "marc:{plain}secret\n")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--profile", dir, "mta", "--smtp", "127.0.0.1:0", "--submission", "off",
			"--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0", "--hostname", "localhost", "--dns", closedUDPPort(t)}, strings.NewReader(""), &out, &errOut)
	}()
	var info control.Info
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if info, err = control.ReadInfo(mtaDir(dir)); err == nil && info.PID == os.Getpid() && info.POP3 != "" {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("facteur mta exited with %d: %s", code, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("facteur mta did not start: %s", errOut.String())
		}
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("facteur mta exited with %d: %s", code, errOut.String())
				}
			case <-time.After(30 * time.Second):
				t.Error("facteur mta did not stop")
			}
			if testing.Verbose() {
				t.Log(errOut.String())
			}
		})
	}
	t.Cleanup(stop)
	return info, stop
}

// waitMailq polls `facteur mailq` until its output satisfies cond.
func waitMailq(t *testing.T, dir, what string, cond func(out string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, out, errOut := facteur(t, dir, "mailq")
		if code != 0 {
			t.Fatalf("mailq: %d %s", code, errOut)
		}
		if cond(out) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s; mailq:\n%s", what, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var queuedAs = regexp.MustCompile(`queued as ([0-9A-Z_]+) `)

// inboxMessages opens the profile's store (the MTA stopped) and returns
// the messages of Local/INBOX.
func inboxMessages(t *testing.T, dir string) []string {
	t.Helper()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.List(context.Background(), mda.LocalInbox, mailstore.ListOptions{Ascending: true})
	if errors.Is(err, mailstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sum := range list {
		rc, err := s.Open(context.Background(), sum.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out = append(out, string(b))
	}
	return out
}

func TestSendmailIntoSpoolThenMailqAndQueue(t *testing.T) {
	dir := t.TempDir()
	msg := "Subject: spooled\nBcc: hidden@localhost\n\nhello\n.\nnot read\n"
	code, _, errOut := facteurIn(t, dir, msg, "sendmail", "-f", "fred@truc.fr", "marc@machin.com")
	if code != 0 || !strings.Contains(errOut, "no MTA running; queued as ") {
		t.Fatalf("sendmail: %d %q", code, errOut)
	}
	id := queuedAs.FindStringSubmatch(errOut)[1]
	body, err := os.ReadFile(filepath.Join(localmta.QueueDir(mtaDir(dir)), id+".msg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Received: by ", "(Facteur sendmail, from userid ", "\tid " + id, "\r\nSubject: spooled\r\n", "\r\nDate: ", "\r\nMessage-ID: <", "\r\nFrom: fred@truc.fr\r\n", "\r\n\r\nhello\r\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("spooled message lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "Bcc") || strings.Contains(string(body), "not read") || strings.Contains(string(body), "\n\n") {
		t.Errorf("spooled message:\n%q", body)
	}

	code, out, _ := facteur(t, dir, "mailq")
	if code != 0 || !strings.Contains(out, id+" ") || !strings.Contains(out, "fred@truc.fr") || !strings.Contains(out, "marc@machin.com") || !strings.Contains(out, "in 1 Request.") {
		t.Fatalf("mailq: %d\n%s", code, out)
	}
	steps := []struct {
		args []string
		code int
		out  string
		mq   string
	}{
		{[]string{"queue", "hold", id}, 0, id + ": held", id + "!"},
		{[]string{"queue", "release", id}, 0, id + ": released", id + " "},
		{[]string{"queue", "flush"}, 1, "", id + " "},
		{[]string{"queue", "hold", "0000000000000000"}, 1, "", id + " "},
		{[]string{"queue", "delete", id}, 0, id + ": deleted", "Mail queue is empty"},
	}
	for _, st := range steps {
		code, out, errOut := facteur(t, dir, st.args...)
		if code != st.code || !strings.Contains(out, st.out) {
			t.Fatalf("%v: %d %q %q", st.args, code, out, errOut)
		}
		if _, mq, _ := facteur(t, dir, "mailq"); !strings.Contains(mq, st.mq) {
			t.Fatalf("after %v, mailq:\n%s", st.args, mq)
		}
	}
}

// TestMTAPicksUpSpoolAndDeliversSendmailT: a message spooled while no MTA
// ran is delivered when `facteur mta` starts; then `sendmail -t` (as mutt
// calls it) goes over SMTP to the running MTA, into the Local INBOX, and
// marc collects it over POP3.
func TestMTAPicksUpSpoolAndDeliversSendmailT(t *testing.T) {
	dir := t.TempDir()
	writeMTAFile(t, dir, "users", "marc:{plain}secret\n") // the pick-up checks that marc exists
	if code, _, errOut := facteurIn(t, dir, "Subject: early\n\nspooled before start\n", "sendmail", "marc"); code != 0 {
		t.Fatalf("sendmail: %s", errOut)
	}
	info, stop := startFacteurMTA(t, dir)
	waitMailq(t, dir, "the spooled message delivered", func(out string) bool { return strings.HasPrefix(out, "Mail queue is empty") })

	msg := "From: Fred <fred@localhost>\nTo: Marc <marc@localhost>\nBcc: " + localLogin() + "@localhost\nSubject: via -t\n\nline one\n.\n..two dots\nlast\n"
	code, _, errOut := facteurIn(t, dir, msg, "sendmail", "-oem", "-oi", "-t")
	if code != 0 || !strings.Contains(errOut, "sent over SMTP to the running MTA at "+info.SMTP[0]) {
		t.Fatalf("sendmail -t: %d %q", code, errOut)
	}
	waitMailq(t, dir, "delivery", func(out string) bool { return strings.HasPrefix(out, "Mail queue is empty") })
	popStat(t, info.POP3, "+OK 3 ")
	stop()

	inbox := inboxMessages(t, dir)
	if len(inbox) != 3 {
		t.Fatalf("%d messages in Local/INBOX, want 3", len(inbox))
	}
	for _, m := range inbox[1:] {
		for _, want := range []string{"Return-Path: <" + localAddress() + ">", "Received: from localhost", "Subject: via -t\n", "\n\nline one\n.\n..two dots\nlast\n"} { // LF files
			if !strings.Contains(m, want) {
				t.Errorf("delivered message lacks %q:\n%s", want, m)
			}
		}
		if strings.Contains(m, "Bcc:") {
			t.Errorf("Bcc not stripped:\n%s", m)
		}
	}
	if !strings.Contains(inbox[0], "Subject: early") || !strings.Contains(inbox[0], "(Facteur sendmail, from userid") {
		t.Errorf("spooled message:\n%s", inbox[0])
	}
}

// popStat logs in as marc over POP3 and checks STAT.
func popStat(t *testing.T, addr, want string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprint(c, "USER marc\r\nPASS secret\r\nSTAT\r\nQUIT\r\n")
	var replies []string
	for range 5 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("pop3: %v after %q", err, replies)
		}
		replies = append(replies, line)
	}
	if !strings.HasPrefix(replies[3], want) {
		t.Fatalf("POP3 dialogue %q, want STAT %q", replies, want)
	}
}

// TestQueueControlWithMTARunning holds, releases, flushes and deletes a
// message that the running MTA cannot deliver (its DNS does not answer).
func TestQueueControlWithMTARunning(t *testing.T) {
	dir := t.TempDir()
	startFacteurMTA(t, dir)
	code, _, errOut := facteurIn(t, dir, "Subject: far\n\nbody\n", "sendmail", "someone@far.example")
	if code != 0 || !strings.Contains(errOut, "sent over SMTP") {
		t.Fatalf("sendmail: %d %q", code, errOut)
	}
	out := waitMailq(t, dir, "a failed attempt", func(out string) bool {
		return strings.Contains(out, "someone@far.example") && strings.Contains(out, "(")
	})
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	steps := []struct {
		args     []string
		out, mq  string
		absentMQ string
	}{
		{[]string{"queue", "hold", id}, id + ": held", id + "!", ""},
		{[]string{"queue", "flush"}, "queue flushed", "(held)", ""},
		{[]string{"queue", "release", id}, id + ": released", id + " ", "(held)"},
		{[]string{"queue", "delete", id}, id + ": deleted", "Mail queue is empty", ""},
	}
	for _, st := range steps {
		code, out, errOut := facteur(t, dir, st.args...)
		if code != 0 || !strings.Contains(out, st.out) {
			t.Fatalf("%v: %d %q %q", st.args, code, out, errOut)
		}
		waitMailq(t, dir, fmt.Sprint(st.args), func(mq string) bool {
			return strings.Contains(mq, st.mq) && (st.absentMQ == "" || !strings.Contains(mq, st.absentMQ))
		})
	}
	if code, _, errOut := facteur(t, dir, "queue", "hold", id); code != 1 || !strings.Contains(errOut, "no such message") {
		t.Fatalf("hold of a deleted message: %d %q", code, errOut)
	}
}

func TestMTACommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"sendmail without recipient", []string{"sendmail"}, "x", 2, "no recipient"},
		{"sendmail unknown option", []string{"sendmail", "-Z", "marc"}, "x", 2, "unknown option -Z"},
		{"sendmail -f without value", []string{"sendmail", "marc", "-f"}, "x", 2, "-f needs a value"},
		{"sendmail bad recipient", []string{"sendmail", "a b"}, "x", 2, "bad address"},
		{"sendmail -t without recipient", []string{"sendmail", "-t"}, "Subject: x\n\nbody\n", 1, "no recipient addresses"},
		{"sendmail -t unreadable To", []string{"sendmail", "-t"}, "To: <<<\n\nbody\n", 1, "cannot read the To field"},
		{"queue without verb", []string{"queue"}, "", 2, "usage"},
		{"queue unknown verb", []string{"queue", "frob", "0000000000000000"}, "", 2, "usage"},
		{"queue hold without id", []string{"queue", "hold"}, "", 2, "usage"},
		{"queue flush with id", []string{"queue", "flush", "0000000000000000"}, "", 2, "usage"},
		{"queue bad id", []string{"queue", "delete", "../../etc/passwd"}, "", 2, "not a queue id"},
		{"queue flush without MTA", []string{"queue", "flush"}, "", 1, "mail system is down"},
		{"mailq with argument", []string{"mailq", "x"}, "", 2, "usage"},
		{"mta with argument", []string{"mta", "x"}, "", 2, "usage"},
		{"mta unknown flag", []string{"mta", "--bogus"}, "", 2, "flag provided but not defined"},
		{"mta without smtp", []string{"mta", "--smtp", "off"}, "", 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := facteurIn(t, dir, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("code %d, stderr %q; want code %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	if _, out, _ := facteur(t, dir, "mailq"); out != "Mail queue is empty\n" {
		t.Fatalf("failed commands left something in the queue:\n%s", out)
	}
}

func TestMTABadConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeMTAFile(t, dir, "transport", "example.com bogus:[x]\n")
	code, _, errOut := facteur(t, dir, "mta", "--smtp", "127.0.0.1:0", "--submission", "off", "--pop3", "off", "--imap", "off")
	if code != 1 || !strings.Contains(errOut, "transport") {
		t.Fatalf("mta with a bad transport file: %d %q", code, errOut)
	}
}

func TestSendmailArgs(t *testing.T) {
	tests := []struct {
		args []string
		want sendmailOptions
	}{
		{[]string{"marc"}, sendmailOptions{rcpts: []string{"marc"}}},
		{[]string{"-oem", "-oi", "--", "marc@x", "-odd"}, sendmailOptions{dotOK: true, rcpts: []string{"marc@x", "-odd"}}},
		{[]string{"-t", "-i", "-f", "fred@truc.fr"}, sendmailOptions{extract: true, dotOK: true, sender: "fred@truc.fr"}},
		{[]string{"-ffred@truc.fr", "-FFred Dupont", "a@b"}, sendmailOptions{sender: "fred@truc.fr", fullName: "Fred Dupont", rcpts: []string{"a@b"}}},
		{[]string{"-r", "<>", "-B", "8BITMIME", "-N", "never", "a@b"}, sendmailOptions{sender: "<>", rcpts: []string{"a@b"}}},
		{[]string{"-bm", "-v", "-odb", "a@b"}, sendmailOptions{rcpts: []string{"a@b"}}},
	}
	for _, tt := range tests {
		got, err := parseSendmailArgs(tt.args)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("parseSendmailArgs(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"-Z"}, {"-f"}, {"-bs"}, {"a", "-F"}} {
		if _, err := parseSendmailArgs(bad); !errors.As(err, new(usageError)) {
			t.Errorf("parseSendmailArgs(%q): %v, want a usage error", bad, err)
		}
	}
}
