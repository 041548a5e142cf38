package imapd

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/netip"
	"strings"
	"time"

	"facteur/localmta/clientlimit"
	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// session is one IMAP connection (imapserver.Session).
type session struct {
	srv     *Server
	b       *backend
	conn    *imapserver.Conn
	ip      netip.Addr
	logins  *clientlimit.Session
	rec     *record
	ctx     context.Context
	cancel  context.CancelFunc
	release func() // the connection's place in the limits

	user string
	sel  *selected
}

// selected is the mailbox a session selected, and its view of it.
type selected struct {
	mbox      *mailbox
	view      *imapserver.SessionTracker
	readOnly  bool
	searchRes imap.UIDSet
}

var (
	_ imapserver.SessionIMAP4rev2   = (*session)(nil)
	_ imapserver.SessionAppendLimit = (*session)(nil)
)

// Errors of the mail-system side, in the protocol's words.
var (
	errNoMailbox = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: "No such mailbox"}
	errTryCreate = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: "No such mailbox"}
	errExists    = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "Mailbox exists"}
	errReadOnly  = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "Mailbox is read-only"}
	errInbox     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "INBOX cannot be deleted"}
	errChildren  = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeHasChildren, Text: "Mailbox has sub-mailboxes: delete them first"}
	errBadName   = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "Invalid mailbox name"}
	errKeywords  = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeLimit, Text: "Too many keywords"}
)

// storeErr turns an error of the store into a protocol error.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mailstore.ErrFolderExists):
		return errExists
	case errors.Is(err, mailstore.ErrNotFound):
		return errNoMailbox
	case errors.Is(err, mailstore.ErrBadFolder):
		return errBadName
	case errors.Is(err, mailstore.ErrHasChildren):
		return errChildren
	case errors.Is(err, mailstore.ErrTooManyKeywords):
		return errKeywords
	}
	return err
}

func (s *session) Close() error {
	if s.sel != nil {
		s.Unselect()
	}
	s.cancel()
	s.release()
	s.srv.sessions.end(s.rec)
	return nil
}

// Login checks a login and password (LOGIN, AUTHENTICATE PLAIN); failures
// are slowed down and a session ends after a few (package clientlimit).
func (s *session) Login(username, password string) error {
	if s.logins.Blocked() {
		return imapserver.ErrAuthFailed
	}
	if err := s.srv.authenticate(username, password); err != nil {
		s.srv.log.Info("imap login failed", "client", s.ip.String(), "user", username)
		if s.logins.Failed(s.ctx) {
			s.conn.Bye("Too many failed logins")
		}
		return imapserver.ErrAuthFailed
	}
	s.user = username
	_, isTLS := s.conn.NetConn().(*tls.Conn)
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Login, i.TLS = username, isTLS })
	return nil
}

func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: delim}}}, nil
}

// AppendLimit is the size of the largest message APPEND takes, the same
// as the MTA's (RFC 7889).
func (s *session) AppendLimit() uint32 { return maxMessage }

// maxMessage bounds a message, as the SMTP server does.
const maxMessage = 25 << 20

func (s *session) folderExists(ref mailstore.FolderRef) bool {
	_, err := s.b.store.FolderPath(ref)
	return err == nil
}

func (s *session) Create(name string, options *imap.CreateOptions) error {
	ref := s.b.ref(name)
	if s.folderExists(ref) || strings.EqualFold(ref.Name, inbox) {
		return errExists
	}
	var role mailstore.Role
	if options != nil {
		role = roleOf(options.SpecialUse)
	}
	return storeErr(s.b.store.CreateFolder(s.ctx, ref, role))
}

func (s *session) Delete(name string) error {
	ref := s.b.ref(name)
	if ref.Name == inbox {
		return errInbox
	}
	if err := storeErr(s.b.store.DeleteFolder(s.ctx, ref)); err != nil {
		return err
	}
	return s.b.uids.Forget(s.ctx, ref)
}

// Rename renames a mailbox and its sub-mailboxes; renaming INBOX moves
// its messages into a new mailbox and leaves it empty (RFC 9051 §6.3.6).
func (s *session) Rename(name, newName string, options *imap.RenameOptions) error {
	from, to := s.b.ref(name), s.b.ref(newName)
	if !s.folderExists(from) {
		return errNoMailbox
	}
	if s.folderExists(to) || strings.EqualFold(to.Name, inbox) {
		return errExists
	}
	if from.Name == inbox {
		return s.renameInbox(from, to)
	}
	if err := storeErr(s.b.store.RenameFolder(s.ctx, from, to)); err != nil {
		return err
	}
	return s.b.uids.Rename(s.ctx, from, to)
}

func (s *session) renameInbox(from, to mailstore.FolderRef) error {
	if err := storeErr(s.b.store.CreateFolder(s.ctx, to, mailstore.RoleNone)); err != nil {
		return err
	}
	ids, err := s.b.store.FolderIDs(s.ctx, from)
	if err != nil {
		return err
	}
	return s.b.store.Move(s.ctx, ids, to)
}

func (s *session) Subscribe(name string) error {
	return s.b.uids.Subscribe(s.ctx, s.b.account, mailboxName(s.b.ref(name)), true)
}

func (s *session) Unsubscribe(name string) error {
	return s.b.uids.Subscribe(s.ctx, s.b.account, mailboxName(s.b.ref(name)), false)
}

// Append stores a message with its flags and date (RFC 9051 §6.3.12) and
// gives its UID (UIDPLUS).
func (s *session) Append(name string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	ref := s.b.ref(name)
	if !s.folderExists(ref) {
		return nil, errTryCreate
	}
	flags, kws := flagSet(options.Flags)
	letters, err := s.b.letters(s.ctx, kws, true)
	if err != nil {
		return nil, storeErr(err)
	}
	lock := s.b.folderLock(ref)
	lock.Lock()
	defer lock.Unlock()
	sum, err := s.b.store.Add(s.ctx, ref, io.LimitReader(r, maxMessage+1), mailstore.AddOptions{Flags: flags, Arrived: options.Time})
	if err != nil {
		return nil, storeErr(err)
	}
	if letters != "" {
		if err := s.b.store.SetKeywordLetters(s.ctx, []int64{sum.ID}, letters, ""); err != nil {
			return nil, err
		}
	}
	uids, validity, err := s.assignLocked(ref, []int64{sum.ID})
	if err != nil {
		return nil, err
	}
	s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.Appended++ })
	return &imap.AppendData{UID: uids[0], UIDValidity: validity}, nil
}

// assignLocked gives UIDs to new messages of ref, in the order of ids,
// through the mailbox when a session has it selected; the folder's lock
// is held.
func (s *session) assignLocked(ref mailstore.FolderRef, ids []int64) ([]imap.UID, uint32, error) {
	if m := s.b.opened(ref); m != nil {
		if err := m.refreshLocked(s.ctx, ids, nil); err != nil {
			return nil, 0, err
		}
	}
	f, err := s.b.uids.Lookup(s.ctx, ref, ids)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[int64]imap.UID, len(f.Messages))
	for _, m := range f.Messages {
		byID[m.ID] = imap.UID(m.UID)
	}
	out := make([]imap.UID, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, f.Validity, nil
}

func (s *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	ref := s.b.ref(name)
	if !s.folderExists(ref) {
		return nil, errNoMailbox
	}
	lock := s.b.folderLock(ref)
	lock.Lock()
	f, err := s.b.uids.Sync(s.ctx, ref)
	lock.Unlock()
	if err != nil {
		return nil, storeErr(err)
	}
	return statusData(mailboxName(ref), f, options), nil
}

func statusData(name string, f mailstore.UIDFolder, options *imap.StatusOptions) *imap.StatusData {
	data := &imap.StatusData{Mailbox: name}
	var unseen, deleted uint32
	var size int64
	for _, m := range f.Messages {
		if m.Flags&mailstore.FlagSeen == 0 {
			unseen++
		}
		if m.Flags&mailstore.FlagTrashed != 0 {
			deleted++
		}
		size += max(m.WireSize, m.Size)
	}
	n, zero := uint32(len(f.Messages)), uint32(0)
	if options.NumMessages {
		data.NumMessages = &n
	}
	if options.UIDNext {
		data.UIDNext = imap.UID(f.Next)
	}
	if options.UIDValidity {
		data.UIDValidity = f.Validity
	}
	if options.NumUnseen {
		data.NumUnseen = &unseen
	}
	if options.NumDeleted {
		data.NumDeleted = &deleted
	}
	if options.Size {
		data.Size = &size
	}
	if options.NumRecent {
		data.NumRecent = &zero
	}
	return data
}

// Poll sends the changes of the selected mailbox (imapserver calls it
// after every command), having looked for changes of other programs.
func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if s.sel == nil {
		return nil
	}
	if err := s.sel.mbox.checkExternal(s.ctx, s.srv.cfg.CheckInterval); err != nil {
		s.b.logErr(err)
	}
	return s.sel.view.Poll(w, allowExpunge)
}

// Idle sends the changes of the selected mailbox as they come (RFC 2177):
// the store's notifications wake it, and every IdleCheck it looks for
// changes of other programs.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if s.sel == nil {
		select {
		case <-stop:
		case <-s.ctx.Done():
		}
		return nil
	}
	mbox := s.sel.mbox
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.srv.log.Error("imap: IDLE check panicked", "panic", r)
			}
		}()
		t := time.NewTicker(s.srv.cfg.IdleCheck)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.b.logErr(mbox.checkExternal(s.ctx, 0))
			}
		}
	}()
	if h := s.srv.beforeIdle; h != nil {
		h(s.ctx, mbox)
	}
	return s.sel.view.Idle(w, stop)
}
