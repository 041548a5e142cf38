package autoconfig

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"facteur/mua/account"
)

const clientXML = `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="example.test">
  <incomingServer type="imap"><hostname>127.0.0.1</hostname><port>%PORT%</port>
    <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
    <authentication>password-cleartext</authentication></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port>
    <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></outgoingServer>
</emailProvider></clientConfig>`

// baseURLs points the two standard places at a loopback server.
func baseURLs(base string) func(domain, address string) []string {
	return func(domain, address string) []string {
		return []string{
			base + "/mail/config-v1.1.xml?emailaddress=" + queryEscape(address),
			base + "/.well-known/autoconfig/mail/config-v1.1.xml",
		}
	}
}

func strs(list []Server) []string {
	var out []string
	for _, s := range list {
		out = append(out, string(s.Source)+" "+s.String())
	}
	return out
}

func TestDiscoverAutoconfig(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("autoconfig asked over plain http")
	}))
	defer plain.Close()
	srv, seen := startHTTPS(t, map[string]string{
		"/.well-known/autoconfig/mail/config-v1.1.xml": strings.ReplaceAll(clientXML, "%PORT%", "10993"),
	})
	d := &Discoverer{
		RootCAs:  pki().Roots,
		Resolver: startDNS(t),
		URLs: func(domain, address string) []string {
			return append([]string{plain.URL + "/mail/config-v1.1.xml"}, baseURLs(srv.URL)(domain, address)...)
		},
	}
	r, err := d.Discover(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}
	if got := strs(r.Incoming); len(got) != 1 || got[0] != "autoconfig imap 127.0.0.1:10993 (tls)" {
		t.Fatalf("incoming = %q", got)
	}
	if got := r.Outgoing; len(got) != 1 || got[0].Host != "smtp.example.test" || got[0].User != "marc" {
		t.Fatalf("outgoing = %+v", got)
	}
	if want := srv.URL + "/.well-known/autoconfig/mail/config-v1.1.xml"; r.Incoming[0].Origin != want {
		t.Errorf("origin = %q, want %q", r.Incoming[0].Origin, want)
	}
	if len(*seen) != 2 || (*seen)[0] != "/mail/config-v1.1.xml?emailaddress=marc%40example.test" {
		t.Errorf("requests = %q, want the emailaddress one first", *seen)
	}
}

func TestAutoconfigRedirectToHTTPRefused(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.RedirectHandler("http://127.0.0.1:1/config.xml", http.StatusFound))
	srv.TLS = pki().Server.Clone()
	srv.StartTLS()
	defer srv.Close()
	d := &Discoverer{RootCAs: pki().Roots, Resolver: startDNS(t), URLs: baseURLs(srv.URL),
		Skip: map[Source]bool{SourceSRV: true, SourceGuess: true}}
	_, err := d.Discover(context.Background(), testUser)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestAutoconfigUntrustedCertificate(t *testing.T) {
	srv, _ := startHTTPS(t, map[string]string{"/mail/config-v1.1.xml": clientXML})
	d := &Discoverer{Resolver: startDNS(t), URLs: baseURLs(srv.URL), Skip: map[Source]bool{SourceSRV: true, SourceGuess: true}}
	if _, err := d.Discover(context.Background(), testUser); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v: a config from a server the system roots do not trust was used", err)
	}
}

func TestDiscoverSRV(t *testing.T) {
	res := startDNS(t,
		"example.test. 60 IN MX 10 mx.example.test.",
		"_imaps._tcp.example.test. 60 IN SRV 10 1 993 imap2.example.test.",
		"_imaps._tcp.example.test. 60 IN SRV 0 1 10993 imap1.example.test.",
		"_imap._tcp.example.test. 60 IN SRV 0 1 143 imap1.example.test.",
		"_pop3s._tcp.example.test. 60 IN SRV 0 0 0 .",
		"_pop3._tcp.example.test. 60 IN SRV 5 0 110 pop.example.test.",
		"_submission._tcp.example.test. 60 IN SRV 0 10 587 smtp.example.test.",
		"_submission._tcp.example.test. 60 IN SRV 0 90 465 smtps.example.test.",
	)
	d := &Discoverer{Resolver: res, URLs: func(string, string) []string { return nil }}
	r, err := d.Discover(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SRV imap imap1.example.test:10993 (tls)",
		"SRV imap imap2.example.test:993 (tls)",
		"SRV imap imap1.example.test:143 (starttls)",
		"SRV pop3 pop.example.test:110 (starttls)",
	}
	if got := strs(r.Incoming); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("incoming\n%q\nwant\n%q", got, want)
	}
	wantOut := []string{"SRV smtp smtps.example.test:465 (tls)", "SRV smtp smtp.example.test:587 (starttls)"}
	if got := strs(r.Outgoing); strings.Join(got, "|") != strings.Join(wantOut, "|") {
		t.Fatalf("outgoing\n%q\nwant\n%q", got, wantOut)
	}
	if r.Incoming[0].Origin != "_imaps._tcp.example.test" {
		t.Errorf("origin = %q", r.Incoming[0].Origin)
	}
}

func TestDiscoverGuess(t *testing.T) {
	res := startDNS(t, "example.test. 60 IN MX 10 mx1.mailhost.test.")
	imapTLS := startIMAP(t, pki().SelfSigned, nil) // untrusted: still there
	smtpPlain := startSMTP(t, nil, pki().Server)
	junk := listen(t, nil)
	defer junk.Close()
	go func() {
		for {
			c, err := junk.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.0 400 Bad Request\r\n\r\n")
			c.Close()
		}
	}()
	d := &Discoverer{
		Resolver: res, URLs: func(string, string) []string { return nil },
		Dial: mapDial(map[string]string{
			"imap.mailhost.test:993": imapTLS,
			"smtp.example.test:587":  smtpPlain,
			"pop.example.test:110":   junk.Addr().String(),
		}),
		ProbeTimeout: 2 * time.Second,
	}
	r, err := d.Discover(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}
	if got := strs(r.Incoming); len(got) != 1 || got[0] != "guess imap imap.mailhost.test:993 (tls)" {
		t.Fatalf("incoming = %q", got)
	}
	if got := strs(r.Outgoing); len(got) != 1 || got[0] != "guess smtp smtp.example.test:587 (starttls)" {
		t.Fatalf("outgoing = %q", got)
	}
}

func TestProbe(t *testing.T) {
	imapTLS := startIMAP(t, pki().Server, nil)
	pop := startPOP3(t, nil)
	d := &Discoverer{RootCAs: pki().Roots, Dial: mapDial(map[string]string{
		"imap.example.test:993": imapTLS, "pop.example.test:110": pop,
		"imap.example.test:143": pop, // a POP3 server where IMAP is expected
	}), ProbeTimeout: time.Second}
	ctx := context.Background()
	tests := []struct {
		proto string
		host  string
		sec   account.Security
		ok    bool
	}{
		{IMAP, "imap.example.test", account.SecurityTLS, true},
		{POP3, "pop.example.test", account.SecurityStartTLS, true},
		{IMAP, "imap.example.test", account.SecurityStartTLS, false},
		{SMTP, "smtp.example.test", account.SecurityTLS, false},
	}
	for _, tt := range tests {
		s := account.Server{Host: tt.host, Port: account.DefaultPort(tt.proto, tt.sec), Security: tt.sec}
		if err := d.Probe(ctx, tt.proto, s); (err == nil) != tt.ok {
			t.Errorf("Probe(%s %s %s) = %v, want ok %v", tt.proto, tt.host, tt.sec, err, tt.ok)
		}
	}
}

// TestDiscoverFallbackChain: no autoconfig (404), SRV names only the
// submission server, the guess finds the IMAP server.
func TestDiscoverFallbackChain(t *testing.T) {
	srv, seen := startHTTPS(t, nil)
	res := startDNS(t,
		"example.test. 60 IN MX 10 example.test.",
		"_submissions._tcp.example.test. 60 IN SRV 0 1 465 smtp.example.test.",
	)
	imapTLS := startIMAP(t, pki().Server, nil)
	d := &Discoverer{
		RootCAs: pki().Roots, Resolver: res, URLs: baseURLs(srv.URL),
		Dial:         mapDial(map[string]string{"mail.example.test:993": imapTLS, srv.Listener.Addr().String(): srv.Listener.Addr().String()}),
		ProbeTimeout: 2 * time.Second,
	}
	r, err := d.Discover(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(*seen) != 2 {
		t.Errorf("autoconfig requests = %q, want 2", *seen)
	}
	if got := strs(r.Incoming); len(got) != 1 || got[0] != "guess imap mail.example.test:993 (tls)" {
		t.Fatalf("incoming = %q", got)
	}
	if got := strs(r.Outgoing); len(got) != 1 || got[0] != "SRV smtp smtp.example.test:465 (tls)" {
		t.Fatalf("outgoing = %q", got)
	}
	if len(r.Tried) != 1 || !strings.Contains(r.Tried[0], "404") {
		t.Errorf("Tried = %q", r.Tried)
	}
}

func TestDiscoverFailures(t *testing.T) {
	res := startDNS(t, "exists.test. 60 IN MX 10 mx.exists.test.")
	refuse := func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: errors.New("refused")}
	}
	d := &Discoverer{Resolver: res, URLs: func(string, string) []string { return nil }, Dial: refuse}
	tests := []struct {
		addr     string
		want     error
		sentence string
	}{
		{"marc@nowhere.test", ErrDNS, "The name nowhere.test does not exist"},
		{"marc@exists.test", ErrNotFound, "No mail server settings were found for exists.test"},
		{"marc", ErrBadAddress, "is not an e-mail address"},
	}
	for _, tt := range tests {
		_, err := d.Discover(context.Background(), tt.addr)
		var e *Error
		if !errors.Is(err, tt.want) || !errors.As(err, &e) || !strings.Contains(e.Sentence(), tt.sentence) {
			t.Errorf("Discover(%s) = %v, want %v saying %q", tt.addr, err, tt.want, tt.sentence)
		}
	}
}
