// Package dnsmx looks up what mail needs from the DNS, with
// github.com/miekg/dns: MX records sorted by preference (RFC 5321 §5.1,
// RFC 974), the implicit MX of a domain that has none (A/AAAA fallback,
// RFC 5321 §5.1), the null MX of a domain that takes no mail (RFC 7505), A
// and AAAA (RFC 1035, RFC 3596), PTR (RFC 1035 §3.5), SRV (RFC 2782) for
// the mail-service autoconfiguration of RFC 6186, and TXT (RFC 1035
// §3.3.14) joined per record as SPF (RFC 7208) and DKIM (RFC 6376) read
// them; the policy records of SMTP security: TLSA (RFC 6698, used by DANE
// for SMTP, RFC 7672), the "_mta-sts" TXT record of MTA-STS (RFC 8461
// §3.1) and the "_smtp._tls" TXT record of TLS reporting (RFC 8460 §3).
// CNAMEs are followed (RFC 1034 §3.6.2).
//
// Every question carries the AD and DO bits, and the answers say whether
// the resolver set AD (DNSSEC); Facteur never validates DNSSEC itself and
// believes the AD bit only from a resolver on loopback or one the user
// configured (ADTrust).
//
// A Resolver asks one configured server (tests point it at a miekg/dns
// server on loopback) or those of the system (/etc/resolv.conf; the adapter
// settings on Windows), over UDP with EDNS0 and over TCP when the answer is
// truncated (RFC 7766). It caches answers for their TTL, negative ones for
// the SOA minimum (RFC 2308), and concurrent identical questions share one
// query. It is safe for concurrent use.
//
// Errors are *Error values that wrap ErrNotFound (NXDOMAIN, or NODATA when
// Error.NoData is set), ErrTemporary (SERVFAIL, timeout), ErrOffline (no
// server reachable) or ErrInvalid (a policy record that breaks its
// syntax), for errors.Is.
package dnsmx
