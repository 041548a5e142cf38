package imapsync

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/internal/eol"
	"facteur/mua/imapsync/imaptest"
)

// layout is how a test server names its folders: Courier-IMAP's (every
// folder under the personal namespace "INBOX." with '.' between levels),
// Cyrus's, Dovecot's Maildir++... imapmemserver keeps any name as it is
// given; layoutSession lists them with the layout's delimiter.
type layout struct {
	Prefix string // personal namespace prefix ("" for none)
	Delim  rune
	// Caps are the capabilities offered (IMAP4rev1 only: no NAMESPACE,
	// UIDPLUS, MOVE, SPECIAL-USE...); nil means IMAP4rev1 and IMAP4rev2.
	Caps imap.CapSet
	// Refuse makes SELECT of these remote names fail with that reply.
	Refuse map[string]*imap.Error
	// RefuseSearch makes UID SEARCH fail in these remote folders.
	RefuseSearch map[string]*imap.Error
	// StrictAppend refuses an APPEND of a message with a bare LF, as Cyrus
	// does ("Message contains bare newlines").
	StrictAppend bool
	// Hide are capabilities that the server does not announce (capsFilter).
	Hide []imap.Cap
	// IgnoreAppendFlags drops the flags of APPEND, as some servers do.
	IgnoreAppendFlags bool
	// NoKeywords refuses keywords: PERMANENTFLAGS without \*, STORE of a
	// keyword answered NO.
	NoKeywords bool
}

// courier is Courier-IMAP's layout.
var courier = layout{Prefix: "INBOX.", Delim: '.'}

// layoutServer is an imapmemserver that lists its folders as a layout
// says.
type layoutServer struct {
	*testServer
	l       layout
	filter  *capsFilter
	mu      sync.Mutex
	folders []string // remote names, in LIST order, INBOX first
}

// startLayout starts a server with the layout l and the folders INBOX and
// folders (remote names).
func startLayout(t *testing.T, l layout, folders ...string) *layoutServer {
	t.Helper()
	ls := &layoutServer{l: l, folders: append([]string{"INBOX"}, folders...)}
	ls.testServer = &testServer{user: imaptest.NewUser(t, folders...), subs: map[string]bool{}}
	ln := imaptest.Listen(t)
	ls.addr = ln.Addr().String()
	opt := imaptest.Options(func() imapserver.Session { return &layoutSession{ls: ls} })
	if l.Caps != nil {
		opt.Caps = l.Caps
	}
	ls.filter = &capsFilter{Listener: ln, hide: l.Hide}
	imaptest.Serve(t, &cutListener{Listener: ls.filter, ts: ls.testServer}, opt)
	return ls
}

func (ls *layoutServer) refusal(m map[string]*imap.Error, name string) *imap.Error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return m[name]
}

// agree lifts the refusals of the layout.
func (ls *layoutServer) agree() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.l.Refuse, ls.l.RefuseSearch = nil, nil
}

// layoutSession is imapmemserver's session behind a layout.
type layoutSession struct {
	*imapmemserver.UserSession
	ls       *layoutServer
	selected string
}

func (s *layoutSession) Login(username, password string) error {
	if err := s.ls.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.ls.user)
	return nil
}

func (s *layoutSession) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

func (s *layoutSession) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: s.ls.l.Prefix, Delim: s.ls.l.Delim}}}, nil
}

func (s *layoutSession) List(w *imapserver.ListWriter, ref string, patterns []string, opt *imap.ListOptions) error {
	s.ls.mu.Lock()
	names := append([]string(nil), s.ls.folders...)
	s.ls.mu.Unlock()
	for _, name := range names {
		if _, err := s.ls.user.Status(name, &imap.StatusOptions{}); err != nil {
			continue
		}
		if err := w.WriteList(&imap.ListData{Mailbox: name, Delim: s.ls.l.Delim}); err != nil {
			return err
		}
	}
	return nil
}

func (s *layoutSession) Select(name string, opt *imap.SelectOptions) (*imap.SelectData, error) {
	if e := s.ls.refusal(s.ls.l.Refuse, name); e != nil {
		return nil, e
	}
	s.selected = name
	data, err := s.UserSession.Select(name, opt)
	if err == nil && s.ls.l.NoKeywords {
		data.PermanentFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}
	}
	return data, err
}

func (s *layoutSession) Store(w *imapserver.FetchWriter, set imap.NumSet, flags *imap.StoreFlags, opt *imap.StoreOptions) error {
	if s.ls.l.NoKeywords && slices.ContainsFunc(flags.Flags, func(f imap.Flag) bool { return !strings.HasPrefix(string(f), "\\") }) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Keywords are not allowed"}
	}
	return s.UserSession.Store(w, set, flags, opt)
}

func (s *layoutSession) Search(kind imapserver.NumKind, c *imap.SearchCriteria, opt *imap.SearchOptions) (*imap.SearchData, error) {
	if e := s.ls.refusal(s.ls.l.RefuseSearch, s.selected); e != nil {
		return nil, e
	}
	return s.UserSession.Search(kind, c, opt)
}

func (s *layoutSession) Append(name string, r imap.LiteralReader, opt *imap.AppendOptions) (*imap.AppendData, error) {
	if s.ls.l.IgnoreAppendFlags && opt != nil {
		o := *opt
		o.Flags = nil
		opt = &o
	}
	if !s.ls.l.StrictAppend {
		return s.UserSession.Append(name, r, opt)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if eol.CRLFSize(b) != int64(len(b)) {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Message contains bare newlines"}
	}
	return s.UserSession.Append(name, bytes.NewReader(b), opt)
}

// Create refuses names outside the personal namespace, as Courier does.
func (s *layoutSession) Create(name string, opt *imap.CreateOptions) error {
	if p := s.ls.l.Prefix; p != "" && !strings.HasPrefix(name, p) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Invalid mailbox name."}
	}
	if err := s.UserSession.Create(name, opt); err != nil {
		return err
	}
	s.ls.mu.Lock()
	s.ls.folders = append(s.ls.folders, name)
	s.ls.mu.Unlock()
	return nil
}

// Rename renames in the layout's list too.
func (s *layoutSession) Rename(from, to string, opt *imap.RenameOptions) error {
	if err := s.UserSession.Rename(from, to, opt); err != nil {
		return err
	}
	s.ls.mu.Lock()
	s.ls.folders = append(s.ls.folders, to)
	s.ls.mu.Unlock()
	return nil
}
