// Package inspect is Facteur's header inspector: for one message it tells
// who really sent it to whom, which machines carried it, when, with which
// protocol and TLS, and what DNS says about the domains involved.
//
// [Analyze] reads a message and returns a [Report] at once, without any
// network access:
//
//   - the route: every Received field (RFC 5321 §4.4, RFC 5322 §3.6.7)
//     parsed into a [Hop] (from, by, via, with, id, for clauses, the TLS
//     version and cipher that Postfix, Sendmail, Exim, Microsoft and Google
//     write in comments, the date), put in travel order (bottom to top) with
//     the delay between hops, the time spent in the sender's outbox and the
//     role of each hop in the course's words (MUA submission, MTA relay, MDA
//     delivery). The with keywords are those of RFC 3848 and the IANA "Mail
//     Transmission Types" registry (ESMTPS, ESMTPSA, LMTP, UTF8SMTP ...);
//   - the envelope (MAIL FROM, RCPT TO of RFC 5321) as far as the message
//     tells it (Return-Path, Delivered-To, X-Original-To, Envelope-To, the for
//     clauses), or exactly when the caller knows it ([KnownEnvelope]), side by
//     side with the RFC 5322 originator and destination fields, and the
//     differences spelled out as [Finding] values (Bcc, list, forward ...);
//   - the header fields grouped in the families of the course slide "Format
//     de l'en-tête" ([Family]), Message-ID, MIME-Version, Content-Type;
//   - the verdicts of Authentication-Results (RFC 8601) and
//     ARC-Authentication-Results (RFC 8617), parsed with go-msgauth's authres.
//
// [Report.Resolve] then asks DNS, through internal/dnsmx, for the MX records
// of the envelope sender's and recipients' domains (implicit MX of RFC 5321
// §5.1 and null MX of RFC 7505 recognised), the addresses of each exchanger
// and each hop's by host, the PTR of each hop's IP, tells whether the hop
// that took the message in from the outside was the recipient's primary MX,
// a secondary MX ("MX secondaire") or neither, verifies the DKIM
// signatures (RFC 6376), and for each recipient's domain looks up its
// MTA-STS (RFC 8461), the DANE TLSA records of its exchangers with the
// DNSSEC AD bit (RFC 7672) and TLS-RPT (RFC 8460), with mua/route's
// LookupSecurity, the facts of the route preview. Answers are delivered
// one by one, as they arrive.
//
// [Report.WriteText] prints the report for a terminal; the JSON encoding of a
// [Report] (encoding/json, field names fixed by struct tags) is the schema of
// `facteur inspect --json`, described in json.go.
package inspect
