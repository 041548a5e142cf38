// Package mbox reads and writes mbox files, the "application/mbox" format of
// RFC 4155: messages one after the other, each one introduced by a "From_"
// separator line ("From " + envelope sender + asctime date) and ended by a
// blank line. The course Facteur grew from describes the same file: a user's
// mailbox (/var/mail/login) where "tout nouveau message débute par une ligne
// From (sans caractère « : »)".
//
// # Reading
//
// [Reader] streams: it never holds more than one line (at most its 64 KiB
// buffer) in memory, whatever the size of the file or of a message. It reads
// both common variants:
//
//   - mboxrd: body lines matching ^>*From  were escaped by one more '>'; the
//     reader removes one '>' from every line matching ^>+From .
//   - mboxo: body lines "From ..." were escaped as ">From ..." but lines that
//     already began with ">From " were not; such files cannot be read back
//     exactly by anyone, and are read here as mboxrd.
//
// The separator rule, which settles the mboxo ambiguity of unescaped "From "
// lines in bodies, is:
//
//   - A line is a separator only if it starts with "From " and looks like
//     "From <sender> <date>", where the date is an asctime date
//     ("Thu May 11 18:19:24 2000", optionally with a zone, or the
//     RFC 5322 form "Thu, 11 May 2000 18:19:24 +0200"), anything after the
//     year being ignored (UUCP's "remote from host").
//   - Inside a message it must also follow a blank line (that blank line
//     belongs to the separator, not to the body), or be the first line of
//     the message (an empty message).
//   - Before the first message, everything up to the first line that looks
//     like a From_ line is skipped as garbage (leading blank lines included),
//     except that a "From " line at the very start of the stream is always a
//     separator, whatever follows "From ".
//
// So a body line such as "From here we go" is never a separator, even after
// a blank line, while an unescaped "From alice Thu May 11 18:19:24 2000"
// after a blank line, in an mboxo file, is (no reader can tell otherwise).
//
// Lines may end in LF or CRLF (files copied from Windows); the body is handed
// over byte for byte, CRLF kept, minus the escaping and the separator's blank
// line. A final message without trailing newline is accepted.
//
// # Writing
//
// [Writer] writes mboxrd with LF line ends: CRLF in messages become LF, a
// missing final newline is added, lines matching ^>*From  get one more '>',
// and every message is followed by a blank line. Reading back what Writer
// wrote gives the same bytes for any message whose lines end in LF and that
// ends with a newline (and the same sender and date, to the second, in UTC).
package mbox

import (
	"errors"
	"io"
	"time"
)

// ErrNotMbox is returned by [Reader.Next] when the stream holds data but no
// From_ separator line at all: it is not an mbox file.
var ErrNotMbox = errors.New("mbox: no From_ separator line found")

// Message is one message of an mbox file.
type Message struct {
	// Sender is the envelope sender from the From_ line, kept as is
	// ("MAILER-DAEMON", "fred@truc.fr"); empty if the line had none.
	Sender string
	// Date is the date of the From_ line; asctime dates carry no zone and
	// are read as UTC. Zero if the date could not be read.
	Date time.Time
	// Body reads the message bytes (header, blank line, body), with
	// >From lines unescaped. It is valid until the next call to Next.
	Body io.Reader
}
