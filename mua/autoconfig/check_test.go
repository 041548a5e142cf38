package autoconfig

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"facteur/mua/account"
)

// at makes a Server for a loopback address.
func at(t *testing.T, addr string, sec account.Security) account.Server {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return account.Server{Host: host, Port: n, Security: sec}
}

func TestCheck(t *testing.T) {
	p := pki()
	tls, stls := account.SecurityTLS, account.SecurityStartTLS
	imapTLS := startIMAP(t, p.Server, nil)
	imapSTLS := startIMAP(t, nil, p.Server)
	imapNoSTLS := startIMAP(t, nil, nil)
	imapSelf := startIMAP(t, p.SelfSigned, nil)
	popTLS := startPOP3(t, p.Server)
	smtpTLS := startSMTP(t, p.Server, nil)
	smtpSTLS := startSMTP(t, nil, p.Server)
	smtpNoSTLS := startSMTP(t, nil, nil)
	closed := closedAddr(t)
	selfFP := account.Fingerprint(p.SelfDER)
	d := &account.Dialer{RootCAs: p.Roots}

	tests := []struct {
		name     string
		proto    string
		srv      account.Server
		pass     string
		want     error // nil: success
		sentence string
	}{
		{"imap tls", IMAP, at(t, imapTLS, tls), testPass, nil, ""},
		{"imap starttls", IMAP, at(t, imapSTLS, stls), testPass, nil, ""},
		{"imap bad password", IMAP, at(t, imapTLS, tls), "wrong", ErrAuth, "refused the user name or the password"},
		{"imap no starttls", IMAP, at(t, imapNoSTLS, stls), testPass, ErrNoStartTLS, "does not offer STARTTLS"},
		{"imap self-signed", IMAP, at(t, imapSelf, tls), testPass, ErrTLS, "pin its SHA-256 fingerprint " + selfFP},
		{"imap tls on a plaintext port", IMAP, at(t, imapNoSTLS, tls), testPass, ErrTLS, "secure (TLS) connection"},
		{"pop3 tls", POP3, at(t, popTLS, tls), testPass, nil, ""},
		{"pop3 bad password", POP3, at(t, popTLS, tls), "wrong", ErrAuth, "POP3 server 127.0.0.1 refused"},
		{"smtp tls", SMTP, at(t, smtpTLS, tls), testPass, nil, ""},
		{"smtp starttls", SMTP, at(t, smtpSTLS, stls), testPass, nil, ""},
		{"smtp bad password", SMTP, at(t, smtpSTLS, stls), "wrong", ErrAuth, "SMTP server 127.0.0.1 refused"},
		{"smtp no starttls", SMTP, at(t, smtpNoSTLS, stls), testPass, ErrNoStartTLS, "will not send your password in clear"},
		{"refused", IMAP, at(t, closed, tls), testPass, ErrUnreachable, "Cannot connect to the IMAP server 127.0.0.1 on port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(context.Background(), d, tt.proto, tt.srv, testUser, tt.pass)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want %v", err, err, tt.want)
			}
			if !strings.Contains(e.Sentence(), tt.sentence) {
				t.Fatalf("sentence %q, want %q", e.Sentence(), tt.sentence)
			}
		})
	}

	t.Run("pinned self-signed", func(t *testing.T) {
		s := at(t, imapSelf, tls)
		err := Check(context.Background(), d, IMAP, s, testUser, testPass)
		var e *Error
		if !errors.As(err, &e) || e.Certificate() == nil || e.Certificate().Fingerprint != selfFP {
			t.Fatalf("err = %v, want a certificate error with %s", err, selfFP)
		}
		s.Fingerprint = e.Certificate().Fingerprint
		if err := Check(context.Background(), d, IMAP, s, testUser, testPass); err != nil {
			t.Fatalf("after pinning: %v", err)
		}
	})
}

func TestCheckDNS(t *testing.T) {
	d := &Discoverer{Resolver: startDNS(t, "example.test. 60 IN MX 10 mx.example.test.")}
	s := account.Server{Host: "nowhere.example.test", Port: 993, Security: account.SecurityTLS}
	err := Check(context.Background(), d.Dialer(), IMAP, s, testUser, testPass)
	var e *Error
	if !errors.Is(err, ErrDNS) || !errors.As(err, &e) || !strings.Contains(e.Sentence(), "nowhere.example.test does not exist") {
		t.Fatalf("err = %v, want ErrDNS", err)
	}
}

func TestCheckAccount(t *testing.T) {
	p := pki()
	imapAddr := startIMAP(t, p.Server, nil)
	smtpAddr := startSMTP(t, nil, p.Server)
	a := Account("ex", testUser,
		Server{Protocol: IMAP, Server: at(t, imapAddr, account.SecurityTLS)},
		Server{Protocol: SMTP, Server: at(t, smtpAddr, account.SecurityStartTLS)})
	d := &account.Dialer{RootCAs: p.Roots}
	if err := CheckAccount(context.Background(), d, a, testPass); err != nil {
		t.Fatal(err)
	}
	a.Outgoing.User = "someone-else"
	if err := CheckAccount(context.Background(), d, a, testPass); !errors.Is(err, ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth from SMTP", err)
	}
}
