package mailsys

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"facteur/localmta/mda"
	"facteur/mailstore"
	"facteur/mailstore/storetest"
)

const testLogin = "fred"

// loopback are addresses on free ports.
var loopback = Addrs{SMTP: "127.0.0.1:0", Submission: "127.0.0.1:0", POP3: "127.0.0.1:0", IMAP: "127.0.0.1:0"}

func openStore(t *testing.T) (*mailstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func start(t *testing.T, s *mailstore.Store, dir string, addrs Addrs) *System {
	t.Helper()
	sys := Start(context.Background(), Options{Dir: filepath.Join(dir, "mta"), Addrs: addrs, Load: BareConfig(testLogin), Hostname: "facteur.test", Store: s})
	t.Cleanup(func() { sys.Close() })
	return sys
}

func TestStartWelcomeOnce(t *testing.T) {
	s, dir := openStore(t)
	sys := start(t, s, dir, loopback)
	st := sys.Status()
	if st.State != Running || len(st.SMTP) != 1 || len(st.Submission) != 1 || st.POP3 == "" {
		t.Fatalf("status = %+v, want running with three listeners", st)
	}
	mtaDir := filepath.Join(dir, "mta")
	to := testLogin + "@localhost"
	sent, err := SendWelcome(context.Background(), mtaDir, st, to, time.Now())
	if err != nil || !sent {
		t.Fatalf("SendWelcome = %v, %v", sent, err)
	}
	body := waitInbox(t, s, WelcomeSubject)
	// the addresses the MTA listens on (ports 0: chosen by the system)
	for _, want := range []string{"Received: from localhost", "by facteur.test", "Delivered-To: " + to, "Return-Path: <postmaster@localhost>",
		"through SMTP on " + st.SMTP[0], "over POP3 on " + st.POP3, "en SMTP sur " + st.SMTP[0], "en POP3 sur " + st.POP3} {
		if !strings.Contains(body, want) {
			t.Errorf("welcome message lacks %q:\n%s", want, body)
		}
	}
	// French typography: a no-break space before ":" and inside « »
	if _, fr, _ := strings.Cut(body, "Bienvenue dans Facteur."); strings.Contains(fr, " :") || strings.Contains(fr, "« ") || strings.Contains(fr, " »") {
		t.Errorf("the French half of the welcome message has an ordinary space before a colon or inside « »:\n%s", fr)
	}
	if strings.Contains(body, ":2525") || strings.Contains(body, ":1110") {
		t.Errorf("the welcome message names the default ports, not the MTA's:\n%s", body)
	}
	if sent, err := SendWelcome(context.Background(), mtaDir, st, to, time.Now()); sent || err != nil {
		t.Errorf("second SendWelcome = %v, %v; want nothing sent", sent, err)
	}
	changed := sys.Changed() // before reading: no event is missed
	evs := sys.Deliveries()
	for len(evs) == 0 {
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery event")
		}
		changed = sys.Changed()
		evs = sys.Deliveries()
	}
	if len(evs) != 1 || evs[0].Rcpt != to || evs[0].Status != "delivered" {
		t.Errorf("deliveries = %+v, want the welcome message", evs)
	}
}

// waitInbox waits for a message with that subject in Local/INBOX and
// returns its text.
func waitInbox(t *testing.T, s *mailstore.Store, subject string) string {
	t.Helper()
	return storetest.WaitMessage(t, s, mda.LocalInbox, subject, 10*time.Second)
}

func TestSecondStartDrivesTheFirst(t *testing.T) {
	s, dir := openStore(t)
	first := start(t, s, dir, loopback)
	second := start(t, s, dir, loopback)
	st := second.Status()
	if st.State != External || st.SMTP[0] != first.Status().SMTP[0] {
		t.Fatalf("second status = %+v, want the first MTA as external", st)
	}
	if err := second.Hold(context.Background(), "nosuchid0000"); err == nil {
		t.Error("Hold of an unknown id through the control socket succeeded")
	}
	if err := second.Flush(context.Background()); err != nil {
		t.Errorf("Flush through the control socket: %v", err)
	}
	second.Close()
	if first.Status().State != Running {
		t.Error("closing the driver stopped the MTA")
	}
}

// TestExclusiveStartRefusesSecond: `facteur mta` (Exclusive) does not
// start beside a running MTA, nor drive it: it fails, saying so, and the
// first keeps running.
func TestExclusiveStartRefusesSecond(t *testing.T) {
	s, dir := openStore(t)
	first := start(t, s, dir, loopback)
	second := Start(context.Background(), Options{Dir: filepath.Join(dir, "mta"), Addrs: loopback, Load: BareConfig(testLogin),
		Store: s, Exclusive: true})
	defer second.Close()
	st := second.Status()
	if st.State != Failed || !errors.Is(st.Err, ErrRunsElsewhere) {
		t.Fatalf("exclusive start beside a running MTA: %+v, want ErrRunsElsewhere", st)
	}
	if first.Status().State != Running {
		t.Error("the refused start stopped the first MTA")
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, dir := openStore(t)
	sys := start(t, s, dir, Addrs{SMTP: ln.Addr().String(), Submission: Off, POP3: Off, IMAP: Off})
	st := sys.Status()
	if st.State != Failed || st.Err == nil || !strings.Contains(st.Err.Error(), ln.Addr().String()) {
		t.Fatalf("status = %+v, want a failure naming %s", st, ln.Addr())
	}
	if sys.SubmitAddr() != "" {
		t.Error("a failed system has a submit address")
	}
	// the failed start released the directory: the next one runs
	again := start(t, s, dir, Addrs{SMTP: "127.0.0.1:0", Submission: Off, POP3: Off, IMAP: Off})
	if again.Status().State != Running {
		t.Fatalf("start after a failure: %+v", again.Status())
	}
	if _, err := os.Stat(filepath.Join(dir, "mta", WelcomeMarker)); err == nil {
		t.Error("welcome marker without a welcome message")
	}
}
