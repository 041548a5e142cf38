package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/mtatls"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/compose"

	"github.com/emersion/go-smtp"
)

// smtpSink is a submission server on loopback that records what arrives.
type smtpSink struct {
	mu   sync.Mutex
	got  []sinkMsg
	srv  *smtp.Server
	addr string
	fp   string // SHA-256 of its self-signed certificate, to pin
	cert tls.Certificate
	done chan struct{}
}

type sinkMsg struct {
	from  string
	rcpts []string
	data  string
	tls   bool
}

func startSink(t *testing.T, addr string, startTLS bool) *smtpSink {
	t.Helper()
	cert, err := mtatls.LoadOrCreate(t.TempDir(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return startSinkCert(t, addr, startTLS, cert)
}

// startSinkCert starts a sink with a given certificate.
func startSinkCert(t *testing.T, addr string, startTLS bool, cert tls.Certificate) *smtpSink {
	t.Helper()
	s := &smtpSink{done: make(chan struct{}), fp: account.Fingerprint(cert.Certificate[0]), cert: cert}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, ok := c.TLSConnectionState()
		return &sinkSession{sink: s, cur: sinkMsg{tls: ok}}, nil
	}))
	s.srv.Domain = "smtp.truc.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	if startTLS {
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { s.srv.Serve(ln); close(s.done) }()
	t.Cleanup(func() { s.srv.Close(); <-s.done })
	return s
}

func (s *smtpSink) messages() []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMsg(nil), s.got...)
}

type sinkSession struct {
	sink *smtpSink
	cur  sinkMsg
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.rcpts = append(s.cur.rcpts, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.cur.data = string(b)
	s.sink.mu.Lock()
	s.sink.got = append(s.sink.got, s.cur)
	s.sink.mu.Unlock()
	return err
}
func (s *sinkSession) Reset()        { s.cur = sinkMsg{tls: s.cur.tls} }
func (s *sinkSession) Logout() error { return nil }

// addSendAccount writes a POP3 account whose SMTP server is addr
// (STARTTLS, its certificate pinned).
func addSendAccount(t *testing.T, dir, addr, fp string) {
	t.Helper()
	addSMTPAccount(t, dir, addr, account.SecurityStartTLS, fp)
}

// addSMTPAccount writes the POP3 account truc (Fred Truc
// <fred@truc.fr>) whose SMTP server is addr, with that security and pinned
// certificate.
func addSMTPAccount(t *testing.T, dir, addr string, sec account.Security, fp string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	p, err := profile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{
		Name: "truc", Identity: account.Identity{Name: "Fred Truc", Address: "fred@truc.fr"}, Protocol: account.POP3,
		Incoming: account.Server{Host: "127.0.0.1", Port: 1},
		Outgoing: account.Server{Host: host, Port: n, Security: sec, Fingerprint: fp},
	}
	if err := account.OpenBook(p.ConfigFile()).Add(a); err != nil {
		t.Fatal(err)
	}
}

func TestSendThroughAccount(t *testing.T) {
	dir := t.TempDir()
	sink := startSink(t, "", true)
	addSendAccount(t, dir, sink.addr, sink.fp)
	att := filepath.Join(t.TempDir(), "plan é.txt")
	os.WriteFile(att, []byte("1. SMTP\n"), 0o600)
	code, out, errOut := facteurIn(t, dir, "Bonjour Marc,\nà lundi.\n", "send", "--to", "Marc <marc@machin.com>", "--bcc", "cache@truc.fr",
		"--subject", "Réunion", "--attach", att)
	if code != 0 || !strings.Contains(out, "sent through") {
		t.Fatalf("send: code %d, out %q, err %q", code, out, errOut)
	}
	got := sink.messages()
	if len(got) != 1 || !got[0].tls || got[0].from != "fred@truc.fr" || strings.Join(got[0].rcpts, " ") != "marc@machin.com cache@truc.fr" {
		t.Fatalf("server got %+v", got)
	}
	data := got[0].data
	if strings.Contains(data, "cache@") || !strings.Contains(data, "Subject: =?utf-8?") || !strings.Contains(data, "filename*=utf-8''plan%20%C3%A9.txt") {
		t.Fatalf("message:\n%s", data)
	}
	if strings.Contains(errOut, "warning") {
		t.Fatalf("stderr %q", errOut)
	}
}

func TestSendStartTLSRequired(t *testing.T) {
	dir := t.TempDir()
	sink := startSink(t, "", false) // offers no STARTTLS
	addSendAccount(t, dir, sink.addr, sink.fp)
	code, out, errOut := facteurIn(t, dir, "hi\n", "send", "--to", "marc@machin.com", "--subject", "x")
	if code != 1 || !strings.Contains(errOut, "STARTTLS") || strings.Contains(out, "queued") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	if len(sink.messages()) != 0 {
		t.Fatal("sent in clear")
	}
}

// A server that is down: the message waits in the outbox (the local MTA's
// queue, relay = the account) and goes out exactly once when it is up.
func TestSendOutboxWhenServerDown(t *testing.T) {
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cert, err := mtatls.LoadOrCreate(t.TempDir(), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	// The account pins the certificate of the server that will come up.
	addSendAccount(t, dir, addr, account.Fingerprint(cert.Certificate[0]))

	code, out, errOut := facteurIn(t, dir, "hi\n", "send", "--to", "marc@machin.com", "--subject", "offline")
	if code != 0 || !strings.Contains(out, "queued in the outbox") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	p, _ := profile.Open(dir)
	q, err := queue.Open(context.Background(), localmta.QueueDir(p.MTADir()), queue.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	list := q.List()
	if len(list) != 1 || list[0].Relay == nil || list[0].Relay.Account != "truc" {
		t.Fatalf("queue %+v", list)
	}
	sink := startSinkCert(t, addr, true, cert)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	store, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ob := outboxOf(t, dir, store)
	go func() { done <- q.Run(ctx, ob) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(q.List()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if got := sink.messages(); len(got) != 1 || !strings.Contains(got[0].data, "Subject: offline") {
		t.Fatalf("server got %d messages, want exactly 1", len(got))
	}
}

func TestSendLocalWholeMessage(t *testing.T) {
	dir := t.TempDir()
	msg := "To: marc@machin.com\nBcc: cache@truc.fr\nSubject: local\n\nhello\n"
	code, out, errOut := facteurIn(t, dir, msg, "send")
	if code != 0 || !strings.Contains(out, "handed to the local MTA") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	p, _ := profile.Open(dir)
	q, err := queue.Open(context.Background(), localmta.QueueDir(p.MTADir()), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list := q.List()
	if len(list) != 1 || list[0].Relay != nil || len(list[0].Rcpts) != 2 {
		t.Fatalf("queue %+v", list)
	}
	body, _ := q.OpenBody(list[0].ID)
	data, _ := io.ReadAll(body)
	body.Close()
	if strings.Contains(string(data), "cache@") || !strings.Contains(string(data), "Subject: local") {
		t.Fatalf("queued:\n%s", data)
	}
}

func TestSendUsage(t *testing.T) {
	if code, _, errOut := facteurIn(t, t.TempDir(), "", "send", "--account", "Local"); code != 2 || !strings.Contains(errOut, "no recipient") {
		t.Fatalf("code %d, err %q", code, errOut)
	}
	if code, _, errOut := facteurIn(t, t.TempDir(), "x", "send", "--to", "<@a.fr:u@b.fr>"); code != 1 || !strings.Contains(errOut, "source route") {
		t.Fatalf("code %d, err %q", code, errOut)
	}
}

func TestMailtoArgument(t *testing.T) {
	// the composer window is replaced by a print of the draft it would show
	orig := openComposer
	openComposer = func(e *env, d compose.Draft) error { printDraft(e, d); return nil }
	t.Cleanup(func() { openComposer = orig })
	code, out, errOut := facteur(t, t.TempDir(), "mailto:fred@truc.fr?cc=paul@uvsq.fr&subject=R%C3%A9union&body=%C3%A0%20lundi")
	if code != 0 || !strings.Contains(out, "To: fred@truc.fr\nCc: paul@uvsq.fr\nSubject: Réunion\n") || !strings.Contains(out, "à lundi") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
	if code, _, _ := facteur(t, t.TempDir(), "mailto:%zz"); code != 2 {
		t.Fatalf("bad mailto: code %d", code)
	}
}

// `facteur send` while `facteur mta` runs: the running MTA holds the queue,
// so the outbox hands the message over the control socket (ENQUEUE), and
// the MTA submits it through the account's server at once.
func TestSendOutboxWhileMTARuns(t *testing.T) {
	dir := t.TempDir()
	sink := startSink(t, "", true)
	addSendAccount(t, dir, sink.addr, sink.fp)
	info, stop := startFacteurMTA(t, dir)
	code, out, errOut := facteurIn(t, dir, "Bonjour,\nparti par le démon.\n", "send", "--later",
		"--to", "marc@machin.com", "--bcc", "cache@truc.fr", "--subject", "pendant le démon")
	want := fmt.Sprintf("handed to the running MTA (PID %d)", info.PID)
	if code != 0 || !strings.Contains(out, "queued in the outbox") || !strings.Contains(out, want) {
		t.Fatalf("send: code %d, out %q, err %q", code, out, errOut)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(sink.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := sink.messages()
	if len(got) != 1 || !got[0].tls || got[0].from != "fred@truc.fr" || strings.Join(got[0].rcpts, " ") != "marc@machin.com cache@truc.fr" {
		t.Fatalf("server got %+v", got)
	}
	if data := got[0].data; !strings.Contains(data, "Subject: =?utf-8?q?pendant_le_d=C3=A9mon?=") || strings.Contains(data, "cache@") {
		t.Fatalf("message:\n%s", data)
	}
	waitMailq(t, dir, "the queue to empty", func(out string) bool { return strings.Contains(out, "Mail queue is empty") })
	stop()
	if sent := folderSubjects(t, dir, mailstore.FolderRef{Account: "truc", Name: "Sent"}); len(sent) != 1 || sent[0] != "pendant le démon" {
		t.Fatalf("Sent of truc: %q", sent)
	}
}

// folderSubjects opens the profile's store and lists a folder's subjects.
func folderSubjects(t *testing.T, dir string, ref mailstore.FolderRef) []string {
	t.Helper()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.List(context.Background(), ref, mailstore.ListOptions{Limit: 100})
	if err != nil {
		t.Fatalf("%v: %v", ref, err)
	}
	var out []string
	for _, m := range list {
		out = append(out, m.Subject)
	}
	return out
}

// TestSendFromIdentity: --from accepts any identity of the account (and
// finds the account without --account), and refuses another address.
func TestSendFromIdentity(t *testing.T) {
	dir := t.TempDir()
	sink := startSink(t, "", true)
	addSendAccount(t, dir, sink.addr, sink.fp)
	p, _ := profile.Open(dir)
	book := account.OpenBook(p.ConfigFile())
	a, err := book.Get("truc")
	if err != nil {
		t.Fatal(err)
	}
	a.Identities = []account.Identity{{Name: "Club Truc", Address: "club@truc.fr", Signature: "Le club"}}
	if err := book.Put(a); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		ok       bool
		from     string
		fromLine string
	}{
		{"other identity", []string{"--account", "truc", "--from", "Club@truc.fr"}, true, "club@truc.fr", `From: "Club Truc" <club@truc.fr>`},
		{"account found by identity", []string{"--from", "club@truc.fr"}, true, "club@truc.fr", `From: "Club Truc" <club@truc.fr>`},
		{"main identity", []string{"--from", "fred@truc.fr"}, true, "fred@truc.fr", `From: "Fred Truc" <fred@truc.fr>`},
		{"not an identity", []string{"--account", "truc", "--from", "marc@machin.com"}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(sink.messages())
			args := append([]string{"send", "--to", "marc@machin.com", "--subject", "x"}, tt.args...)
			code, out, errOut := facteurIn(t, dir, "hello\n", args...)
			got := sink.messages()[before:]
			if !tt.ok {
				if code == 0 || len(got) != 0 || !strings.Contains(errOut, "not an identity") {
					t.Fatalf("code %d, err %q, sent %d", code, errOut, len(got))
				}
				return
			}
			if code != 0 || len(got) != 1 || got[0].from != tt.from || !strings.Contains(got[0].data, tt.fromLine) {
				t.Fatalf("code %d out %q err %q, got %+v", code, out, errOut, got)
			}
		})
	}
}
