// Package sieve runs a user's mail filters: Sieve scripts (RFC 5228) with
// the extensions people use, on Facteur's copy of github.com/foxcpp/go-sieve
// (third_party/go-sieve) and the extensions of package
// facteur/internal/sieve/ext. Both sides use it: the MDA of the local MTA
// runs the Local account's script at delivery, with the SMTP envelope;
// the mail client runs each account's script on the new INBOX messages
// after a sync.
//
// Supported: fileinto with :copy (RFC 3894), envelope, encoded-character,
// the comparators i;octet, i;ascii-casemap, i;ascii-numeric and
// i;unicode-casemap (RFC 4790), body (RFC 5173), variables (RFC 5229),
// relational (RFC 5231), imap4flags (RFC 5232), date and index (RFC 5260),
// vacation (RFC 5230), subaddress (RFC 5233), regex
// (draft-ietf-sieve-regex-01), and, at delivery only, reject and ereject
// (RFC 5429).
//
// Compile checks a script and says where it is wrong (line and column).
// Script.Run gives the actions a message gets, resolved (the implicit
// keep added, RFC 5228 §2.10.2), and, with RunOptions.Explain, which test
// matched on which header or body text and what each rule did. A script
// that fails at run time keeps the message in INBOX: Result.Err says why,
// for the log. Carrying out the actions is the host's work; this package
// gives it the pieces they share: the vacation decision and its memory
// (vacation.go), the redirect loop guard (redirect.go).
package sieve
