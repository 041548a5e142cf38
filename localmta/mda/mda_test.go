package mda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"facteur/mailstore"
	"facteur/mailstore/mbox"
)

const testMsg = "From: fred@truc.fr\r\nTo: marc@machin.com\r\nSubject: hi\r\n\r\nFrom the start\r\nbye\r\n"

func deliver(t *testing.T, tg Target, from string, body Buffer, rcpts ...string) error {
	t.Helper()
	return deliverEnv(t, tg, Envelope{MailFrom: from}, body, rcpts...)
}

// deliverEnv runs one delivery of body to rcpts under env.
func deliverEnv(t *testing.T, tg Target, env Envelope, body Buffer, rcpts ...string) error {
	t.Helper()
	ctx := context.Background()
	d, err := tg.StartDelivery(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rcpts {
		if err := d.AddRcpt(ctx, r); err != nil {
			d.Abort(ctx)
			return err
		}
	}
	if err := d.Body(ctx, body); err != nil {
		t.Fatal(err)
	}
	return d.Commit(ctx)
}

func TestStoreDelivery(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := deliver(t, &Store{Store: s}, "fred@truc.fr", StringBuffer(testMsg), "marc@machin.com"); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, LocalInbox, mailstore.ListOptions{})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	sum := list[0]
	if sum.Envelope == nil || sum.Envelope.MailFrom != "fred@truc.fr" || len(sum.Envelope.RcptTo) != 1 || sum.Envelope.RcptTo[0] != "marc@machin.com" {
		t.Fatalf("envelope not recorded: %+v", sum.Envelope)
	}
	rc, err := s.Open(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	if !strings.HasPrefix(string(b), "Return-Path: <fred@truc.fr>\nDelivered-To: marc@machin.com\nFrom: fred") {
		t.Fatalf("trace fields missing: %q", b)
	}
}

func TestMboxDelivery(t *testing.T) {
	dir := t.TempDir()
	tg := &Mbox{Dir: dir, Users: func(l string) bool { return l == "marc" }}
	for _, from := range []string{"fred@truc.fr", ""} {
		if err := deliver(t, tg, from, StringBuffer(testMsg), "marc@machin.com"); err != nil {
			t.Fatal(err)
		}
	}
	if err := deliver(t, tg, "a@b", StringBuffer(testMsg), "nobody@machin.com"); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "marc"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mbox.NewReader(f)
	var senders []string
	for {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(m.Body)
		if !strings.Contains(string(b), "\nFrom the start") || !strings.HasPrefix(string(b), "Return-Path:") {
			t.Fatalf("body: %q", b)
		}
		senders = append(senders, m.Sender)
	}
	if len(senders) != 2 || senders[0] != "fred@truc.fr" || senders[1] != "MAILER-DAEMON" {
		t.Fatalf("senders %q", senders)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "marc"))
	if !strings.Contains(string(raw), "\n>From the start") {
		t.Fatalf("From_ quoting missing:\n%s", raw)
	}
	if _, err := os.Stat(filepath.Join(dir, "marc.lock")); !os.IsNotExist(err) {
		t.Fatal("dotlock left behind")
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk gone")
	}
	n := min(len(p), f.n)
	for i := range n {
		p[i] = 'x'
	}
	f.n -= n
	return n, nil
}

func TestMboxFailedAppendTruncated(t *testing.T) {
	dir := t.TempDir()
	tg := &Mbox{Dir: dir}
	if err := deliver(t, tg, "a@b", StringBuffer(testMsg), "marc"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "marc"))
	bad := BufferFunc(func() (io.ReadCloser, error) { return io.NopCloser(&failingReader{n: 100000}), nil })
	if err := deliver(t, tg, "a@b", bad, "marc"); err == nil {
		t.Fatal("failed append reported as success")
	}
	after, _ := os.ReadFile(filepath.Join(dir, "marc"))
	if string(before) != string(after) {
		t.Fatalf("failed append not truncated: %d -> %d bytes", len(before), len(after))
	}
}

func TestMboxDotlock(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "marc.lock")
	// held by a live process of this host (PID 1 is not one on Windows)
	holder := liveProcess(t)
	if err := os.WriteFile(lock, []byte(fmt.Sprintf("%d %s\n", holder, lockHost())), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := &Mbox{Dir: dir, LockTimeout: 100 * time.Millisecond}
	if err := deliver(t, busy, "a@b", StringBuffer(testMsg), "marc"); !errors.Is(err, ErrMailboxBusy) {
		t.Fatalf("held lock: %v", err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(lock, old, old)
	if err := deliver(t, busy, "a@b", StringBuffer(testMsg), "marc"); err != nil {
		t.Fatalf("stale lock not broken: %v", err)
	}
}

func TestLogin(t *testing.T) {
	for in, want := range map[string]string{"Marc@machin.com": "marc", "root": "root", `"a b"@x`: "a b"} {
		if got := Login(in); got != want {
			t.Errorf("Login(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"../etc", "a/b", "", "x.lock"} {
		if safeLogin(bad) {
			t.Errorf("safeLogin(%q) = true", bad)
		}
	}
}

// liveProcessEnv makes the test binary a process that lives until its
// standard input closes (TestLiveProcessHelper).
const liveProcessEnv = "FACTEUR_MDA_LIVE_PROCESS"

// liveProcess starts a process that lives until the test ends and returns
// its PID.
func liveProcess(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveProcessHelper$")
	cmd.Env = append(os.Environ(), liveProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	return cmd.Process.Pid
}

func TestLiveProcessHelper(t *testing.T) {
	if os.Getenv(liveProcessEnv) == "" {
		return // a helper process only
	}
	io.Copy(io.Discard, os.Stdin)
}
