// Package imaptest runs IMAP servers on loopback for the tests of Facteur's
// IMAP clients (mua/imapsync, mua/watch, the app, the OAuth2 logins):
// go-imap's imapserver, most often over an imapmemserver user marc/secret,
// and a second client for what the user's other mail program does.
package imaptest

import (
	"cmp"
	"io"
	"log"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/mua/account"
)

// The user of NewUser.
const (
	User     = "marc"
	Password = "secret"
)

// NewUser is the imapmemserver user marc/secret with the folders INBOX and
// folders.
func NewUser(t testing.TB, folders ...string) *imapmemserver.User {
	t.Helper()
	u := imapmemserver.NewUser(User, Password)
	for _, f := range append([]string{"INBOX"}, folders...) {
		if err := u.Create(f, nil); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// Options are those of the test servers: newSession makes the session of
// every connection; plaintext logins are allowed (InsecureAuth: tests
// only); IMAP4rev1 and IMAP4rev2 (so IDLE); no log.
func Options(newSession func() imapserver.Session) *imapserver.Options {
	return &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return newSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	}
}

// Sessions makes imapmemserver sessions of u.
func Sessions(u *imapmemserver.User) func() imapserver.Session {
	mem := imapmemserver.New()
	mem.AddUser(u)
	return func() imapserver.Session {
		return idleFirst{mem.NewSession().(imapserver.SessionIMAP4rev2)}
	}
}

// idleFirst sends, when IDLE starts, the updates that came since the
// last command (a message appended between SELECT and IDLE), as Dovecot
// and RFC 2177 servers do: imapmemserver's Idle keeps them until the next
// change, so a client would wait for mail that is already there.
type idleFirst struct {
	imapserver.SessionIMAP4rev2
}

func (s idleFirst) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Poll(w, true); err != nil {
		return err
	}
	return s.SessionIMAP4rev2.Idle(w, stop)
}

// Listen listens on 127.0.0.1:0.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Server is an imapserver serving one listener.
type Server struct {
	Addr string // the listener's address

	srv  *imapserver.Server
	done chan struct{}
	once sync.Once
}

// Serve runs an imapserver with opt on ln until Close or the end of the
// test.
func Serve(t testing.TB, ln net.Listener, opt *imapserver.Options) *Server {
	s := &Server{Addr: ln.Addr().String(), srv: imapserver.New(opt), done: make(chan struct{})}
	go func() { defer close(s.done); s.srv.Serve(ln) }()
	t.Cleanup(s.Close)
	return s
}

// Start serves u's mailboxes (imapmemserver sessions, Options) on
// 127.0.0.1:0 until the end of the test.
func Start(t testing.TB, u *imapmemserver.User) *Server {
	t.Helper()
	return Serve(t, Listen(t), Options(Sessions(u)))
}

// Close closes the listener and every connection, and waits until the
// server is done. It may be called more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.srv.Close()
		<-s.done
	})
}

// Incoming is the server as an account's incoming server: plaintext, the
// user marc.
func (s *Server) Incoming() account.Server {
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	return account.Server{Host: host, Port: p, Security: account.SecurityNone, User: User}
}

// Login is a client of the server at addr logged in as marc, closed at the
// end of the test.
func Login(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c := login(t, addr)
	t.Cleanup(func() { c.Close() })
	return c
}

func login(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(User, Password).Wait(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

// Append appends the messages msgs to folder of the server at addr, over a
// connection of its own.
func Append(t testing.TB, addr, folder string, msgs ...string) {
	t.Helper()
	c := login(t, addr)
	defer c.Close()
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		io.WriteString(cmd, m)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// Messages lists the subjects and flags of the messages of folder on the
// server at addr (messages marked \Deleted included), in UID order, over a
// connection of its own.
func Messages(t testing.TB, addr, folder string) (subjects []string, flags [][]imap.Flag) {
	t.Helper()
	c := login(t, addr)
	defer c.Close()
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, &imap.FetchOptions{Envelope: true, Flags: true, UID: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(list, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	for _, m := range list {
		subjects = append(subjects, m.Envelope.Subject)
		flags = append(flags, m.Flags)
	}
	return subjects, flags
}

// Mailboxes lists the names of the mailboxes of the server at addr
// (LIST "" "*"), sorted, over a connection of its own.
func Mailboxes(t testing.TB, addr string) []string {
	t.Helper()
	c := login(t, addr)
	defer c.Close()
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range list {
		out = append(out, d.Mailbox)
	}
	slices.Sort(out)
	return out
}
