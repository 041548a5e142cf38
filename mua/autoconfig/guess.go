package autoconfig

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"facteur/internal/dnsmx"
	"facteur/mua/account"
)

// maxProbes bounds the probes run at once.
const maxProbes = 8

// guess probes common names under the domain and under the parent domain
// of its best MX (mx1.mail.example.net gives mail.example.net); the
// implicit-TLS port of each protocol is tried before the STARTTLS one.
func (d *Discoverer) guess(ctx context.Context, domain, _ string) ([]Server, error) {
	bases, mxErr := d.guessDomains(ctx, domain)
	if domainMissing(mxErr) != nil {
		return nil, mxErr
	}
	cands := guessCandidates(bases)
	ok := make([]bool, len(cands))
	sem := make(chan struct{}, maxProbes)
	var wg sync.WaitGroup
	for i, c := range cands {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ok[i] = d.Probe(ctx, c.Protocol, c.Server) == nil
		})
	}
	wg.Wait()
	var out []Server
	for i, c := range cands {
		if ok[i] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, errors.Join(mxErr, fmt.Errorf("no answer from %d guessed servers", len(cands)))
	}
	return out, nil
}

// guessDomains returns the domain, then the parent domain of its first MX
// when that is another domain.
func (d *Discoverer) guessDomains(ctx context.Context, domain string) ([]string, error) {
	bases := []string{domain}
	mx, err := d.resolver().MX(ctx, domain)
	if err != nil {
		return bases, err
	}
	if len(mx.Records) > 0 && !mx.Implicit {
		if p := parentDomain(mx.Records[0].Host); p != "" && p != domain {
			bases = append(bases, p)
		}
	}
	return bases, nil
}

// parentDomain drops the first label of host, keeping at least two labels.
func parentDomain(host string) string {
	i := strings.IndexByte(host, '.')
	if i < 0 || !strings.Contains(host[i+1:], ".") {
		return ""
	}
	return host[i+1:]
}

// guessPrefixes are the common host names per protocol.
var guessPrefixes = []struct {
	proto    string
	prefixes []string
}{
	{IMAP, []string{"imap", "mail"}},
	{POP3, []string{"pop3", "pop", "mail"}},
	{SMTP, []string{"smtp", "mail"}},
}

func guessCandidates(bases []string) []Server {
	var out []Server
	for _, g := range guessPrefixes {
		for _, base := range bases {
			for _, p := range g.prefixes {
				for _, sec := range []account.Security{account.SecurityTLS, account.SecurityStartTLS} {
					s := account.Server{Host: p + "." + base, Port: account.DefaultPort(g.proto, sec), Security: sec}
					out = append(out, Server{Protocol: g.proto, Server: s, Source: SourceGuess, Origin: s.Address(g.proto)})
				}
			}
		}
	}
	return out
}

// Probe checks that a server answers: with implicit TLS, a TCP connection
// and a TLS handshake (a certificate that does not verify still counts: the
// server is there, and Check will show its fingerprint); otherwise a TCP
// connection and the protocol's greeting ("* OK", "+OK", "220").
func (d *Discoverer) Probe(ctx context.Context, proto string, s account.Server) error {
	timeout := d.ProbeTimeout
	if timeout == 0 {
		timeout = 4 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dl := &account.Dialer{RootCAs: d.RootCAs, DialContext: d.dial, Timeout: timeout}
	conn, err := dl.Dial(ctx, s, proto)
	var ce *account.CertificateError
	if errors.As(err, &ce) {
		return nil
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.Sec() == account.SecurityTLS {
		return nil
	}
	conn.SetReadDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !greeting(proto, line) {
		return fmt.Errorf("%s: not a %s greeting: %.40q", s.Address(proto), proto, line)
	}
	return nil
}

func greeting(proto, line string) bool {
	switch proto {
	case IMAP:
		return strings.HasPrefix(line, "* OK") || strings.HasPrefix(line, "* PREAUTH")
	case POP3:
		return strings.HasPrefix(line, "+OK")
	}
	return strings.HasPrefix(line, "220")
}

// domainMissing returns an *Error of KindDNS when err says the domain does
// not exist (NXDOMAIN on its MX), else nil.
func domainMissing(err error) *Error {
	var de *dnsmx.Error
	if errors.As(err, &de) && de.Type == "MX" && errors.Is(de, dnsmx.ErrNotFound) && !de.NoData {
		return &Error{Kind: KindDNS, Host: de.Name, Err: err}
	}
	return nil
}
