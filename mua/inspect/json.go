package inspect

import (
	"encoding/json"
	"io"
)

// SchemaVersion is the version of the JSON encoding of a Report, written in
// its "schema" key. It changes only when a key changes meaning or goes away;
// new keys may appear within a version.
const SchemaVersion = 1

// WriteJSON writes the report as indented JSON, the output of
// `facteur inspect --json`. The encoding is that of encoding/json with the
// struct tags of the types; in short:
//
//	schema          SchemaVersion
//	envelope        mail_from, null_sender, mail_from_source, rcpt_to[],
//	                rcpt_to_source, exact, senders[] and recipients[]
//	                ({addr, source, hop}), header {from, sender, reply_to,
//	                to, cc, bcc, resent_from, resent_to: [{name, addr, group}]}
//	route           hops[] in travel order, written (RFC 3339), outbox and
//	                transit in seconds
//	route.hops[]    one object per Received field, keyed by its clauses:
//	                from, by, via, with (its words as written), id (without
//	                brackets), for[], plus helo and helo_source ("from": the
//	                word after from; "comment": written out, as in "(HELO
//	                x)", "helo=x", "claiming to be"), rdns, ip, port, ident,
//	                by_ip, software, protocol (the canonical name: SMTP,
//	                ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP, local ...),
//	                protocol_raw (the text it was read from, a product's
//	                version included), tls {version, cipher, bits, verify,
//	                note}, authenticated (bool) and auth (the identity, when
//	                written), envelope_from, date (RFC 3339), date_raw,
//	                more[] ({name, value}: clauses written twice),
//	                comments[], extra[], raw, unparsed; and from the route:
//	                index (1 = first hop), role (submission, relay,
//	                internal, delivery, unknown), delay (seconds since the
//	                previous hop), elapsed (seconds since Date), flags[]
//	                (clock-skew, bad-date, no-tls, private-ip, loopback,
//	                recipient-mx)
//	headers         fields[] ({name, value, family}), message_id,
//	                in_reply_to[], references[], subject, date, date_raw,
//	                mime_version, content_type, charset, bad[]
//	authentication  [{field, instance, servid, position, results[] ({method,
//	                result, reason, props}), raw, error}]
//	dns             state (not-run, running, done, offline, canceled),
//	                domains[] ({domain, sender, recipient, records[] ({host,
//	                pref, addrs[]}), implicit, null, dnssec {ad, secure},
//	                security (a recipient's domain: mta_sts, tls_rpt, dane[]
//	                as in `facteur route --json`), status, error}), hosts[]
//	                ({host, addrs[], exchanger, hops[], status, error}),
//	                ptr[] ({ip, names[], hops[], written, matches, status,
//	                error}), entry[] ({domain, rank (primary, secondary, none,
//	                null-mx, unknown), hop, host, pref, text, code,
//	                args}), dkim[] ({domain, identifier, result, error}),
//	                dkim_note, dnssec_trust (untrusted, loopback,
//	                configured), dnssec_note
//	findings        [{kind, text, addrs[], hop, code, args}]
//
// A text is the English template of its code (see Codes and Template)
// filled with args, an object of strings keyed by placeholder name.
//
// Empty values are left out (omitempty), except schema, envelope.mail_from,
// envelope.rcpt_to, envelope.exact, route.hops, headers.fields,
// authentication, dns.state, findings, and each hop's index, role and raw.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
