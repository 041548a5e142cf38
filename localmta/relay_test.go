package localmta

// The relay regression suite (issue 10). Every address form that has
// ever opened a relay somewhere (quoted local parts holding a route, the
// '%' hack, '!' paths, source routes, address literals, IDN, case,
// trailing dots, postmaster) is sent in RCPT TO by a client inside and
// by a client outside the relay networks, on the SMTP port (with and
// without AUTH) and on the submission port (with and without AUTH), to a
// real MTA on loopback. Each reply is checked with its enhanced code,
// and each accepted recipient is followed to where the MTA delivers it:
// a local mbox, or the RCPT TO that the transport agent sends to the MX.
//
// The rules under test:
//   - mail for a local domain (or our own address literal) goes to a
//     mailbox or an alias; its local part is a mailbox name whatever it
//     holds ('@', '%', '!', quotes), unknown (550 5.1.1) unless it
//     exists, never a next hop;
//   - mail for other domains needs relay permission: a client in
//     RelayNets or an authenticated one, else 554 5.7.1;
//   - a source route is ignored (RFC 5321 §3.6.1, §C): only the final
//     mailbox counts;
//   - the submission port (RFC 6409) wants AUTH before MAIL (530 5.7.0).
//
// Add a row for every new form or every relay bug found.

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/internal/linetest"
	"facteur/localmta/mtausers"

	"github.com/emersion/go-smtp"
)

// relayCase is one address form. deny is the reply to a client without
// relay permission, allow the reply to one with it (the same for local
// forms); dest is where an accepted message goes: "mbox:<login>" or
// "mx:<rcpt as sent to the MX>".
type relayCase struct {
	rcpt        string
	deny, allow string
	dest        string
}

const (
	ok250      = "250 2.*"
	denied     = "554 5.7.1 *"
	unknown    = "550 5.1.1 *"
	badPath    = "553 5.1.3 *"
	badSyntax  = "501 5.5.2 *"
	victimDest = "mx:victim@remote.test"
)

// local is a form the MTA delivers here whoever asks.
func local(rcpt, reply, dest string) relayCase {
	return relayCase{rcpt: rcpt, deny: reply, allow: reply, dest: dest}
}

// remote is a form for another domain: relayed only with permission.
func remote(rcpt, dest string) relayCase {
	return relayCase{rcpt: rcpt, deny: denied, allow: ok250, dest: dest}
}

var relayCases = []relayCase{
	// mailboxes and aliases of the local domain
	local("<marc@machin.com>", ok250, "mbox:marc"),
	local("<MARC@MACHIN.COM>", ok250, "mbox:marc"),
	local("<Marc@Machin.Com>", ok250, "mbox:marc"),
	local(`<"marc"@machin.com>`, ok250, "mbox:marc"),
	local("marc@machin.com", ok250, "mbox:marc"), // no brackets, as Postfix takes it
	local("<marc@[127.0.0.1]>", ok250, "mbox:marc"),
	local("<@relay.test:marc@machin.com>", ok250, "mbox:marc"),
	local("<@a.test,@b.test:marc@machin.com>", ok250, "mbox:marc"),
	local("<@remote.test:marc@machin.com>", ok250, "mbox:marc"),
	local("<postmaster@machin.com>", ok250, "mbox:anne"),
	local("<POSTMASTER@machin.com>", ok250, "mbox:anne"),
	local("<PostMaster@MACHIN.COM>", ok250, "mbox:anne"),
	local("<postmaster@[127.0.0.1]>", ok250, "mbox:anne"),
	local("<postmaster>", ok250, "mbox:anne"), // RFC 5321 §4.1.1.3: no domain needed
	local("<Postmaster>", ok250, "mbox:anne"),
	local("<POSTMASTER>", ok250, "mbox:anne"),
	local("<friend@machin.com>", ok250, victimDest), // the administrator's alias to a remote address
	// local parts that look like routes: unknown mailboxes, never relayed
	local("<nobody@machin.com>", unknown, ""),
	local("<victim@remote.test@machin.com>", unknown, ""),
	local(`<"victim@remote.test"@machin.com>`, unknown, ""),
	local(`<"victim@remote.test"@MACHIN.COM>`, unknown, ""),
	local("<victim%remote.test@machin.com>", unknown, ""),
	local("<remote.test!victim@machin.com>", unknown, ""),
	local(`<"@remote.test:victim"@machin.com>`, unknown, ""),
	local(`<"victim@remote.test"@[127.0.0.1]>`, unknown, ""),
	local("<victim%remote.test@[127.0.0.1]>", unknown, ""),
	local(`<"marc@machin.com"@machin.com>`, unknown, ""),
	local(`<"marc remote"@machin.com>`, unknown, ""),
	local("<@machin.com:victim@remote.test@machin.com>", unknown, ""),
	local(`<"postmaster@remote.test"@machin.com>`, unknown, ""),
	// other domains: relay permission needed
	remote("<victim@remote.test>", victimDest),
	remote("<VICTIM@REMOTE.TEST>", "mx:VICTIM@REMOTE.TEST"),
	remote(`<"victim"@remote.test>`, victimDest),
	remote("victim@remote.test", victimDest),
	remote("<@machin.com:victim@remote.test>", victimDest), // a source route through us is dropped
	remote("<@[127.0.0.1]:victim@remote.test>", victimDest),
	remote("<victim%machin.com@remote.test>", "mx:victim%machin.com@remote.test"),
	remote("<machin.com!victim@remote.test>", "mx:machin.com!victim@remote.test"),
	remote(`<"victim@machin.com"@remote.test>`, "mx:victim@machin.com@remote.test"), // go-smtp unquotes what the MX got
	remote("<postmaster@remote.test>", "mx:postmaster@remote.test"),
	remote("<victim@[127.0.0.9]>", "mx:victim@[127.0.0.9]"), // a literal that is not ours
	remote("<victim@bücher.example>", "mx:victim@bücher.example"),
	remote("<victim@xn--bcher-kva.example>", "mx:victim@xn--bcher-kva.example"),
	// syntax: refused whoever asks
	local("<victim@remote.test.>", badPath, ""),
	local("<marc@machin.com.>", badPath, ""),
	local("<victim>", badSyntax, ""),
	local("<>", badSyntax, ""),
	local("<victim@>", badSyntax, ""),
}

// relayColumn is one kind of client: where it connects from and how.
type relayColumn struct {
	name       string
	inside     bool // connects from 127.0.0.2, in RelayNets
	submission bool // the submission port
	auth       bool // AUTH PLAIN as marc
}

var relayColumns = func() []relayColumn {
	var cols []relayColumn
	for _, inside := range []bool{false, true} {
		for _, port := range []struct {
			submission, auth bool
		}{{false, false}, {false, true}, {true, true}, {true, false}} {
			name := fmt.Sprintf("outside/smtp/auth=%v", port.auth)
			if inside {
				name = "inside" + name[len("outside"):]
			}
			if port.submission {
				name = strings.Replace(name, "smtp", "submission", 1)
			}
			cols = append(cols, relayColumn{name: name, inside: inside, submission: port.submission, auth: port.auth})
		}
	}
	return cols
}()

// relayWorld is the MTA of machin.com on 127.0.0.1 (RelayNets
// 127.0.0.2/32), and the MX of remote.test and bücher.example, a
// recording SMTP server on 127.0.0.5 and 127.0.0.9.
type relayWorld struct {
	m  *MTA
	mx *captureServer
}

func newRelayWorld(t *testing.T) *relayWorld {
	port := freePort(t, "127.0.0.5", "127.0.0.9", "127.0.0.2")
	mx := startCapture(t, fmt.Sprintf("127.0.0.5:%d", port), fmt.Sprintf("127.0.0.9:%d", port))
	z := newZone(t,
		"remote.test. MX 10 mx.remote.test.",
		"xn--bcher-kva.example. MX 10 mx.remote.test.",
		"mx.remote.test. A 127.0.0.5",
	)
	m := startMTA(t, Config{
		Hostname:     "smtp.machin.com",
		Listeners:    []Listener{{Addr: "127.0.0.1:0"}, {Addr: "127.0.0.1:0", Submission: true}},
		LocalDomains: []string{"machin.com"},
		LocalUsers:   []string{"marc", "anne"},
		Users:        mtausers.Users{"marc": "{plain}pw"},
		Aliases:      Aliases{"postmaster": {"anne"}, "friend": {"victim@remote.test"}},
		RelayNets:    []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		DNSServer:    z.addr,
		MXPort:       port,
	})
	return &relayWorld{m: m, mx: mx}
}

func TestRelaySuite(t *testing.T) {
	if len(relayCases) < 30 {
		t.Fatalf("the suite has %d forms, want at least 30", len(relayCases))
	}
	w := newRelayWorld(t)
	var delivered []relaySent
	for i, rc := range relayCases {
		for _, col := range relayColumns {
			tag := fmt.Sprintf("case-%d-%s", i, strings.ReplaceAll(col.name, "/", "-"))
			if w.runRelayCase(t, rc, col, tag) {
				delivered = append(delivered, relaySent{tag, rc.dest})
			}
		}
	}
	for _, d := range delivered {
		waitFor(t, d.tag+" at "+d.dest, func() bool { return w.arrived(d.tag, d.dest) })
	}
	waitFor(t, "an empty queue", func() bool { return len(w.m.Queue().List()) == 0 })
	if got, want := w.mx.count(), countMX(delivered); got != want {
		t.Errorf("the MX got %d messages, want %d: %v", got, want, w.mx.all())
	}
}

// relaySent is a message the suite sent, and where it must arrive.
type relaySent struct{ tag, dest string }

func countMX(sent []relaySent) int {
	n := 0
	for _, s := range sent {
		if strings.HasPrefix(s.dest, "mx:") {
			n++
		}
	}
	return n
}

// runRelayCase runs one RCPT TO in a new session and reports whether a
// message was sent (and should arrive at rc.dest).
func (w *relayWorld) runRelayCase(t *testing.T, rc relayCase, col relayColumn, tag string) bool {
	t.Helper()
	addr := w.m.Addrs()[0]
	if col.submission {
		addr = w.m.Addrs()[1]
	}
	src := "127.0.0.1"
	if col.inside {
		src = "127.0.0.2"
	}
	c := dialFrom(t, src, addr)
	defer c.quit()
	c.hello("client.test")
	if col.auth {
		c.Writeln("AUTH PLAIN AG1hcmMAcHc=") // \0marc\0pw
		c.ExpectPattern("235 *")
	}
	c.Writeln("MAIL FROM:<sender@machin.com>")
	if col.submission && !col.auth {
		c.expectCase(tag, rc.rcpt, "530 5.7.0 *")
		c.Writeln("RCPT TO:" + rc.rcpt)
		c.expectCase(tag, rc.rcpt, "502 5.5.1 *")
		return false
	}
	c.ExpectPattern("250 *")
	want := rc.deny
	if col.inside || col.auth {
		want = rc.allow
	}
	c.Writeln("RCPT TO:" + rc.rcpt)
	if !c.expectCase(tag, rc.rcpt, want) || !strings.HasPrefix(want, "250") {
		return false
	}
	if rc.dest == "" {
		t.Fatalf("%s: %s accepted with no destination to check", tag, rc.rcpt)
	}
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: " + tag + "\r\n\r\nrelay suite\r\n.\r\n")
	c.ExpectPattern("250 *")
	return true
}

// arrived reports whether the message tagged tag reached dest.
func (w *relayWorld) arrived(tag, dest string) bool {
	kind, who, _ := strings.Cut(dest, ":")
	if kind == "mbox" {
		box := strings.ReplaceAll(readSpoolMaybe(w.m, who), "\r\n", "\n")
		return strings.Contains(box, "\nSubject: "+tag+"\n")
	}
	rcpts, ok := w.mx.rcpts(tag)
	return ok && len(rcpts) == 1 && rcpts[0] == who
}

// dialFrom connects from a given loopback address.
func dialFrom(t *testing.T, src, addr string) *conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &conn{&linetest.Conn{T: t, C: c, BR: bufio.NewReader(c)}}
}

// expectCase reads a reply and reports a mismatch without stopping the
// suite, naming the case.
func (c *conn) expectCase(tag, rcpt, pat string) bool {
	c.T.Helper()
	line := c.Readln()
	for len(line) >= 4 && line[3] == '-' {
		line = c.Readln()
	}
	if !matchReply(pat, line) {
		c.T.Errorf("%s: RCPT TO:%s: got %q, want %q", tag, rcpt, line, pat)
		return false
	}
	return true
}

func matchReply(pat, line string) bool {
	prefix, _ := strings.CutSuffix(pat, "*")
	return strings.HasPrefix(line, prefix)
}

// quit ends the session and waits until the server closed it, so that
// the connection no longer counts against the client's limits.
func (c *conn) quit() {
	c.Writeln("QUIT")
	for {
		if _, err := c.BR.ReadString('\n'); err != nil {
			break
		}
	}
	c.C.Close()
}

// captureServer is a go-smtp server that records the recipients of each
// message by its Subject: the MX of the remote domains.
type captureServer struct {
	mu   sync.Mutex
	msgs map[string][]string // subject -> RCPT TO
}

func startCapture(t testing.TB, addrs ...string) *captureServer {
	cs := &captureServer{msgs: map[string][]string{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &captureSession{cs: cs}, nil }))
	srv.Domain = "mx.remote.test"
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
	}
	t.Cleanup(func() { srv.Close() })
	return cs
}

func (cs *captureServer) rcpts(subject string) ([]string, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	r, ok := cs.msgs[subject]
	return r, ok
}

func (cs *captureServer) count() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.msgs)
}

func (cs *captureServer) all() map[string][]string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := map[string][]string{}
	for k, v := range cs.msgs {
		out[k] = v
	}
	return out
}

type captureSession struct {
	cs    *captureServer
	rcpts []string
}

func (s *captureSession) Reset()                               { s.rcpts = nil }
func (s *captureSession) Logout() error                        { return nil }
func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *captureSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	subject := ""
	for _, l := range strings.Split(string(b), "\r\n") {
		if v, ok := strings.CutPrefix(l, "Subject: "); ok {
			subject = v
			break
		}
	}
	s.cs.mu.Lock()
	s.cs.msgs[subject] = append(s.cs.msgs[subject], s.rcpts...)
	s.cs.mu.Unlock()
	return nil
}

// startVictim starts the MTA of remote.test on 127.0.0.5, the domain an
// attacker would like this host (on 127.0.0.1) to relay to.
func startVictim(t *testing.T) *MTA {
	return startMTA(t, Config{
		Hostname:     "mx.remote.test",
		Listeners:    []Listener{{Addr: "127.0.0.5:0"}},
		LocalDomains: []string{"remote.test"},
		LocalUsers:   []string{"victim"},
		DNSServer:    newZone(t).addr,
	})
}

// TestLocalPartNeverRelays: a local part holding '@', '%', '!' or a
// quoted route is a mailbox name of the local domain (RFC 5321 §2.3.11:
// only the host of the domain interprets it), unknown unless it exists,
// and never the address of a next hop; an alias written by the
// administrator may still point to a remote address.
func TestLocalPartNeverRelays(t *testing.T) {
	victim := startVictim(t)
	host, port := splitAddr(t, victim.Addrs()[0])
	m := startLocal(t, func(c *Config) {
		c.RelayNets = nilNets // 127.0.0.1 is an outside client
		c.Transports = TransportTable{"remote.test": {Kind: TransportSMTP, Host: host, Port: port, NoMX: true}}
		c.Aliases = Aliases{"friend": {"victim@remote.test"}}
	})
	c := dial(t, m.Addrs()[0])
	c.hello("attacker.test")
	c.Writeln("MAIL FROM:<spammer@attacker.test>")
	c.ExpectPattern("250 *")
	c.Writeln("RCPT TO:<victim@remote.test>")
	c.ExpectPattern("554 5.7.1 *")
	for _, rcpt := range []string{
		"<victim@remote.test@machin.com>",
		`<"victim@remote.test"@machin.com>`,
		`<"victim@remote.test"@MACHIN.COM>`,
		"<victim%remote.test@machin.com>",
		"<remote.test!victim@machin.com>",
		"<@machin.com:victim@remote.test@machin.com>",
	} {
		c.Writeln("RCPT TO:" + rcpt)
		c.ExpectPattern("550 5.1.1 *")
	}
	c.Writeln("RCPT TO:<friend@machin.com>") // the administrator's alias
	c.ExpectPattern("250 *")
	c.Writeln("DATA")
	c.ExpectPattern("354 *")
	c.Write("Subject: through the alias\r\n\r\nhello\r\n.\r\n")
	c.ExpectPattern("250 *")
	waitFor(t, "delivery through the alias", func() bool {
		return strings.Contains(readSpoolMaybe(victim, "victim"), "Subject: through the alias")
	})
	waitFor(t, "an empty queue", func() bool { return len(m.Queue().List()) == 0 })
	if n := strings.Count(readSpoolMaybe(victim, "victim"), "\nFrom "); n != 0 {
		t.Fatalf("the victim got %d more messages:\n%s", n, readSpoolMaybe(victim, "victim"))
	}
}

// splitAddr splits a listening address into host and port.
func splitAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}
