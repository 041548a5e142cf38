// Package imapsync keeps an IMAP account (RFC 9051, IMAP4rev1 RFC 3501) in
// sync with Facteur's offline store (package facteur/mailstore), with
// github.com/emersion/go-imap/v2's imapclient.
//
// Folders come from LIST. Every command names a folder by its remote name,
// the server's mailbox name as LIST gave it, whatever its hierarchy
// delimiter ('.' for Courier-IMAP and Dovecot's Maildir++ layout, '/' for
// Dovecot's default and Cyrus with unixhierarchysep); the local folder has
// a name of its own, without the personal namespace prefix of NAMESPACE
// (RFC 2342: Courier's "INBOX.Work" is the local "Work"), kept beside the
// remote name in the sync state (see names.go and mailboxes.go). The
// special-use attributes of RFC 6154 (\Sent,
// \Drafts, \Trash, \Junk, \Archive) become mailstore roles, and the
// subscribed state (LIST-EXTENDED RETURN (SUBSCRIBED), RFC 5258) is kept
// for the folder list to hide the others (State.Subscriptions;
// Syncer.Subscribe changes it). For every folder the sync state lives in
// the profile (DIR/imap/state.sqlite): its UIDVALIDITY, HIGHESTMODSEQ (RFC
// 7162 CONDSTORE) and UIDNEXT as the last complete sync saw them and, for
// every message, the UID, the mailstore id and the flags and keywords last
// seen on the server. A sync of a folder:
//
//  1. selects it; a UIDVALIDITY that changed (RFC 9051 §2.3.1.1) drops the
//     UID map of the folder, and the local messages are matched again by
//     content (validity.go: header section and size, the whole body for a
//     whole copy): what matches keeps its local copy, what the server no
//     longer has goes, and the journal's actions get their new UIDs or,
//     when their message is gone, are reported (Stats.Unsent);
//  2. finds what was delivered and expunged. imapclient speaks no QRESYNC
//     (RFC 7162 §3.2: no ENABLE QRESYNC, no SELECT (QRESYNC ...), no
//     VANISHED), so the expunges are found from the counts: every UID
//     below the last UIDNEXT was mapped, so when EXISTS equals the known
//     UIDs below it plus the UIDs at or above it (UID SEARCH UID
//     UIDNEXT:*, not even sent when UIDNEXT did not move), nothing was
//     expunged; otherwise UID SEARCH ALL lists the folder and the local
//     copies of the expunged messages are removed;
//  3. brings the flags (\Seen \Answered \Flagged \Draft \Deleted, and
//     $Forwarded, RFC 5788, as Maildir's P) and the keywords (RFC 9051
//     §2.3.2: $Label1, Work; kept as the account's Maildir letters a to z,
//     keywords.go) of known messages over: only what changed on the server
//     since the UID map's row, so that a keyword the server does not keep
//     stays local, with FETCH FLAGS CHANGEDSINCE when CONDSTORE is offered
//     (RFC 7162 §3.1.4) and nothing at all when HIGHESTMODSEQ did not move,
//     plain FETCH FLAGS otherwise; the changes are given to the store while
//     the FETCH goes on, in slices (Options.FlagChunk), all in one index
//     transaction (mailstore.SetFlagsEach: the files renamed as the changes
//     come), then to the UID map in one transaction;
//  4. fetches the new messages, newest first, in FETCH commands of growing
//     size (100 to 1000 messages, Options.BatchSize), stored in batches of
//     at most 8 MiB. By default a sync fetches the header section
//     (BODY.PEEK[HEADER]), FLAGS, INTERNALDATE, RFC822.SIZE and
//     BODYSTRUCTURE, and stores a partial message
//     (mailstore.PartialMessage: the header, the size and an attachment
//     marker; the list shows it like any other); the body comes when the
//     user opens it (FetchBody). For an account available offline
//     (account.Options.Offline), and in Drafts (the composer edits its
//     messages), it fetches BODY.PEEK[] (which does not set \Seen), and a
//     sync also fills the bodies of the partial messages left by earlier
//     syncs, in place. When the folder has unmapped local
//     messages (moved, copied or appended by Facteur, kept across an
//     index rebuild, stored just before a crash)
//     the FETCH also asks for ENVELOPE, and the messages with the
//     Message-ID of a local copy adopt it instead of being stored again
//     (not after a change of UIDVALIDITY: the content decided).
//     Only complete messages are stored (complete.go): every literal as
//     long as it announced, a response known to be whole (the next one
//     began, or the command ended with OK), a body not shorter than its
//     RFC822.SIZE, a header section that ends with its blank line; an
//     incomplete one stays unmapped and the next sync fetches it again. A
//     batch is stored with one mailstore.AddBatch, and once it is durable
//     its UID map rows are written in one transaction; two batches are
//     stored at once (the files of one are fsynced while the other is
//     indexed) and the FETCH of the next ones runs meanwhile. A crash
//     between the two leaves unmapped messages that the next sync adopts:
//     nothing is lost or downloaded twice (a message without Message-ID
//     would be, as before).
//
// The UID maps name mailstore ids: a sync first checks that the store's
// index is the one they were made with (mailstore.Store.IndexID); after an
// index rebuild, which gives new ids, they are dropped and the next sync
// of each folder adopts the local copies by Message-ID. A UID whose local
// message vanished (a crash between a file's rename and its index commit)
// becomes new again, and is adopted or downloaded.
//
// FetchBody downloads the whole of a partial message when the user opens
// it, on a second connection of its own, so that it never waits for a sync
// or an IDLE; the file is replaced in place (mailstore.Store.Replace): same
// id, folder and flags.
//
// Actions made locally (read, flag, move, delete, copy) go through a Syncer:
// they apply to the store at once and are written to a durable journal (the
// same SQLite file), which is replayed in order when connected, before any
// folder is synced: an action is removed from the journal only after the
// server accepted it, and every replayed command is idempotent on UIDs
// (UID STORE, UID MOVE, UID EXPUNGE of UIDs that are gone do nothing), so a
// drop in the middle neither loses nor doubles anything. A keyword that the
// folder does not keep (PERMANENTFLAGS, RFC 9051 §7.1, without it nor \*)
// is not sent, stays local, and is reported (KeywordsRefusedError, from
// Replay and in Stats.Refused). APPEND stores a message (Sent, Drafts) on
// the server and locally.
//
// A folder that the server refuses (SELECT answered NO, a command on it
// refused) does not stop the sync: the other folders are synced, the
// local folder made for it is removed again when it is empty, and Sync
// returns a *FoldersError naming each such folder with the server's reply.
//
// Run keeps an account up to date: a full sync, then IDLE (RFC 2177) on
// INBOX, or polling when the server has no IDLE; after a drop it reconnects
// with an exponential backoff. Progress goes to a callback; everything ends
// with its context.
//
// Connections follow RFC 8314 and RFC 2595 through package
// facteur/mua/account: implicit TLS (993) or STARTTLS (143) required unless
// the user chose plaintext; certificates verified or pinned.
package imapsync
