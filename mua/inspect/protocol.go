package inspect

import "strings"

// Protocol is the canonical name of the protocol of a Received field's with
// clause: one of the IANA "Mail Transmission Types" (RFC 5321 §4.4, RFC 3848,
// RFC 6531), or one of the widespread unregistered values that Facteur
// recognises (SMTPS, HTTP, HTTPS, local, MAPI). The empty Protocol means no
// with clause, or a value Facteur does not know (the text as written stays in
// Hop.With).
type Protocol string

// The protocols of the IANA registry and the common unregistered ones.
const (
	ProtoSMTP       Protocol = "SMTP"
	ProtoESMTP      Protocol = "ESMTP"
	ProtoESMTPA     Protocol = "ESMTPA"  // RFC 3848: authenticated
	ProtoESMTPS     Protocol = "ESMTPS"  // RFC 3848: STARTTLS
	ProtoESMTPSA    Protocol = "ESMTPSA" // RFC 3848: STARTTLS and authenticated
	ProtoLMTP       Protocol = "LMTP"
	ProtoLMTPA      Protocol = "LMTPA"
	ProtoLMTPS      Protocol = "LMTPS"
	ProtoLMTPSA     Protocol = "LMTPSA"
	ProtoUTF8SMTP   Protocol = "UTF8SMTP" // RFC 6531: SMTPUTF8 extension used
	ProtoUTF8SMTPA  Protocol = "UTF8SMTPA"
	ProtoUTF8SMTPS  Protocol = "UTF8SMTPS"
	ProtoUTF8SMTPSA Protocol = "UTF8SMTPSA"
	ProtoUTF8LMTP   Protocol = "UTF8LMTP"
	ProtoUTF8LMTPA  Protocol = "UTF8LMTPA"
	ProtoUTF8LMTPS  Protocol = "UTF8LMTPS"
	ProtoUTF8LMTPSA Protocol = "UTF8LMTPSA"
	ProtoMMS        Protocol = "MMS"   // RFC 4356
	ProtoSMTPS      Protocol = "SMTPS" // not registered: SMTP over implicit TLS (Gmail)
	ProtoHTTP       Protocol = "HTTP"  // not registered: webmail or API submission
	ProtoHTTPS      Protocol = "HTTPS"
	ProtoLocal      Protocol = "local" // not registered: a local process (Exim)
	ProtoMAPI       Protocol = "MAPI"  // not registered: Outlook to Exchange
)

var knownProtocols = map[string]Protocol{}

func init() {
	for _, p := range []Protocol{
		ProtoSMTP, ProtoESMTP, ProtoESMTPA, ProtoESMTPS, ProtoESMTPSA,
		ProtoLMTP, ProtoLMTPA, ProtoLMTPS, ProtoLMTPSA,
		ProtoUTF8SMTP, ProtoUTF8SMTPA, ProtoUTF8SMTPS, ProtoUTF8SMTPSA,
		ProtoUTF8LMTP, ProtoUTF8LMTPA, ProtoUTF8LMTPS, ProtoUTF8LMTPSA,
		ProtoMMS, ProtoSMTPS, ProtoHTTP, ProtoHTTPS, ProtoLocal, ProtoMAPI,
	} {
		knownProtocols[strings.ToUpper(string(p))] = p
	}
}

// parseProtocol returns the canonical protocol of a with clause as written.
// Microsoft Exchange writes "Microsoft SMTP Server", which is ESMTP.
func parseProtocol(with string) Protocol {
	if p, ok := knownProtocols[with]; ok {
		return p
	}
	if p, ok := knownProtocols[strings.ToUpper(with)]; ok {
		return p
	}
	if strings.EqualFold(with, "Microsoft SMTP Server") {
		return ProtoESMTP
	}
	return ""
}

// core returns the protocol without its UTF8 prefix.
func (p Protocol) core() string {
	return strings.TrimPrefix(string(p), "UTF8")
}

// Known tells whether Facteur knows the protocol.
func (p Protocol) Known() bool { return p != "" }

// Secure tells whether the name itself says that TLS protected the
// transfer (the S of RFC 3848, SMTPS, HTTPS).
func (p Protocol) Secure() bool {
	switch c := p.core(); c {
	case "ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "SMTPS", "HTTPS":
		return true
	}
	return false
}

// Authenticated tells whether the name says that the client authenticated
// with SMTP AUTH (the A of RFC 3848).
func (p Protocol) Authenticated() bool {
	c := p.core()
	return strings.HasPrefix(c, "ESMTP") && strings.HasSuffix(c, "A") ||
		strings.HasPrefix(c, "LMTP") && strings.HasSuffix(c, "A")
}

// LMTP tells whether the transfer used LMTP (RFC 2033), the usual hand-off
// from an MTA to the MDA that owns the mailboxes.
func (p Protocol) LMTP() bool {
	return strings.HasPrefix(p.core(), "LMTP")
}

// Client tells whether the protocol is one that a user agent, not an MTA,
// speaks to its server: HTTP (webmail), MAPI (Outlook) or a local process.
func (p Protocol) Client() bool {
	switch p {
	case ProtoHTTP, ProtoHTTPS, ProtoMAPI, ProtoLocal:
		return true
	}
	return false
}
