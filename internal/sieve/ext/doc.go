// Package ext adds to github.com/foxcpp/go-sieve the Sieve extensions it
// lacks, through the extension API of Facteur's copy of it
// (third_party/go-sieve, interp.RegisterCommand and friends). It holds no
// Facteur code, so that it can go upstream as it is. Importing it
// registers:
//
//   - body (RFC 5173): the body test with :raw, :content and :text;
//   - date and currentdate (RFC 5260 §4 and §5), with :index and :last of
//     the index extension (RFC 5260 §6, in the interpreter);
//   - subaddress (RFC 5233): the :user and :detail address parts, with "+"
//     as the separator;
//   - regex (draft-ietf-sieve-regex-01): the :regex match type, POSIX
//     extended expressions with leftmost-longest matching;
//   - imap4flags (RFC 5232) in full: the hasflag test and the variable
//     forms of setflag, addflag and removeflag;
//   - vacation (RFC 5230) and reject/ereject (RFC 5429), as actions that
//     the host carries out (Vacation, Reject): deciding whether a vacation
//     reply goes out, and sending it, is the host's work.
//
// Messages reach the body test through interp.MessageReader; the date
// tests read the clock from the envelope when it is a Clock.
package ext
