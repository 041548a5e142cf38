// Package imaptest runs IMAP servers on loopback for the tests of Facteur's
// IMAP clients (mua/imapsync, mua/watch, the app, the OAuth2 logins):
// go-imap's imapserver, most often over an imapmemserver user marc/secret,
// and a second client for what the user's other mail program does.
package imaptest

import (
	"io"
	"log"
	"net"
	"strings"
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

// NoKeywords makes the sessions of newSession those of a server that keeps
// no keywords (RFC 9051 §7.1): PERMANENTFLAGS lists the system flags
// alone, without \*, and STORE ignores the keywords it is given, as such
// a server may. The sessions must speak IMAP4rev2 (Sessions' do).
func NoKeywords(newSession func() imapserver.Session) func() imapserver.Session {
	return func() imapserver.Session {
		return noKeywords{newSession().(imapserver.SessionIMAP4rev2)}
	}
}

// StartNoKeywords is Start for a server that keeps no keywords.
func StartNoKeywords(t testing.TB, u *imapmemserver.User) *Server {
	t.Helper()
	return Serve(t, Listen(t), Options(NoKeywords(Sessions(u))))
}

type noKeywords struct {
	imapserver.SessionIMAP4rev2
}

// systemFlags are the PERMANENTFLAGS of a server that keeps no keywords.
var systemFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}

func (s noKeywords) Select(name string, opt *imap.SelectOptions) (*imap.SelectData, error) {
	sel, err := s.SessionIMAP4rev2.Select(name, opt)
	if err == nil {
		sel.PermanentFlags = systemFlags
	}
	return sel, err
}

func (s noKeywords) Store(w *imapserver.FetchWriter, set imap.NumSet, flags *imap.StoreFlags, opt *imap.StoreOptions) error {
	kept := *flags
	kept.Flags = nil
	for _, f := range flags.Flags {
		if strings.HasPrefix(string(f), `\`) {
			kept.Flags = append(kept.Flags, f)
		}
	}
	return s.SessionIMAP4rev2.Store(w, set, &kept, opt)
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
func (s *Server) Incoming() account.Server { return s.Target().Incoming() }

// Target is the server as the helpers log in to it: marc/secret, plaintext.
func (s *Server) Target() Target { return Memory(s.Addr) }

// Login is a client of the server at addr logged in as marc, closed at the
// end of the test.
func Login(t testing.TB, addr string) *imapclient.Client { return Memory(addr).Login(t) }

// Append appends the messages msgs to folder of the server at addr, over a
// connection of its own.
func Append(t testing.TB, addr, folder string, msgs ...string) {
	t.Helper()
	Memory(addr).Append(t, folder, msgs...)
}

// Messages lists the subjects and flags of the messages of folder on the
// server at addr (messages marked \Deleted included), in UID order, over a
// connection of its own.
func Messages(t testing.TB, addr, folder string) (subjects []string, flags [][]imap.Flag) {
	t.Helper()
	return Memory(addr).Messages(t, folder)
}

// Mailboxes lists the names of the mailboxes of the server at addr
// (LIST "" "*"), sorted, over a connection of its own.
func Mailboxes(t testing.TB, addr string) []string {
	t.Helper()
	return Memory(addr).Mailboxes(t)
}
