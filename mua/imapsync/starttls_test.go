package imapsync

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"facteur/mua/account"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/internal/testtls"
)

// startTLSServer serves marc's INBOX on 127.0.0.1:0 with STARTTLS (a
// certificate of a test CA), or, with offer false, without it.
func startTLSServer(t *testing.T, offer bool) (account.Account, *account.Dialer) {
	t.Helper()
	pki, err := testtls.New()
	if err != nil {
		t.Fatal(err)
	}
	u := imaptest.NewUser(t)
	opt := imaptest.Options(imaptest.Sessions(u))
	if offer {
		opt.TLSConfig = pki.Server
		opt.InsecureAuth = false
	}
	srv := imaptest.Serve(t, imaptest.Listen(t), opt)
	in := srv.Incoming()
	in.Security = account.SecurityStartTLS
	in.User = imaptest.User
	a := account.Account{Name: "Machin", Protocol: account.IMAP, Identity: account.Identity{Address: "marc@machin.test"}, Incoming: in}
	return a, &account.Dialer{RootCAs: pki.Roots}
}

func TestStartTLSTranscriptIsDecrypted(t *testing.T) {
	a, d := startTLSServer(t, true)
	var buf strings.Builder
	s := New(a, imaptest.Password, Options{Dialer: d, Transcript: &buf})
	folders, err := s.Folders(context.Background())
	s.Close() // waits for the reading goroutine, which writes the transcript too
	if err != nil || len(folders) == 0 {
		t.Fatalf("Folders over STARTTLS = %v, %v", folders, err)
	}
	text := buf.String()
	for _, want := range []string{"C: S0 STARTTLS\n", "--- TLS started with STARTTLS ---\n", "CAPABILITY", " LOGIN \"marc\" ****\n", " LIST "} {
		if !strings.Contains(text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, imaptest.Password) || strings.Contains(text, "\x16\x03") {
		t.Errorf("the transcript shows the password or TLS records:\n%s", text)
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(line, "C: ") && !strings.HasPrefix(line, "S: ") && !strings.HasPrefix(line, "--- ") {
			t.Errorf("a line without its direction: %q", line)
		}
	}
}

func TestStartTLSRefusedIsNeverPlaintext(t *testing.T) {
	a, d := startTLSServer(t, false)
	s := New(a, imaptest.Password, Options{Dialer: d})
	defer s.Close()
	_, err := s.Folders(context.Background())
	if !errors.Is(err, account.ErrNoStartTLS) {
		t.Fatalf("a server without STARTTLS: %v, want ErrNoStartTLS", err)
	}
}

func TestStartTLSUntrustedCertificate(t *testing.T) {
	a, _ := startTLSServer(t, true)
	s := New(a, imaptest.Password, Options{Dialer: &account.Dialer{}}) // the system roots: the test CA is unknown
	defer s.Close()
	_, err := s.Folders(context.Background())
	var ce *account.CertificateError
	if !errors.As(err, &ce) || ce.Fingerprint == "" {
		t.Fatalf("an untrusted certificate: %v, want a *CertificateError", err)
	}
}

func TestGreetedConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	go func() { b.Write([]byte("rest")); b.Close() }()
	g := &greetedConn{Conn: a, greeting: "* OK hi\r\n"}
	buf := make([]byte, 4)
	var got []byte
	for {
		n, err := g.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != "* OK hi\r\nrest" {
		t.Errorf("read %q", got)
	}
}

// FuzzTrace: whatever a server sends, in whatever chunks, the transcript
// never panics, never shows the password, and every line has its direction.
func FuzzTrace(f *testing.F) {
	f.Add([]byte("* 1 FETCH (BODY[] {5}\r\nab"), []byte("cde)\r\nT1 OK\r\n"), uint8(3))
	f.Add([]byte("T1 LOGIN marc secret\r\n"), []byte("{99999999999999999999}\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, a, b []byte, cut uint8) {
		var buf strings.Builder
		tc := traced(nil, &traceOut{w: &buf, password: "secret"}).(*traceConn)
		tc.feed(&tc.sent, []byte("T0 LOGIN marc secret\r\n"))
		for i, chunk := range [][]byte{a, b} {
			side := &tc.in
			if i == int(cut)%2 {
				side = &tc.sent
			}
			tc.feed(side, chunk)
		}
		out := buf.String()
		if strings.Contains(out, "secret") {
			t.Fatalf("the password shows:\n%s", out)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !strings.HasPrefix(line, "C: ") && !strings.HasPrefix(line, "S: ") {
				t.Fatalf("a line without direction: %q", line)
			}
		}
	})
}
