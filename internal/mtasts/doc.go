// Package mtasts is SMTP MTA Strict Transport Security (RFC 8461) for
// both sides of Facteur: the route preview of the user agent and the
// transport agent of the local MTA. It finds a domain's policy the way
// RFC 8461 §3 and §5.1 say: the "_mta-sts" TXT record (through
// internal/dnsmx), then the policy itself over HTTPS from
// "https://mta-sts.DOMAIN/.well-known/mta-sts.txt" (§3.3: the server's
// certificate verified against the trusted roots, no redirect followed, a
// 200 answer of type text/plain only, a size and a time limit), parsed
// (§3.2: version, mode enforce/testing/none, mx patterns, max_age), and
// kept for its max_age under its record's id, so that a policy is fetched
// again only when the id changes or the cached one expires (§5.1). A
// Client can keep its cache in a file, so that a policy outlives a
// restart, as RFC 8461 §10.3 advises against downgrades.
//
// Policy.Match says whether an MX host matches the policy's patterns
// (§4.1, one leftmost wildcard label); what a delivery must then do (only
// matching MX hosts, TLS with a certificate valid for the host's name,
// §4.2) is the transport agent's.
package mtasts
