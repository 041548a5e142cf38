package localmta

import (
	"context"
	"crypto/tls"
	"net/netip"
	"strings"
	"time"
)

// receivedInfo is what a Received trace field records about a session.
type receivedInfo struct {
	helo  string
	rdns  string
	ip    netip.Addr
	host  string
	tls   bool
	tlsv  string // "TLSv1.3", when tls
	suite string // "TLS_AES_128_GCM_SHA256", when tls
	auth  bool
	esmtp bool
	id    string
	rcpt  string // the one recipient, "" when several
	date  time.Time
}

// formatReceived writes the Received field of RFC 5321 §4.4 (RFC 5322
// §3.6.7), folded before "by" and "for":
//
//	Received: from HELO (rDNS [IP])
//		by HOST (Facteur) with ESMTPS id QUEUEID
//		(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)
//		for <rcpt>; Thu, 11 May 2000 18:20:10 +0200
//
// The TLS comment is Postfix's, which header readers already know.
//
// The protocol is SMTP, ESMTP, or ESMTPS/ESMTPA/ESMTPSA (RFC 3848).
func formatReceived(r receivedInfo) string {
	var b strings.Builder
	b.WriteString("Received: from ")
	b.WriteString(r.helo)
	b.WriteString(" (")
	b.WriteString(r.rdns)
	b.WriteString(" [")
	b.WriteString(r.ip.String())
	b.WriteString("])\r\n\tby ")
	b.WriteString(r.host)
	b.WriteString(" (Facteur) with ")
	b.WriteString(protocol(r))
	b.WriteString(" id ")
	b.WriteString(r.id)
	if r.tls && r.tlsv != "" {
		b.WriteString("\r\n\t(using " + r.tlsv + " with cipher " + r.suite + ")")
	}
	if r.rcpt != "" {
		b.WriteString("\r\n\tfor <" + r.rcpt + ">")
	}
	b.WriteString("; ")
	b.WriteString(r.date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	b.WriteString("\r\n")
	return b.String()
}

func protocol(r receivedInfo) string {
	if !r.esmtp {
		return "SMTP"
	}
	p := "ESMTP"
	if r.tls {
		p += "S"
	}
	if r.auth {
		p += "A"
	}
	return p
}

// sanitizeHelo keeps a HELO argument from breaking the header: only the
// characters of a domain or an address literal, at most 255 of them.
func sanitizeHelo(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		case strings.ContainsRune(".-_:[]", r):
			return r
		}
		return -1
	}, s)
	if len(s) > 255 {
		s = s[:255]
	}
	if s == "" {
		return "unknown"
	}
	return s
}

// reverseName returns the PTR name of ip, or "unknown", asking at most 2 s.
func (m *MTA) reverseName(ctx context.Context, ip netip.Addr) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	names, err := m.resolver.PTR(ctx, ip)
	if err != nil || len(names) == 0 {
		return "unknown"
	}
	return sanitizeHelo(names[0])
}

// tlsNames returns Postfix's spelling of a TLS version ("TLSv1.3") and the
// IANA name of the cipher suite.
func tlsNames(cs tls.ConnectionState) (version, suite string) {
	version = strings.Replace(tls.VersionName(cs.Version), "TLS 1", "TLSv1", 1)
	return version, tls.CipherSuiteName(cs.CipherSuite)
}
