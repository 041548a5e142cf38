// Package autoconfig finds the mail servers of an e-mail address and tests a
// login on them, for the account wizard and `facteur account add`.
//
// Discovery tries, in order, the sources that Thunderbird and RFC 6186 define,
// and stops, for the incoming and for the outgoing side separately, at the
// first source that names a server:
//
//  1. the autoconfig XML of Thunderbird (clientConfig version 1.1), fetched
//     over HTTPS only from https://autoconfig.DOMAIN/mail/config-v1.1.xml
//     (with ?emailaddress=) and https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml;
//     never over plain HTTP, and redirects to http:// are refused;
//  2. the SRV records of RFC 6186 and RFC 8314 §5.1 (_imaps, _imap, _pop3s,
//     _pop3, _submissions, _submission under _tcp.DOMAIN), through
//     facteur/internal/dnsmx, by priority and weight (RFC 2782); a target "."
//     means the service is not offered;
//  3. a guess from common names (imap., mail., pop., pop3., smtp. under the
//     domain and under the parent domain of its first MX), each probed with a
//     short connection: a TLS handshake on the implicit-TLS ports (993, 995,
//     465), the greeting on the STARTTLS ports (143, 110, 587).
//
// Candidates are sorted with implicit TLS first, then STARTTLS (RFC 8314 §3),
// then plaintext, which Result.Choose returns only when the caller accepts it
// (an *InsecureError otherwise): Facteur never picks plaintext silently.
//
// Check logs in (IMAP LOGIN with go-imap's imapclient, POP3 USER/PASS with
// facteur/mua/pop3, SMTP AUTH PLAIN or LOGIN with go-smtp) and classifies a
// failure into an *Error of one Kind (DNS, unreachable, TLS, no STARTTLS,
// authentication), whose Sentence is what the user reads; a certificate
// that does not verify keeps its *account.CertificateError (and fingerprint,
// to pin) in the chain.
//
// Every network access goes through the Discoverer's fields (HTTP client,
// autoconfig URLs, DNS resolver, Dial), so tests run against loopback servers
// and an in-process DNS server only.
package autoconfig
