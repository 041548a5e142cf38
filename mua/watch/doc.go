// Package watch keeps the remote accounts of a profile checked while the
// application runs, and says when new mail has arrived. It is the engine
// behind the GUI's account status, "Check mail" and new-mail notifications,
// and holds no GUI code.
//
// A Watcher runs one goroutine per account. An IMAP account (RFC 9051) is
// synced with package facteur/mua/imapsync, then waits on INBOX with IDLE
// (RFC 2177), or polls when the server has no IDLE; a POP3 account (RFC
// 1939) is collected with package facteur/mua/pop3 every PollInterval.
// After a failure an account retries with a backoff that doubles from one
// second to five minutes. Check wakes every account at once and returns
// what each check did, so a "Check mail" click never runs a second sync of
// an account beside the background one.
//
// For each account the Watcher keeps a Status (what it is doing, the last
// success, the last error, the counts) and a Transcript: the latest protocol
// dialogue, bounded in size, passwords masked by the protocol packages.
//
// Notify follows the store (mailstore.Subscribe) and reports messages that
// arrived unread in an inbox, whatever brought them (IMAP, POP3, the local
// MTA), coalesced so that a batch gives one notification.
package watch
