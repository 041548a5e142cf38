// Package route is the delivery preview: before a message is sent, it
// tells for each recipient domain where the message will go and what
// stands in its way, as `facteur route` prints it and the composer's
// Route panel shows it.
//
// For each recipient domain it gathers what DNS and the web say: the MX
// hosts by preference (RFC 5321 §5.1; the implicit MX of a domain
// without MX; the null MX of RFC 7505), their A/AAAA, MTA-STS (RFC 8461:
// the "_mta-sts" TXT record and the policy fetched over HTTPS, its mode
// and mx patterns, whether each MX matches), the DANE TLSA records of
// each MX host (RFC 6698, RFC 7672) with the DNSSEC AD bit of the
// resolver (Facteur never validates DNSSEC itself: the AD bit is trusted
// only from a resolver on loopback or one the user configured, and the
// report says which), and TLS-RPT (RFC 8460). LookupSecurity is that
// part alone, which the header inspector shows too.
//
// It also tells the path from here: the sending account's submission
// server, or for the Local account the local MTA and what its own routing
// agent (localmta.Router) decides (a local mailbox, an entry of the
// transport table, the relayhost, or the MX), and, when the local MTA
// delivers by MX, what it will demand of each host's TLS
// (localmta.DecideTLS: the same decision as the transport agent's).
//
// A domain that cannot take the message is flagged before sending: a
// null MX, no MX and no address, a domain that does not exist, a
// transport-table entry that bounces it, or no MX host that meets its
// MTA-STS or DANE policy.
package route
