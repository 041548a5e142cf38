package inspect

import (
	"bytes"
	"strings"
)

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

// parseProtocol returns the canonical protocol of a with clause as
// written, "" when it names none. Besides the registered names in any
// case, it reads the names products write: Microsoft's "SMTP Server"
// (ESMTP) and "SMTPSVC" (SMTP), CommuniGate's "ESMTP-TLS" (ESMTPS), Exim's
// "asmtp" (authenticated: ESMTPA) and "local-esmtp", "local-bsmtp",
// "bsmtp" (a local process), CommuniGate's "HTTPU", and a registered name
// among several words ("[XMail 1.20 ESMTP Server]", "MailEnable ESMTP",
// "AES256-SHA encrypted SMTP").
func parseProtocol(with string) Protocol {
	if p, ok := knownProtocols[with]; ok {
		return p
	}
	var buf [64]byte
	u, ok := upperASCIIInto(&buf, with)
	if !ok {
		u = []byte(strings.ToUpper(with)) // long or not ASCII: strings.ToUpper's rules
	}
	if p, ok := knownProtocols[string(u)]; ok { // the lookup does not allocate
		return p
	}
	switch {
	case bytes.HasPrefix(u, []byte("MICROSOFT SMTP SERVER")):
		return ProtoESMTP
	case bytes.HasPrefix(u, []byte("MICROSOFT SMTPSVC")):
		return ProtoSMTP
	case string(u) == "ASMTP":
		return ProtoESMTPA
	case bytes.HasSuffix(u, []byte("-TLS")):
		if p, ok := knownProtocols[string(u[:len(u)-len("-TLS")])]; ok && strings.HasPrefix(string(p), "ESMTP") {
			return withTLS(p)
		}
	case bytes.HasPrefix(u, []byte("LOCAL-")) || string(u) == "BSMTP":
		return ProtoLocal
	case bytes.HasPrefix(u, []byte("HTTPU")):
		return ProtoHTTP
	}
	return protocolAmong(u)
}

// upperASCIIInto writes s in upper case into buf; ok is false when s is
// too long for it or not ASCII.
func upperASCIIInto(buf *[64]byte, s string) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return nil, false
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}

// protocolAmong returns the first registered name among the words of a
// product's with clause.
func protocolAmong(u []byte) Protocol {
	if bytes.IndexByte(u, ' ') < 0 {
		return ""
	}
	for len(u) > 0 {
		i := bytes.IndexAny(u, " []:")
		if i < 0 {
			i = len(u)
		}
		if p, ok := knownProtocols[string(u[:i])]; ok && i > 0 {
			return p
		}
		u = u[min(i+1, len(u)):]
	}
	return ""
}

// withTLS returns ESMTPS for ESMTP and ESMTPSA for ESMTPA.
func withTLS(p Protocol) Protocol {
	switch p {
	case ProtoESMTP:
		return ProtoESMTPS
	case ProtoESMTPA:
		return ProtoESMTPSA
	}
	return p
}

// viaProtocol reads a via clause that names the protocol when there is no
// with clause: "via SMTP", "via ESMTP" (Scalix), "via HTTP" (Yahoo), and
// the SMTP proxies "via smap", "via csmap", "via smtpd". Microsoft's
// "via Frontend Transport" and a host name give "".
func viaProtocol(via string) Protocol {
	if p, ok := knownProtocols[strings.ToUpper(via)]; ok {
		return p
	}
	switch strings.ToLower(via) {
	case "smap", "csmap", "smtpd":
		return ProtoSMTP
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
