package mailstore

import (
	"bytes"
	"context"
	"strconv"
	"strings"
)

// PartialField is the header field that marks a partial message: a Maildir
// file that holds only the header of a message whose body is still on an
// IMAP server (a sync that fetches headers first, package
// facteur/mua/imapsync). It is the first field of the file and nothing
// follows the header:
//
//	X-Facteur-Partial: header-only; size=48213; attachment=1
//
// size is the size of the whole message on the server (RFC 9051
// RFC822.SIZE); attachment=1 says that its MIME structure has an attachment
// (RFC 2183). Being in the file, the mark survives an index rebuild, a
// rescan, a move and a copy, and other programs reading the Maildir see a
// message without body that says why. Replace puts the whole message in
// place of a partial one.
//
// A message that arrives complete with this field first and an empty body
// is read as partial too; nothing is lost by that (fetching its body again
// gives the same bytes).
const PartialField = "X-Facteur-Partial"

const partialValue = "header-only"

// PartialMessage returns the Maildir file of a partial message: the mark,
// then header, the message's header section (RFC 5322) as FETCH
// BODY.PEEK[HEADER] gives it, blank line included. size is the size of the
// whole message, attachment tells whether it has attachments.
func PartialMessage(header []byte, size int64, attachment bool) []byte {
	eol := "\n"
	if bytes.Contains(header, []byte("\r\n")) || len(header) == 0 {
		eol = "\r\n"
	}
	mark := PartialField + ": " + partialValue + "; size=" + strconv.FormatInt(size, 10)
	if attachment {
		mark += "; attachment=1"
	}
	out := make([]byte, 0, len(mark)+len(eol)+len(header)+len(eol))
	out = append(append(append(out, mark...), eol...), header...)
	if !bytes.HasSuffix(out, []byte(eol+eol)) {
		if !bytes.HasSuffix(out, []byte(eol)) {
			out = append(out, eol...)
		}
		out = append(out, eol...) // the blank line that ends the header
	}
	return out
}

// parsePartial reads the mark of a partial message: ok when data starts
// with PartialField and has no body. size is 0 when the mark gives none.
func parsePartial(data []byte) (size int64, attachment, ok bool) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	name, value, found := bytes.Cut(line, []byte(":"))
	if !found || !strings.EqualFold(string(name), PartialField) || !emptyBody(data) {
		return 0, false, false
	}
	params := strings.Split(string(value), ";")
	if strings.TrimSpace(params[0]) != partialValue {
		return 0, false, false
	}
	for _, p := range params[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "size":
			size, _ = strconv.ParseInt(v, 10, 64)
		case "attachment":
			attachment = v == "1"
		}
	}
	return max(size, 0), attachment, true
}

// emptyBody tells whether nothing but blanks follows the header of a
// message.
func emptyBody(data []byte) bool {
	end := len(data)
	if i := bytes.Index(data, []byte("\n\r\n")); i >= 0 {
		end = i + 3
	}
	if i := bytes.Index(data, []byte("\n\n")); i >= 0 && i+2 < end {
		end = i + 2
	}
	return len(bytes.TrimSpace(data[min(end, len(data)):])) == 0
}

// PartialIDs returns the ids of the partial messages of a folder (see
// PartialField), oldest id first.
func (s *Store) PartialIDs(ctx context.Context, ref FolderRef) ([]int64, error) {
	return s.idsOf(ctx, ref, `SELECT id FROM headers WHERE folder = ? AND partial > 0 ORDER BY id`)
}

// FolderIDs returns the ids of the messages of a folder, oldest id first.
func (s *Store) FolderIDs(ctx context.Context, ref FolderRef) ([]int64, error) {
	return s.idsOf(ctx, ref, `SELECT id FROM state WHERE folder = ? ORDER BY id`) // state_folder, in id order
}

// idsOf runs query, which selects ids with the folder's id as its
// argument.
func (s *Store) idsOf(ctx context.Context, ref FolderRef, query string) ([]int64, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	fi, err := s.folder(ref)
	if err != nil {
		return nil, err
	}
	return scanInt64s(s.ix.rdb.QueryContext(ctx, query, fi.id))
}
