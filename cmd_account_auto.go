package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"facteur/internal/dnsmx"
	"facteur/mua/account"
	"facteur/mua/autoconfig"
)

// Test hooks of `account add` (never set in normal use): the tests of
// package main run their autoconfig HTTPS server and mail servers on
// loopback with their own certificate.
//
//	FACTEUR_AUTOCONFIG_TEST_BASE  https://127.0.0.1:PORT: the autoconfig XML is
//	                              asked there (BASE/mail/config-v1.1.xml?emailaddress=
//	                              then BASE/.well-known/autoconfig/mail/config-v1.1.xml)
//	                              instead of the address's domain; loopback only.
//	FACTEUR_AUTOCONFIG_TEST_CA    a PEM file whose certificates are trusted, besides
//	                              the system roots, for that server and the login test.
const (
	envAutoconfigBase = "FACTEUR_AUTOCONFIG_TEST_BASE"
	envAutoconfigCA   = "FACTEUR_AUTOCONFIG_TEST_CA"
)

// newDiscoverer returns the discoverer of `account add`: DNS through
// dnsServer when set ("" means the system's servers), the test hooks applied.
func newDiscoverer(dnsServer string) (*autoconfig.Discoverer, error) {
	d := &autoconfig.Discoverer{Resolver: dnsmx.New(dnsmx.Config{Server: dnsServer, Timeout: 5 * time.Second})}
	if base := os.Getenv(envAutoconfigBase); base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "https" || !loopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("%s must be an https URL on a loopback address", envAutoconfigBase)
		}
		base = strings.TrimSuffix(base, "/")
		d.URLs = func(_, address string) []string {
			return []string{
				base + "/mail/config-v1.1.xml?emailaddress=" + url.QueryEscape(address),
				base + "/.well-known/autoconfig/mail/config-v1.1.xml",
			}
		}
	}
	if path := os.Getenv(envAutoconfigCA); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envAutoconfigCA, err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificate in %s", envAutoconfigCA, path)
		}
		d.RootCAs = roots
	}
	return d, nil
}

func loopbackHost(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// autoconfigure finds the servers of a.Identity.Address (autoconfig.Find,
// as the window's wizard), tells what it found and from where, and fills
// a. sec, when not "", asks for that security. It returns the host names
// of the chosen servers whose autoconfig lists the "OAuth2"
// authentication.
func autoconfigure(e *env, d *autoconfig.Discoverer, a *account.Account, sec account.Security, allowPlain bool) ([]string, error) {
	fmt.Fprintf(e.stdout, "Looking up the mail servers of %s...\n", a.Identity.Address)
	f, err := d.Find(e.ctx, a.Name, a.Identity.Address, autoconfig.FindOptions{Security: sec, AcceptInsecure: allowPlain})
	if f.Result != nil {
		for _, t := range f.Result.Tried {
			fmt.Fprintf(e.stderr, "  (%s)\n", firstLine(t))
		}
	}
	if err != nil {
		return nil, err
	}
	for _, s := range []autoconfig.Server{f.Incoming, f.Outgoing} {
		if s.Host == "" {
			continue
		}
		fmt.Fprintf(e.stdout, "found by %s (%s): %s\n", s.Source, s.Origin, s)
		if s.Insecure() {
			fmt.Fprintf(e.stderr, "warning: %s is plaintext: the password travels in clear\n", s)
		}
	}
	if f.Outgoing.Host == "" {
		fmt.Fprintln(e.stdout, "no outgoing (SMTP) server found; set one with --smtp HOST:PORT")
	}
	*a = f.Account
	return f.OAuth2Hosts(), nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// explainAutoconfig turns the errors of discovery and of the login test
// into sentences with the flag that helps.
func explainAutoconfig(err error) (string, bool) {
	var ie *autoconfig.InsecureError
	if errors.As(err, &ie) {
		return fmt.Sprintf("only a plaintext server was found (%s): the password would travel in clear; "+
			"add --allow-plaintext to use it on a network you trust, or set the servers by hand", ie.Server), true
	}
	var ae *autoconfig.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	s := ae.Sentence()
	switch ae.Kind {
	case autoconfig.KindTLS:
		if ce := ae.Certificate(); ce != nil {
			s += " Add it with --fingerprint " + ce.Fingerprint + "."
		}
	case autoconfig.KindNotFound:
		s += " Use --imap or --pop3 HOST:PORT (and --smtp HOST:PORT)."
	case autoconfig.KindNoStartTLS:
		s += " (--security tls, or --security none)"
	}
	return s, true
}
