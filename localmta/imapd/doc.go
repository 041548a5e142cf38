// Package imapd is Facteur's IMAP server for the Local account: any mail
// client (mutt, aerc, Thunderbird, a phone, a second Facteur) reads and
// organises the folders that the local MDA delivers into, as Dovecot does
// beside Postfix. The protocol is go-imap's imapserver; this package is
// its backend over package mailstore.
//
// It speaks IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) with STARTTLS
// and implicit TLS (RFC 8314) under the MTA's certificate (package
// mtatls); LOGIN and AUTHENTICATE PLAIN (RFC 4616) are offered only under
// TLS, except to clients of the trusted networks (loopback by default),
// where the capability list says LOGINDISABLED otherwise. Logins are
// those of the mail system (package mtausers), with the slow-down of
// package clientlimit on failures. Extensions: NAMESPACE (RFC 2342),
// UIDPLUS (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154), IDLE (RFC
// 2177), ENABLE (RFC 5161), UNSELECT (RFC 3691), LITERAL+ (RFC 7888),
// ESEARCH (RFC 4731), SEARCHRES (RFC 5182), LIST-EXTENDED (RFC 5258),
// LIST-STATUS (RFC 5819), STATUS=SIZE (RFC 8438), CHILDREN (RFC 3348).
// go-imap v2.0.0-beta.8's server has neither the ID command (RFC 2971) nor
// CONDSTORE (RFC 7162), so they are not offered.
//
// # Mailboxes, UIDs and flags
//
// Every folder of the Local account is a mailbox ("/" separates levels;
// INBOX is the MDA's), with its role as special-use attribute (\Sent,
// \Drafts, \Trash, \Junk, \Archive). UIDs and UIDVALIDITY are kept by
// mailstore.UIDIndex beside the index: a message keeps its UID as long as
// its Maildir file keeps its unique name, so that mutt marking it read,
// `facteur rescan` or an index rebuild change nothing; UIDVALIDITY changes
// only when a folder is deleted and made again. The system flags map to
// the Maildir letters (\Seen S, \Answered R, \Flagged F, \Draft D,
// \Deleted T, $Forwarded P); other keywords take the letters 'a' to 'z'
// as Dovecot writes them, the same letter for the same keyword in every
// folder. EXPUNGE removes files for good.
//
// # Changes and concurrency
//
// A selected mailbox is shared by its sessions: the changes of the store
// (mailstore.Subscribe: mail the MDA delivered, what the window did, what
// another session did) reach every session as EXISTS, EXPUNGE and FETCH
// FLAGS at its next command or at once during IDLE. Changes made by other
// programs (mutt on the Maildir, a Facteur window in another process) are
// seen when cur/ or new/ of the folder changed, checked at most once a
// second at each command and every few seconds during IDLE. Flag changes
// go through the store, which renames each file under its lock and adds or
// removes flags on what the file holds then: two sessions, the window and
// mutt never lose each other's flags.
//
// POP3 beside IMAP, as with Dovecot: a POP3 session works on the snapshot
// of INBOX it took at login and holds it against other POP3 sessions only;
// IMAP sessions go on meanwhile. Mail delivered during the POP3 session
// reaches IMAP at once and POP3 at its next login. Messages deleted with
// DELE leave the store at QUIT and IMAP sessions then get EXPUNGE; a
// message that IMAP expunged while the POP3 session listed it is answered
// "-ERR" by RETR. Flags set over IMAP do not matter to POP3.
package imapd
