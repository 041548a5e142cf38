package pop3d

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"facteur/mailstore"
)

// message is one message of a maildrop, numbered from 1 by its position.
type message struct {
	id       int64
	key      string // Maildir unique name
	uid      string // UIDL unique-id
	fileSize int64  // size of the Maildir file, used if the file is gone
	size     int64  // octets in CRLF form; -1 until computed
	deleted  bool
}

// maildrop is the snapshot of a folder that a session took at login: the
// messages that arrive later are for the next session (RFC 1939 §4).
type maildrop struct {
	srv  *Server
	ref  mailstore.FolderRef
	msgs []message
}

// listPage is the page size of the folder listing.
const listPage = 1000

// openMaildrop lists the folder, oldest first. A folder that does not
// exist yet is an empty maildrop.
func openMaildrop(ctx context.Context, srv *Server, ref mailstore.FolderRef) (*maildrop, error) {
	d := &maildrop{srv: srv, ref: ref}
	seen := map[int64]bool{}
	for offset := 0; ; offset += listPage {
		page, err := srv.cfg.Store.List(ctx, ref, mailstore.ListOptions{Sort: mailstore.SortDate, Ascending: true, Offset: offset, Limit: listPage})
		if errors.Is(err, mailstore.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		for _, sum := range page {
			if !seen[sum.ID] { // a message that arrived meanwhile may shift a page
				seen[sum.ID] = true
				d.msgs = append(d.msgs, message{id: sum.ID, key: sum.Key, uid: uniqueID(sum.Key), fileSize: sum.Size, size: -1})
			}
		}
		if len(page) < listPage {
			break
		}
	}
	return d, nil
}

// uniqueID is the UIDL of a message: its Maildir key when it fits RFC 1939
// §7 (1 to 70 characters from 0x21 to 0x7E), else a digest of it. Both are
// stable across sessions.
func uniqueID(key string) string {
	ok := key != "" && len(key) <= 70
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] >= 0x21 && key[i] <= 0x7e
	}
	if ok {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// release gives the maildrop lock back.
func (d *maildrop) release() { d.srv.unlock(d.ref) }

// get returns message number arg, which must exist and not be deleted.
func (d *maildrop) get(arg string) (int, *message, error) {
	n, err := parseNumber(arg)
	if err != nil {
		return 0, nil, err
	}
	if n < 1 || n > len(d.msgs) {
		return 0, nil, ErrNoSuchMessage
	}
	m := &d.msgs[n-1]
	if m.deleted {
		return 0, nil, ErrMessageDeleted
	}
	return n, m, nil
}

// open opens a message file.
func (d *maildrop) open(ctx context.Context, m *message) (io.ReadCloser, error) {
	rc, err := d.srv.cfg.Store.Open(ctx, m.id)
	if errors.Is(err, mailstore.ErrNotFound) {
		return nil, ErrMessageGone
	}
	return rc, err
}

// size returns the size of a message as sent: CRLF line ends, before
// byte-stuffing. It reads the file once per server.
func (d *maildrop) size(ctx context.Context, m *message) (int64, error) {
	if m.size >= 0 {
		return m.size, nil
	}
	k := sizeKey{m.id, m.key}
	if n, ok := d.srv.sizes.get(k); ok {
		m.size = n
		return n, nil
	}
	rc, err := d.open(ctx, m)
	if errors.Is(err, ErrMessageGone) {
		return m.fileSize, nil // RETR will tell
	}
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := copyCRLF(io.Discard, rc, -1)
	if err != nil {
		return 0, err
	}
	m.size = n
	d.srv.sizes.put(k, n)
	return n, nil
}

// stat returns the number and total size of the messages not deleted.
func (d *maildrop) stat(ctx context.Context) (int, int64, error) {
	var n int
	var total int64
	for i := range d.msgs {
		if d.msgs[i].deleted {
			continue
		}
		size, err := d.size(ctx, &d.msgs[i])
		if err != nil {
			return 0, 0, err
		}
		n++
		total += size
	}
	return n, total, nil
}

// reset unmarks the deleted messages (RSET).
func (d *maildrop) reset() {
	for i := range d.msgs {
		d.msgs[i].deleted = false
	}
}

// updateTimeout bounds the UPDATE state, which runs even when the server
// is shutting down: a client that got through QUIT expects its deletions.
const updateTimeout = time.Minute

// update removes the deleted messages for good (RFC 1939 §6) and returns
// how many messages are left.
func (d *maildrop) update(ctx context.Context) (left int, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), updateTimeout)
	defer cancel()
	var ids []int64
	for _, m := range d.msgs {
		if !m.deleted {
			left++
		} else if d.stillHere(ctx, m.id) {
			ids = append(ids, m.id)
		}
	}
	if len(ids) == 0 {
		return left, nil
	}
	return left, d.remove(ctx, ids)
}

// stillHere reports whether a message is still in the maildrop: one that
// the user moved elsewhere meanwhile is not POP3's to delete.
func (d *maildrop) stillHere(ctx context.Context, id int64) bool {
	sum, err := d.srv.cfg.Store.Get(ctx, id)
	return err == nil && sum.Folder == d.ref
}

// remove deletes messages for good: a POP3 DELE is the user's own delete,
// made in another client, so nothing goes to Trash.
func (d *maildrop) remove(ctx context.Context, ids []int64) error {
	return d.srv.cfg.Store.Purge(ctx, ids)
}
