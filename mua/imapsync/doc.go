// Package imapsync keeps an IMAP account (RFC 9051, IMAP4rev1 RFC 3501) in
// sync with Facteur's offline store (package facteur/mailstore), with
// github.com/emersion/go-imap/v2's imapclient.
//
// Folders come from LIST; the special-use attributes of RFC 6154 (\Sent,
// \Drafts, \Trash, \Junk, \Archive) become mailstore roles, and the
// subscribed state is kept. For every folder the sync state lives in the
// profile (DIR/imap/state.sqlite): its UIDVALIDITY, its HIGHESTMODSEQ (RFC
// 7162 CONDSTORE) and, for every message, the UID, the mailstore id and the
// flags last seen on the server. A sync of a folder:
//
//  1. selects it; a UIDVALIDITY that changed (RFC 9051 §2.3.1.1) drops the
//     UID map of the folder; local messages are then matched again by
//     Message-ID, so nothing is downloaded twice;
//  2. lists the server's UIDs (UID SEARCH ALL), removes locally what was
//     expunged on the server;
//  3. brings the flags (\Seen \Answered \Flagged \Draft \Deleted) of known
//     messages over, with FETCH FLAGS CHANGEDSINCE when CONDSTORE is offered
//     (RFC 7162 §3.1.4), plain FETCH FLAGS otherwise; the changes go to the
//     store with one mailstore.SetFlags per distinct change, then to the
//     UID map in one transaction;
//  4. fetches new messages in batches (Options.BatchSize): when the folder
//     has unmapped local messages, the headers (ENVELOPE, FLAGS,
//     RFC822.SIZE) first, to adopt the local copies with the same
//     Message-ID (a message moved, copied or appended by Facteur, or stored
//     just before a crash); the bodies with BODY.PEEK[] (which does not set
//     \Seen). A batch is stored with one mailstore.AddBatch, and once it is
//     durable its UID map rows are written in one transaction; the FETCH of
//     the next batches runs meanwhile. A crash between the two leaves
//     unmapped messages that the next sync adopts: nothing is lost or
//     downloaded twice (a message without Message-ID would be, as before).
//
// Actions made locally (read, flag, move, delete, copy) go through a Syncer:
// they apply to the store at once and are written to a durable journal (the
// same SQLite file), which is replayed in order when connected, before any
// folder is synced: an action is removed from the journal only after the
// server accepted it, and every replayed command is idempotent on UIDs
// (UID STORE, UID MOVE, UID EXPUNGE of UIDs that are gone do nothing), so a
// drop in the middle neither loses nor doubles anything. APPEND stores a
// message (Sent, Drafts) on the server and locally.
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
