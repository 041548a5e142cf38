package mailstore

import (
	"strings"
	"time"

	"facteur/internal/message"
)

// Flags are the standard Maildir flags of a message (the letters after ":2,").
type Flags uint8

// The flags, in the order of their bits. Their Maildir letters are, in ASCII
// order: D (Draft), F (Flagged), P (Passed), R (Replied), S (Seen), T (Trashed).
const (
	FlagSeen Flags = 1 << iota
	FlagAnswered
	FlagFlagged
	FlagDraft
	FlagPassed
	FlagTrashed
)

// flagLetters maps Maildir info letters, sorted in ASCII order, to flags.
var flagLetters = [...]struct {
	letter byte
	flag   Flags
}{
	{'D', FlagDraft},
	{'F', FlagFlagged},
	{'P', FlagPassed},
	{'R', FlagAnswered},
	{'S', FlagSeen},
	{'T', FlagTrashed},
}

// Maildir returns the flag letters as they appear after ":2," in a Maildir file
// name: sorted in ASCII order, e.g. "FRS".
func (f Flags) Maildir() string {
	var b strings.Builder
	for _, l := range flagLetters {
		if f&l.flag != 0 {
			b.WriteByte(l.letter)
		}
	}
	return b.String()
}

// parseFlags reads Maildir info letters. Letters that are not standard flags
// (Dovecot keywords a-z, experimental letters) are returned in extra, so that a
// rename keeps them.
func parseFlags(info string) (f Flags, extra string) {
	var x []byte
	for i := 0; i < len(info); i++ {
		known := false
		for _, l := range flagLetters {
			if info[i] == l.letter {
				f |= l.flag
				known = true
				break
			}
		}
		if !known && !strings.ContainsRune(string(x), rune(info[i])) {
			x = append(x, info[i])
		}
	}
	return f, string(x)
}

// Role tells what a folder is used for, whatever its name.
type Role string

// The folder roles (RFC 6154 special-use names, plus the outbox).
const (
	RoleNone    Role = ""
	RoleInbox   Role = "inbox"
	RoleSent    Role = "sent"
	RoleDrafts  Role = "drafts"
	RoleTrash   Role = "trash"
	RoleJunk    Role = "junk"
	RoleArchive Role = "archive"
	RoleOutbox  Role = "outbox"
)

// FolderRef names a folder: an account and a folder name in which '/'
// separates hierarchy levels, e.g. {"Local", "Lists/golang"}.
type FolderRef struct {
	Account, Name string
}

// String returns "Account/Name".
func (r FolderRef) String() string { return r.Account + "/" + r.Name }

// Folder is a folder with its message counts.
type Folder struct {
	Ref           FolderRef
	Role          Role
	Total, Unread int
	Partial       int // messages whose body is not downloaded (Summary.Partial)
}

// Envelope is the SMTP envelope of a message (RFC 5321 MAIL FROM and RCPT TO),
// when it is known.
type Envelope struct {
	MailFrom string
	RcptTo   []string
	// Recorded is true when the delivery agent gave the envelope with the
	// message (AddOptions.Envelope): the exact MAIL FROM and RCPT TO. It is
	// false when the envelope was read back from the trace fields a delivery
	// agent writes (Return-Path, Delivered-To, X-Original-To) or from an mbox
	// From_ line, as after an index rebuild.
	Recorded bool
}

// Summary is what the index knows of a message: enough to list it without
// opening its file.
type Summary struct {
	ID        int64
	Folder    FolderRef
	Key       string // Maildir unique name (the part before ":2,")
	MessageID string // without <>
	Subject   string // decoded
	From      []message.Address
	To        []message.Address
	Cc        []message.Address
	Date      time.Time // Date header, else arrival time
	// Size is the bytes of the Maildir file, or of the whole message on
	// the server for a partial message.
	Size  int64
	Flags Flags
	// Attachment is set when the message has at least one non-inline part.
	Attachment bool
	ThreadID   int64
	Depth      int // set only in threaded listings
	// ThreadSize and ThreadUnread count the messages of the thread in the
	// folder, and the unread ones among them: set only in threaded
	// listings, on the first message of each thread. Collapsed is set on
	// that message when the listing shows it alone (ListOptions.Collapsed).
	ThreadSize, ThreadUnread int
	Collapsed                bool
	Envelope                 *Envelope // nil when unknown
	Problem                  string    // non-empty when the message did not parse completely
	// Partial is set when the Maildir file holds only the header of the
	// message (see PartialMessage): its body is still on the server.
	Partial bool
}

// SortField selects the order of a listing.
type SortField int

// The sort orders of List.
const (
	SortDate SortField = iota
	SortSender
	SortSubject
)

// ListOptions select one page of a folder listing. The zero value lists the
// newest messages first, with the default page size.
type ListOptions struct {
	Sort      SortField
	Ascending bool
	// Threaded lists whole threads, each in JWZ order with Summary.Depth
	// set. Sort then orders the threads: SortDate by their latest message,
	// newest first; SortSender and SortSubject by the sender or subject of
	// their first message, Z to A (as Thunderbird does). Ascending
	// reverses the order of the threads.
	Threaded bool
	// Collapsed are threads (Summary.ThreadID) that a threaded listing
	// shows as their first message only.
	Collapsed []int64
	Offset    int
	Limit     int // 0 means DefaultLimit
}

// DefaultLimit is the page size used when a Limit is 0.
const DefaultLimit = 200

// SearchOptions restrict a search. A nil Folder searches every folder.
type SearchOptions struct {
	Folder *FolderRef
	Offset int
	Limit  int // 0 means DefaultLimit
}

// AddOptions describe a message being added.
type AddOptions struct {
	Flags    Flags
	Envelope *Envelope
	Arrived  time.Time // zero means now
	// Key, when set, is the Maildir key (the file name before its info)
	// that AddBatch gives the message, instead of a new unique one: an
	// MDA derives it from its queue id and recipient so that a delivery
	// replayed after a crash is not written twice. A folder that already
	// holds the key (a file in new/, or an indexed message) is not
	// written again: the item's error is ErrExist. Key must be printable
	// ASCII without '/', ':', '!' or a leading dot.
	Key string
}

// Progress reports a long operation. Total and TotalBytes are 0 when unknown.
type Progress struct {
	Done, Total       int
	Bytes, TotalBytes int64
}

// ImportStats count what an import did. Messages were stored and
// indexed; Duplicates were skipped, their content being in the folder
// already (or earlier in the same source); Failed could not be stored
// (a full disk): nothing of them is left in the folder, and the same
// import run again stores them and skips the others.
type ImportStats struct {
	Messages, Problems int
	Duplicates, Failed int
	Bytes              int64 // of the messages stored
}

// ImportOptions tune ImportWith.
type ImportOptions struct {
	// Progress, when set, is called after each batch of messages stored.
	Progress func(Progress)
	// AllowDuplicates stores every message of the source, even those
	// whose content the folder holds already.
	AllowDuplicates bool
	// Stored, when set, is given the ids of the messages of each batch
	// once it is committed (an IMAP account journals their APPEND).
	Stored func(ids []int64)
}

// RescanStats count what a rescan found. Leftovers are the files of tmp/
// directories that were removed: left by a writer that is gone (a crash,
// kill -9) or older than 36 hours (the Maildir specification's rule).
type RescanStats struct {
	Added, Removed, Renamed, Unchanged int
	Leftovers                          int
}

// ChangeKind tells what changed in the store.
type ChangeKind int

// The kinds of change sent to subscribers.
const (
	// ChangeAdded: messages were added to Folder (IDs).
	ChangeAdded ChangeKind = iota + 1
	// ChangeRemoved: messages left Folder (moved or deleted).
	ChangeRemoved
	// ChangeFlags: flags of messages in Folder changed.
	ChangeFlags
	// ChangeFolders: a folder was created or removed; Folder names it.
	ChangeFolders
	// ChangeReset: many things changed (rescan, rebuild, coalesced changes):
	// reload Folder, or everything when Folder is the zero value.
	ChangeReset
	// ChangeContent: the file of messages in Folder was replaced (a
	// partial message got its body, see Replace): reload their summaries
	// and any open view of them.
	ChangeContent
)

// Change is one notification sent to subscribers. IDs may be nil when they are
// too many to list (then reload Folder).
type Change struct {
	Kind   ChangeKind
	Folder FolderRef
	IDs    []int64
}
