package imapsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// A message is stored only when it is known to be complete. A connection
// that ends in the middle of a FETCH response, even in order (a FIN), must
// not leave a message cut short in the store, indexed as whole and mapped
// so that no later sync fetches it again. Three checks see to it:
//
//   - the literal of a body section must hold the bytes it announced
//     ({N}, RFC 9051 §4.3): imapclient hands over what came before an end
//     of file as if it were all (collect);
//   - a FETCH response is known to be whole only when the next one began,
//     or when the command ended with OK: the data items after a literal
//     (FLAGS, RFC822.SIZE) may be missing from the last response before a
//     cut, so that one is held back (see stream);
//   - a whole message (BODY[]) must be at least as long as its
//     RFC822.SIZE, and a header section (BODY[HEADER]) must end with the
//     blank line that ends a header (RFC 5322 §2.1), or be the whole
//     message (checkWhole, checkHeader).
//
// A message that fails is not stored: its UID stays unmapped and the next
// sync fetches it again.

// ErrIncomplete: a message from the server was shorter than the server
// said; it was not stored. See *IncompleteError.
var ErrIncomplete = errors.New("imapsync: incomplete message")

// IncompleteError tells which message was incomplete, and how.
type IncompleteError struct {
	Folder string
	UID    uint32
	Reason string // e.g. "120 bytes of 3642 (RFC822.SIZE)"
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("imapsync: %s: UID %d: incomplete message (%s), not stored; the next sync fetches it again",
		e.Folder, e.UID, e.Reason)
}

func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// errShortLiteral: a literal ended before the bytes it announced (the
// connection was closed in the middle).
var errShortLiteral = errors.New("literal cut short")

// collect reads one FETCH response as FetchMessageData.Collect does, but
// fails on a literal that ends before its announced size.
func collect(msg *imapclient.FetchMessageData) (*imapclient.FetchMessageBuffer, error) {
	buf := &imapclient.FetchMessageBuffer{SeqNum: msg.SeqNum}
	for item := msg.Next(); item != nil; item = msg.Next() {
		if err := addItem(buf, item); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// addItem puts one data item in buf (the items that Facteur asks for).
func addItem(buf *imapclient.FetchMessageBuffer, item imapclient.FetchItemData) error {
	switch it := item.(type) {
	case imapclient.FetchItemDataBodySection:
		b, err := readLiteral(it.Literal)
		if err != nil {
			return err
		}
		buf.BodySection = append(buf.BodySection, imapclient.FetchBodySectionBuffer{Section: it.Section, Bytes: b})
	case imapclient.FetchItemDataFlags:
		buf.Flags = it.Flags
	case imapclient.FetchItemDataEnvelope:
		buf.Envelope = it.Envelope
	case imapclient.FetchItemDataInternalDate:
		buf.InternalDate = it.Time
	case imapclient.FetchItemDataRFC822Size:
		buf.RFC822Size = it.Size
	case imapclient.FetchItemDataUID:
		buf.UID = it.UID
	case imapclient.FetchItemDataBodyStructure:
		buf.BodyStructure = it.BodyStructure
	case imapclient.FetchItemDataModSeq:
		buf.ModSeq = it.ModSeq
	}
	return nil
}

// readLiteral reads a literal whole; nil for NIL.
func readLiteral(lit imap.LiteralReader) ([]byte, error) {
	if lit == nil {
		return nil, nil
	}
	b, err := io.ReadAll(lit)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != lit.Size() {
		return nil, fmt.Errorf("%w: %d bytes of %d", errShortLiteral, len(b), lit.Size())
	}
	return b, nil
}

// checkWhole tells why a message fetched with BODY[] and RFC822.SIZE is
// not complete, "" when it is: it must not be shorter than its
// RFC822.SIZE. A longer one is taken: servers that store a message as
// they received it may send it with CRLF line ends and the blank line
// that ends its header (imapmemserver does, for a message with bare LF),
// never a message cut short.
func checkWhole(body []byte, buf *imapclient.FetchMessageBuffer) string {
	if int64(len(body)) < buf.RFC822Size {
		return fmt.Sprintf("%d bytes of %d (RFC822.SIZE)", len(body), buf.RFC822Size)
	}
	return ""
}

// checkHeader tells why a header section fetched with BODY[HEADER] and
// RFC822.SIZE is not complete, "" when it is: it must end with the blank
// line that ends a header, or be the whole message (a message without
// body nor blank line).
func checkHeader(header []byte, buf *imapclient.FetchMessageBuffer) string {
	if endsHeader(header) || int64(len(header)) >= buf.RFC822Size {
		return ""
	}
	return fmt.Sprintf("a header section of %d bytes without the blank line that ends it", len(header))
}

// endsHeader tells whether a header section ends with its blank line (an
// empty header is that line alone).
func endsHeader(h []byte) bool {
	return bytes.HasSuffix(h, []byte("\n\r\n")) || bytes.HasSuffix(h, []byte("\n\n")) ||
		string(h) == "\r\n" || string(h) == "\n"
}

// fetchChecked runs UID FETCH of uids and returns the messages known to
// be complete (see collect and stream): after an error, those received
// before the last one.
func fetchChecked(ctx context.Context, c *imapclient.Client, uids []imap.UID, opt *imap.FetchOptions, name string) ([]*imapclient.FetchMessageBuffer, error) {
	var out []*imapclient.FetchMessageBuffer
	err := fetchEach(c, imap.UIDSetNum(uids...), opt, func(buf *imapclient.FetchMessageBuffer) bool {
		out = append(out, buf)
		return true
	})
	return out, wrap(ctx, name, err)
}

// fetchEach runs UID FETCH of uids (an imap.UIDSet) and hands each response to f once it
// is known to be whole: when the next one begins, or the command ended
// with OK. The last response before an error is dropped. f returns false
// to stop (the rest of the responses are read and dropped).
func fetchEach(c *imapclient.Client, uids imap.UIDSet, opt *imap.FetchOptions, f func(*imapclient.FetchMessageBuffer) bool) error {
	cmd := c.Fetch(uids, opt)
	defer cmd.Close()
	var held *imapclient.FetchMessageBuffer
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		if held != nil && !f(held) {
			return cmd.Close()
		}
		buf, err := collect(msg)
		if err != nil {
			// The literal ended early, and imapclient's reader goes on
			// decoding: the data read again by cmd.Close would race with
			// it. Close waits for that reader to end.
			c.Close()
			cmd.Close()
			return err
		}
		held = buf
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	if held != nil {
		f(held)
	}
	return nil
}
