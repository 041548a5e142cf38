package app

import (
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-smtp"

	"facteur/localmta"
	"facteur/localmta/mailsys"
	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mua/demo"
)

const testLogin = "fred"

// mtaHarness is a main window whose mail system runs on loopback ports
// chosen by the system, over the MTA directory of a temporary profile.
type mtaHarness struct {
	*harness
	dir string // profile
}

func newMTAHarness(t *testing.T, s *mailstore.Store, dir string, tune func(*localmta.Config)) *mtaHarness {
	t.Helper()
	loadTranslations()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(facteurTheme{mode: themeLight})
	w := a.NewWindow("Facteur")
	q := newUIQueue()
	mta := &MTAOptions{
		Dir:          filepath.Join(dir, "mta"),
		Addrs:        mailsys.Addrs{SMTP: "127.0.0.1:0", Submission: "127.0.0.1:0", POP3: "127.0.0.1:0", IMAP: "127.0.0.1:0"},
		Load:         mailsys.BareConfig(testLogin),
		LocalAddress: testLogin + "@localhost",
		Hostname:     "facteur.test",
		Tune:         tune,
	}
	c := newController(a, w, s, Options{Profile: dir, Version: "test", MTA: mta}, q.post)
	t.Cleanup(c.close)
	w.Resize(fyne.NewSize(1280, 800))
	h := &mtaHarness{harness: &harness{t: t, store: s, c: c, q: q, w: w}, dir: dir}
	c.start()
	h.waitFor("the MTA to start", func() bool { return !c.mta.starting && c.mta.loaded })
	return h
}

func openDemoStore(t *testing.T) (*mailstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// welcomes counts the welcome messages in Local/INBOX.
func welcomes(t *testing.T, s *mailstore.Store) int {
	t.Helper()
	sums, err := s.List(context.Background(), inboxRef, mailstore.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range sums {
		if m.Subject == mailsys.WelcomeSubject {
			n++
		}
	}
	return n
}

func TestWelcomeThroughTheMTAOnce(t *testing.T) {
	s, dir := openDemoStore(t)
	h := newMTAHarness(t, s, dir, nil)
	if st := h.c.mta.status; st.State != mailsys.Running || len(st.SMTP) == 0 || st.POP3 == "" {
		t.Fatalf("status = %+v, want running", st)
	}
	if got := h.c.ui.list.Length(); got == 0 {
		t.Fatal("no inbox shown")
	}
	h.waitFor("the welcome message in the list", func() bool {
		for _, r := range h.rows() {
			if r.subject.Text == mailsys.WelcomeSubject {
				return true
			}
		}
		return false
	})
	sum := h.open(mailsys.WelcomeSubject)
	rc, err := s.Open(context.Background(), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw := readAll(t, rc)
	if !strings.Contains(raw, "Received: from localhost") || !strings.Contains(raw, "by facteur.test") {
		t.Errorf("the welcome message has no Received route of the MTA:\n%s", raw[:min(len(raw), 600)])
	}
	if h.c.mta.indicator.Text != "MTA: running" {
		t.Errorf("indicator %q", h.c.mta.indicator.Text)
	}
	if h.mainMenu("Mail system") == nil {
		t.Error("no Mail system menu")
	}
	h.c.close()

	again := newMTAHarness(t, s, dir, nil)
	again.settle()
	if again.c.mta.welcome != nil {
		t.Fatal(again.c.mta.welcome)
	}
	if n := welcomes(t, s); n != 1 {
		t.Errorf("%d welcome messages after a second start, want 1", n)
	}
}

// refusingHop is an SMTP server that answers MAIL with 451: mail to it
// stays queued.
func refusingHop(t *testing.T) string {
	t.Helper()
	// not 127.0.0.1, where the MTA listens: that would loop back to itself
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(refusingBackend{})
	srv.Domain = "hop.test"
	srv.AllowInsecureAuth = true
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type refusingBackend struct{}

func (refusingBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return refusingSession{}, nil }

type refusingSession struct{}

func (refusingSession) Mail(string, *smtp.MailOptions) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
}
func (refusingSession) Rcpt(string, *smtp.RcptOptions) error { return errors.New("no") }
func (refusingSession) Data(io.Reader) error                 { return errors.New("no") }
func (refusingSession) Reset()                               {}
func (refusingSession) Logout() error                        { return nil }

// enqueue puts a message for marc@example.net into the queue of the
// profile before the MTA starts.
func enqueue(t *testing.T, dir string) string {
	t.Helper()
	q, err := queue.Open(context.Background(), localmta.QueueDir(filepath.Join(dir, "mta")), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := q.Enqueue(context.Background(), queue.Message{From: "fred@localhost", Rcpts: []queue.Rcpt{{Addr: "marc@example.net"}}},
		strings.NewReader("From: fred@localhost\r\nTo: marc@example.net\r\nSubject: stuck\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func TestMTAPanelQueue(t *testing.T) {
	s, dir := openDemoStore(t)
	hop := refusingHop(t)
	id := enqueue(t, dir)
	tr, err := localmta.ParseTransportTable(strings.NewReader("example.net smtp:[" + strings.Replace(hop, ":", "]:", 1) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := newMTAHarness(t, s, dir, func(cfg *localmta.Config) { cfg.Transports = tr })
	h.c.showMTAPanel()
	p := h.c.mta.panel
	if p == nil {
		t.Fatal("no panel")
	}
	h.waitFor("the refused attempt", func() bool {
		q := h.c.mta.snap.queue
		return len(q) == 1 && q[0].ID == id && lastError(q[0]) != "" && len(h.c.mta.snap.sessions) > 0
	})
	if cell := h.c.queueCell(widget.TableCellID{Row: 0, Col: qcolRcpts}); cell != "marc@example.net" {
		t.Errorf("recipients cell %q", cell)
	}
	if cell := h.c.queueCell(widget.TableCellID{Row: 0, Col: qcolError}); !strings.Contains(cell, "451") {
		t.Errorf("last error cell %q, want the 451", cell)
	}
	if !p.queueEmpty.Hidden || p.tabs.Items[tabQueue].Text != "Queue (1)" {
		t.Errorf("empty state shown %v, tab %q", !p.queueEmpty.Hidden, p.tabs.Items[tabQueue].Text)
	}

	// the transcript of the session, monospace
	p.tabs.SelectIndex(tabSessions)
	h.settle()
	// localmta marks the directions of the dialogue up to EHLO; go-smtp's
	// DebugWriter copies the rest without them
	for _, want := range []string{"C: EHLO facteur.test", "MAIL FROM:<fred@localhost>", "451 4.3.0 try again later"} {
		if !strings.Contains(p.transcript.Text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, p.transcript.Text)
		}
	}
	if !p.transcript.TextStyle.Monospace {
		t.Error("the transcript is not monospace")
	}
	p.tabs.SelectIndex(tabDeliveries)
	h.settle()
	deferred := false
	for i := range h.c.mta.snap.deliveries {
		if h.c.deliveryCell(widget.TableCellID{Row: i, Col: dcolStatus}) == "deferred" &&
			h.c.deliveryCell(widget.TableCellID{Row: i, Col: dcolRcpt}) == "marc@example.net" {
			deferred = true
		}
	}
	if !deferred {
		t.Errorf("deliveries %+v, want the deferred attempt", h.c.mta.snap.deliveries)
	}

	// Hold, Release, Delete on the selected row
	p.queue.Select(widget.TableCellID{Row: 0, Col: qcolSender})
	if p.selID != id || p.hold.Disabled() || !p.release.Disabled() {
		t.Fatalf("selection %q, hold disabled %v, release disabled %v", p.selID, p.hold.Disabled(), p.release.Disabled())
	}
	test.Tap(p.hold)
	h.waitFor("the message held", func() bool { return len(h.c.mta.snap.queue) == 1 && h.c.mta.snap.queue[0].Held })
	if cell := h.c.queueCell(widget.TableCellID{Row: 0, Col: qcolNext}); cell != "held" || p.release.Disabled() {
		t.Errorf("next try %q, release disabled %v", cell, p.release.Disabled())
	}
	test.Tap(p.release)
	h.waitFor("the message released", func() bool { return len(h.c.mta.snap.queue) == 1 && !h.c.mta.snap.queue[0].Held })
	test.Tap(p.del)
	if p.confirm == nil {
		t.Fatal("Delete did not ask")
	}
	p.confirm.Confirm()
	h.waitFor("the queue empty", func() bool { return len(h.c.mta.snap.queue) == 0 })
	if p.queueEmpty.Hidden || p.selID != "" || !p.del.Disabled() {
		t.Errorf("after delete: empty state hidden %v, selection %q", p.queueEmpty.Hidden, p.selID)
	}
}

func TestMTAPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, dir := openDemoStore(t)
	loadTranslations()
	a := test.NewTempApp(t)
	w := a.NewWindow("Facteur")
	q := newUIQueue()
	mta := &MTAOptions{Dir: filepath.Join(dir, "mta"), Addrs: mailsys.Addrs{SMTP: ln.Addr().String(), Submission: mailsys.Off, POP3: mailsys.Off, IMAP: mailsys.Off}}
	c := newController(a, w, s, Options{Profile: dir, MTA: mta}, q.post)
	t.Cleanup(c.close)
	c.start()
	if !settle(q, c.work, 15*time.Second, func() bool { return !c.mta.starting }) {
		t.Fatal("did not settle")
	}
	if c.mta.status.State != mailsys.Failed || c.mta.indicator.Text != "MTA: error" {
		t.Fatalf("status %+v, indicator %q", c.mta.status, c.mta.indicator.Text)
	}
	if c.current != inboxRef {
		t.Error("the window did not open the inbox")
	}
	c.showMTAPanel()
	settle(q, c.work, 15*time.Second, nil)
	p := c.mta.panel
	if p.note.Hidden || !strings.Contains(p.note.Text, ln.Addr().String()) {
		t.Errorf("the panel does not say why: %q", p.note.Text)
	}
	if !p.flush.Disabled() || !p.hold.Disabled() {
		t.Error("queue actions are enabled without an MTA")
	}
	p.win.Resize(fyne.NewSize(1000, 640))
	writeShot(t, "mta-error.png", p.win.Canvas().Capture())
}

func TestMTAScreenshotView(t *testing.T) {
	s, dir := openDemoStore(t)
	for _, dark := range []bool{false, true} {
		img, err := Screenshot(Options{Profile: dir, Store: s, MTA: &MTAOptions{Dir: filepath.Join(dir, "mta")}}, viewMTA, fyne.NewSize(1000, 640), dark)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() < 900 {
			t.Errorf("image %v", img.Bounds())
		}
	}
}

func readAll(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeShot saves img under shotsDir (FACTEUR_SHOTS) for a person to look at.
func writeShot(t *testing.T, name string, img image.Image) {
	t.Helper()
	f, err := os.Create(filepath.Join(shotsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestMTAExternalDaemon(t *testing.T) {
	s, dir := openDemoStore(t)
	daemon := mailsys.Start(context.Background(), mailsys.Options{Dir: filepath.Join(dir, "mta"),
		Addrs: mailsys.Addrs{SMTP: "127.0.0.1:0", Submission: mailsys.Off, POP3: mailsys.Off, IMAP: mailsys.Off},
		Load:  mailsys.BareConfig(testLogin), Store: s})
	t.Cleanup(func() { daemon.Close() })
	if daemon.Status().State != mailsys.Running {
		t.Fatalf("daemon: %+v", daemon.Status())
	}
	h := newMTAHarness(t, s, dir, nil)
	st := h.c.mta.status
	if st.State != mailsys.External || st.SMTP[0] != daemon.Status().SMTP[0] || h.c.mta.indicator.Text != "MTA: facteur mta" {
		t.Fatalf("status %+v, indicator %q; want the daemon's", st, h.c.mta.indicator.Text)
	}
	h.waitFor("the welcome message through the daemon", func() bool { return welcomes(t, s) == 1 })
	h.c.showMTAPanel()
	h.settle()
	if p := h.c.mta.panel; p.note.Hidden || !strings.Contains(p.note.Text, "control socket") {
		t.Errorf("panel note %q, want the daemon explained", p.note.Text)
	}
	h.c.close()
	if daemon.Status().State != mailsys.Running {
		t.Error("closing the window stopped the daemon")
	}
}
