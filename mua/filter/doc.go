// Package filter runs each account's mail filters (Sieve scripts, package
// facteur/internal/sieve) in the mail client: on the new INBOX messages
// after each sync (AfterSync, called by `facteur sync` and by the app's
// background checks in mua/watch), on a folder on demand (Apply: `facteur
// filter run`), or as a dry run that changes nothing and explains every
// match (Explain: `facteur filter test`, the GUI's "Try on this folder").
//
// Scripts live in the profile, filters/<account>.sieve; the Local
// account's runs at delivery in the local MTA's MDA (package localmta),
// the others' here. Actions on an IMAP account's messages go through its
// journaled Syncer (mua/imapsync), so that moves and flags reach the
// server (Remote); on a POP3 or the Local account they change the store
// (Local). Redirects and vacation replies go out through the account's
// SMTP server (Options.Sender), from the account's address. Reject is not
// offered: the message was accepted long ago.
//
// Which INBOX messages are new is a mark per account, the highest message
// id that was filtered (filters/marks.json): a script installed with
// Install starts at the mail of then, so old mail is filtered only when
// asked (Apply).
package filter
