package localmta

// Fuzz targets that drive whole SMTP sessions against a real MTA on
// loopback, as mox's FuzzServer does: the fuzzer's bytes are pipelined
// after EHLO, with or without STARTTLS and AUTH, so that they go through
// every state (greeted, in a transaction, in DATA or BDAT, after errors).
// Each session checks that the server
//   - never panics (no "panic" in the log);
//   - writes nothing but well-formed replies ("ddd text" CRLF lines,
//     no LF inside);
//   - queues exactly the messages it answered "250 ... queued as ID";
//   - ends the session when the client does, and keeps answering new
//     connections.
//
//	go test -fuzz FuzzServer -fuzztime 3m ./localmta/
//	go test -fuzz FuzzSubmission -fuzztime 3m ./localmta/

import (
	"context"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/netreset"
	"facteur/localmta/clientlimit"
	"facteur/localmta/mtausers"
)

// logRecorder keeps what the fuzz invariants need of the MTA's log: the
// IDs of the messages the SMTP sessions queued, and panics.
type logRecorder struct {
	mu     sync.Mutex
	queued []string
	errors []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Message == "queued" {
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "id" {
				r.queued = append(r.queued, a.Value.String())
			}
			return true
		})
	}
	// the session's guard, goSafe and go-smtp all name their panics so
	// (a client cut mid-DATA is logged at Error level, and is no fault)
	if strings.Contains(strings.ToLower(rec.Message), "panic") {
		r.errors = append(r.errors, rec.Message)
	}
	return nil
}

// mark returns how many messages were queued and errors logged so far.
func (r *logRecorder) mark() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queued), len(r.errors)
}

// since returns what was logged after mark.
func (r *logRecorder) since(q, e int) (queued, errors []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.queued[q:]...), append([]string(nil), r.errors[e:]...)
}

// fuzzWorld is the MTA that a fuzzing process drives: machin.com with
// mailboxes marc and anne, aliases, and a smarthost (a recording server)
// for the mail that authenticated clients relay.
type fuzzWorld struct {
	m   *MTA
	log *logRecorder
}

func newFuzzWorld(tb testing.TB) *fuzzWorld {
	relay := startCaptureAddr(tb)
	host, port := splitAddr(tb, relay)
	rec := &logRecorder{}
	m := startMTA(tb, Config{
		Hostname:     "smtp.machin.com",
		Listeners:    []Listener{{Addr: "127.0.0.1:0"}, {Addr: "127.0.0.1:0", Submission: true}},
		LocalDomains: []string{"machin.com"},
		LocalUsers:   []string{"marc", "anne"},
		Users:        mtausers.Users{"marc": "{plain}pw"},
		Aliases:      Aliases{"postmaster": {"anne"}, "team": {"marc", "anne", "friend@remote.test"}},
		RelayNets:    nilNets,
		RelayHost:    &RelayHost{Host: host, Port: port, NoMX: true},
		DNSServer:    newZone(tb).addr,
		// the fuzzer's wrong passwords must not lock its client out
		AuthLimit:       clientlimit.LoginConfig{MaxPerClient: -1},
		MaxMessageBytes: 1 << 20,
		// the error limits' delays are counted, not waited: past the soft
		// limit every reply would wait a second, and the fuzzer stall
		Sleep:  func(context.Context, time.Duration) {},
		Logger: slog.New(rec),
	})
	return &fuzzWorld{m: m, log: rec}
}

func startCaptureAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	startCapture(tb, addr)
	return addr
}

// How a fuzz session opens, before the fuzzer's bytes.
const (
	authNone = iota
	authPlain
	authLogin
	authWrong
	authKinds
)

// fuzzSeeds are sessions that reach every state; the fuzzer mutates them.
var fuzzSeeds = []string{
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<marc@machin.com>\r\nDATA\r\nSubject: s\r\n\r\nhello\r\n.\r\nQUIT\r\n",
	"MAIL FROM:<> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<team@machin.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y\r\nRCPT TO:<Postmaster>\r\nDATA\r\n.\r\n",
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<anne@machin.com>\r\nBDAT 8\r\nSubject:BDAT 3 LAST\r\n\r\nx",
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<marc@machin.com>\r\nDATA\r\nfirst\n.\nMAIL FROM:<x@y>\r\n.\r\n",
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<marc@machin.com>\r\nDATA\r\nfirst\r\n.\rDATA\r\n.\r\n",
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<victim@remote.test@machin.com>\r\nRCPT TO:<victim@remote.test>\r\nRCPT TO:<\"a b\"@machin.com>\r\nDATA\r\n",
	"RCPT TO:<marc@machin.com>\r\nDATA\r\nMAIL FROM:<a@b.test>\r\nMAIL FROM:<a@b.test>\r\nRSET\r\nNOOP\r\nVRFY marc\r\nHELP\r\n",
	"AUTH PLAIN AG1hcmMAYmFk\r\nAUTH LOGIN\r\nbWFyYw==\r\nYmFk\r\nAUTH PLAIN\r\n*\r\nAUTH CRAM-MD5\r\n",
	"STARTTLS\r\nEHLO again\r\nMAIL FROM:<a@b.test> SMTPUTF8\r\nRCPT TO:<marc@machin.com>\r\nDATA\r\nSubject: é\r\n\r\nx\r\n.\r\n",
	"MAIL FROM:<a@b.test>\r\nRCPT TO:<marc@machin.com>\r\nBDAT 100000\r\nshort",
	"\x00\xff\r\n\r\n \r\nMAIL\r\nMAIL FROM:\r\nRCPT TO:<>\r\nQUIT\r\n",
}

// fuzzSession runs one session on addr and checks the invariants.
func (w *fuzzWorld) fuzzSession(t *testing.T, addr string, startTLS bool, auth int, data []byte) {
	if len(data) > 64<<10 {
		return
	}
	q0, e0 := w.log.mark()
	c := dial(t, addr)
	c.hello("fuzz.test")
	if startTLS {
		c.Writeln("STARTTLS")
		c.ExpectPattern("220 *")
		c.StartTLS(tlsClientConfig())
		c.Writeln("EHLO fuzz.test")
		c.ExpectPattern("250 *")
	}
	w.authenticate(c, auth)
	transcript := pipeline(t, c, data)
	checkReplies(t, transcript)
	queued, errs := w.log.since(q0, e0)
	if len(errs) > 0 {
		t.Fatalf("the server logged %q for %q", errs, data)
	}
	announced := queuedIDs.FindAllStringSubmatch(transcript, -1)
	if len(announced) != len(queued) {
		t.Fatalf("%d messages queued (%v), %d announced, for %q:\n%s", len(queued), queued, len(announced), data, transcript)
	}
	for i, a := range announced {
		if a[1] != queued[i] {
			t.Fatalf("queued %s, announced %s", queued[i], a[1])
		}
	}
	c2 := dial(t, addr) // the server keeps answering
	c2.ExpectPattern("220 *")
	c2.Writeln("NOOP")
	c2.ExpectPattern("250 *")
	c2.quit()
}

var queuedIDs = regexp.MustCompile(`(?m)^250 2\.0\.0 Ok: queued as (\S+)\r$`)

// authenticate opens the session as the fuzz input says.
func (w *fuzzWorld) authenticate(c *conn, auth int) {
	switch auth {
	case authPlain:
		c.Writeln(authGood)
		c.ExpectPattern("235 *")
	case authLogin:
		c.Writeln("AUTH LOGIN bWFyYw==")
		c.ExpectPattern("334 *")
		c.Writeln("cHc=")
		c.ExpectPattern("235 *")
	case authWrong:
		c.Writeln(authBad)
		c.ExpectPattern("535 *")
	}
}

// pipeline writes data, ends the client's side, and returns everything
// the server answered until it closed the connection.
func pipeline(t *testing.T, c *conn, data []byte) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.C.Write(data) // fails once the server has closed: no matter
		if cw, ok := c.C.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	out, err := io.ReadAll(c.BR)
	<-done
	// the server may close with unread input (after 421), which TCP turns
	// into a reset: Unix's ECONNRESET, Windows' WSAECONNRESET
	if err != nil && !netreset.Is(err) {
		t.Fatalf("the server did not end the session: %v (after %q)", err, out)
	}
	return string(out)
}

// checkReplies fails unless out is a sequence of SMTP reply lines.
func checkReplies(t *testing.T, out string) {
	rest := out
	for rest != "" {
		line, after, ok := strings.Cut(rest, "\r\n")
		if !ok {
			t.Fatalf("reply without CRLF: %q in\n%q", line, out)
		}
		if !replyLine.MatchString(line) {
			t.Fatalf("not a reply line: %q in\n%q", line, out)
		}
		rest = after
	}
}

// replyLine is one line of a reply. Its text has no LF (go-smtp splits
// text at LF into lines, so no reply can be forged), but may hold a bare
// CR: go-smtp echoes the first 4 octets of an unknown command
// ("500 5.5.2 Syntax errors, 00\r0 command unrecognized"), back to the
// client that sent them.
var replyLine = regexp.MustCompile(`^[2-5][0-9][0-9]([ -][^\n]*)?$`)

// FuzzServer drives whole sessions on the SMTP port (port 25's role),
// from a client outside the relay networks, in clear or under STARTTLS,
// with or without AUTH.
func FuzzServer(f *testing.F) { fuzzListener(f, 0) }

// FuzzSubmission drives whole sessions on the submission port (RFC
// 6409), where MAIL needs AUTH first.
func FuzzSubmission(f *testing.F) { fuzzListener(f, 1) }

// fuzzListener fuzzes the sessions of the MTA's listener number n.
func fuzzListener(f *testing.F, n int) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), (i+n)%3 == 1, uint8(i%authKinds))
	}
	w := newFuzzWorld(f)
	f.Fuzz(func(t *testing.T, data []byte, startTLS bool, auth uint8) {
		w.fuzzSession(t, w.m.Addrs()[n], startTLS, int(auth%authKinds), data)
	})
}
