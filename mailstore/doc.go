// Package mailstore is Facteur's offline message store: Maildir folders that
// hold the messages, and an SQLite index that lists, sorts, threads and
// searches them. The Maildir files are the truth; the index is a cache that
// can always be rebuilt from them.
//
// # On disk
//
// In the profile directory given to Open:
//
//	mail/<account>/<folder>/{cur,new,tmp}/   one Maildir per folder
//	mail/<account>/<folder>/.facteur-role    the folder's role (inbox, sent, trash...)
//	mail/<account>/<folder>/<child>/...      sub-folders ("Lists/golang")
//	index.sqlite (+ -wal, -shm)              the index (SQLite, WAL mode)
//	index.sqlite.bad-<time>                  an index that was found corrupt, kept aside
//	index.lock                               held by the process that opens the index
//
// Account and folder names may be any UTF-8 text; each level is encoded as a
// portable file name ('%', '/', '\', ':', '*', '?', '"', '<', '>', '|',
// control characters, leading dots, trailing dots and spaces, cur/new/tmp and
// Windows device names become %XX), so no name can leave the mail directory.
//
// Message files follow the Maildir specification
// (https://cr.yp.to/proto/maildir.html): a unique name
// "time.MusecPpidQnRrand.host,S=size" and an info suffix ":2,FLAGS" with the
// flags in ASCII order (D draft, F flagged, P passed, R replied, S seen,
// T trashed), so mutt, Dovecot and Python's mailbox module read the same
// folders. On Windows, where ':' cannot appear in a file name, the suffix is
// "!2,FLAGS"; both forms are read everywhere. A message is written to tmp/,
// fsynced, renamed into new/ (or cur/ when it has flags) and the directory is
// fsynced before its index row is committed. Its name in tmp/ is
// "time.Ppid.host.random": a file whose writer died there (a crash, kill -9)
// is removed once that PID is gone from this host, and any file older than
// 36 hours, as the specification says, by the first rescan of a process and
// when a process first writes into the folder. Moving renames the file to the
// other folder before the index is updated; Delete moves to the account's
// Trash, and only a delete in Trash removes the file.
//
// # Line ends
//
// Every message file has LF line ends, as Dovecot (mail_save_crlf = no)
// and mutt write Maildir files on Unix, whatever its source: Add,
// AddBatch, Replace and Import turn the CRLF of the wire (IMAP, SMTP) into
// LF before writing (package facteur/internal/eol; a CR that no LF
// follows is kept). Files that other programs put in the folders are
// indexed as they are. Summary.Size is the RFC 822 size, counted in the
// CRLF form (what an IMAP server gives as RFC822.SIZE and a POP3 server
// in LIST), for whole and partial messages alike; the S= of a file name
// is the size of the file. Whoever sends a stored message on the wire
// turns it back into CRLF (eol.ToCRLF).
//
// # Reading a message
//
// The one way to read a message is its Maildir file: Store.Open (or
// Store.Path) by index id. The index keeps what lists need (Summary); the
// full message is parsed on demand with package facteur/internal/message.
//
// # Partial messages
//
// A sync that fetches headers first stores partial messages: a file that
// holds the mark PartialField, then the message's header, and no body
// (PartialMessage). The mark gives the size of the whole message and
// whether it has attachments, which the index shows (Summary.Partial,
// Summary.Size, Summary.Attachment, Folder.Partial); being in the file, it
// survives a rescan, an index rebuild, a move and a copy. Full-text search
// finds such a message by its header only, and Export writes it as it is.
// Replace (or ReplaceBatch) puts the whole message in its place when it is
// downloaded: the file is written in tmp/, fsynced and renamed over the old
// one; the message keeps its id, folder and flags, and subscribers get
// ChangeContent. IndexID tells programs that keep message ids (the IMAP
// sync state) when the index was rebuilt and the ids changed.
//
// # Index
//
// Per message the index holds the folder, the Maildir key and flags, the
// Message-ID, the decoded subject (RFC 2047), From, To and Cc (RFC 5322), the
// date, size, an attachment marker (RFC 2183 Content-Disposition), a thread
// id (JWZ threading on References and In-Reply-To, package
// facteur/mailstore/thread), the SMTP envelope (RFC 5321 MAIL FROM and RCPT
// TO) when known, the SHA-256 of the file's content, and a problem text for
// messages that did not parse completely (they are stored and listed all
// the same). What changes with the flags (the subdirectory, the flags
// and the info part of the file name) is a narrow table of its own
// (state), so that a change of flags rewrites a few dozen bytes a
// message, not the whole row; the view messages joins the two for
// reading. Full-text search uses
// an FTS5 table over the subject, the addresses and the body text (HTML parts
// reduced to text, attachment names included). The query language is
// described in query.go and on Store.Search.
//
// An index that is missing, is not an SQLite file, has another schema
// version, or fails its integrity check after an unclean shutdown is moved
// aside and rebuilt from the Maildir files. OpenReadOnly opens an index
// for reading without writing anything (not even its in-use mark), so that
// search and export work on a full disk. Several processes (the app,
// `facteur sync`, `facteur import`) may use one store at once: the index
// is created, migrated or moved aside by one of them at a time (under
// index.lock), a folder that two of them create at once is made once,
// and a message file that one writes and another's rescan finds first is
// indexed once. Changes made to the folders by
// other programs are picked up by Rescan, which compares directory listings
// with the index and reads only new files.
//
// mbox files (RFC 4155; mboxo and mboxrd read, mboxrd written, package
// facteur/mailstore/mbox), Maildir directories and single message files
// (RFC 5322, MIME RFC 2045-2049) are imported with Import, in batches,
// streaming, cancellable. An import skips the messages whose content the
// folder holds already, so running it again (after a full disk, say) adds
// only the rest; a file it wrote is indexed before it returns, or removed
// if the index cannot take it, so its counts are exact. Export writes
// mboxrd.
package mailstore
