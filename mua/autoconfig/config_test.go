package autoconfig

import (
	"errors"
	"os"
	"slices"
	"testing"

	"facteur/mua/account"
)

func TestParseConfig(t *testing.T) {
	ispdb, err := os.ReadFile("testdata/ispdb.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		xml  string
		want []string // Server.String() + " user"
		bad  bool
	}{
		{"ispdb with several servers", string(ispdb), []string{
			"pop3 pop.example.test:995 (tls) marc",
			"imap imap.example.test:143 (starttls) marc@example.test",
			"imap imap.example.test:993 (tls) marc@example.test",
			"smtp smtp.example.test:587 (starttls) marc@example.test",
			"smtp smtp.example.test:465 (tls) marc@example.test",
		}, false},
		{"plain and missing port", `<clientConfig version="1.1"><emailProvider id="x">
			<incomingServer type="IMAP"><hostname>Mail.Example.Test.</hostname><socketType>plain</socketType>
			<username>%EMAILLOCALPART%@%EMAILDOMAIN%</username></incomingServer></emailProvider></clientConfig>`,
			[]string{"imap mail.example.test:143 (none) marc@example.test"}, false},
		{"unknown socket type skipped", `<clientConfig><emailProvider>
			<incomingServer type="imap"><hostname>a.test</hostname><port>993</port><socketType>QUIC</socketType></incomingServer>
			<incomingServer type="pop3"><hostname>b.test</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
			</emailProvider></clientConfig>`, []string{"pop3 b.test:995 (tls) "}, false},
		{"smtp as incoming is skipped", `<clientConfig><emailProvider>
			<incomingServer type="smtp"><hostname>a.test</hostname><socketType>SSL</socketType></incomingServer>
			<outgoingServer type="imap"><hostname>a.test</hostname><socketType>SSL</socketType></outgoingServer>
			</emailProvider></clientConfig>`, nil, true},
		{"hostile host name", `<clientConfig><emailProvider><incomingServer type="imap">
			<hostname>evil.test/path?x</hostname><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`, nil, true},
		{"broken XML", `<clientConfig><emailProvider><incomingServer type="imap"><hostname>a.test</hostname>`, nil, true},
		{"not a clientConfig", `<html><body>Not found</body></html>`, nil, true},
		{"empty", ``, nil, true},
		{"latin1 declaration", `<?xml version="1.0" encoding="ISO-8859-1"?><clientConfig><emailProvider>
			<incomingServer type="imap"><hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
			</emailProvider></clientConfig>`, []string{"imap imap.example.test:993 (tls) "}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tt.xml), "marc@example.test")
			if tt.bad {
				if !errors.Is(err, ErrBadConfig) {
					t.Fatalf("err = %v, want ErrBadConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, s := range got {
				if s.Source != SourceAutoconfig {
					t.Errorf("%v: source %q", s, s.Source)
				}
				lines = append(lines, s.String()+" "+s.User)
			}
			if !slices.Equal(lines, tt.want) {
				t.Fatalf("got\n%q\nwant\n%q", lines, tt.want)
			}
		})
	}
}

func TestRankAndChoose(t *testing.T) {
	got, err := ParseConfig(mustRead(t, "testdata/ispdb.xml"), "marc@example.test")
	if err != nil {
		t.Fatal(err)
	}
	var r Result
	r.add(got)
	in, out, err := r.Choose(false)
	if err != nil {
		t.Fatal(err)
	}
	// IMAP over TLS wins over POP3 over TLS, both before STARTTLS.
	if in.String() != "imap imap.example.test:993 (tls)" || out.String() != "smtp smtp.example.test:465 (tls)" {
		t.Fatalf("Choose = %v, %v", in, out)
	}
	if !slices.Equal(in.Auth, []string{"OAuth2", "password-cleartext"}) {
		t.Errorf("Auth = %q", in.Auth)
	}
	a := Account("ex", "marc@example.test", in, out)
	if a.Protocol != account.IMAP || a.Incoming.User != "" || a.Outgoing.Port != 465 {
		t.Errorf("Account = %+v", a)
	}

	plain := Result{Incoming: []Server{{Protocol: IMAP, Server: account.Server{Host: "a.test", Port: 143, Security: account.SecurityNone}}}}
	if _, _, err := plain.Choose(false); !errors.Is(err, ErrInsecure) {
		t.Fatalf("Choose(plain, false) = %v, want ErrInsecure", err)
	}
	if in, _, err := plain.Choose(true); err != nil || !in.Insecure() {
		t.Fatalf("Choose(plain, true) = %v, %v", in, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzParseConfig(f *testing.F) {
	f.Add(mustReadF(f, "testdata/ispdb.xml"))
	f.Add([]byte(`<clientConfig><emailProvider><incomingServer type="imap"><hostname>%EMAILDOMAIN%</hostname></incomingServer></emailProvider></clientConfig>`))
	f.Add([]byte(`<clientConfig><emailProvider><incomingServer`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseConfig(data, "marc@example.test")
		if err != nil {
			if !errors.Is(err, ErrBadConfig) || got != nil {
				t.Fatalf("error %v with %d servers", err, len(got))
			}
			return
		}
		for _, s := range got {
			if !validHost(s.Host) || s.Port <= 0 || s.Port > 65535 {
				t.Fatalf("bad server %+v", s)
			}
			if s.Protocol != IMAP && s.Protocol != POP3 && s.Protocol != SMTP {
				t.Fatalf("bad protocol %q", s.Protocol)
			}
		}
	})
}

func mustReadF(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
