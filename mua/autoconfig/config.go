package autoconfig

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"facteur/internal/mailaddr"
	"facteur/mua/account"
)

// The protocols of a Server, as account.DefaultPort names them.
const (
	IMAP = "imap"
	POP3 = "pop3"
	SMTP = "smtp"
)

// Source tells where a candidate server came from.
type Source string

// The discovery sources, in the order they are tried.
const (
	SourceAutoconfig Source = "autoconfig" // Thunderbird's clientConfig XML
	SourceSRV        Source = "SRV"        // RFC 6186 / RFC 8314 SRV records
	SourceGuess      Source = "guess"      // a common name, probed
)

// Server is one candidate server.
type Server struct {
	Protocol string // IMAP, POP3 or SMTP
	account.Server
	// Auth lists the clientConfig authentication methods
	// ("password-cleartext", "OAuth2"...); empty when the source says nothing.
	Auth   []string
	Source Source
	Origin string // the URL, the SRV name or "host:port" probed
}

// Insecure reports a plaintext server: only used when the caller accepts it.
func (s Server) Insecure() bool { return s.Sec() == account.SecurityNone }

// String is "imap 127.0.0.1:993 (tls)".
func (s Server) String() string {
	return fmt.Sprintf("%s %s (%s)", s.Protocol, s.Address(s.Protocol), s.Sec())
}

// ErrBadConfig matches every error of ParseConfig.
var ErrBadConfig = errors.New("autoconfig: bad clientConfig XML")

// clientConfig is the XML of Thunderbird's autoconfig, version 1.1
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
type clientConfig struct {
	XMLName   xml.Name    `xml:"clientConfig"`
	Providers []xProvider `xml:"emailProvider"`
}

type xProvider struct {
	ID       string    `xml:"id,attr"`
	Domains  []string  `xml:"domain"`
	Incoming []xServer `xml:"incomingServer"`
	Outgoing []xServer `xml:"outgoingServer"`
}

type xServer struct {
	Type       string   `xml:"type,attr"`
	Hostname   string   `xml:"hostname"`
	Port       string   `xml:"port"`
	SocketType string   `xml:"socketType"`
	Username   string   `xml:"username"`
	Auth       []string `xml:"authentication"`
}

// ParseConfig reads a clientConfig document for address and returns its
// servers in the document's order, placeholders (%EMAILADDRESS%,
// %EMAILLOCALPART%, %EMAILDOMAIN%) replaced. Servers of unknown types
// (exchange, jmap...) or socket types are skipped; a document without any
// usable server is an error matching ErrBadConfig.
func ParseConfig(data []byte, address string) ([]Server, error) {
	var cc clientConfig
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = asciiCharset
	if err := dec.Decode(&cc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	fill := placeholders(address)
	var out []Server
	for _, p := range cc.Providers {
		for _, x := range p.Incoming {
			if s, ok := x.server(fill, false); ok {
				out = append(out, s)
			}
		}
		for _, x := range p.Outgoing {
			if s, ok := x.server(fill, true); ok {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no IMAP, POP3 or SMTP server", ErrBadConfig)
	}
	return out, nil
}

// asciiCharset accepts the encodings a clientConfig is written in when
// they are ASCII-compatible for its content (host names, ports, tokens).
func asciiCharset(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252", "utf8":
		return r, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}

func (x xServer) server(fill *strings.Replacer, outgoing bool) (Server, bool) {
	proto := strings.ToLower(strings.TrimSpace(x.Type))
	if outgoing != (proto == SMTP) || proto != IMAP && proto != POP3 && proto != SMTP {
		return Server{}, false
	}
	sec, ok := socketType(x.SocketType)
	host := strings.TrimSuffix(strings.TrimSpace(fill.Replace(x.Hostname)), ".")
	if !ok || !validHost(host) {
		return Server{}, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(x.Port))
	if err != nil || port <= 0 || port > 65535 {
		port = account.DefaultPort(proto, sec)
	}
	s := Server{Protocol: proto, Source: SourceAutoconfig, Server: account.Server{
		Host: strings.ToLower(host), Port: port, Security: sec,
		User: strings.TrimSpace(fill.Replace(x.Username)),
	}}
	for _, a := range x.Auth {
		if a = strings.TrimSpace(a); a != "" {
			s.Auth = append(s.Auth, a)
		}
	}
	return s, true
}

// socketType reads clientConfig's socketType: SSL (implicit TLS), STARTTLS,
// plain. An absent one means plain in the format; it is read as such.
func socketType(s string) (account.Security, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SSL", "TLS":
		return account.SecurityTLS, true
	case "STARTTLS":
		return account.SecurityStartTLS, true
	case "PLAIN", "":
		return account.SecurityNone, true
	}
	return "", false
}

func placeholders(address string) *strings.Replacer {
	local, domain := mailaddr.Split(address)
	return strings.NewReplacer("%EMAILADDRESS%", address, "%EMAILLOCALPART%", local, "%EMAILDOMAIN%", domain)
}

// validHost accepts a DNS name or an IP address: letters, digits, '-', '.',
// ':' (IPv6), nothing that could make a URL or a command of it.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
