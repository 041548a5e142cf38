// Package pop3 is Facteur's POP3 client, written on net/textproto, and the
// collector that brings a POP3 account's mail into the mailstore.
//
// It speaks POP3 as RFC 1939 defines it (USER/PASS, STAT, LIST, UIDL, RETR
// with dot-unstuffing, TOP, DELE, NOOP, RSET, QUIT), with the extensions of
// RFC 2449 (CAPA and the extended response codes, read into *Error), the
// AUTH-RESP-CODE of RFC 3206 ([AUTH], [SYS/TEMP], [SYS/PERM]), STLS of
// RFC 2595 and SASL PLAIN of RFC 5034 (with an initial response, RFC 4616).
// OAuth2 accounts log in with AUTH OAUTHBEARER (RFC 7628) or XOAUTH2
// (package facteur/mua/oauth), the initial response on the AUTH line when
// the line stays within 255 octets (RFC 5034 §4), after the server's empty
// challenge otherwise.
//
// Connections follow RFC 8314 and the account's security: implicit TLS (995)
// or STLS (110) required by default, never a silent fall-back to plaintext
// (account.ErrNoStartTLS), certificates verified or pinned (see package
// facteur/mua/account).
//
// Collect downloads each message once, by its UIDL unique-id: the unique-ids
// already collected are kept per account in the profile
// (DIR/pop3/ACCOUNT.uidl, one line appended and fsynced per message after the
// message is safely in the store). Messages are left on the server unless the
// account says to delete them after download or after N days.
//
// Options.Transcript receives the raw dialogue, one "C: " or "S: " line each,
// with the password of PASS and every SASL response (a password or an access
// token) replaced by "****", and message contents summarised as a byte count.
package pop3
